package anthropic

import (
	"cmp"
	"context"
	"net/http"
	"os"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

const (
	providerName = "anthropic"

	// DefaultBaseURL is used when neither WithBaseURL nor the
	// ANTHROPIC_API_BASE / ANTHROPIC_BASE_URL environment variables are set.
	DefaultBaseURL = "https://api.anthropic.com"
	// DefaultVersion is the anthropic-version header sent by default.
	DefaultVersion = "2023-06-01"
	// DefaultMaxTokens is the max_tokens sent to the Messages API when the
	// request sets none; the API requires the field.
	DefaultMaxTokens = 4096
	// DefaultMaxTokensToSample is the max_tokens_to_sample sent to the
	// legacy Text Completions API when the request sets none.
	DefaultMaxTokensToSample = 256
)

const missingKey = "missing API key: set ANTHROPIC_API_KEY or anthropic.WithAPIKey"

// Provider is the Anthropic codec. It is immutable after [New] and safe for
// concurrent use.
type Provider struct {
	cfg config
}

var (
	_ llmux.Provider         = (*Provider)(nil)
	_ provider.ModelClaimer  = (*Provider)(nil)
	_ provider.TextCompleter = (*Provider)(nil)
)

type config struct {
	apiKey    string
	baseURL   string
	version   string
	maxTokens int
	header    http.Header
	// endpoint and bodyVersion adapt the codec to a platform serving
	// Anthropic's models (Vertex AI, Bedrock): see WithEndpoint and
	// WithBodyVersion.
	endpoint    Endpoint
	bodyVersion string
}

// Option configures a [Provider].
type Option func(*config)

// WithAPIKey sets the API key sent as x-api-key. Default: the
// ANTHROPIC_API_KEY environment variable, read once in [New].
func WithAPIKey(key string) Option { return func(c *config) { c.apiKey = key } }

// WithBaseURL sets the API base URL, such as "https://api.anthropic.com" or
// a proxy in front of it. A trailing "/v1", "/v1/messages" or
// "/v1/complete" is accepted and dropped. Default: ANTHROPIC_API_BASE, else
// ANTHROPIC_BASE_URL, else [DefaultBaseURL].
func WithBaseURL(url string) Option { return func(c *config) { c.baseURL = url } }

// WithVersion sets the anthropic-version header. Default: [DefaultVersion]
// ("2023-06-01").
func WithVersion(v string) Option { return func(c *config) { c.version = v } }

// WithDefaultMaxTokens sets the max_tokens sent to the Messages API when a
// request has no MaxTokens; values <= 0 are ignored. Default:
// [DefaultMaxTokens] (4096).
func WithDefaultMaxTokens(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxTokens = n
		}
	}
}

// WithHeader adds a header to every request, such as "anthropic-beta".
// Default: none. The x-api-key, anthropic-version and Content-Type headers
// are set by the provider and cannot be replaced this way.
func WithHeader(key, value string) Option {
	return func(c *config) {
		if c.header == nil {
			c.header = http.Header{}
		}
		c.header.Add(key, value)
	}
}

// Endpoint gives where and how one call is sent, for a platform that
// serves Anthropic's models behind its own URLs and auth (Vertex AI,
// Bedrock). path is the Anthropic API path of the call ("/v1/messages" or
// "/v1/complete") and stream tells a streamed call. It returns the URL, the
// headers that authenticate the call and secret, the credential they carry
// (masked in events and scrubbed from everything the call reports). An
// error is returned to the caller as is: an *llmux.Error with
// CodeAuthentication when credentials are missing or refused. It is called
// once per attempt, concurrently from the caller's goroutines.
type Endpoint func(ctx context.Context, a *llmux.Attempt, path string, stream bool) (url string, header http.Header, secret string, err error)

// WithEndpoint sends every call where e says, with e's headers, instead of
// to the base URL with x-api-key and anthropic-version: the API key,
// base URL and version options are then unused, and a request's APIKey,
// APIBase and APIVersion are e's to honour. Default: none (Anthropic's
// API).
func WithEndpoint(e Endpoint) Option { return func(c *config) { c.endpoint = e } }

// WithBodyVersion sends v as "anthropic_version", the first member of the
// Messages API body, and leaves "model" out of it (the URL names the
// model), as Vertex AI ("vertex-2023-10-16") and Bedrock
// ("bedrock-2023-05-31") want. Default: "" (a body with "model", the
// version in the anthropic-version header).
func WithBodyVersion(v string) Option { return func(c *config) { c.bodyVersion = v } }

// New returns an Anthropic provider. Environment variables are read here
// only: ANTHROPIC_API_KEY, ANTHROPIC_API_BASE and ANTHROPIC_BASE_URL.
func New(opts ...Option) *Provider {
	cfg := config{
		apiKey:    os.Getenv("ANTHROPIC_API_KEY"),
		baseURL:   cmp.Or(os.Getenv("ANTHROPIC_API_BASE"), os.Getenv("ANTHROPIC_BASE_URL"), DefaultBaseURL),
		version:   DefaultVersion,
		maxTokens: DefaultMaxTokens,
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.baseURL == "" {
		cfg.baseURL = DefaultBaseURL
	}
	if cfg.version == "" {
		cfg.version = DefaultVersion
	}
	return &Provider{cfg: cfg}
}

// Name returns "anthropic".
func (p *Provider) Name() string { return providerName }

// Chat performs one chat completion attempt: the Messages API, or the
// legacy Text Completions API for claude-2 and claude-instant models.
func (p *Provider) Chat(ctx context.Context, a *llmux.Attempt) (*llmux.Response, error) {
	if isLegacyModel(a.Model) {
		prompt, err := promptFromMessages(a.Model, a.Request.Messages)
		if err != nil {
			return nil, err
		}
		return p.complete(ctx, a, prompt)
	}
	return p.messages(ctx, a, a.Request.Messages, false)
}

// ChatStream opens a streamed chat completion. Errors up to and including
// the response headers are returned here; in-band error events come from
// the reader's Recv as *llmux.Error.
func (p *Provider) ChatStream(ctx context.Context, a *llmux.Attempt) (llmux.ChunkReader, error) {
	if isLegacyModel(a.Model) {
		prompt, err := promptFromMessages(a.Model, a.Request.Messages)
		if err != nil {
			return nil, err
		}
		body, err := completeBody(a, prompt, true)
		if err != nil {
			return nil, err
		}
		resp, err := p.send(ctx, a, "/v1/complete", true, body, prompt)
		if err != nil {
			return nil, err
		}
		return newCompleteStream(resp.Body), nil
	}
	body, err := p.messagesBody(a, a.Request.Messages, true)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, a, "/v1/messages", true, body, a.Request.Messages, betas(a.Request.Messages)...)
	if err != nil {
		return nil, err
	}
	return newMessageStream(resp.Body), nil
}

// TextCompletion performs a legacy text completion of a.Request.Prompt.
// For claude-2 and claude-instant models it calls /v1/complete, wrapping
// the prompt in "\n\nHuman: ...\n\nAssistant: " unless it already starts
// with "\n\nHuman:". Newer models have no /v1/complete, so the prompt is
// sent to the Messages API as one user message. Either way the answer is in
// Choice.Text.
func (p *Provider) TextCompletion(ctx context.Context, a *llmux.Attempt) (*llmux.Response, error) {
	var (
		resp *llmux.Response
		err  error
	)
	if isLegacyModel(a.Model) {
		resp, err = p.complete(ctx, a, wrapPrompt(a.Request.Prompt))
	} else {
		resp, err = p.messages(ctx, a, []llmux.Message{llmux.User(a.Request.Prompt)}, true)
	}
	if err != nil {
		return nil, err
	}
	resp.Object = "text_completion"
	for i := range resp.Choices {
		c := &resp.Choices[i]
		c.Text = c.Message.Text()
		c.Message = llmux.Message{}
	}
	return resp, nil
}

// messages performs a non-streaming Messages API call.
func (p *Provider) messages(ctx context.Context, a *llmux.Attempt, msgs []llmux.Message, promptInput bool) (*llmux.Response, error) {
	body, err := p.messagesBody(a, msgs, false)
	if err != nil {
		return nil, err
	}
	var input any = msgs
	if promptInput {
		input = a.Request.Prompt
	}
	resp, err := p.send(ctx, a, "/v1/messages", false, body, input, betas(msgs)...)
	if err != nil {
		return nil, err
	}
	b, err := provider.ReadBody(a, resp)
	if err != nil {
		return nil, provider.Named(err, providerName)
	}
	return decodeMessage(b)
}

// complete performs a non-streaming legacy Text Completions call.
func (p *Provider) complete(ctx context.Context, a *llmux.Attempt, prompt string) (*llmux.Response, error) {
	body, err := completeBody(a, prompt, false)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, a, "/v1/complete", false, body, prompt)
	if err != nil {
		return nil, err
	}
	b, err := provider.ReadBody(a, resp)
	if err != nil {
		return nil, provider.Named(err, providerName)
	}
	return decodeCompletion(b)
}

// betas returns the anthropic-beta values the messages need: the Files API
// when a message refers to an uploaded file.
func betas(msgs []llmux.Message) []string {
	if usesFileIDs(msgs) {
		return []string{filesBeta}
	}
	return nil
}

// send checks the key, sends the request and turns a non-2xx answer into
// an *llmux.Error. Each of betas is added to the anthropic-beta header
// unless it is already there. With an [Endpoint] (WithEndpoint), the
// endpoint gives the URL, the auth headers and the secret instead of the
// base URL, x-api-key and anthropic-version. On success the caller owns
// resp.Body.
func (p *Provider) send(ctx context.Context, a *llmux.Attempt, path string, stream bool, body []byte, input any, betas ...string) (*http.Response, error) {
	var (
		url, key string
		auth     http.Header
	)
	if p.cfg.endpoint != nil {
		var err error
		if url, auth, key, err = p.cfg.endpoint(ctx, a, path, stream); err != nil {
			return nil, err
		}
	} else {
		key = cmp.Or(a.APIKey, p.cfg.apiKey)
		if key == "" {
			return nil, &llmux.Error{Code: llmux.CodeAuthentication, Provider: providerName, Message: missingKey}
		}
		url = endpoint(cmp.Or(a.APIBase, p.cfg.baseURL), path)
		auth = http.Header{}
		auth.Set("x-api-key", key)
		auth.Set("anthropic-version", cmp.Or(a.APIVersion, p.cfg.version))
	}
	h := make(http.Header, len(p.cfg.header)+len(auth)+2)
	for k, v := range p.cfg.header {
		h[k] = append([]string(nil), v...)
	}
	for _, b := range betas {
		if !hasBeta(h, b) {
			h.Add("anthropic-beta", b)
		}
	}
	for k, v := range auth {
		h[k] = append([]string(nil), v...)
	}
	h.Set("Content-Type", "application/json")
	return provider.Open(ctx, a, provider.Wire{
		Method: http.MethodPost,
		URL:    url,
		Header: h,
		Body:   body,
		APIKey: key,
		Input:  input,
	}, providerName, mapError, key)
}

// hasBeta reports whether the anthropic-beta header, given once per value
// or as a comma-separated list, holds beta.
func hasBeta(h http.Header, beta string) bool {
	for _, v := range h.Values("anthropic-beta") {
		for _, b := range strings.Split(v, ",") {
			if strings.TrimSpace(b) == beta {
				return true
			}
		}
	}
	return false
}

// endpoint joins the base URL and the API path, accepting bases that
// already end in /v1 or in the full endpoint path (LiteLLM's api_base is
// often "https://api.anthropic.com/v1/messages").
func endpoint(base, path string) string {
	base = strings.TrimRight(base, "/")
	for _, suffix := range [...]string{"/v1/messages", "/v1/complete", "/v1"} {
		if strings.HasSuffix(base, suffix) {
			base = strings.TrimSuffix(base, suffix)
			break
		}
	}
	return base + path
}

// isLegacyModel reports whether the model is served only by the legacy
// Text Completions API.
func isLegacyModel(model string) bool {
	return strings.HasPrefix(model, "claude-2") || strings.HasPrefix(model, "claude-instant")
}

// Prefixes returns nil: Anthropic models are "anthropic/<model>" or bare.
func (p *Provider) Prefixes() []string { return nil }

// ClaimModel reports whether a bare model name is Anthropic's: claude-*.
func (p *Provider) ClaimModel(model string) bool {
	return strings.HasPrefix(strings.ToLower(model), "claude")
}
