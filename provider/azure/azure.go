package azure

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
	"github.com/llmux/llmux/provider/openai"
)

// DefaultAPIVersion is the api-version sent when none is configured: the
// latest GA version of the Azure OpenAI data-plane API.
const DefaultAPIVersion = "2024-10-21"

// name is the model prefix ("azure/<deployment>").
const name = "azure"

// Provider calls Azure OpenAI deployments. It is safe for concurrent use
// and immutable after [New].
type Provider struct {
	key     string
	base    string
	version string
	adToken string
	header  http.Header
}

var (
	_ llmux.Provider         = (*Provider)(nil)
	_ provider.ModelClaimer  = (*Provider)(nil)
	_ provider.TextCompleter = (*Provider)(nil)
	_ provider.Embedder      = (*Provider)(nil)
)

// Option configures a [Provider].
type Option func(*Provider)

// WithAPIKey sets the key sent as the "api-key" header. Default:
// $AZURE_API_KEY, else $AZURE_OPENAI_API_KEY, read once in [New]. A
// per-request key ([llmux.Request.APIKey]) overrides it.
func WithAPIKey(key string) Option { return func(p *Provider) { p.key = key } }

// WithAPIBase sets the resource endpoint, such as
// "https://example.openai.azure.com". Default: $AZURE_API_BASE, else
// $AZURE_OPENAI_ENDPOINT. A per-request base ([llmux.Request.APIBase])
// overrides it.
func WithAPIBase(base string) Option { return func(p *Provider) { p.base = base } }

// WithAPIVersion sets the api-version query parameter. Default:
// $AZURE_API_VERSION, else [DefaultAPIVersion]. A per-request version
// ([llmux.Request.APIVersion]) overrides it.
func WithAPIVersion(v string) Option { return func(p *Provider) { p.version = v } }

// WithADToken sets a Microsoft Entra ID (Azure AD) token, sent as
// "Authorization: Bearer <token>" when no API key is set. Default: none.
// The token is used as given; refreshing it is the caller's job.
func WithADToken(token string) Option { return func(p *Provider) { p.adToken = token } }

// WithHeader adds a header sent with every request, after the
// authentication headers. Default: none.
func WithHeader(key, value string) Option {
	return func(p *Provider) {
		if p.header == nil {
			p.header = http.Header{}
		}
		p.header.Add(key, value)
	}
}

// New returns a provider configured by opts; environment variables are
// read here, once. No option can be invalid. A missing endpoint or key is
// reported by each call (a per-request value may supply it), before any
// request is sent.
func New(opts ...Option) *Provider {
	p := &Provider{}
	for _, o := range opts {
		o(p)
	}
	if p.key == "" {
		p.key = firstEnv("AZURE_API_KEY", "AZURE_OPENAI_API_KEY")
	}
	if p.base == "" {
		p.base = firstEnv("AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT")
	}
	if p.version == "" {
		p.version = firstEnv("AZURE_API_VERSION")
	}
	if p.version == "" {
		p.version = DefaultAPIVersion
	}
	return p
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// Name returns "azure".
func (p *Provider) Name() string { return name }

// Prefixes returns "azure_text", LiteLLM's prefix for Azure's legacy
// completion deployments.
func (p *Provider) Prefixes() []string { return []string{"azure_text"} }

// ClaimModel returns false: an Azure deployment's name says nothing of
// where it runs, so Azure models are always written "azure/<deployment>".
func (p *Provider) ClaimModel(string) bool { return false }

// wire builds the request of one attempt for operation ("/chat/completions",
// "/completions", "/embeddings") on the attempt's deployment (its Model).
func (p *Provider) wire(a *llmux.Attempt, op string, stream bool, body []byte, input any) (provider.Wire, error) {
	base := p.base
	if a.APIBase != "" {
		base = a.APIBase
	}
	if base == "" {
		return provider.Wire{}, &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: name,
			Message: "missing API base: set AZURE_API_BASE or azure.WithAPIBase"}
	}
	version := p.version
	if a.APIVersion != "" {
		version = a.APIVersion
	}
	key := p.key
	if a.APIKey != "" {
		key = a.APIKey
	}
	h := http.Header{}
	secret := key
	switch {
	case key != "":
		h.Set("api-key", key)
	case p.adToken != "":
		h.Set("Authorization", "Bearer "+p.adToken)
		secret = p.adToken
	default:
		return provider.Wire{}, &llmux.Error{Code: llmux.CodeAuthentication, Provider: name,
			Message: "missing API key: set AZURE_API_KEY or azure.WithAPIKey"}
	}
	if stream {
		h.Set("Accept", "text/event-stream")
	} else {
		h.Set("Accept", "application/json")
	}
	for k, vs := range p.header {
		h[k] = append([]string(nil), vs...)
	}
	// Accept both the resource endpoint and one ending in /openai.
	base = strings.TrimSuffix(strings.TrimRight(base, "/"), "/openai")
	u := provider.JoinURL(base, "/openai/deployments/"+url.PathEscape(a.Model)+op+"?api-version="+url.QueryEscape(version))
	return provider.Wire{URL: u, Header: h, Body: body, APIKey: secret, Input: input}, nil
}

func invalid(err error) error {
	return &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: name, Message: err.Error(), Err: err}
}

// Chat performs one chat completion attempt on the deployment a.Model. A
// response cut by the content filter is returned with finish reason
// "content_filter"; a prompt refused by it is an error with
// CodeContentFiltered.
func (p *Provider) Chat(ctx context.Context, a *llmux.Attempt) (*llmux.Response, error) {
	body, err := openai.EncodeChat(a.Model, a.Request, false)
	if err != nil {
		return nil, invalid(err)
	}
	w, err := p.wire(a, "/chat/completions", false, body, nil)
	if err != nil {
		return nil, err
	}
	return openai.Do(ctx, a, name, w, openai.DecodeResponse)
}

// ChatStream opens a streamed chat completion on the deployment a.Model.
// Azure's leading chunk of prompt-filter results, which has no choices, is
// returned like any other, its prompt_filter_results in Extra; see
// [openai.NewChunkReader].
func (p *Provider) ChatStream(ctx context.Context, a *llmux.Attempt) (llmux.ChunkReader, error) {
	body, err := openai.EncodeChat(a.Model, a.Request, true)
	if err != nil {
		return nil, invalid(err)
	}
	w, err := p.wire(a, "/chat/completions", true, body, nil)
	if err != nil {
		return nil, err
	}
	return openai.OpenStream(ctx, a, name, w)
}

// TextCompletion performs one legacy completion attempt on the deployment
// a.Model, with the request's Prompt.
func (p *Provider) TextCompletion(ctx context.Context, a *llmux.Attempt) (*llmux.Response, error) {
	body, err := openai.EncodeCompletion(a.Model, a.Request, false)
	if err != nil {
		return nil, invalid(err)
	}
	w, err := p.wire(a, "/completions", false, body, a.Request.Prompt)
	if err != nil {
		return nil, err
	}
	return openai.Do(ctx, a, name, w, openai.DecodeResponse)
}

// Embedding performs one embeddings attempt on the deployment a.Model.
func (p *Provider) Embedding(ctx context.Context, a *llmux.Attempt) (*llmux.EmbeddingResponse, error) {
	body, err := openai.EncodeEmbedding(a.Model, a.Request)
	if err != nil {
		return nil, invalid(err)
	}
	w, err := p.wire(a, "/embeddings", false, body, a.Request.Input)
	if err != nil {
		return nil, err
	}
	return openai.Do(ctx, a, name, w, openai.DecodeEmbedding)
}

// Describe returns what the provider is and offers.
func (p *Provider) Describe() provider.Info {
	return provider.Info{Prefix: name, Title: "Azure OpenAI", Also: p.Prefixes(),
		Env:  []string{"AZURE_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT", "AZURE_API_VERSION"},
		Chat: true, Stream: true, Embeddings: true, Tools: true, TextCompletion: true,
		Note: "`azure/<deployment>`; Entra ID tokens with `azure.WithADToken`"}
}
