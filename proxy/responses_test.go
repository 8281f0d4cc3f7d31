package proxy

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/llmux/llmux"
)

func TestResponses_NonStreamingAndStreamingThroughOneCall(t *testing.T) {
	up := newFakeUpstream(t,
		upstreamReply{body: string(readFile(t, "testdata/openai-chat.json"))},
		upstreamReply{body: string(readFile(t, "testdata/openai-chat-stream.sse"))},
	)
	g := newGateway(t, up, nil)
	req := `{"model":"gpt-4o-mini","instructions":"Be brief.","input":"Hi","metadata":{"team":"search"}}`
	status, _, body := g.post(t, "/v1/responses", req)
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	var out struct {
		Object string `json:"object"`
		Status string `json:"status"`
		Output []struct {
			Type    string `json:"type"`
			Content []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"content"`
		} `json:"output"`
		Usage struct {
			InputTokens int `json:"input_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if out.Object != "response" || out.Status != "completed" || len(out.Output) == 0 || out.Output[0].Content[0].Text == "" || out.Usage.InputTokens == 0 {
		t.Errorf("response object: %s", body)
	}
	sent := string(up.received()[0])
	if !strings.Contains(sent, `"role":"system","content":"Be brief."`) || strings.Contains(sent, "team") {
		t.Errorf("upstream chat body: %s", sent)
	}

	status, h, body := g.post(t, "/v1/responses", strings.Replace(req, `"input"`, `"stream":true,"input"`, 1))
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %d %s", status, body)
	}
	for _, ev := range []string{"event: response.created", "event: response.output_text.delta", "event: response.completed"} {
		if !strings.Contains(string(body), ev) {
			t.Errorf("stream lacks %q:\n%s", ev, body)
		}
	}
	g.flush(t)
	ts := g.rec.terminal()
	if len(ts) != 2 || ts[0].Type != llmux.EventSuccess || ts[1].Type != llmux.EventSuccess || ts[0].Metadata["team"] != "search" {
		t.Errorf("events %v, want one success per request with the request's metadata", g.rec.types())
	}
}

func TestResponses_BadRequestNamesTheField(t *testing.T) {
	g := newGateway(t, nil, nil)
	status, _, body := g.post(t, "/v1/responses", `{"model":"mock/gpt-4o","input":[{"role":"user","content":[{"type":"bogus"}]}]}`)
	if status != 400 {
		t.Fatalf("status %d: %s", status, body)
	}
	e := decodeOpenAIError(t, body)
	if e.Error.Param == nil || !strings.HasPrefix(*e.Error.Param, "input[0].content[0]") {
		t.Errorf("param %v, want the field path: %s", e.Error.Param, body)
	}
}
