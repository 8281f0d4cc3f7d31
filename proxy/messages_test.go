package proxy

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/llmux/llmux"
)

// TestMessages_AnthropicBackendRoundTrips: an Anthropic client's body
// reaches an Anthropic upstream JSON-equal, and the upstream's message
// reaches the client JSON-equal.
func TestMessages_AnthropicBackendRoundTrips(t *testing.T) {
	reqBody := readFile(t, "testdata/anthropic-request-full.json")
	respBody := readFile(t, "testdata/anthropic-message.json")
	an := newFakeUpstream(t, upstreamReply{body: string(respBody)})
	g := newGateway(t, nil, an)

	var req map[string]any
	if err := json.Unmarshal(reqBody, &req); err != nil {
		t.Fatal(err)
	}
	delete(req, "metadata") // LiteLLM's metadata: the gateway's loggers get it, the upstream does not
	sendBody, _ := json.Marshal(req)

	status, _, got := g.post(t, "/v1/messages", string(sendBody), "X-Api-Key", "anything", "Anthropic-Version", "2023-06-01")
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, got)
	}
	sent := an.received()
	if len(sent) != 1 {
		t.Fatalf("%d upstream requests", len(sent))
	}
	var up map[string]any
	if err := json.Unmarshal(sent[0], &up); err != nil {
		t.Fatal(err)
	}
	if d := jsonDiff(t, sendBody, sent[0]); d != "" {
		t.Errorf("the upstream got a different body (-client +upstream):\n%s", d)
	}
	if d := jsonDiff(t, respBody, got); d != "" {
		t.Errorf("the client got a different message (-upstream +client):\n%s", d)
	}
	g.flush(t)
	if got := strings.Join(g.rec.types(), ","); got != "pre_api_call,post_api_call,successful_api_call" {
		t.Errorf("events %s", got)
	}
}

// TestMessages_OpenAIBackendAnswersInAnthropicShape: an Anthropic client
// served by an OpenAI model gets Anthropic's message and events.
func TestMessages_OpenAIBackendAnswersInAnthropicShape(t *testing.T) {
	oa := newFakeUpstream(t,
		upstreamReply{body: string(readFile(t, "testdata/openai-chat.json"))},
		upstreamReply{body: string(readFile(t, "testdata/openai-chat-stream.sse"))},
	)
	g := newGateway(t, oa, nil)
	body := `{"model":"gpt-4o-mini","max_tokens":100,"system":"Be brief.","messages":[{"role":"user","content":"Hi"}]}`
	status, _, got := g.post(t, "/v1/messages", body)
	if status != 200 {
		t.Fatalf("status %d: %s", status, got)
	}
	var m struct {
		Type       string `json:"type"`
		Role       string `json:"role"`
		Model      string `json:"model"`
		StopReason string `json:"stop_reason"`
		Content    []struct {
			Type, Text string
		} `json:"content"`
		Usage struct {
			InputTokens  int `json:"input_tokens"`
			OutputTokens int `json:"output_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatal(err)
	}
	if m.Type != "message" || m.Role != "assistant" || m.Model != "gpt-4o-mini-2024-07-18" || m.StopReason != "end_turn" ||
		len(m.Content) != 1 || m.Content[0].Text == "" || m.Usage.InputTokens == 0 {
		t.Errorf("message: %s", got)
	}
	if sent := string(oa.received()[0]); !strings.Contains(sent, `"max_tokens":100`) || !strings.Contains(sent, `"role":"system"`) {
		t.Errorf("upstream chat body: %s", sent)
	}
	status, _, got = g.post(t, "/v1/messages", strings.Replace(body, `"max_tokens"`, `"stream":true,"max_tokens"`, 1))
	if status != 200 {
		t.Fatalf("stream status %d: %s", status, got)
	}
	for _, ev := range []string{"event: message_start", "event: content_block_delta", "event: message_delta", "event: message_stop"} {
		if !strings.Contains(string(got), ev) {
			t.Errorf("stream lacks %q:\n%s", ev, got)
		}
	}
}

func TestMessages_ErrorsInAnthropicShape(t *testing.T) {
	an := newFakeUpstream(t, upstreamReply{status: 429, header: map[string]string{"Retry-After": "3"},
		body: string(readFile(t, "testdata/anthropic-error-429-rate-limit.json"))})
	g := newGateway(t, nil, an, WithMasterKey(masterKey), WithClientOptions(llmux.WithMaxRetries(0)))
	body := `{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}`
	type anthErr struct {
		Type  string `json:"type"`
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	for _, tc := range []struct {
		name   string
		body   string
		header []string
		status int
		typ    string
	}{
		{"no key", body, nil, 401, "authentication_error"},
		{"bad body", `{"model":"claude-sonnet-4-5","messages":"x"}`, []string{"X-Api-Key", masterKey}, 400, "invalid_request_error"},
		{"upstream 429", body, []string{"X-Api-Key", masterKey}, 429, "rate_limit_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, got := g.post(t, "/v1/messages", tc.body, tc.header...)
			var e anthErr
			if err := json.Unmarshal(got, &e); err != nil || e.Type != "error" {
				t.Fatalf("not an Anthropic error (%v): %s", err, got)
			}
			if status != tc.status || e.Error.Type != tc.typ {
				t.Errorf("status %d type %q, want %d %q: %s", status, e.Error.Type, tc.status, tc.typ, got)
			}
			if tc.status == 429 && h.Get("Retry-After") != "3" {
				t.Errorf("Retry-After %q", h.Get("Retry-After"))
			}
		})
	}
}
