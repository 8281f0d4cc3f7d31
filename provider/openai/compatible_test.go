package openai_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/record"
	"github.com/llmux/llmux/provider/openai"
	"github.com/llmux/llmux/provider/providertest"
)

// recorder is an HTTP transport that answers every request with a chat
// completion and keeps the requests, so default bases on the internet can
// be checked without a network.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
	body []string
	resp string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.body = append(r.body, string(b))
	r.mu.Unlock()
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(r.resp)), Request: req}, nil
}

func familyCall(t *testing.T, p llmux.Provider, model string, mutate func(*llmux.Request)) (*recorder, error) {
	t.Helper()
	rec := &recorder{resp: string(providertest.Fixture(t, "openai-chat.json"))}
	c, err := llmux.New(llmux.WithProvider(p), llmux.WithHTTPClient(&http.Client{Transport: rec}), llmux.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	req := &llmux.Request{Model: model, Messages: []llmux.Message{llmux.User("hi")}}
	if mutate != nil {
		mutate(req)
	}
	_, err = c.Completion(context.Background(), req)
	return rec, err
}

func env(m map[string]string) openai.Option {
	return openai.WithEnv(func(k string) string { return m[k] })
}

// Every Family member: its default URL, its key from each of its key
// variables as a bearer token, its base variable, and without a key either
// a clear error before anything is sent (hosted services) or a call
// without Authorization (local servers).
func TestFamily_EachMemberURLKeyAndBase(t *testing.T) {
	if len(openai.Family) < 14 {
		t.Fatalf("Family has %d members", len(openai.Family))
	}
	for _, f := range openai.Family {
		t.Run(f.Prefix, func(t *testing.T) {
			model := f.Prefix + "/some-model"
			wantModel := "some-model"
			if f.ModelPrefix != "" {
				wantModel = f.ModelPrefix + "some-model"
			}
			base := f.BaseURL
			baseEnv := map[string]string{}
			if base == "" { // hosted_vllm: no default, its variable gives it
				base = "http://vllm.internal:8000/v1"
				baseEnv[f.BaseEnv[0]] = base
			}
			for _, keyVar := range f.KeyEnv {
				e := map[string]string{keyVar: "sk-" + strings.ToLower(keyVar) + "-0123456789"}
				for k, v := range baseEnv {
					e[k] = v
				}
				p, err := openai.NewCompatible(f.Prefix, env(e))
				if err != nil {
					t.Fatal(err)
				}
				if p.Name() != f.Prefix {
					t.Errorf("Name() = %q", p.Name())
				}
				rec, err := familyCall(t, p, model, nil)
				if err != nil {
					t.Fatalf("%s: %v", keyVar, err)
				}
				r := rec.reqs[0]
				if got, want := r.URL.String(), base+"/chat/completions"; got != want {
					t.Errorf("URL %s, want %s", got, want)
				}
				if got, want := r.Header.Get("Authorization"), "Bearer "+e[keyVar]; got != want {
					t.Errorf("%s: Authorization %q, want %q", keyVar, got, want)
				}
				if !strings.Contains(rec.body[0], `"model":"`+wantModel+`"`) {
					t.Errorf("body %s, want model %s", rec.body[0], wantModel)
				}
			}

			// The first base variable moves it.
			e := map[string]string{f.BaseEnv[0]: "https://proxy.example/" + f.Prefix + "/v1"}
			if len(f.KeyEnv) > 0 {
				e[f.KeyEnv[0]] = "sk-base-test-0123456789"
			}
			p, _ := openai.NewCompatible(f.Prefix, env(e))
			rec, err := familyCall(t, p, model, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := rec.reqs[0].URL.String(); got != "https://proxy.example/"+f.Prefix+"/v1/chat/completions" {
				t.Errorf("%s: URL %s", f.BaseEnv[0], got)
			}

			// No key.
			p, _ = openai.NewCompatible(f.Prefix, env(baseEnv))
			rec, err = familyCall(t, p, model, nil)
			if f.KeyRequired {
				e := providertest.AsError(t, err)
				if e.Code != llmux.CodeAuthentication || !strings.Contains(e.Message, f.KeyEnv[0]) || len(rec.reqs) != 0 {
					t.Errorf("no key: %v (%d requests sent)", err, len(rec.reqs))
				}
			} else if err != nil || rec.reqs[0].Header.Get("Authorization") != "" {
				t.Errorf("no key on a local server: %v, Authorization %q", err, rec.reqs[0].Header.Get("Authorization"))
			}
		})
	}
}

func TestFamily_OptionsWinOverTheEnvironment(t *testing.T) {
	p, err := openai.NewCompatible("groq", env(map[string]string{"GROQ_API_KEY": "sk-from-env-0123456789"}),
		openai.WithAPIKey("sk-from-option-0123456789"), openai.WithBaseURL("https://gw.example/groq/v1"), openai.WithName("ignored"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := familyCall(t, p, "groq/llama-3.3-70b-versatile", nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rec.reqs[0]
	if r.URL.String() != "https://gw.example/groq/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer sk-from-option-0123456789" {
		t.Errorf("URL %s Authorization %q", r.URL, r.Header.Get("Authorization"))
	}
	if p.Name() != "groq" {
		t.Errorf("a family member keeps its prefix as its name: %q", p.Name())
	}
	// A per-request base and key win over both.
	rec, err = familyCall(t, p, "groq/m", func(r *llmux.Request) {
		r.APIBase, r.APIKey = "https://other.example/v1", "sk-per-request-0123456789"
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := rec.reqs[0]; r.URL.String() != "https://other.example/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer sk-per-request-0123456789" {
		t.Errorf("per request: URL %s Authorization %q", r.URL, r.Header.Get("Authorization"))
	}
}

func TestFamily_UnknownPrefix(t *testing.T) {
	_, err := openai.NewCompatible("groqq")
	if err == nil || !strings.Contains(err.Error(), `"groqq"`) || !strings.Contains(err.Error(), "groq, together_ai") {
		t.Errorf("err = %v", err)
	}
}

// LiteLLM users write Ollama's base without /v1; llmux adds it, once.
func TestFamily_OllamaBaseGetsV1(t *testing.T) {
	for _, base := range []string{"http://gpu-box:11434", "http://gpu-box:11434/", "http://gpu-box:11434/v1"} {
		p, _ := openai.NewCompatible("ollama_chat", env(nil))
		rec, err := familyCall(t, p, "ollama_chat/llama3.1", func(r *llmux.Request) { r.APIBase = base })
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.reqs[0].URL.String(); got != "http://gpu-box:11434/v1/chat/completions" {
			t.Errorf("base %s: URL %s", base, got)
		}
	}
}

func TestFamily_HostedVLLMNeedsABase(t *testing.T) {
	p, _ := openai.NewCompatible("hosted_vllm", env(nil))
	rec, err := familyCall(t, p, "hosted_vllm/meta-llama/Llama-3.1-8B-Instruct", nil)
	e := providertest.AsError(t, err)
	if e.Code != llmux.CodeInvalidRequest || e.Param != "api_base" || !strings.Contains(e.Message, "HOSTED_VLLM_API_BASE") || len(rec.reqs) != 0 {
		t.Errorf("err = %v (%d requests)", err, len(rec.reqs))
	}
	// The model keeps its own slashes.
	rec, err = familyCall(t, p, "hosted_vllm/meta-llama/Llama-3.1-8B-Instruct", func(r *llmux.Request) { r.APIBase = "http://vllm:8000/v1" })
	if err != nil || !strings.Contains(rec.body[0], `"model":"meta-llama/Llama-3.1-8B-Instruct"`) {
		t.Errorf("%v %v", err, rec.body)
	}
}

func TestFamily_OpenRouterHeadersFromTheEnvironment(t *testing.T) {
	p, _ := openai.NewCompatible("openrouter", env(map[string]string{"OR_API_KEY": "sk-or-0123456789abcdef",
		"OR_SITE_URL": "https://app.example", "OR_APP_NAME": "Example App"}))
	rec, err := familyCall(t, p, "openrouter/anthropic/claude-3.5-sonnet", nil)
	if err != nil {
		t.Fatal(err)
	}
	h := rec.reqs[0].Header
	if h.Get("HTTP-Referer") != "https://app.example" || h.Get("X-Title") != "Example App" || h.Get("Authorization") != "Bearer sk-or-0123456789abcdef" {
		t.Errorf("headers %v", h)
	}
	if !strings.Contains(rec.body[0], `"model":"anthropic/claude-3.5-sonnet"`) {
		t.Errorf("body %s", rec.body[0])
	}
}

func TestFamily_FireworksFullModelNameIsKept(t *testing.T) {
	p, _ := openai.NewCompatible("fireworks_ai", env(map[string]string{"FIREWORKS_API_KEY": "fw-0123456789abcdef"}))
	rec, err := familyCall(t, p, "fireworks_ai/accounts/my-team/models/custom-llama", nil)
	if err != nil || !strings.Contains(rec.body[0], `"model":"accounts/my-team/models/custom-llama"`) {
		t.Errorf("%v %v", err, rec.body)
	}
}

func TestFamily_PerplexityTakesNoTools(t *testing.T) {
	p, _ := openai.NewCompatible("perplexity", env(map[string]string{"PERPLEXITY_API_KEY": "pplx-0123456789abcdef"}))
	tools := func(r *llmux.Request) {
		r.Tools = []llmux.Tool{{Type: "function", Function: llmux.Function{Name: "f", Parameters: []byte(`{"type":"object"}`)}}}
	}
	rec, err := familyCall(t, p, "perplexity/sonar-pro", tools)
	e := providertest.AsError(t, err)
	if e.Code != llmux.CodeInvalidRequest || !strings.Contains(e.Message, "tools") || len(rec.reqs) != 0 {
		t.Errorf("err = %v", err)
	}
	rec, err = familyCall(t, p, "perplexity/sonar-pro", func(r *llmux.Request) { tools(r); r.DropParams = llmux.Ptr(true) })
	if err != nil || strings.Contains(rec.body[0], "tools") {
		t.Errorf("dropped: %v %s", err, rec.body)
	}
}

func TestFamily_EmbeddingsOnlyWhereTheServiceHasThem(t *testing.T) {
	p, _ := openai.NewCompatible("groq", env(map[string]string{"GROQ_API_KEY": "gsk-0123456789abcdef"}))
	c, err := llmux.New(llmux.WithProvider(p), llmux.WithHTTPClient(providertest.NoNetwork(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	_, err = c.Embedding(context.Background(), &llmux.Request{Model: "groq/x", Input: []string{"a"}})
	if e := providertest.AsError(t, err); e.Code != llmux.CodeUnsupported || !strings.Contains(e.Message, "Groq has no embeddings API") {
		t.Errorf("err = %v", err)
	}
}

func TestFamily_Describe(t *testing.T) {
	for _, f := range openai.Family {
		p, _ := openai.NewCompatible(f.Prefix, env(nil))
		d := p.Describe()
		if d.Prefix != f.Prefix || d.Title != f.Title || !d.Chat || !d.Stream || d.Embeddings != f.Embeddings || d.Tools != f.Tools {
			t.Errorf("%s: %+v", f.Prefix, d)
		}
		if len(f.KeyEnv) > 0 && d.Env[0] != f.KeyEnv[0] {
			t.Errorf("%s: Env %v", f.Prefix, d.Env)
		}
	}
}

func TestConformance_FamilyMember(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		New: func(base, key string) llmux.Provider {
			p, err := openai.NewCompatible("groq", env(nil), openai.WithBaseURL(base), openai.WithAPIKey(key))
			if err != nil {
				panic(err)
			}
			return p
		},
		Model:           "groq/llama-3.3-70b-versatile",
		Chat:            providertest.Reply{Body: string(providertest.Fixture(t, "openai-chat.json"))},
		Stream:          providertest.Reply{Body: string(providertest.Fixture(t, "openai-chat-stream.sse"))},
		WantText:        "Hello! How can I assist you today?",
		Unauthorized:    providertest.Reply{Status: 401, Body: string(providertest.Fixture(t, "errors/openai-error-401.json"))},
		RateLimited:     providertest.Reply{Status: 429, Body: string(providertest.Fixture(t, "errors/openai-error-429-rate-limit.json"))},
		MissingKeyFails: true,
		StreamError:     providertest.Reply{Body: string(providertest.Fixture(t, "openai-chat-stream-error.sse"))},
		WantPartial:     "Hello",
		StreamErrorCode: llmux.CodeServer,
	})
}

// The price table knows the family's models by LiteLLM's names, so every
// call has a cost.
func TestFamily_CallsArePriced(t *testing.T) {
	for _, model := range []string{"groq/llama-3.3-70b-versatile", "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo",
		"fireworks_ai/accounts/fireworks/models/llama-v3p1-70b-instruct", "deepseek/deepseek-chat", "mistral/mistral-large-latest",
		"openrouter/anthropic/claude-3.5-sonnet", "xai/grok-2", "perplexity/sonar-pro",
		"deepinfra/meta-llama/Meta-Llama-3.1-70B-Instruct", "cerebras/llama3.1-70b"} {
		prefix, upstream, _ := strings.Cut(model, "/")
		f, _ := openai.LookupCompatible(prefix)
		p, _ := openai.NewCompatible(prefix, env(map[string]string{f.KeyEnv[0]: "sk-price-test-0123456789"}))
		rec := &recorder{resp: `{"id":"c1","object":"chat.completion","created":1,"model":"` + upstream + `","choices":[{"index":0,` +
			`"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":100,"total_tokens":1100}}`}
		events := &record.Events{}
		c, err := llmux.New(llmux.WithProvider(p), llmux.WithHTTPClient(&http.Client{Transport: rec}), llmux.WithCallbacks(llmux.Inline(events)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Completion(context.Background(), &llmux.Request{Model: model, Messages: []llmux.Message{llmux.User("hi")}}); err != nil {
			t.Fatal(err)
		}
		c.Close(context.Background())
		e := events.Last()
		if e.CostErr != nil || e.ResponseCost <= 0 {
			t.Errorf("%s: cost %g, %v", model, e.ResponseCost, e.CostErr)
		}
	}
}

// Fireworks answers a short model name with its full one, which the price
// table knows: a call by the short name is priced too.
func TestFamily_FireworksShortNameIsPricedByTheAnswer(t *testing.T) {
	p, _ := openai.NewCompatible("fireworks_ai", env(map[string]string{"FIREWORKS_API_KEY": "fw-0123456789abcdef"}))
	rec := &recorder{resp: `{"id":"c1","object":"chat.completion","created":1,"model":"accounts/fireworks/models/llama-v3p1-70b-instruct",` +
		`"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":100,"total_tokens":1100}}`}
	events := &record.Events{}
	c, err := llmux.New(llmux.WithProvider(p), llmux.WithHTTPClient(&http.Client{Transport: rec}), llmux.WithCallbacks(llmux.Inline(events)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Completion(context.Background(), &llmux.Request{Model: "fireworks_ai/llama-v3p1-70b-instruct",
		Messages: []llmux.Message{llmux.User("hi")}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rec.body[0], `"model":"accounts/fireworks/models/llama-v3p1-70b-instruct"`) {
		t.Errorf("body %s", rec.body[0])
	}
	if e := events.Last(); e.CostErr != nil || e.ResponseCost <= 0 {
		t.Errorf("cost %g, %v", e.ResponseCost, e.CostErr)
	}
}
