package proxy

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/proxy/config"
)

// paramSpy is a provider named "spy" that answers every chat and keeps the
// ProviderParams of each attempt.
type paramSpy struct {
	mu   sync.Mutex
	seen []map[string]string
}

func (p *paramSpy) Name() string { return "spy" }

func (p *paramSpy) Chat(_ context.Context, a *llmux.Attempt) (*llmux.Response, error) {
	p.mu.Lock()
	p.seen = append(p.seen, a.Request.ProviderParams)
	p.mu.Unlock()
	return &llmux.Response{ID: "r1", Object: "chat.completion", Model: a.Model,
		Choices: []llmux.Choice{{Message: llmux.Assistant("ok"), FinishReason: "stop"}}}, nil
}

func (p *paramSpy) ChatStream(context.Context, *llmux.Attempt) (llmux.ChunkReader, error) {
	return nil, &llmux.Error{Code: llmux.CodeUnsupported, Message: "no streams"}
}

const providerParamsYAML = `
model_list:
  - model_name: claude
    litellm_params:
      model: spy/anthropic.claude-3-5-sonnet-20240620-v1:0
      aws_region_name: eu-west-1
      aws_access_key_id: os.environ/AWS_ID
      aws_secret_access_key: os.environ/AWS_SECRET
      temperature: 0.2
  - model_name: gemini
    litellm_params:
      model: spy/gemini-2.5-pro
      vertex_project: my-project
      vertex_location: europe-west4
      vertex_credentials:
        type: service_account
        client_email: llmux@my-project.iam.gserviceaccount.com
        private_key: os.environ/SA_PRIVATE_KEY
`

// The vertex_* and aws_* keys of litellm_params reach the provider as
// Request.ProviderParams (secrets resolved, an inline service-account key
// as JSON), and are not reported as keys llmux ignores.
func TestConfig_ProviderParamsReachTheProvider(t *testing.T) {
	env := map[string]string{"AWS_ID": "AKIAEXAMPLE0123456789", "AWS_SECRET": "aws-secret-0123456789abcdef",
		"SA_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\nMIIfake0123456789\n-----END PRIVATE KEY-----\n"}
	getenv := func(k string) string { return env[k] }
	cfg, err := config.Load([]byte(providerParamsYAML), config.WithLookupEnv(lookupFrom(getenv)))
	if err != nil {
		t.Fatal(err)
	}
	spy := &paramSpy{}
	var logs syncBuffer
	srv, err := New(WithConfig(cfg, getenv), WithClientOptions(llmux.WithProvider(spy)),
		WithLog(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Close(context.Background())
	g := &gateway{Server: ts, srv: srv, rec: &recorder{}}
	for _, model := range []string{"claude", "gemini"} {
		if status, _, body := g.post(t, "/v1/chat/completions", `{"model":"`+model+`","messages":[{"role":"user","content":"hi"}]}`); status != 200 {
			t.Fatalf("%s: status %d: %s", model, status, body)
		}
	}
	if len(spy.seen) != 2 {
		t.Fatalf("%d calls reached the provider", len(spy.seen))
	}
	if want := map[string]string{"aws_region_name": "eu-west-1", "aws_access_key_id": "AKIAEXAMPLE0123456789",
		"aws_secret_access_key": "aws-secret-0123456789abcdef"}; !cmp.Equal(spy.seen[0], want) {
		t.Errorf("bedrock deployment's ProviderParams = %v, want %v", spy.seen[0], want)
	}
	g2 := spy.seen[1]
	if g2["vertex_project"] != "my-project" || g2["vertex_location"] != "europe-west4" {
		t.Errorf("vertex deployment's ProviderParams = %v", g2)
	}
	var sa map[string]string
	if err := json.Unmarshal([]byte(g2["vertex_credentials"]), &sa); err != nil || sa["private_key"] != env["SA_PRIVATE_KEY"] ||
		sa["client_email"] != "llmux@my-project.iam.gserviceaccount.com" {
		t.Errorf("vertex_credentials = %q (%v), want the key as JSON with its private key", g2["vertex_credentials"], err)
	}
	out := logs.String()
	if strings.Contains(out, "vertex_") || strings.Contains(out, "aws_") || !strings.Contains(out, "model_list[0].litellm_params.temperature") {
		t.Errorf("ignored-keys warning should name temperature and no provider setting:\n%s", out)
	}
	if strings.Contains(out, "aws-secret-0123") || strings.Contains(out, "MIIfake") {
		t.Errorf("a secret reached the log:\n%s", out)
	}
}

// Client-side provider settings are refused unless the gateway allows
// client-side credentials; allowed, they reach the provider.
func TestClientProviderParams_OnlyWhenAllowed(t *testing.T) {
	body := `{"model":"spy/m","vertex_project":"client-project","vertex_credentials":{"type":"service_account"},"messages":[{"role":"user","content":"hi"}]}`
	spy := &paramSpy{}
	g := newGateway(t, nil, nil, WithClientOptions(llmux.WithProvider(spy)))
	status, _, b := g.post(t, "/v1/chat/completions", body)
	if status != 400 || !strings.Contains(string(b), "allow_client_side_credentials") {
		t.Errorf("not allowed: %d %s", status, b)
	}
	if len(spy.seen) != 0 {
		t.Error("a refused request reached the provider")
	}

	g = newGateway(t, nil, nil, WithClientCredentials(true), WithClientOptions(llmux.WithProvider(spy)))
	if status, _, b := g.post(t, "/v1/chat/completions", body); status != 200 {
		t.Fatalf("allowed: %d %s", status, b)
	}
	want := map[string]string{"vertex_project": "client-project", "vertex_credentials": `{"type":"service_account"}`}
	if len(spy.seen) != 1 || !cmp.Equal(spy.seen[0], want) {
		t.Errorf("ProviderParams = %v, want %v", spy.seen, want)
	}
	if status, _, b := g.post(t, "/v1/chat/completions", `{"model":"spy/m","aws_region_name":5,"messages":[{"role":"user","content":"hi"}]}`); status != 400 ||
		!strings.Contains(string(b), "aws_region_name") {
		t.Errorf("a number: %d %s", status, b)
	}
	// Nothing that makes the gateway read its own files or profiles.
	for _, bad := range []string{`"vertex_credentials":"/etc/passwd"`, `"aws_profile_name":"prod"`, `"aws_role_name":"arn:aws:iam::1:role/x"`} {
		status, _, b := g.post(t, "/v1/chat/completions", `{"model":"spy/m",`+bad+`,"messages":[{"role":"user","content":"hi"}]}`)
		name, _, _ := strings.Cut(strings.Trim(bad, `"`), `"`)
		if status != 400 || !strings.Contains(string(b), name) {
			t.Errorf("%s: %d %s", bad, status, b)
		}
	}
	if len(spy.seen) != 1 {
		t.Errorf("a refused setting reached the provider: %v", spy.seen)
	}
}

// callback_settings.<name>.message_logging: false redacts messages and
// answers for that logger alone.
func TestConfig_CallbackSettingsRedactOneLogger(t *testing.T) {
	up := newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/openai-chat.json"))})
	open, private := &recorder{}, &recorder{}
	cfg, err := config.Load([]byte(`
model_list:
  - model_name: gpt
    litellm_params: {model: openai/gpt-4o-mini, api_base: "` + up.URL + `/v1", api_key: sk-test-0123456789abcdef}
litellm_settings:
  callbacks: ["open", "private"]
callback_settings:
  private:
    message_logging: false
`))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(WithConfig(cfg, func(string) string { return "" }),
		WithLoggerFactory("open", func(func(string) string) (any, error) { return llmux.Inline(open), nil }),
		WithLoggerFactory("private", func(func(string) string) (any, error) { return llmux.Inline(private), nil }),
		WithLog(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Close(context.Background())
	g := &gateway{Server: ts, srv: srv, rec: &recorder{}}
	if status, _, body := g.post(t, "/v1/chat/completions", `{"model":"gpt","messages":[{"role":"user","content":"my diary entry"}]}`); status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	g.flush(t) // the terminal event follows the answer
	o, p := open.terminal(), private.terminal()
	if len(o) != 1 || len(p) != 1 {
		t.Fatalf("terminal events: open %d, private %d", len(o), len(p))
	}
	if o[0].Messages[0].Content != "my diary entry" {
		t.Errorf("open logger: %q", o[0].Messages[0].Content)
	}
	if p[0].Messages[0].Content != llmux.RedactedText || p[0].Response.Text() != llmux.RedactedText ||
		strings.Contains(string(p[0].Attempt.RequestBody), "diary") {
		t.Errorf("private logger saw %q / %q / %s", p[0].Messages[0].Content, p[0].Response.Text(), p[0].Attempt.RequestBody)
	}
}

// A client-side base without the client's own key is refused: it would
// receive the gateway's key.
func TestClientCredentials_BaseNeedsTheClientsKey(t *testing.T) {
	g := newGateway(t, nil, nil, WithClientCredentials(true), WithClientOptions(EnvProviders(func(string) string { return "" })...))
	for _, k := range []string{"api_base", "base_url"} {
		status, _, b := g.post(t, "/v1/chat/completions", `{"model":"openai/gpt-4o-mini","`+k+`":"https://attacker.example/v1","messages":[{"role":"user","content":"hi"}]}`)
		if status != 400 || !strings.Contains(string(b), k) || !strings.Contains(string(b), "own api_key") {
			t.Errorf("%s: %d %s", k, status, b)
		}
	}
}

// A wildcard entry's litellm_params apply to the calls it serves, as a
// deployment's do: its provider settings reach the provider.
func TestConfig_WildcardEntryAppliesItsSettings(t *testing.T) {
	cfg, err := config.Load([]byte(`
model_list:
  - model_name: "spy/*"
    litellm_params:
      model: "spy/*"
      aws_region_name: eu-central-1
      aws_role_name: arn:aws:iam::123456789012:role/llmux
`))
	if err != nil {
		t.Fatal(err)
	}
	spy := &paramSpy{}
	srv, err := New(WithConfig(cfg, func(string) string { return "" }), WithClientOptions(llmux.WithProvider(spy)),
		WithLog(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Close(context.Background())
	g := &gateway{Server: ts, srv: srv, rec: &recorder{}}
	if status, _, body := g.post(t, "/v1/chat/completions", `{"model":"spy/anthropic.claude-3-5-sonnet-20240620-v1:0","messages":[{"role":"user","content":"hi"}]}`); status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	want := map[string]string{"aws_region_name": "eu-central-1", "aws_role_name": "arn:aws:iam::123456789012:role/llmux"}
	if len(spy.seen) != 1 || !cmp.Equal(spy.seen[0], want) {
		t.Errorf("ProviderParams = %v, want %v", spy.seen, want)
	}
}

// LiteLLM's older vertex_ai_* spellings are read under the current names,
// so a deployment's setting wins over a request's however either is
// spelled.
func TestProviderParams_AliasesAreCanonical(t *testing.T) {
	got := providerParams(map[string]any{"vertex_ai_project": "p", "vertex_ai_location": "europe-west4", "aws_region_name": "eu-west-1"})
	want := map[string]string{"vertex_project": "p", "vertex_location": "europe-west4", "aws_region_name": "eu-west-1"}
	if !cmp.Equal(got, want) {
		t.Errorf("providerParams = %v, want %v", got, want)
	}
}
