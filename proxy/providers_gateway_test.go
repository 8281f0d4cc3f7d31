package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

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

// A Vertex AI deployment: vertex_project and vertex_location from
// litellm_params place the call; the deployment's api_key is the access
// token (the OAuth path is provider/vertex's tests').
func TestGateway_VertexDeployment(t *testing.T) {
	const token = "ya29.gateway-test-token-0123456789"
	up := newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/gemini-generate.json"))})
	g := providerGateway(t, `
model_list:
  - model_name: pro
    litellm_params:
      model: vertex_ai/gemini-2.5-pro
      vertex_project: my-project
      vertex_location: europe-west4
      api_base: os.environ/VERTEX_BASE
      api_key: os.environ/VERTEX_TOKEN
`, map[string]string{"VERTEX_BASE": up.URL, "VERTEX_TOKEN": token})
	status, _, body := g.post(t, "/v1/chat/completions", `{"model":"pro","messages":[{"role":"user","content":"hi"}]}`)
	if status != 200 || !strings.Contains(string(body), `"content":"Hello! How can I help you today?"`) {
		t.Fatalf("status %d: %s", status, body)
	}
	if want := "/v1/projects/my-project/locations/europe-west4/publishers/google/models/gemini-2.5-pro:generateContent"; up.paths[0] != want {
		t.Errorf("upstream path %s, want %s", up.paths[0], want)
	}
	if got := up.headers[0].Get("Authorization"); got != "Bearer "+token {
		t.Errorf("Authorization %q", got)
	}
	checkProviderCall(t, g, up, token, "Hello! How can I help you today?", false)
}

// bedrockFrames encodes a .jsonl list of Converse stream events as the
// binary event-stream frames Bedrock sends.
func bedrockFrames(t *testing.T, jsonl []byte) string {
	t.Helper()
	var out bytes.Buffer
	enc := eventstream.NewEncoder()
	for _, line := range bytes.Split(bytes.TrimSpace(jsonl), []byte("\n")) {
		var ev struct {
			Event   string          `json:"event"`
			Payload json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatal(err)
		}
		var m eventstream.Message
		m.Headers.Set(":event-type", eventstream.StringValue(ev.Event))
		m.Headers.Set(":content-type", eventstream.StringValue("application/json"))
		m.Headers.Set(":message-type", eventstream.StringValue("event"))
		m.Payload = ev.Payload
		if err := enc.Encode(&out, m); err != nil {
			t.Fatal(err)
		}
	}
	return out.String()
}

// A Bedrock deployment: aws_* litellm_params sign the call (SigV4, with
// the deployment's region), plain and streamed; the secret key is never
// sent nor reported.
func TestGateway_BedrockDeployment(t *testing.T) {
	const keyID, secret = "AKIAGATEWAYTEST0123", "gateway-test-secret-access-key-0123456789"
	up := newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/bedrock-converse.json"))})
	g := providerGateway(t, `
model_list:
  - model_name: claude
    litellm_params:
      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0
      aws_region_name: eu-central-1
      aws_access_key_id: os.environ/AWS_ID
      aws_secret_access_key: os.environ/AWS_SECRET
      aws_bedrock_runtime_endpoint: os.environ/BEDROCK_ENDPOINT
`, map[string]string{"AWS_ID": keyID, "AWS_SECRET": secret, "BEDROCK_ENDPOINT": up.URL})
	status, _, body := g.post(t, "/v1/chat/completions", `{"model":"claude","messages":[{"role":"user","content":"hi"}]}`)
	if status != 200 || !strings.Contains(string(body), `"content":"Hello! How can I help you today?"`) {
		t.Fatalf("status %d: %s", status, body)
	}
	if up.paths[0] != "/model/anthropic.claude-3-5-sonnet-20240620-v1:0/converse" {
		t.Errorf("upstream path %s", up.paths[0])
	}
	auth := up.headers[0].Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+keyID+"/") || !strings.Contains(auth, "/eu-central-1/bedrock/aws4_request") {
		t.Errorf("Authorization %q, want SigV4 with the deployment's key and region", auth)
	}
	checkProviderCall(t, g, up, secret, "Hello! How can I help you today?", false)

	up.mu.Lock()
	up.replies = []upstreamReply{{body: bedrockFrames(t, readFile(t, "testdata/bedrock-converse-stream.events.jsonl")),
		header: map[string]string{"Content-Type": "application/vnd.amazon.eventstream"}}}
	up.bodies, up.paths, up.headers = nil, nil, nil
	up.mu.Unlock()
	status, _, body = g.post(t, "/v1/chat/completions", `{"model":"claude","stream":true,"messages":[{"role":"user","content":"hi"}]}`)
	data := sseData(body)
	if status != 200 || len(data) < 2 || data[len(data)-1] != "[DONE]" {
		t.Fatalf("stream: status %d: %s", status, body)
	}
	if up.paths[0] != "/model/anthropic.claude-3-5-sonnet-20240620-v1:0/converse-stream" {
		t.Errorf("stream path %s", up.paths[0])
	}
	g.flush(t)
	text := g.rec.terminal()[0].Response.Text()
	if text != "Hello! How can I help you today?" {
		t.Errorf("streamed text %q", text)
	}
	checkProviderCall(t, g, up, secret, text, true)
}
