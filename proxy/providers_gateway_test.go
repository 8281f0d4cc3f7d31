package proxy

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/proxy/config"
)

// providerGateway serves a config whose model_list is yaml, with env as the
// environment, recording events.
func providerGateway(t *testing.T, yaml string, env map[string]string) *gateway {
	t.Helper()
	getenv := func(k string) string { return env[k] }
	cfg, err := config.Load([]byte(yaml), config.WithLookupEnv(lookupFrom(getenv)))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	srv, err := New(WithConfig(cfg, getenv), WithCallbacks(rec), WithLog(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		if err := srv.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &gateway{Server: ts, srv: srv, rec: rec}
}

// checkProviderCall asserts what every provider owes a gateway call: the
// answer, one success event whose RequestBody is the exact upstream body,
// a cost, and no key anywhere in the event.
func checkProviderCall(t *testing.T, g *gateway, up *fakeUpstream, secret, wantText string, stream bool) {
	t.Helper()
	g.flush(t)
	ts := g.rec.terminal()
	if len(ts) != 1 {
		t.Fatalf("%d terminal events", len(ts))
	}
	e := ts[0]
	if e.Type != llmux.EventSuccess || e.Stream != stream {
		t.Fatalf("event %s stream=%v err=%v", e.Type, e.Stream, e.Err)
	}
	if got := e.Response.Text(); got != wantText {
		t.Errorf("event response %q, want %q", got, wantText)
	}
	if e.CostErr != nil || e.ResponseCost <= 0 {
		t.Errorf("cost %g, %v", e.ResponseCost, e.CostErr)
	}
	sent := up.received()
	if len(sent) != 1 || !bytes.Equal(e.Attempt.RequestBody, sent[0]) {
		t.Errorf("RequestBody %s\nupstream got %s", e.Attempt.RequestBody, sent)
	}
	if dump := strings.Join([]string{string(e.Attempt.RequestBody), e.Attempt.APIKey, e.Attempt.APIBase, strings.Join(mapValues(e.Attempt.Headers), " ")}, " "); strings.Contains(dump, secret) {
		t.Errorf("the key is in the event: %s", dump)
	}
	g.rec.mu.Lock()
	g.rec.events, g.rec.chunks = nil, nil
	g.rec.mu.Unlock()
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// A Gemini deployment behind the gateway, called the OpenAI way: plain and
// streamed, with the deployment's key in x-goog-api-key.
func TestGateway_GeminiDeployment(t *testing.T) {
	const key = "AIzaSy-gateway-test-0123456789"
	up := newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/gemini-generate.json"))})
	g := providerGateway(t, `
model_list:
  - model_name: flash
    litellm_params:
      model: gemini/gemini-2.5-flash
      api_base: os.environ/GEMINI_BASE
      api_key: os.environ/GEMINI_KEY
`, map[string]string{"GEMINI_BASE": up.URL, "GEMINI_KEY": key})
	status, _, body := g.post(t, "/v1/chat/completions", `{"model":"flash","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]}`)
	if status != 200 || !strings.Contains(string(body), `"content":"Hello! How can I help you today?"`) {
		t.Fatalf("status %d: %s", status, body)
	}
	if up.paths[0] != "/v1beta/models/gemini-2.5-flash:generateContent" || up.headers[0].Get("x-goog-api-key") != key {
		t.Errorf("upstream path %s key %q", up.paths[0], up.headers[0].Get("x-goog-api-key"))
	}
	if !strings.Contains(string(up.received()[0]), `"systemInstruction"`) {
		t.Errorf("upstream body %s", up.received()[0])
	}
	checkProviderCall(t, g, up, key, "Hello! How can I help you today?", false)

	up.mu.Lock()
	up.replies, up.bodies, up.paths, up.headers = []upstreamReply{{body: string(readFile(t, "testdata/gemini-stream.sse"))}}, nil, nil, nil
	up.mu.Unlock()
	status, _, body = g.post(t, "/v1/chat/completions", `{"model":"flash","stream":true,"messages":[{"role":"user","content":"hi"}]}`)
	data := sseData(body)
	if status != 200 || len(data) < 2 || data[len(data)-1] != "[DONE]" {
		t.Fatalf("stream: status %d: %s", status, body)
	}
	if up.paths[0] != "/v1beta/models/gemini-2.5-flash:streamGenerateContent" {
		t.Errorf("stream path %s", up.paths[0])
	}
	g.flush(t)
	text := g.rec.terminal()[0].Response.Text()
	checkProviderCall(t, g, up, key, text, true)
	if !strings.HasPrefix(text, "Hello!") {
		t.Errorf("streamed text %q", text)
	}
}
