package gemini

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/record"
	"github.com/llmux/llmux/provider/providertest"
)

func TestWithEndpoint_CustomURLAndBearer(t *testing.T) {
	t.Setenv("GEMINI_API_KEY", "")
	t.Setenv("GOOGLE_API_KEY", "")
	const token = "ya29.test-access-token-0123456789"
	f := serve(t, 200, "generate.json")
	var methods []string
	ep := func(_ context.Context, a *llmux.Attempt, method string) (string, http.Header, string, error) {
		methods = append(methods, method)
		u := f.srv.URL + "/v1/projects/p1/locations/us-central1/publishers/google/models/" + a.Model + ":" + method
		return u, http.Header{"Authorization": {"Bearer " + token}}, token, nil
	}
	p := New(WithEndpoint(ep), WithName("vertex_ai"))
	if p.Name() != "vertex_ai" {
		t.Errorf("Name = %q", p.Name())
	}
	rec := &record.Events{}
	c, err := llmux.New(llmux.WithProvider(p), llmux.WithCallbacks(llmux.Inline(rec)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(bg)
	resp, err := c.Completion(bg, &llmux.Request{Model: "vertex_ai/gemini-2.5-pro", Messages: []llmux.Message{llmux.User("hi")}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Message.Content != "Hello! How can I help you today?" {
		t.Errorf("content = %q", resp.Choices[0].Message.Content)
	}
	r := f.Only(t)
	if r.Path != "/v1/projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent" {
		t.Errorf("path = %s", r.Path)
	}
	if r.Header.Get("Authorization") != "Bearer "+token || r.Header.Get("x-goog-api-key") != "" {
		t.Errorf("headers = %v", r.Header)
	}
	if len(methods) != 1 || methods[0] != MethodGenerate {
		t.Errorf("methods = %v", methods)
	}
	_ = c.Flush(bg)
	for _, ev := range rec.All() {
		if ev.Attempt.APIKey == token {
			t.Error("event carries the token unmasked")
		}
		if strings.Contains(ev.Provider, "gemini") {
			t.Errorf("event provider = %q", ev.Provider)
		}
	}
	b, err := c.Cost(resp, "vertex_ai")
	if err != nil || b.Total <= 0 {
		t.Errorf("vertex_ai/gemini-2.5-pro cost = %+v, %v", b, err)
	}
}

func TestWithEndpoint_StreamAndEmbedMethods(t *testing.T) {
	f := serve(t, 200, "stream.sse")
	var got []string
	ep := func(_ context.Context, a *llmux.Attempt, method string) (string, http.Header, string, error) {
		got = append(got, method)
		return f.srv.URL + "/x/" + a.Model + ":" + method, http.Header{"Authorization": {"Bearer t0k3n-abcdefgh"}}, "t0k3n-abcdefgh", nil
	}
	p := New(WithEndpoint(ep))
	r, err := p.ChatStream(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, "gemini-2.5-flash"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drain(t, r); err != nil {
		t.Fatal(err)
	}
	_ = r.Close()
	if req := last(t, f); req.Path != "/x/gemini-2.5-flash:streamGenerateContent" || req.Query != "alt=sse" {
		t.Errorf("path %s query %s", req.Path, req.Query)
	}
	_, _ = p.Embedding(bg, f.attempt(&llmux.Request{Input: []string{"a"}}, "text-embedding-004"))
	_, _ = p.Embedding(bg, f.attempt(&llmux.Request{Input: []string{"a", "b"}}, "text-embedding-004"))
	if strings.Join(got, ",") != "streamGenerateContent?alt=sse,embedContent,batchEmbedContents" {
		t.Errorf("methods = %v", got)
	}
}

func TestWithEndpoint_Errors(t *testing.T) {
	own := &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: "vertex_ai", Message: "vertex_project is not set"}
	for name, tc := range map[string]struct {
		err  error
		code llmux.Code
		same bool
	}{
		"llmux error as is": {own, llmux.CodeInvalidRequest, true},
		"other wrapped":     {errors.New("no credentials found"), llmux.CodeAuthentication, false},
	} {
		t.Run(name, func(t *testing.T) {
			p := New(WithName("vertex_ai"), WithEndpoint(func(context.Context, *llmux.Attempt, string) (string, http.Header, string, error) {
				return "", nil, "", tc.err
			}))
			a := &llmux.Attempt{Request: &llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, Model: "gemini-2.5-pro", HTTPClient: providertest.NoNetwork(t)}
			_, err := p.Chat(bg, a)
			if llmux.CodeOf(err) != tc.code {
				t.Errorf("err = %v, want %v", err, tc.code)
			}
			if tc.same && err != error(own) {
				t.Errorf("err = %#v, want the endpoint's own error", err)
			}
			if !tc.same {
				e := providertest.AsError(t, err)
				if e.Provider != "vertex_ai" || !errors.Is(err, tc.err) {
					t.Errorf("wrapped = %+v", e)
				}
			}
		})
	}
}

func TestMissingKeyFailsBeforeSending(t *testing.T) {
	t.Setenv("GEMINI_API_KEY", "")
	t.Setenv("GOOGLE_API_KEY", "")
	p := New()
	for name, call := range map[string]func(a *llmux.Attempt) error{
		"chat":   func(a *llmux.Attempt) error { _, err := p.Chat(bg, a); return err },
		"stream": func(a *llmux.Attempt) error { _, err := p.ChatStream(bg, a); return err },
		"embed":  func(a *llmux.Attempt) error { _, err := p.Embedding(bg, a); return err },
	} {
		a := &llmux.Attempt{Request: &llmux.Request{Messages: []llmux.Message{llmux.User("hi")}, Input: []string{"x"}}, Model: "gemini-2.5-flash",
			HTTPClient: providertest.NoNetwork(t)}
		if err := call(a); llmux.CodeOf(err) != llmux.CodeAuthentication || !strings.Contains(err.Error(), "GEMINI_API_KEY") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestEnvironmentAndOverrides(t *testing.T) {
	t.Setenv("GEMINI_API_KEY", "gemini-env-key-0123456789")
	t.Setenv("GOOGLE_API_KEY", "")
	t.Setenv("GEMINI_API_BASE", "https://proxy.example")
	p := New()
	a := &llmux.Attempt{Model: "gemini-2.5-flash"}
	u, h, secret, err := p.endpoint(bg, a, MethodGenerate)
	if err != nil || u != "https://proxy.example/v1beta/models/gemini-2.5-flash:generateContent" ||
		h.Get("x-goog-api-key") != "gemini-env-key-0123456789" || secret != "gemini-env-key-0123456789" {
		t.Errorf("env: %s %v %q %v", u, h, secret, err)
	}
	t.Setenv("GOOGLE_API_KEY", "google-env-key-0123456789")
	if _, _, secret, _ := New().endpoint(bg, a, MethodGenerate); secret != "google-env-key-0123456789" {
		t.Errorf("GOOGLE_API_KEY does not come first: %q", secret)
	}
	// Per-request overrides win over options and environment.
	a = &llmux.Attempt{Model: "tunedModels/my-model", APIKey: "per-request-key-0123456789", APIBase: "https://other.example/gemini/v1/"}
	u, _, secret, _ = New(WithAPIKey("option-key")).endpoint(bg, a, MethodStream)
	if u != "https://other.example/gemini/v1/tunedModels/my-model:streamGenerateContent?alt=sse" || secret != "per-request-key-0123456789" {
		t.Errorf("overrides: %s %q", u, secret)
	}
}

func TestBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://generativelanguage.googleapis.com":          "https://generativelanguage.googleapis.com/v1beta",
		"https://generativelanguage.googleapis.com/":         "https://generativelanguage.googleapis.com/v1beta",
		"https://generativelanguage.googleapis.com/v1beta":   "https://generativelanguage.googleapis.com/v1beta",
		"https://generativelanguage.googleapis.com/v1":       "https://generativelanguage.googleapis.com/v1",
		"https://generativelanguage.googleapis.com/v1alpha/": "https://generativelanguage.googleapis.com/v1alpha/",
		"https://proxy.example/gemini":                       "https://proxy.example/gemini/v1beta",
	} {
		if got := baseURL(in); got != want {
			t.Errorf("baseURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWithHeaderIsSentButCannotReplaceKey(t *testing.T) {
	f := serve(t, 200, "generate.json")
	p := f.provider(WithHeader("X-Goog-User-Project", "billing-project"), WithHeader("x-goog-api-key", "wrong"))
	if _, err := p.Chat(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, "gemini-2.5-flash")); err != nil {
		t.Fatal(err)
	}
	r := f.Only(t)
	if r.Header.Get("X-Goog-User-Project") != "billing-project" || r.Header.Values("x-goog-api-key")[0] != testKey || len(r.Header.Values("x-goog-api-key")) != 1 {
		t.Errorf("headers = %v", r.Header)
	}
}

func TestSupportsParam(t *testing.T) {
	p := New()
	for _, name := range []string{"temperature", "max_completion_tokens", "n", "seed", "response_format", "tools", "tool_choice", "reasoning_effort", "logprobs"} {
		if !p.SupportsParam(llmux.CallCompletion, "gemini-2.5-flash", name) {
			t.Errorf("%s not supported", name)
		}
	}
	for _, name := range []string{"user", "parallel_tool_calls", "logit_bias"} {
		if p.SupportsParam(llmux.CallCompletion, "gemini-2.5-flash", name) {
			t.Errorf("%s supported", name)
		}
	}
	if p.SupportsParam(llmux.CallCompletion, "gemini-2.0-flash", "reasoning_effort") || p.SupportsParam(llmux.CallCompletion, "gemini-1.5-pro", "reasoning_effort") ||
		!p.SupportsParam(llmux.CallCompletion, "gemini-3-pro-preview", "reasoning_effort") {
		t.Error("reasoning_effort by model")
	}
	if !p.SupportsParam(llmux.CallEmbedding, "text-embedding-004", "dimensions") || p.SupportsParam(llmux.CallTextCompletion, "x", "temperature") {
		t.Error("embedding/text completion params")
	}
	if p.ClaimModel("gemini-2.5-flash") || p.Prefixes() != nil {
		t.Error("claims bare names or prefixes")
	}
}

// The model name goes into the URL path: one that could change the path
// or the query (another method of the API, with the key) is refused before
// anything is sent.
func TestModelName_CannotEscapeThePath(t *testing.T) {
	p := New(WithAPIKey("AIzaSy-test-0123456789"), WithBaseURL("https://generativelanguage.example"))
	for _, m := range []string{"../cachedContents?x=#", "gemini-2.5-flash?alt=media", "files/abc", "models/../../x", "a b", "gemini%2F..", ""} {
		_, err := p.Chat(context.Background(), &llmux.Attempt{Request: &llmux.Request{Messages: []llmux.Message{llmux.User("hi")}},
			Model: m, HTTPClient: providertest.NoNetwork(t)})
		var e *llmux.Error
		if !errors.As(err, &e) || e.Code != llmux.CodeInvalidRequest || e.Param != "model" {
			t.Errorf("model %q: %v", m, err)
		}
	}
	for _, m := range []string{"gemini-2.5-flash", "models/gemini-2.5-pro", "tunedModels/my-model_1.2"} {
		if _, ok := modelPath(m); !ok {
			t.Errorf("modelPath(%q) refused", m)
		}
	}
}
