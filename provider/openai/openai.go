package openai

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/stage"
	"github.com/llmux/llmux/provider"
)

// DefaultBaseURL is OpenAI's API base URL.
const DefaultBaseURL = "https://api.openai.com/v1"

// Provider calls OpenAI or an OpenAI-compatible server. It is safe for
// concurrent use and immutable after [New].
type Provider struct {
	name    string
	key     string
	keySet  bool
	baseURL string
	org     string
	project string
	header  http.Header
	getenv  func(string) string
	family  *Compatible // the Family member, for NewCompatible's providers
}

var (
	_ llmux.Provider          = (*Provider)(nil)
	_ provider.ModelClaimer   = (*Provider)(nil)
	_ provider.TextCompleter  = (*Provider)(nil)
	_ provider.Embedder       = (*Provider)(nil)
	_ provider.ParamSupporter = (*Provider)(nil)
)

// Option configures a [Provider].
type Option func(*Provider)

// WithAPIKey sets the API key, sent as "Authorization: Bearer <key>".
// Default: $OPENAI_API_KEY, read once in [New], and only for a provider
// keeping the name "openai" (so a renamed provider pointed at another
// service never receives the OpenAI key). A per-request key
// ([llmux.Request.APIKey]) overrides it.
func WithAPIKey(key string) Option {
	return func(p *Provider) { p.key, p.keySet = key, true }
}

// WithBaseURL sets the API base URL, up to and including the version path
// ("http://localhost:8000/v1"); this is what makes the provider work with
// any OpenAI-compatible server. Default: $OPENAI_BASE_URL, else
// $OPENAI_API_BASE, else [DefaultBaseURL]. A per-request base
// ([llmux.Request.APIBase]) overrides it.
//
// A key is required only for OpenAI's own API (api.openai.com); other
// servers are called without an Authorization header when no key is set.
func WithBaseURL(u string) Option {
	return func(p *Provider) { p.baseURL = u }
}

// WithName sets the model prefix the provider serves. Default: "openai".
// openai.New(openai.WithName("groq"), openai.WithBaseURL(...)) serves
// "groq/llama-3.3-70b-versatile".
func WithName(name string) Option {
	return func(p *Provider) { p.name = name }
}

// WithHeader adds a header sent with every request, after the
// authentication headers (so it may replace them). Default: none.
func WithHeader(key, value string) Option {
	return func(p *Provider) {
		if p.header == nil {
			p.header = http.Header{}
		}
		p.header.Add(key, value)
	}
}

// WithOrganization sets the OpenAI-Organization header. Default:
// $OPENAI_ORG_ID for the provider named "openai", else none.
func WithOrganization(org string) Option {
	return func(p *Provider) { p.org = org }
}

// WithProject sets the OpenAI-Project header. Default: $OPENAI_PROJECT_ID
// for the provider named "openai", else none.
func WithProject(project string) Option {
	return func(p *Provider) { p.project = project }
}

// New returns a provider configured by opts. Environment variables are read
// here, once. No option can be invalid; a malformed base URL surfaces as a
// CodeInvalidRequest error on the first call.
func New(opts ...Option) *Provider {
	p := &Provider{name: "openai"}
	for _, o := range opts {
		o(p)
	}
	getenv := p.env()
	if p.baseURL == "" {
		p.baseURL = firstOf(getenv, "OPENAI_BASE_URL", "OPENAI_API_BASE")
	}
	if p.baseURL == "" {
		p.baseURL = DefaultBaseURL
	}
	if p.name == "openai" {
		if !p.keySet {
			p.key = getenv("OPENAI_API_KEY")
		}
		if p.org == "" {
			p.org = getenv("OPENAI_ORG_ID")
		}
		if p.project == "" {
			p.project = getenv("OPENAI_PROJECT_ID")
		}
	}
	return p
}

// Name returns the model prefix the provider serves ("openai" unless set
// with [WithName]).
func (p *Provider) Name() string { return p.name }

// wire resolves the per-request overrides and returns the URL, headers and
// key of one attempt; the caller adds the body.
func (p *Provider) wire(a *llmux.Attempt, path string, stream bool) (provider.Wire, error) {
	base := p.baseURL
	if a.APIBase != "" {
		base = a.APIBase
	}
	key := p.key
	if a.APIKey != "" {
		key = a.APIKey
	}
	if f := p.family; f != nil {
		var err error
		if base, err = f.base(base); err != nil {
			return provider.Wire{}, err
		}
		if key == "" && f.KeyRequired {
			return provider.Wire{}, f.missingKey()
		}
	}
	if key == "" && isOpenAI(base) {
		return provider.Wire{}, &llmux.Error{Code: llmux.CodeAuthentication, Provider: p.name,
			Message: "missing API key: set OPENAI_API_KEY or openai.WithAPIKey"}
	}
	h := http.Header{}
	if key != "" {
		h.Set("Authorization", "Bearer "+key)
	}
	if p.org != "" {
		h.Set("OpenAI-Organization", p.org)
	}
	if p.project != "" {
		h.Set("OpenAI-Project", p.project)
	}
	if stream {
		h.Set("Accept", "text/event-stream")
	} else {
		h.Set("Accept", "application/json")
	}
	for k, vs := range p.header {
		h[k] = append([]string(nil), vs...)
	}
	return provider.Wire{URL: provider.JoinURL(base, path), Header: h, APIKey: key}, nil
}

// isOpenAI reports whether base is OpenAI's own API, which always needs a
// key.
func isOpenAI(base string) bool {
	u, err := url.Parse(base)
	return err == nil && strings.EqualFold(u.Hostname(), "api.openai.com")
}

func invalid(name string, err error) error {
	return &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: name, Message: err.Error(), Err: err}
}

func ok(status int) bool { return status >= 200 && status < 300 }

// Do sends w and decodes a 2xx answer with decode, such as
// [DecodeResponse]. Another status is mapped with [MapError]. Every error
// names the provider. (The client scrubs every key it sent from errors and
// events, so an upstream that echoes w.APIKey leaks nothing.) Providers
// that speak the OpenAI wire format with their own endpoint and auth use
// it too.
func Do[T any](ctx context.Context, a *llmux.Attempt, name string, w provider.Wire, decode func(name string, body []byte) (T, error)) (T, error) {
	var zero T
	resp, err := provider.Send(ctx, a, w)
	if err != nil {
		return zero, provider.Named(err, name)
	}
	b, err := provider.ReadBody(a, resp)
	stage.Mark(stage.ResponseRead)
	if err != nil {
		return zero, provider.Named(err, name)
	}
	if !ok(resp.StatusCode) {
		return zero, provider.Named(MapError(name, resp.StatusCode, resp.Header, b), name)
	}
	r, err := decode(name, b)
	stage.Mark(stage.ResponseDecoded)
	return r, provider.Named(err, name)
}

// Chat performs one Chat Completions attempt: POST {base}/chat/completions.
func (p *Provider) Chat(ctx context.Context, a *llmux.Attempt) (*llmux.Response, error) {
	stage.Mark(stage.AttemptBegun)
	w, err := p.wire(a, "/chat/completions", false)
	if err != nil {
		return nil, err
	}
	if w.Body, err = EncodeChat(p.model(a.Model), a.Request, false); err != nil {
		return nil, invalid(p.name, err)
	}
	stage.Mark(stage.Encoded)
	return Do(ctx, a, p.name, w, DecodeResponse)
}

// ChatStream opens a streamed Chat Completions attempt with
// stream_options.include_usage, so the last chunk carries the usage. Errors
// up to the response headers (including a non-2xx answer) are returned
// here; the reader is described at [NewChunkReader].
func (p *Provider) ChatStream(ctx context.Context, a *llmux.Attempt) (llmux.ChunkReader, error) {
	w, err := p.wire(a, "/chat/completions", true)
	if err != nil {
		return nil, err
	}
	if w.Body, err = EncodeChat(p.model(a.Model), a.Request, true); err != nil {
		return nil, invalid(p.name, err)
	}
	return OpenStream(ctx, a, p.name, w)
}

// OpenStream sends w and returns a reader over a 2xx event stream (see
// [NewChunkReader]). Another status is mapped with [MapError]. Every error
// names the provider.
func OpenStream(ctx context.Context, a *llmux.Attempt, name string, w provider.Wire) (llmux.ChunkReader, error) {
	resp, err := provider.Send(ctx, a, w)
	if err != nil {
		return nil, provider.Named(err, name)
	}
	if !ok(resp.StatusCode) {
		b, err := provider.ReadBody(a, resp)
		if err != nil {
			return nil, provider.Named(err, name)
		}
		return nil, provider.Named(MapError(name, resp.StatusCode, resp.Header, b), name)
	}
	return NewChunkReader(name, resp.Body), nil
}

// TextCompletion performs one legacy Completions attempt: POST
// {base}/completions with the request's Prompt. The answer's text is in
// Choices[i].Text and Object is "text_completion".
func (p *Provider) TextCompletion(ctx context.Context, a *llmux.Attempt) (*llmux.Response, error) {
	w, err := p.wire(a, "/completions", false)
	if err != nil {
		return nil, err
	}
	if w.Body, err = EncodeCompletion(p.model(a.Model), a.Request, false); err != nil {
		return nil, invalid(p.name, err)
	}
	w.Input = a.Request.Prompt
	return Do(ctx, a, p.name, w, DecodeResponse)
}

// Embedding performs one Embeddings attempt: POST {base}/embeddings.
// Vectors are decoded whether the request asked for "float" or "base64".
func (p *Provider) Embedding(ctx context.Context, a *llmux.Attempt) (*llmux.EmbeddingResponse, error) {
	if p.family != nil && !p.family.Embeddings {
		return nil, &llmux.Error{Code: llmux.CodeUnsupported, Provider: p.name,
			Message: p.family.Title + " has no embeddings API"}
	}
	w, err := p.wire(a, "/embeddings", false)
	if err != nil {
		return nil, err
	}
	if w.Body, err = EncodeEmbedding(p.model(a.Model), a.Request); err != nil {
		return nil, invalid(p.name, err)
	}
	w.Input = a.Request.Input
	return Do(ctx, a, p.name, w, DecodeEmbedding)
}

// model is the model name sent upstream: the Family member's ModelPrefix
// applied.
func (p *Provider) model(m string) string {
	if p.family != nil {
		return p.family.model(m)
	}
	return m
}

// SupportsParam reports whether the provider sends the parameter: every
// one, except tools to a [Family] member that takes none (Perplexity).
func (p *Provider) SupportsParam(_ llmux.CallType, _ string, name string) bool {
	if p.family != nil && !p.family.Tools {
		switch name {
		case "tools", "tool_choice", "parallel_tool_calls", "functions", "function_call":
			return false
		}
	}
	return true
}

// Prefixes returns the further prefix LiteLLM gives OpenAI's legacy
// completion models, "text-completion-openai", for the provider named
// "openai"; nil for a provider renamed with [WithName].
func (p *Provider) Prefixes() []string {
	if p.name != "openai" {
		return nil
	}
	return []string{"text-completion-openai"}
}

// ClaimModel reports whether a bare model name is OpenAI's: gpt-*,
// chatgpt-*, the o1/o3/o4 reasoning models, text-embedding-*, davinci,
// babbage, dall-e, whisper, tts, omni-moderation and fine-tunes of them
// (ft:gpt-...). Only the provider named "openai" claims names: a provider
// renamed with [WithName] serves "<name>/<model>" only.
func (p *Provider) ClaimModel(model string) bool {
	if p.name != "openai" {
		return false
	}
	m := strings.ToLower(model)
	for _, pre := range [...]string{"gpt-", "chatgpt-", "o1", "o3", "o4", "text-embedding-", "davinci", "babbage",
		"dall-e", "whisper", "tts-", "omni-moderation", "text-moderation", "ft:gpt", "ft:davinci", "ft:babbage", "codex-"} {
		if strings.HasPrefix(m, pre) {
			return true
		}
	}
	return false
}
