package vertex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/record"
)

// clearEnv unsets every variable New reads, so the tests see only what
// they set.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{"VERTEXAI_PROJECT", "VERTEX_PROJECT", "VERTEXAI_LOCATION", "VERTEX_LOCATION",
		"VERTEXAI_CREDENTIALS", "VERTEX_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS", "VERTEXAI_API_BASE", "VERTEX_API_BASE"} {
		t.Setenv(k, "")
	}
}

// TestCredentials_ServiceAccountGrantIsReusedAcrossCalls: a service
// account key is exchanged once for an access token with a signed JWT
// assertion (the fake endpoint verifies signature, issuer, audience and
// scope); later calls, concurrent ones included, reuse that token, and the
// project comes from the key's project_id.
func TestCredentials_ServiceAccountGrantIsReusedAcrossCalls(t *testing.T) {
	clearEnv(t)
	ts := newTokenServer(t)
	f := serve(t, http.StatusOK, "gemini-generate.json")
	p := New(WithCredentialsJSON(serviceAccount(t, ts)), WithBaseURL(f.srv.URL))
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if _, err := p.Chat(bg, f.attempt(hello(), "gemini-2.5-pro")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// The answer (a Gemini body) does not decode as Claude's; only the
	// request matters here.
	_, _ = p.Chat(bg, f.attempt(hello(), "claude-sonnet-4-5@20250929"))
	if n := ts.grants.Load(); n != 1 {
		t.Fatalf("%d token grants, want 1", n)
	}
	reqs := f.Requests()
	if len(reqs) != 6 {
		t.Fatalf("%d requests, want 6", len(reqs))
	}
	for _, r := range reqs {
		if got := r.Header.Get("Authorization"); got != "Bearer ya29.test-1" {
			t.Errorf("Authorization = %q", got)
		}
	}
	if want := "/v1/projects/sa-project/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent"; reqs[0].Path != want {
		t.Errorf("path = %s, want %s", reqs[0].Path, want)
	}
	if want := "/v1/projects/sa-project/locations/us-central1/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict"; reqs[5].Path != want {
		t.Errorf("path = %s, want %s", reqs[5].Path, want)
	}
}

// TestCredentials_FromEnvironment: VERTEXAI_CREDENTIALS may hold the JSON
// itself, GOOGLE_APPLICATION_CREDENTIALS names a file; VERTEXAI_PROJECT
// wins over the key's project_id.
func TestCredentials_FromEnvironment(t *testing.T) {
	ts := newTokenServer(t)
	sa := serviceAccount(t, ts)
	file := filepath.Join(t.TempDir(), "sa.json")
	if err := os.WriteFile(file, sa, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, env := range map[string]map[string]string{
		"VERTEXAI_CREDENTIALS json":           {"VERTEXAI_CREDENTIALS": string(sa)},
		"VERTEX_CREDENTIALS file":             {"VERTEX_CREDENTIALS": file},
		"GOOGLE_APPLICATION_CREDENTIALS file": {"GOOGLE_APPLICATION_CREDENTIALS": file, "VERTEXAI_PROJECT": "env-project"},
	} {
		t.Run(name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range env {
				t.Setenv(k, v)
			}
			f := serve(t, http.StatusOK, "gemini-generate.json")
			if _, err := New(WithBaseURL(f.srv.URL)).Chat(bg, f.attempt(hello(), "gemini-2.5-pro")); err != nil {
				t.Fatal(err)
			}
			project := "sa-project"
			if env["VERTEXAI_PROJECT"] != "" {
				project = env["VERTEXAI_PROJECT"]
			}
			if got := last(t, f).Path; !strings.HasPrefix(got, "/v1/projects/"+project+"/") {
				t.Errorf("path = %s", got)
			}
		})
	}
}

// TestCredentials_WithCredentialsFile reads the key file on first use.
func TestCredentials_WithCredentialsFile(t *testing.T) {
	clearEnv(t)
	ts := newTokenServer(t)
	file := filepath.Join(t.TempDir(), "sa.json")
	p := New(WithCredentialsFile(file), WithProject("p1"))
	f := serve(t, http.StatusOK, "gemini-generate.json")
	p.cfg.baseURL = f.srv.URL
	_, err := p.Chat(bg, f.attempt(hello(), "gemini-2.5-pro"))
	if llmux.CodeOf(err) != llmux.CodeAuthentication || !strings.Contains(err.Error(), "read credentials file") {
		t.Fatalf("missing file: err = %v", err)
	}
	if err := os.WriteFile(file, serviceAccount(t, ts), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Chat(bg, f.attempt(hello(), "gemini-2.5-pro")); err != nil {
		t.Fatalf("after the file appeared: %v", err)
	}
	if n := len(f.Requests()); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

// TestCredentials_FailuresAreAuthenticationErrors: a refused grant, a bad
// JSON and an unsupported credential type fail the call with
// CodeAuthentication before anything is sent, and no error carries the
// private key.
func TestCredentials_FailuresAreAuthenticationErrors(t *testing.T) {
	clearEnv(t)
	ts := newTokenServer(t)
	ts.fail.Store(true)
	sa := serviceAccount(t, ts)
	for name, tc := range map[string]struct {
		creds []byte
		want  string
	}{
		"grant refused":      {sa, "fetch access token"},
		"not json":           {[]byte(`{"type":"service_account",` + keyMaterial(t)), "not valid JSON"},
		"broken private key": {[]byte(strings.Replace(string(sa), "MII", "XXX", 1)), "fetch access token"},
	} {
		t.Run(name, func(t *testing.T) {
			f := serve(t, http.StatusOK, "gemini-generate.json")
			p := New(WithCredentialsJSON(tc.creds), WithBaseURL(f.srv.URL))
			_, err := p.Chat(bg, f.attempt(hello(), "gemini-2.5-pro"))
			var e *llmux.Error
			if !errors.As(err, &e) || e.Code != llmux.CodeAuthentication || e.Provider != "vertex_ai" {
				t.Fatalf("err = %#v", err)
			}
			if !strings.Contains(e.Message, tc.want) {
				t.Errorf("message %q, want it to contain %q", e.Message, tc.want)
			}
			if strings.Contains(fmt.Sprintf("%v %+v", err, e), keyMaterial(t)) {
				t.Error("error carries the private key")
			}
			if n := len(f.Requests()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

// TestCredentials_BearerTokenIsMaskedAndScrubbed: through a client, the
// access token never shows in events (key, headers) or in the error, even
// when the upstream echoes it.
func TestCredentials_BearerTokenIsMaskedAndScrubbed(t *testing.T) {
	clearEnv(t)
	ts := newTokenServer(t)
	var echoed string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echoed = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":{"code":400,"message":"bad header %s","status":"INVALID_ARGUMENT"}}`, echoed)
	}))
	defer srv.Close()
	rec := &record.Events{}
	c, err := llmux.New(llmux.WithProvider(New(WithCredentialsJSON(serviceAccount(t, ts)), WithBaseURL(srv.URL))),
		llmux.WithCallbacks(llmux.Inline(rec)), llmux.WithRetryBackoff(0, 0, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(bg)
	for _, model := range []string{"vertex_ai/gemini-2.5-pro", "vertex_ai/claude-sonnet-4-5@20250929"} {
		_, err = c.Completion(bg, &llmux.Request{Model: model, Messages: []llmux.Message{llmux.User("Hi")}})
		if llmux.CodeOf(err) != llmux.CodeInvalidRequest {
			t.Fatalf("%s: err = %v", model, err)
		}
		if echoed != "Bearer ya29.test-1" {
			t.Fatalf("Authorization sent = %q", echoed)
		}
		if strings.Contains(err.Error(), "ya29.test-1") {
			t.Errorf("%s: error carries the token: %v", model, err)
		}
	}
	for _, e := range rec.All() {
		s := fmt.Sprintf("%+v %+v %v %s", *e, e.Attempt, e.Err, e.Attempt.RequestBody)
		if strings.Contains(s, "ya29.test-1") {
			t.Fatalf("%s event carries the token: %s", e.Type, s)
		}
	}
	pre := rec.All()[0]
	if pre.Attempt.APIKey == "" || pre.Attempt.Headers["Authorization"] == "" {
		t.Errorf("pre-call event: key %q, headers %v", pre.Attempt.APIKey, pre.Attempt.Headers)
	}
}

// TestCredentials_APIKeyIsTheAccessToken: a request's api_key is sent as
// the bearer token, without fetching one.
func TestCredentials_APIKeyIsTheAccessToken(t *testing.T) {
	clearEnv(t)
	ts := newTokenServer(t)
	f := serve(t, http.StatusOK, "gemini-generate.json")
	p := New(WithCredentialsJSON(serviceAccount(t, ts)), WithBaseURL(f.srv.URL), WithProject("p"))
	a := f.attempt(hello(), "gemini-2.5-pro")
	a.APIKey = "ya29.caller-token"
	if _, err := p.Chat(bg, a); err != nil {
		t.Fatal(err)
	}
	if got := last(t, f).Header.Get("Authorization"); got != "Bearer ya29.caller-token" {
		t.Errorf("Authorization = %q", got)
	}
	if n := ts.grants.Load(); n != 0 {
		t.Errorf("%d grants", n)
	}
}

// TestCredentials_TokenSourceIsReused: WithTokenSource's source is asked
// once while its token is valid.
func TestCredentials_TokenSourceIsReused(t *testing.T) {
	clearEnv(t)
	src := &staticToken{tok: "ya29.static"}
	f := serve(t, http.StatusOK, "gemini-generate.json")
	p := New(WithTokenSource(src), WithBaseURL(f.srv.URL), WithProject("p"))
	for range 3 {
		if _, err := p.Chat(bg, f.attempt(hello(), "gemini-2.5-pro")); err != nil {
			t.Fatal(err)
		}
	}
	if n := src.calls.Load(); n != 1 {
		t.Errorf("token source asked %d times, want 1", n)
	}
}

// TestCredentials_MissingProject: credentials without a project and no
// setting fail before sending.
func TestCredentials_MissingProject(t *testing.T) {
	clearEnv(t)
	f := serve(t, http.StatusOK, "gemini-generate.json")
	p := New(WithTokenSource(&staticToken{tok: "t"}), WithBaseURL(f.srv.URL))
	_, err := p.Chat(context.Background(), f.attempt(hello(), "gemini-2.5-pro"))
	if llmux.CodeOf(err) != llmux.CodeInvalidRequest || !strings.Contains(err.Error(), "missing project") {
		t.Fatalf("err = %v", err)
	}
	if len(f.Requests()) != 0 {
		t.Fatal("request sent")
	}
}

// TestCredentials_ApplicationDefault: with no credentials configured, the
// provider uses Application Default Credentials: gcloud's well-known file
// (here a service account key under $HOME).
func TestCredentials_ApplicationDefault(t *testing.T) {
	clearEnv(t)
	ts := newTokenServer(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	dir := filepath.Join(home, ".config", "gcloud")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "application_default_credentials.json"), serviceAccount(t, ts), 0o600); err != nil {
		t.Fatal(err)
	}
	f := serve(t, http.StatusOK, "gemini-generate.json")
	p := New(WithBaseURL(f.srv.URL))
	for range 2 {
		if _, err := p.Chat(bg, f.attempt(hello(), "gemini-2.5-pro")); err != nil {
			t.Fatal(err)
		}
	}
	r := last(t, f)
	if r.Header.Get("Authorization") != "Bearer ya29.test-1" || !strings.HasPrefix(r.Path, "/v1/projects/sa-project/") {
		t.Errorf("%s %s", r.Header.Get("Authorization"), r.Path)
	}
	if n := ts.grants.Load(); n != 1 {
		t.Errorf("%d grants", n)
	}
}

// TestCredentials_MetadataServerFailure: on Google Cloud (here a fake
// metadata server, GCE_METADATA_HOST) a token the metadata server refuses
// fails the call with CodeAuthentication, before sending.
func TestCredentials_MetadataServerFailure(t *testing.T) {
	clearEnv(t)
	t.Setenv("HOME", t.TempDir())
	md := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no service account", http.StatusNotFound)
	}))
	defer md.Close()
	t.Setenv("GCE_METADATA_HOST", strings.TrimPrefix(md.URL, "http://"))
	f := serve(t, http.StatusOK, "gemini-generate.json")
	_, err := New(WithBaseURL(f.srv.URL), WithProject("p")).Chat(bg, f.attempt(hello(), "gemini-2.5-pro"))
	if llmux.CodeOf(err) != llmux.CodeAuthentication || !strings.Contains(err.Error(), "fetch access token") {
		t.Fatalf("err = %v", err)
	}
	if len(f.Requests()) != 0 {
		t.Fatal("request sent")
	}
}

// TestCredentials_TokenEndpointDownIsRetried: a token endpoint answering
// 503 is a server error, not a refused credential, so the client retries
// the call, and the next attempt fetches the token again.
func TestCredentials_TokenEndpointDownIsRetried(t *testing.T) {
	clearEnv(t)
	ts := newTokenServer(t)
	ts.down.Store(1)
	f := serve(t, http.StatusOK, "gemini-generate.json")
	p := New(WithCredentialsJSON(serviceAccount(t, ts)), WithBaseURL(f.srv.URL))

	_, err := p.Chat(bg, f.attempt(hello(), "gemini-2.5-pro"))
	var e *llmux.Error
	if !errors.As(err, &e) || e.Code != llmux.CodeServer || !strings.Contains(e.Message, "fetch access token") {
		t.Fatalf("token endpoint down: %#v", err)
	}

	ts.down.Store(1)
	c, err := llmux.New(llmux.WithProvider(p), llmux.WithHTTPClient(f.srv.Client()),
		llmux.WithRetryBackoff(time.Millisecond, time.Millisecond, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(bg)
	if _, err := c.Completion(bg, &llmux.Request{Model: "vertex_ai/gemini-2.5-pro", Messages: hello().Messages}); err != nil {
		t.Fatalf("the retry did not recover: %v", err)
	}
	if n := ts.grants.Load(); n != 1 {
		t.Errorf("%d grants, want 1", n)
	}
}

// TestCredentials_RequestCredentialsMustBeGoogles: a request's
// vertex_credentials (perhaps a client's) may not run commands or read
// files (external_account), nor send the gateway to a token endpoint or
// universe of the sender's choosing; a value that is neither JSON nor a
// file is refused without being repeated.
func TestCredentials_RequestCredentialsMustBeGoogles(t *testing.T) {
	clearEnv(t)
	evil := newTokenServer(t) // not registered: serviceAccount is not called for it
	_, key := testKey(t)
	sa := func(extra string) string {
		b, _ := json.Marshal(key)
		return `{"type":"service_account","project_id":"p","private_key":` + string(b) + `,"client_email":"a@p.iam.gserviceaccount.com"` + extra + `}`
	}
	for name, tc := range map[string]struct{ creds, want string }{
		"external account":  {`{"type":"external_account","audience":"x","credential_source":{"file":"/etc/passwd"}}`, `unsupported credentials type "external_account"`},
		"foreign token_uri": {sa(`,"token_uri":"` + evil.URL + `/token"`), "token_uri is not Google's"},
		"foreign universe":  {sa(`,"universe_domain":"evil.example"`), "universe_domain"},
		"mangled json":      {`'` + sa("") + `'`, "neither a JSON object nor a readable file"},
	} {
		t.Run(name, func(t *testing.T) {
			f := serve(t, http.StatusOK, "gemini-generate.json")
			p := New(WithTokenSource(&staticToken{tok: "ya29.provider-token-0123456789"}), WithProject("p"), WithBaseURL(f.srv.URL))
			req := hello()
			req.ProviderParams = map[string]string{"vertex_credentials": tc.creds}
			_, err := p.Chat(bg, f.attempt(req, "gemini-2.5-pro"))
			var e *llmux.Error
			if !errors.As(err, &e) || e.Code != llmux.CodeAuthentication || !strings.Contains(e.Message, tc.want) {
				t.Fatalf("err = %v, want authentication containing %q", err, tc.want)
			}
			if strings.Contains(fmt.Sprintf("%v %+v", err, e), "PRIVATE KEY") {
				t.Error("the error carries the private key")
			}
			if n := len(f.Requests()); n != 0 || evil.grants.Load() != 0 {
				t.Errorf("%d requests sent, %d grants at the foreign endpoint", n, evil.grants.Load())
			}
		})
	}
}

// TestCredentials_TokenEndpointBodyIsNotShown: the answer of a token
// endpoint is not repeated in the error, only its status and OAuth error.
func TestCredentials_TokenEndpointBodyIsNotShown(t *testing.T) {
	clearEnv(t)
	ts := newTokenServer(t)
	ts.fail.Store(true)
	f := serve(t, http.StatusOK, "gemini-generate.json")
	p := New(WithCredentialsJSON(serviceAccount(t, ts)), WithBaseURL(f.srv.URL))
	_, err := p.Chat(bg, f.attempt(hello(), "gemini-2.5-pro"))
	var e *llmux.Error
	if !errors.As(err, &e) || !strings.Contains(e.Message, "400 Bad Request (invalid_grant: Invalid JWT Signature.)") ||
		strings.Contains(e.Message, "{") {
		t.Errorf("err = %v", err)
	}
}

// An invalid location is refused before any token is fetched.
func TestProviderParams_BadLocationFetchesNoToken(t *testing.T) {
	clearEnv(t)
	st := &staticToken{tok: "ya29.provider-token-0123456789"}
	f := serve(t, http.StatusOK, "gemini-generate.json")
	p := New(WithTokenSource(st), WithProject("p"))
	req := hello()
	req.ProviderParams = map[string]string{"vertex_location": "evil.example/#"}
	_, err := p.Chat(bg, f.attempt(req, "gemini-2.5-pro"))
	var e *llmux.Error
	if !errors.As(err, &e) || e.Param != ParamLocation || st.calls.Load() != 0 || len(f.Requests()) != 0 {
		t.Errorf("err = %v, %d token fetches, %d requests", err, st.calls.Load(), len(f.Requests()))
	}
}
