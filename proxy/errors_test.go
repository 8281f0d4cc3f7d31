package proxy

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/llmux/llmux"
)

type openAIError struct {
	Error struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

func decodeOpenAIError(t *testing.T, b []byte) openAIError {
	t.Helper()
	var e openAIError
	if err := json.Unmarshal(b, &e); err != nil || e.Error.Message == "" {
		t.Fatalf("not an OpenAI error body (%v): %s", err, b)
	}
	return e
}

type staticModels []string

func (m staticModels) Serves(s string) bool {
	for _, n := range m {
		if n == s {
			return true
		}
	}
	return false
}
func (m staticModels) List() []string { return m }

func TestErrors_BadRequestsName400(t *testing.T) {
	g := newGateway(t, newFakeUpstream(t, upstreamReply{body: `{}`}), nil, WithMaxBodySize(1024))
	for _, tc := range []struct {
		name, body string
		status     int
		param      string
		inMessage  string
	}{
		{"not JSON", `{"model":`, 400, "", "invalid request body: unexpected end of JSON input"},
		{"trailing data", `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]} {}`, 400, "", "invalid request body: invalid character '{' after top-level value"},
		{"bad literal", `{"model":"gpt-4o","stream":tru,"messages":[{"role":"user","content":"hi"}]}`, 400, "", "invalid request body: invalid character ','"},
		{"empty body", ``, 400, "", "empty request body"},
		{"wrong type", `{"model":"gpt-4o","messages":"hi"}`, 400, "messages", "want an array"},
		{"no model", `{"messages":[{"role":"user","content":"hi"}]}`, 400, "model", "model: required"},
		{"no messages", `{"model":"gpt-4o","messages":[]}`, 400, "messages", "at least one message"},
		{"bad temperature", `{"model":"gpt-4o","temperature":7,"messages":[{"role":"user","content":"hi"}]}`, 400, "temperature", "between 0 and 2"},
		{"bad role", `{"model":"gpt-4o","messages":[{"role":"robot","content":"hi"}]}`, 400, "messages[0].role", "unknown role"},
		{"client key refused", `{"model":"gpt-4o","api_key":"sk-mine","messages":[{"role":"user","content":"hi"}]}`, 400, "api_key", "client-side credentials"},
		{"client base refused", `{"model":"gpt-4o","api_base":"http://10.0.0.1","messages":[{"role":"user","content":"hi"}]}`, 400, "api_base", "client-side credentials"},
		{"bad cache controls", `{"model":"gpt-4o","cache":{"no_cache":true},"messages":[{"role":"user","content":"hi"}]}`, 400, "cache", "cache:"},
		{"too large", `{"model":"gpt-4o","messages":[{"role":"user","content":"` + strings.Repeat("x", 2000) + `"}]}`, 413, "", "larger than 1024 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := g.post(t, "/v1/chat/completions", tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			e := decodeOpenAIError(t, body)
			if !strings.Contains(e.Error.Message, tc.inMessage) {
				t.Errorf("message %q lacks %q", e.Error.Message, tc.inMessage)
			}
			param := ""
			if e.Error.Param != nil {
				param = *e.Error.Param
			}
			if param != tc.param {
				t.Errorf("param %q, want %q", param, tc.param)
			}
			if e.Error.Type != "invalid_request_error" {
				t.Errorf("type %q, want invalid_request_error", e.Error.Type)
			}
		})
	}
}

func TestErrors_UnknownModelIs404ListingServedNames(t *testing.T) {
	g := newGateway(t, newFakeUpstream(t, upstreamReply{body: `{}`}), nil, WithModels(staticModels{"gpt-4o", "claude"}))
	status, _, body := g.post(t, "/v1/chat/completions", `{"model":"gpt-5-nope","messages":[{"role":"user","content":"hi"}]}`)
	if status != http.StatusNotFound {
		t.Fatalf("status %d: %s", status, body)
	}
	e := decodeOpenAIError(t, body)
	if !strings.Contains(e.Error.Message, `"gpt-5-nope"`) || !strings.Contains(e.Error.Message, "served: gpt-4o, claude") {
		t.Errorf("message %q does not name the model and the served ones", e.Error.Message)
	}
	if e.Error.Code == nil || *e.Error.Code != "model_not_found" {
		t.Errorf("code %v, want model_not_found", e.Error.Code)
	}
}

func TestErrors_UpstreamErrorsKeepStatusAndType(t *testing.T) {
	rate := readFile(t, "testdata/openai-error-429-rate-limit.json")
	ctx := readFile(t, "testdata/openai-error-400-context-length.json")
	for _, tc := range []struct {
		name  string
		reply upstreamReply
		want  int
		code  string
		typ   string
	}{
		{"rate limit", upstreamReply{status: 429, header: map[string]string{"Retry-After": "7"}, body: string(rate)}, 429, "rate_limit_exceeded", "requests"},
		{"context length", upstreamReply{status: 400, body: string(ctx)}, 400, "context_length_exceeded", "invalid_request_error"},
		{"server error, not OpenAI-shaped", upstreamReply{status: 502, body: "<html>bad gateway</html>"}, 502, "server_error", "api_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up := newFakeUpstream(t, tc.reply)
			g := newGateway(t, up, nil, WithClientOptions(llmux.WithMaxRetries(0)))
			status, h, body := g.post(t, "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`)
			if status != tc.want {
				t.Fatalf("status %d, want %d: %s", status, tc.want, body)
			}
			e := decodeOpenAIError(t, body)
			if e.Error.Code == nil || *e.Error.Code != tc.code || e.Error.Type != tc.typ {
				t.Errorf("type %q code %v, want %q %q: %s", e.Error.Type, e.Error.Code, tc.typ, tc.code, body)
			}
			if tc.want == 429 && h.Get("Retry-After") != "7" {
				t.Errorf("Retry-After %q, want 7", h.Get("Retry-After"))
			}
			if strings.Contains(string(body), testKey) {
				t.Errorf("the answer holds the upstream key: %s", body)
			}
			g.flush(t)
			if got := g.rec.terminal(); len(got) != 1 || got[0].Type != llmux.EventFailure {
				t.Errorf("terminal events %v, want one failure", g.rec.types())
			}
		})
	}
}

func TestErrors_MethodAndRoute(t *testing.T) {
	g := newGateway(t, nil, nil)
	resp, err := http.Get(g.URL + "/v1/chat/completions")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET chat: status %d Allow %q, want 405 POST", resp.StatusCode, resp.Header.Get("Allow"))
	}
	status, _, body := g.post(t, "/v1/nowhere", `{}`)
	if status != http.StatusNotFound {
		t.Errorf("unknown route: %d %s", status, body)
	}
	decodeOpenAIError(t, body)
}

// TestErrors_BodyLimitEitherFraming: a body with a Content-Length over
// the limit is refused before it is read, a chunked one (no length) when
// it passes the limit; under the limit both are served, and an empty
// chunked body is a 400.
func TestErrors_BodyLimitEitherFraming(t *testing.T) {
	up := newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/openai-chat.json"))})
	g := newGateway(t, up, nil, WithMaxBodySize(1024))
	small := `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`
	large := `{"model":"gpt-4o","messages":[{"role":"user","content":"` + strings.Repeat("x", 2000) + `"}]}`
	send := func(t *testing.T, body string, chunked bool) (int, []byte) {
		t.Helper()
		var r io.Reader = strings.NewReader(body)
		if chunked {
			r = io.MultiReader(r) // no length known: sent chunked
		}
		req, err := http.NewRequest(http.MethodPost, g.URL+"/v1/chat/completions", r)
		if err != nil {
			t.Fatal(err)
		}
		if !chunked && req.ContentLength != int64(len(body)) {
			t.Fatalf("ContentLength %d", req.ContentLength)
		}
		status, _, b := send(t, req, "Content-Type", "application/json")
		return status, b
	}
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			if status, body := send(t, small, chunked); status != http.StatusOK {
				t.Fatalf("small: status %d: %s", status, body)
			}
			status, body := send(t, large, chunked)
			if status != http.StatusRequestEntityTooLarge {
				t.Fatalf("large: status %d: %s", status, body)
			}
			if e := decodeOpenAIError(t, body); !strings.Contains(e.Error.Message, "larger than 1024 bytes") ||
				e.Error.Code == nil || *e.Error.Code != "request_too_large" {
				t.Errorf("large: %s", body)
			}
			if status, body := send(t, "  \n", chunked); status != http.StatusBadRequest || !strings.Contains(string(body), "empty request body") {
				t.Errorf("blank: status %d: %s", status, body)
			}
		})
	}
}
