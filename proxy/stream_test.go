package proxy

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/llmux/llmux"
)

const streamReq = `{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}`

func TestStream_ErrorBeforeFirstByteIsAnOrdinaryAnswer(t *testing.T) {
	up := newFakeUpstream(t, upstreamReply{status: 429, body: string(readFile(t, "testdata/openai-error-429-rate-limit.json"))})
	g := newGateway(t, up, nil, WithClientOptions(llmux.WithMaxRetries(0)))
	status, h, body := g.post(t, "/v1/chat/completions", streamReq)
	if status != 429 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("status %d content type %q: %s", status, h.Get("Content-Type"), body)
	}
	decodeOpenAIError(t, body)
}

func TestStream_InBandErrorEndsWithAnErrorEventAndNoDone(t *testing.T) {
	up := newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/openai-chat-stream-error.sse"))})
	g := newGateway(t, up, nil)
	status, _, body := g.post(t, "/v1/chat/completions", streamReq)
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	data := sseData(body)
	if len(data) != 3 || !strings.Contains(data[1], `"Hello"`) || !strings.HasPrefix(data[2], `{"error":`) {
		t.Fatalf("events %q, want two chunks then an error", data)
	}
	if strings.Contains(string(body), "[DONE]") {
		t.Errorf("a failed stream ended with [DONE]")
	}
	g.flush(t)
	if ts := g.rec.terminal(); len(ts) != 1 || ts[0].Type != llmux.EventFailure {
		t.Errorf("events %v, want one failure", g.rec.types())
	}
}

func TestStream_UsageChunkOnlyWhenAsked(t *testing.T) {
	sse := string(readFile(t, "testdata/openai-chat-stream.sse"))
	up := newFakeUpstream(t, upstreamReply{body: sse})
	g := newGateway(t, up, nil)
	_, _, body := g.post(t, "/v1/chat/completions", streamReq)
	for _, d := range sseData(body) {
		if strings.Contains(d, `"usage":{`) {
			t.Errorf("a client that did not ask got usage: %s", d)
		}
	}
	if !strings.Contains(string(up.received()[0]), `"include_usage":true`) {
		t.Errorf("the gateway did not ask the upstream for usage: %s", up.received()[0])
	}
	for _, opts := range []string{`{"include_usage":true}`, `{ "include_usage" : true }`, `{"include_obfuscation":false,"include_usage":true}`} {
		_, _, body = g.post(t, "/v1/chat/completions", `{"model":"gpt-4o-mini","stream":true,"stream_options":`+opts+`,"messages":[{"role":"user","content":"hi"}]}`)
		if !strings.Contains(string(body), `"usage":{`) {
			t.Errorf("a client that asked (%s) got no usage:\n%s", opts, body)
		}
	}
	_, _, body = g.post(t, "/v1/chat/completions", `{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":false},"messages":[{"role":"user","content":"hi"}]}`)
	for _, d := range sseData(body) {
		if strings.Contains(d, `"usage":{`) {
			t.Errorf("a client that said include_usage false got usage: %s", d)
		}
	}
	g.flush(t)
	for _, e := range g.rec.terminal() {
		if e.Usage.TotalTokens == 0 || e.ResponseCost == 0 {
			t.Errorf("terminal event without usage or cost: %+v cost %v", e.Usage, e.ResponseCost)
		}
	}
}

// TestStream_ClientDisconnectCancelsUpstreamAndEndsWithOneFailure: a
// client that hangs up mid-stream cancels the upstream request, and the
// call ends with one failure event carrying the partial usage and cost.
func TestStream_ClientDisconnectCancelsUpstreamAndEndsWithOneFailure(t *testing.T) {
	first := strings.SplitAfter(string(readFile(t, "testdata/openai-chat-stream.sse")), "\n\n")
	hold := make(chan struct{})
	defer close(hold)
	up := newFakeUpstream(t, upstreamReply{body: first[0] + first[1] + first[2], hold: hold})
	g := newGateway(t, up, nil)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, g.URL+"/v1/chat/completions", strings.NewReader(streamReq))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "data: {") {
		t.Fatalf("first line %q, %v", line, err)
	}
	cancel()
	resp.Body.Close()

	deadline := time.Now().Add(10 * time.Second)
	for len(g.rec.terminal()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		g.flush(t)
	}
	ts := g.rec.terminal()
	if len(ts) != 1 || ts[0].Type != llmux.EventFailure {
		t.Fatalf("events %v, want exactly one failure", g.rec.types())
	}
	e := ts[0]
	if llmux.CodeOf(e.Err) != llmux.CodeCanceled {
		t.Errorf("failure code %v, want canceled", llmux.CodeOf(e.Err))
	}
	if e.Usage.CompletionTokens == 0 || e.ResponseCost == 0 {
		t.Errorf("failure event usage %+v cost %v, want the partial usage and its cost", e.Usage, e.ResponseCost)
	}
	if e.Response == nil || !strings.Contains(e.Response.Text(), "Hello") {
		t.Errorf("failure event without the partial response: %+v", e.Response)
	}
}

func TestStream_ConcurrentStreamsBounded(t *testing.T) {
	hold := make(chan struct{})
	first := strings.SplitAfter(string(readFile(t, "testdata/openai-chat-stream.sse")), "\n\n")[0]
	up := newFakeUpstream(t, upstreamReply{body: first, hold: hold})
	g := newGateway(t, up, nil, WithMaxConcurrentStreams(1))
	resp, err := http.Post(g.URL+"/v1/chat/completions", "application/json", strings.NewReader(streamReq))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	status, _, body := g.post(t, "/v1/chat/completions", streamReq)
	if status != http.StatusTooManyRequests {
		t.Errorf("second stream: %d %s, want 429", status, body)
	}
	close(hold)
}
