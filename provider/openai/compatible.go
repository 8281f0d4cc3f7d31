package openai

import (
	"fmt"
	"os"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

// Compatible describes an OpenAI-compatible service that LiteLLM knows by
// its prefix: where it is, which variables hold its key and base URL, and
// what it offers. [Family] lists them; [NewCompatible] makes the provider
// of one.
type Compatible struct {
	// Prefix is the model prefix, as LiteLLM writes it ("groq" in
	// "groq/llama-3.3-70b-versatile"); it is the provider's Name.
	Prefix string
	// Title is the service's name, for documentation ("Groq").
	Title string
	// BaseURL is the default API base, up to and including the version
	// path; "" when the service has none and the base must be given
	// (hosted_vllm).
	BaseURL string
	// BaseEnv are the variables that set the base, the first set one
	// winning over BaseURL.
	BaseEnv []string
	// KeyEnv are the variables holding the API key, the first set one
	// winning; nil when the service takes no key.
	KeyEnv []string
	// KeyRequired says the service refuses calls without a key: such a
	// call fails before anything is sent, naming KeyEnv. A local server
	// (Ollama, vLLM, LM Studio) is called without Authorization when no
	// key is set.
	KeyRequired bool
	// AddV1 says a base given without a "/v1" path gets one, as LiteLLM
	// users write Ollama's and Mistral's bases ("http://localhost:11434").
	AddV1 bool
	// ModelPrefix is put before a model name that does not start with it
	// ("accounts/fireworks/models/" for Fireworks' short names).
	ModelPrefix string
	// Headers maps header names to the variables holding their values
	// (OpenRouter's HTTP-Referer from OR_SITE_URL); unset variables send
	// nothing.
	Headers map[string]string
	// Embeddings and Tools say whether the service has an embeddings API
	// and takes tools (function calling). An embeddings call to a service
	// without one fails with CodeUnsupported before anything is sent; tools
	// sent to a service that takes none fail as any unsupported parameter
	// does (see llmux.WithDropParams).
	Embeddings, Tools bool
	// Note is a remark for the documentation; "" for none.
	Note string
}

// Family is the OpenAI-compatible services LiteLLM knows by prefix, with
// LiteLLM's default bases and variable names. It is documentation as much
// as configuration: README's provider table is generated from it. Do not
// modify it; [NewCompatible] reads it.
var Family = []Compatible{
	{Prefix: "groq", Title: "Groq", BaseURL: "https://api.groq.com/openai/v1", BaseEnv: []string{"GROQ_API_BASE"},
		KeyEnv: []string{"GROQ_API_KEY"}, KeyRequired: true, Tools: true},
	{Prefix: "together_ai", Title: "Together AI", BaseURL: "https://api.together.xyz/v1", BaseEnv: []string{"TOGETHER_AI_API_BASE"},
		KeyEnv:      []string{"TOGETHER_API_KEY", "TOGETHER_AI_API_KEY", "TOGETHERAI_API_KEY", "TOGETHER_AI_TOKEN"},
		KeyRequired: true, Embeddings: true, Tools: true},
	{Prefix: "fireworks_ai", Title: "Fireworks AI", BaseURL: "https://api.fireworks.ai/inference/v1", BaseEnv: []string{"FIREWORKS_API_BASE"},
		KeyEnv:      []string{"FIREWORKS_API_KEY", "FIREWORKS_AI_API_KEY", "FIREWORKSAI_API_KEY", "FIREWORKS_AI_TOKEN"},
		KeyRequired: true, ModelPrefix: "accounts/fireworks/models/", Embeddings: true, Tools: true,
		Note: "a short model name gets `accounts/fireworks/models/` before it"},
	{Prefix: "deepseek", Title: "DeepSeek", BaseURL: "https://api.deepseek.com/beta", BaseEnv: []string{"DEEPSEEK_API_BASE"},
		KeyEnv: []string{"DEEPSEEK_API_KEY"}, KeyRequired: true, Tools: true},
	{Prefix: "mistral", Title: "Mistral AI", BaseURL: "https://api.mistral.ai/v1", BaseEnv: []string{"MISTRAL_API_BASE", "MISTRAL_AZURE_API_BASE"},
		KeyEnv: []string{"MISTRAL_API_KEY", "MISTRAL_AZURE_API_KEY"}, KeyRequired: true, AddV1: true, Embeddings: true, Tools: true},
	{Prefix: "openrouter", Title: "OpenRouter", BaseURL: "https://openrouter.ai/api/v1", BaseEnv: []string{"OPENROUTER_API_BASE"},
		KeyEnv: []string{"OPENROUTER_API_KEY", "OR_API_KEY"}, KeyRequired: true, Embeddings: true, Tools: true,
		Headers: map[string]string{"HTTP-Referer": "OR_SITE_URL", "X-Title": "OR_APP_NAME"},
		Note:    "`OR_SITE_URL` and `OR_APP_NAME` are sent as `HTTP-Referer` and `X-Title`"},
	{Prefix: "xai", Title: "xAI", BaseURL: "https://api.x.ai/v1", BaseEnv: []string{"XAI_API_BASE"},
		KeyEnv: []string{"XAI_API_KEY"}, KeyRequired: true, Tools: true},
	{Prefix: "perplexity", Title: "Perplexity", BaseURL: "https://api.perplexity.ai", BaseEnv: []string{"PERPLEXITY_API_BASE"},
		KeyEnv: []string{"PERPLEXITYAI_API_KEY", "PERPLEXITY_API_KEY"}, KeyRequired: true},
	{Prefix: "deepinfra", Title: "DeepInfra", BaseURL: "https://api.deepinfra.com/v1/openai", BaseEnv: []string{"DEEPINFRA_API_BASE"},
		KeyEnv: []string{"DEEPINFRA_API_KEY"}, KeyRequired: true, Embeddings: true, Tools: true},
	{Prefix: "cerebras", Title: "Cerebras", BaseURL: "https://api.cerebras.ai/v1", BaseEnv: []string{"CEREBRAS_API_BASE"},
		KeyEnv: []string{"CEREBRAS_API_KEY"}, KeyRequired: true, Tools: true},
	{Prefix: "ollama", Title: "Ollama", BaseURL: "http://localhost:11434/v1", BaseEnv: []string{"OLLAMA_API_BASE"},
		KeyEnv: []string{"OLLAMA_API_KEY"}, AddV1: true, Embeddings: true, Tools: true,
		Note: "Ollama's OpenAI-compatible `/v1` API (LiteLLM calls `/api/generate`); default `http://localhost:11434`, no key"},
	{Prefix: "ollama_chat", Title: "Ollama (chat)", BaseURL: "http://localhost:11434/v1", BaseEnv: []string{"OLLAMA_API_BASE"},
		KeyEnv: []string{"OLLAMA_API_KEY"}, AddV1: true, Embeddings: true, Tools: true,
		Note: "Ollama's OpenAI-compatible `/v1` API (LiteLLM calls `/api/chat`); default `http://localhost:11434`, no key"},
	{Prefix: "hosted_vllm", Title: "vLLM", BaseEnv: []string{"HOSTED_VLLM_API_BASE"},
		KeyEnv: []string{"HOSTED_VLLM_API_KEY"}, Embeddings: true, Tools: true,
		Note: "no default base: set `HOSTED_VLLM_API_BASE` or `api_base` (`http://host:8000/v1`); no key"},
	{Prefix: "lm_studio", Title: "LM Studio", BaseURL: "http://localhost:1234/v1", BaseEnv: []string{"LM_STUDIO_API_BASE"},
		KeyEnv: []string{"LM_STUDIO_API_KEY"}, Embeddings: true, Tools: true,
		Note: "default `http://localhost:1234/v1` (LM Studio's local server); no key"},
}

// LookupCompatible returns the [Family] member with the given prefix.
func LookupCompatible(prefix string) (Compatible, bool) {
	for _, c := range Family {
		if c.Prefix == prefix {
			return c, true
		}
	}
	return Compatible{}, false
}

// WithEnv sets the environment [New] and [NewCompatible] read their
// defaults from (keys, bases, headers). Default: os.Getenv. A gateway
// passes its own lookup so tests and embedders control it.
func WithEnv(getenv func(string) string) Option {
	return func(p *Provider) { p.getenv = getenv }
}

// NewCompatible returns the provider of the [Family] member with the given
// prefix: named after it, with its base and key from the member's
// variables (through [WithEnv], default os.Getenv), then opts, which win.
// An unknown prefix is an error listing the known ones.
//
//	groq, err := openai.NewCompatible("groq") // GROQ_API_KEY; serves "groq/llama-3.3-70b-versatile"
func NewCompatible(prefix string, opts ...Option) (*Provider, error) {
	c, ok := LookupCompatible(prefix)
	if !ok {
		names := make([]string, len(Family))
		for i, f := range Family {
			names[i] = f.Prefix
		}
		return nil, fmt.Errorf("openai: NewCompatible: unknown prefix %q (known: %s)", prefix, strings.Join(names, ", "))
	}
	p := &Provider{name: c.Prefix, family: &c}
	for _, o := range opts {
		o(p)
	}
	p.name = c.Prefix // the family member's name stays its prefix
	getenv := p.env()
	if p.baseURL == "" {
		p.baseURL = firstOf(getenv, c.BaseEnv...)
	}
	if p.baseURL == "" {
		p.baseURL = c.BaseURL
	}
	if !p.keySet {
		p.key = firstOf(getenv, c.KeyEnv...)
	}
	for h, env := range c.Headers {
		if v := getenv(env); v != "" && p.header.Get(h) == "" {
			if p.header == nil {
				p.header = map[string][]string{}
			}
			p.header.Set(h, v)
		}
	}
	return p, nil
}

// Describe returns what the provider is and offers: the [Family]
// member's entry, OpenAI's for the provider named "openai", and a generic
// OpenAI-compatible server's for one renamed with [WithName].
func (p *Provider) Describe() provider.Info {
	if f := p.family; f != nil {
		return provider.Info{Prefix: f.Prefix, Title: f.Title, Env: append(append([]string(nil), f.KeyEnv...), f.BaseEnv...),
			Chat: true, Stream: true, Embeddings: f.Embeddings, Tools: f.Tools, TextCompletion: true, Note: f.Note}
	}
	if p.name == "openai" {
		return provider.Info{Prefix: "openai", Title: "OpenAI", Also: p.Prefixes(),
			Env:  []string{"OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_BASE", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"},
			Chat: true, Stream: true, Embeddings: true, Tools: true, TextCompletion: true}
	}
	return provider.Info{Prefix: p.name, Title: "OpenAI-compatible server", Chat: true, Stream: true, Embeddings: true,
		Tools: true, TextCompletion: true, Note: "configured with openai.WithName and openai.WithBaseURL"}
}

func (p *Provider) env() func(string) string {
	if p.getenv != nil {
		return p.getenv
	}
	return os.Getenv
}

func firstOf(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// base applies the member's base rules to a base: none given is an
// error naming the variables, and AddV1 adds a missing "/v1".
func (c *Compatible) base(base string) (string, error) {
	if base == "" {
		return "", &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: c.Prefix, Param: "api_base",
			Message: fmt.Sprintf("missing API base: %s has no default; set %s or api_base (llmux.Request.APIBase, openai.WithBaseURL)",
				c.Title, strings.Join(c.BaseEnv, " or "))}
	}
	if c.AddV1 {
		path, query, hasQuery := strings.Cut(base, "?")
		path = strings.TrimRight(path, "/")
		if !strings.HasSuffix(path, "/v1") {
			path += "/v1"
		}
		if hasQuery {
			path += "?" + query
		}
		return path, nil
	}
	return base, nil
}

// model applies the member's model prefix.
func (c *Compatible) model(m string) string {
	if c.ModelPrefix != "" && !strings.HasPrefix(m, c.ModelPrefix) && !strings.HasPrefix(m, "accounts/") {
		return c.ModelPrefix + m
	}
	return m
}

func (c *Compatible) missingKey() error {
	return &llmux.Error{Code: llmux.CodeAuthentication, Provider: c.Prefix,
		Message: fmt.Sprintf("missing API key: set %s, or api_key (llmux.Request.APIKey, openai.WithAPIKey)", strings.Join(c.KeyEnv, " or "))}
}
