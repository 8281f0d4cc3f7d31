package vertex

import (
	"net/http"
	"strings"
	"testing"

	"github.com/llmux/llmux"
)

func TestTarget_URL(t *testing.T) {
	for _, tc := range []struct {
		name                    string
		base, project, location string
		publisher, model, meth  string
		want                    string
	}{
		{"regional", "", "p1", "us-central1", "google", "gemini-2.5-pro", "generateContent",
			"https://us-central1-aiplatform.googleapis.com/v1/projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent"},
		{"regional stream", "", "p1", "europe-west4", "google", "gemini-2.5-flash", "streamGenerateContent?alt=sse",
			"https://europe-west4-aiplatform.googleapis.com/v1/projects/p1/locations/europe-west4/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse"},
		{"global", "", "p1", "global", "google", "gemini-2.5-pro", "generateContent",
			"https://aiplatform.googleapis.com/v1/projects/p1/locations/global/publishers/google/models/gemini-2.5-pro:generateContent"},
		{"claude", "", "p1", "us-east5", "anthropic", "claude-sonnet-4-5@20250929", "rawPredict",
			"https://us-east5-aiplatform.googleapis.com/v1/projects/p1/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict"},
		{"claude global stream", "", "p1", "global", "anthropic", "claude-opus-4-1@20250805", "streamRawPredict",
			"https://aiplatform.googleapis.com/v1/projects/p1/locations/global/publishers/anthropic/models/claude-opus-4-1@20250805:streamRawPredict"},
		{"custom base", "https://vertex.internal.example/", "p1", "us-central1", "google", "gemini-2.5-pro", "generateContent",
			"https://vertex.internal.example/v1/projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent"},
		{"custom base with version", "https://vertex.internal.example/v1beta1", "p1", "us-central1", "google", "gemini-2.5-pro", "generateContent",
			"https://vertex.internal.example/v1beta1/projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent"},
		{"gateway path", "https://gateway.ai.cloudflare.com/v1/acct/gw/google-vertex-ai", "p1", "us-central1", "google", "gemini-2.5-pro", "streamGenerateContent?alt=sse",
			"https://gateway.ai.cloudflare.com/v1/acct/gw/google-vertex-ai/v1/projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse"},
		{"base naming the model (LiteLLM api_base)", "https://proxy.example/v1/projects/p9/locations/l9/publishers/google/models/gemini-2.5-pro", "", "us-central1", "google", "ignored", "streamGenerateContent?alt=sse",
			"https://proxy.example/v1/projects/p9/locations/l9/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse"},
		{"base with query", "https://proxy.example?tenant=a", "p1", "us-central1", "google", "m", "streamGenerateContent?alt=sse",
			"https://proxy.example/v1/projects/p1/locations/us-central1/publishers/google/models/m:streamGenerateContent?alt=sse&tenant=a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := target{base: tc.base, project: tc.project, location: tc.location}.url(tc.publisher, tc.model, tc.meth)
			if got != tc.want {
				t.Errorf("url =\n %s\nwant\n %s", got, tc.want)
			}
		})
	}
}

// TestProviderParams_OverrideTheProvidersSettings: a request's
// vertex_project, vertex_location and vertex_credentials win over the
// options for that request only; a.APIBase wins over WithBaseURL.
func TestProviderParams_OverrideTheProvidersSettings(t *testing.T) {
	clearEnv(t)
	ts := newTokenServer(t)
	own := &staticToken{tok: "ya29.own"}
	f := serve(t, http.StatusOK, "gemini-generate.json")
	other := serve(t, http.StatusOK, "gemini-generate.json")
	p := New(WithTokenSource(own), WithProject("own-project"), WithLocation("europe-west1"), WithBaseURL(f.srv.URL))

	call := func(params map[string]string, base string) {
		t.Helper()
		req := hello()
		req.ProviderParams = params
		a := f.attempt(req, "gemini-2.5-pro")
		a.APIBase = base
		if _, err := p.Chat(bg, a); err != nil {
			t.Fatal(err)
		}
	}
	call(nil, "")
	if got := last(t, f).Path; got != "/v1/projects/own-project/locations/europe-west1/publishers/google/models/gemini-2.5-pro:generateContent" {
		t.Errorf("no params: path = %s", got)
	}
	call(map[string]string{"vertex_project": "req-project", "vertex_location": "asia-northeast1"}, "")
	if got := last(t, f).Path; got != "/v1/projects/req-project/locations/asia-northeast1/publishers/google/models/gemini-2.5-pro:generateContent" {
		t.Errorf("project and location: path = %s", got)
	}
	if got := last(t, f).Header.Get("Authorization"); got != "Bearer ya29.own" {
		t.Errorf("Authorization = %q", got)
	}
	// LiteLLM's older spellings.
	call(map[string]string{"vertex_ai_project": "old-project", "vertex_ai_location": "us-east5"}, "")
	if got := last(t, f).Path; !strings.HasPrefix(got, "/v1/projects/old-project/locations/us-east5/") {
		t.Errorf("vertex_ai_*: path = %s", got)
	}
	// The request's credentials: their token and their project_id (the
	// provider's project still wins over a key's project_id).
	sa := string(serviceAccount(t, ts))
	for range 2 {
		call(map[string]string{"vertex_credentials": sa}, "")
	}
	if got := last(t, f).Header.Get("Authorization"); got != "Bearer ya29.test-1" {
		t.Errorf("request credentials: Authorization = %q", got)
	}
	if got := last(t, f).Path; !strings.HasPrefix(got, "/v1/projects/own-project/") {
		t.Errorf("request credentials: path = %s", got)
	}
	if n := ts.grants.Load(); n != 1 {
		t.Errorf("%d grants for one request credential used twice, want 1", n)
	}
	// APIBase.
	call(nil, other.srv.URL)
	if len(other.Requests()) != 1 {
		t.Errorf("APIBase not used")
	}
	// The provider's own settings are unchanged.
	call(nil, "")
	r := last(t, f)
	if r.Path != "/v1/projects/own-project/locations/europe-west1/publishers/google/models/gemini-2.5-pro:generateContent" || r.Header.Get("Authorization") != "Bearer ya29.own" {
		t.Errorf("after overrides: %s %s", r.Path, r.Header.Get("Authorization"))
	}
	if n := own.calls.Load(); n != 1 {
		t.Errorf("own token source asked %d times", n)
	}
}

// TestProviderParams_ProjectFromRequestCredentials: without a configured
// project, the request credentials' project_id is used.
func TestProviderParams_ProjectFromRequestCredentials(t *testing.T) {
	clearEnv(t)
	ts := newTokenServer(t)
	f := serve(t, http.StatusOK, "gemini-generate.json")
	p := New(WithTokenSource(&staticToken{tok: "x"}), WithBaseURL(f.srv.URL))
	req := hello()
	req.ProviderParams = map[string]string{"vertex_credentials": string(serviceAccount(t, ts))}
	if _, err := p.Chat(bg, f.attempt(req, "gemini-2.5-pro")); err != nil {
		t.Fatal(err)
	}
	if got := last(t, f).Path; !strings.HasPrefix(got, "/v1/projects/sa-project/locations/us-central1/") {
		t.Errorf("path = %s", got)
	}
}

// TestWithEnv: the defaults come from the given environment; options win.
func TestWithEnv(t *testing.T) {
	clearEnv(t)
	f := serve(t, http.StatusOK, "gemini-generate.json")
	env := map[string]string{"VERTEX_PROJECT": "env-p", "VERTEX_LOCATION": "global", "VERTEX_API_BASE": f.srv.URL}
	p := New(WithEnv(func(k string) string { return env[k] }), WithTokenSource(&staticToken{tok: "t"}))
	if _, err := p.Chat(bg, f.attempt(hello(), "gemini-2.5-pro")); err != nil {
		t.Fatal(err)
	}
	if got := last(t, f).Path; got != "/v1/projects/env-p/locations/global/publishers/google/models/gemini-2.5-pro:generateContent" {
		t.Errorf("path = %s", got)
	}
	p = New(WithEnv(func(k string) string { return env[k] }), WithTokenSource(&staticToken{tok: "t"}), WithProject("opt-p"))
	if _, err := p.Chat(bg, f.attempt(hello(), "gemini-2.5-pro")); err != nil {
		t.Fatal(err)
	}
	if got := last(t, f).Path; !strings.HasPrefix(got, "/v1/projects/opt-p/locations/global/") {
		t.Errorf("path = %s", got)
	}
}

// TestProviderParams_LocationCannotChangeTheHost: a location that is not a
// region name is refused before the token goes anywhere.
func TestProviderParams_LocationCannotChangeTheHost(t *testing.T) {
	clearEnv(t)
	src := &staticToken{tok: "ya29.secret"}
	p := New(WithTokenSource(src), WithProject("p"))
	for _, loc := range []string{"evil.example/#", "us-central1.evil.example", "US-CENTRAL1", "a b", "x@y"} {
		req := hello()
		req.ProviderParams = map[string]string{"vertex_location": loc}
		_, err := p.Chat(bg, &llmux.Attempt{Request: req, Model: "gemini-2.5-pro", Number: 1, HTTPClient: &http.Client{Transport: failTransport{t}}})
		if llmux.CodeOf(err) != llmux.CodeInvalidRequest || !strings.Contains(err.Error(), "invalid location") {
			t.Errorf("%q: err = %v", loc, err)
		}
	}
}

type failTransport struct{ t *testing.T }

func (f failTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("request sent to %s", r.URL)
	return nil, http.ErrHandlerTimeout
}
