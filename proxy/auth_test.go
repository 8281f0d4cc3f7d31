package proxy

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

const masterKey = "sk-master-0123456789-SECRET"

func TestAuth_MasterKeyGuardsEveryRouteButHealth(t *testing.T) {
	up := newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/openai-chat.json"))})
	g := newGateway(t, up, nil, WithMasterKey(masterKey))
	body := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`
	for _, tc := range []struct {
		name   string
		header []string
		want   int
	}{
		{"no key", nil, 401},
		{"wrong bearer", []string{"Authorization", "Bearer sk-wrong"}, 401},
		{"wrong x-api-key", []string{"X-Api-Key", "sk-master-0123456789-SECREX"}, 401},
		{"basic auth is not a key", []string{"Authorization", "Basic " + masterKey}, 401},
		{"bearer", []string{"Authorization", "Bearer " + masterKey}, 200},
		{"x-api-key", []string{"X-Api-Key", masterKey}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, b := g.post(t, "/v1/chat/completions", body, tc.header...)
			if status != tc.want {
				t.Fatalf("status %d, want %d: %s", status, tc.want, b)
			}
			if strings.Contains(string(b), "sk-wrong") || strings.Contains(string(b), masterKey) || strings.Contains(string(b), "SECREX") {
				t.Errorf("the answer echoes a key: %s", b)
			}
			if tc.want == 401 && decodeOpenAIError(t, b).Error.Type != "authentication_error" {
				t.Errorf("type is not authentication_error: %s", b)
			}
		})
	}
	for _, p := range []string{"/health/liveliness", "/health/readiness"} {
		resp, err := http.Get(g.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s without a key: %d, want 200", p, resp.StatusCode)
		}
	}
	resp, err := http.Get(g.URL + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("/v1/models without a key: %d, want 401", resp.StatusCode)
	}
	if strings.Contains(g.log.String(), masterKey) {
		t.Errorf("the gateway's log holds the master key")
	}
	g.flush(t)
	for _, e := range g.rec.terminal() {
		if h, _ := e.Metadata["user_api_key_hash"].(string); len(h) != 64 {
			t.Errorf("event metadata user_api_key_hash %q, want the key's SHA-256", h)
		}
	}
}

func TestRequestID_EchoedOrMade(t *testing.T) {
	g := newGateway(t, nil, nil)
	status, h, _ := g.post(t, "/v1/chat/completions", `{"model":"mock/gpt-4o","messages":[{"role":"user","content":"hi"}]}`, "X-Request-Id", "req-abc-123")
	if status != 200 || h.Get("X-Request-Id") != "req-abc-123" {
		t.Errorf("status %d x-request-id %q, want the client's", status, h.Get("X-Request-Id"))
	}
	_, h, _ = g.post(t, "/v1/chat/completions", `{"model":"mock/gpt-4o","messages":[{"role":"user","content":"hi"}]}`, "X-Request-Id", strings.Repeat("x", 200))
	if id := h.Get("X-Request-Id"); len(id) != 32 {
		t.Errorf("x-request-id %q, want a new one for an over-long id", id)
	}
	g.flush(t)
	ts := g.rec.terminal()
	if len(ts) != 2 || ts[0].TraceID != "req-abc-123" {
		t.Errorf("trace id of the first call %q, want the request id", ts[0].TraceID)
	}
	if !strings.Contains(g.log.String(), `"request_id":"req-abc-123"`) {
		t.Errorf("the access log lacks the request id:\n%s", g.log.String())
	}
}

func TestClientCredentials_AllowedWhenConfigured(t *testing.T) {
	up := newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/openai-chat.json"))})
	g := newGateway(t, nil, nil, WithClientCredentials(true), WithClientOptions(EnvProviders(func(string) string { return "" })...))
	body := `{"model":"openai/gpt-4o-mini","api_key":"sk-client-own-key-12345678","api_base":"` + up.URL + `/v1","messages":[{"role":"user","content":"hi"}]}`
	status, _, b := g.post(t, "/v1/chat/completions", body)
	if status != 200 {
		t.Fatalf("status %d: %s", status, b)
	}
	if got := up.headers[0].Get("Authorization"); got != "Bearer sk-client-own-key-12345678" {
		t.Errorf("upstream Authorization %q, want the client's key", got)
	}
	if strings.Contains(string(up.received()[0]), "api_key") || strings.Contains(string(up.received()[0]), "api_base") {
		t.Errorf("credentials were sent in the body: %s", up.received()[0])
	}
}

func TestHealth(t *testing.T) {
	g := newGateway(t, nil, nil)
	resp, err := http.Get(g.URL + "/health/liveliness")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != `"I'm alive!"` {
		t.Errorf("liveliness: %d %s", resp.StatusCode, b)
	}
}
