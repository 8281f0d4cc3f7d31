package gemini

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

const (
	// DefaultName is the provider name and model prefix of [New]
	// ("gemini/gemini-2.5-flash").
	DefaultName = "gemini"
	// DefaultBaseURL is used when neither [WithBaseURL] nor the
	// GEMINI_API_BASE environment variable is set.
	DefaultBaseURL = "https://generativelanguage.googleapis.com/v1beta"
)

// The methods an [Endpoint] is asked for.
const (
	MethodGenerate   = "generateContent"
	MethodStream     = "streamGenerateContent?alt=sse"
	MethodEmbed      = "embedContent"
	MethodBatchEmbed = "batchEmbedContents"
)

const (
	keyHeader           = "x-goog-api-key"
	missingKey          = "missing API key: set GEMINI_API_KEY (or GOOGLE_API_KEY) or gemini.WithAPIKey"
	endpointFailureText = "endpoint: "
)

// Endpoint returns where and how to send one Gemini-format request: the
// URL for the method ([MethodGenerate] "generateContent", [MethodStream]
// "streamGenerateContent?alt=sse", [MethodEmbed] "embedContent",
// [MethodBatchEmbed] "batchEmbedContents"), the headers to add and the
// secret they carry (reported masked, scrubbed everywhere).
//
// The provider calls it once per request it sends (once per attempt),
// from the caller's goroutine, concurrently for concurrent calls, before
// anything is sent. a is the attempt: a.Model is the upstream model (the
// one to put in the URL), a.Request the read-only request (with its
// ProviderParams), a.APIBase and a.APIKey the per-request overrides. An
// error that is an *llmux.Error is the attempt's error as is; any other is
// wrapped as CodeAuthentication.
type Endpoint func(ctx context.Context, a *llmux.Attempt, method string) (url string, header http.Header, secret string, err error)

// Provider is the Gemini API codec. It is immutable after [New] and safe
// for concurrent use.
type Provider struct {
	cfg config
}

var (
	_ llmux.Provider          = (*Provider)(nil)
	_ provider.ModelClaimer   = (*Provider)(nil)
	_ provider.Embedder       = (*Provider)(nil)
	_ provider.ParamSupporter = (*Provider)(nil)
)

type config struct {
	name     string
	apiKey   string
	baseURL  string
	header   http.Header
	endpoint Endpoint
}

// Option configures a [Provider].
type Option func(*config)

// WithAPIKey sets the API key, sent in the x-goog-api-key header (never in
// the URL). Default: the GOOGLE_API_KEY environment variable, else
// GEMINI_API_KEY, read once in [New]; GOOGLE_API_KEY comes first as in
// LiteLLM and Google's own SDKs. A request's APIKey overrides it.
func WithAPIKey(key string) Option { return func(c *config) { c.apiKey = key } }

// WithBaseURL sets the API base URL, the part before "/models/...".
// A base without a path ("https://proxy.example") gets "/v1beta". Default:
// GEMINI_API_BASE, else [DefaultBaseURL]. A request's APIBase overrides it.
func WithBaseURL(url string) Option { return func(c *config) { c.baseURL = url } }

// WithHeader adds a header to every request. Default: none. The headers
// the endpoint sets (x-goog-api-key by default) and Content-Type cannot be
// replaced this way.
func WithHeader(key, value string) Option {
	return func(c *config) {
		if c.header == nil {
			c.header = http.Header{}
		}
		c.header.Add(key, value)
	}
}

// WithEndpoint replaces the base URL and key handling: every request goes
// where e says, with the headers it returns, and the model in the URL and
// body is the attempt's upstream model. [WithAPIKey], [WithBaseURL] and the
// environment are then not used, and no key is required. This is how
// another service speaking the Gemini format (Vertex AI) reuses the codec.
// Default: the Gemini API at the base URL with the API key.
func WithEndpoint(e Endpoint) Option { return func(c *config) { c.endpoint = e } }

// WithName sets the provider name, the prefix of its model names and the
// Provider of its errors ("vertex_ai" for Vertex AI). Default:
// [DefaultName] ("gemini").
func WithName(name string) Option { return func(c *config) { c.name = name } }

// New returns a Gemini API provider. Environment variables are read here
// only: GOOGLE_API_KEY, else GEMINI_API_KEY, and GEMINI_API_BASE.
func New(opts ...Option) *Provider {
	cfg := config{
		name:    DefaultName,
		apiKey:  cmp.Or(os.Getenv("GOOGLE_API_KEY"), os.Getenv("GEMINI_API_KEY")),
		baseURL: cmp.Or(os.Getenv("GEMINI_API_BASE"), DefaultBaseURL),
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.name == "" {
		cfg.name = DefaultName
	}
	if cfg.baseURL == "" {
		cfg.baseURL = DefaultBaseURL
	}
	return &Provider{cfg: cfg}
}

// Name returns the provider name: "gemini", or the one set by [WithName].
func (p *Provider) Name() string { return p.cfg.name }

// Prefixes returns nil: Gemini API models are "gemini/<model>".
func (p *Provider) Prefixes() []string { return nil }

// ClaimModel returns false: a bare "gemini-2.5-flash" could be the Gemini
// API's or Vertex AI's (LiteLLM routes bare gemini names to Vertex AI), so
// callers write the prefix.
func (p *Provider) ClaimModel(string) bool { return false }

// endpoint resolves the URL, headers and secret of one request.
func (p *Provider) endpoint(ctx context.Context, a *llmux.Attempt, method string) (string, http.Header, string, error) {
	if p.cfg.endpoint != nil {
		u, h, secret, err := p.cfg.endpoint(ctx, a, method)
		if err != nil {
			var le *llmux.Error
			if errors.As(err, &le) {
				return "", nil, "", err
			}
			return "", nil, "", &llmux.Error{Code: llmux.CodeAuthentication, Provider: p.cfg.name,
				Message: endpointFailureText + err.Error(), Err: err}
		}
		return u, h, secret, nil
	}
	key := cmp.Or(a.APIKey, p.cfg.apiKey)
	if key == "" {
		return "", nil, "", &llmux.Error{Code: llmux.CodeAuthentication, Provider: p.cfg.name, Message: missingKey}
	}
	mp, ok := modelPath(a.Model)
	if !ok {
		// The name goes into the URL path: "../x?y" would call another
		// method of the API with the key.
		return "", nil, "", &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: p.cfg.name, Param: "model",
			Message: fmt.Sprintf("model %q: want a model name (letters, digits, '.', '-', '_'), optionally models/ or tunedModels/ before it", provider.Truncate(a.Model, 80))}
	}
	u := provider.JoinURL(baseURL(cmp.Or(a.APIBase, p.cfg.baseURL)), "/"+mp+":"+method)
	return u, http.Header{http.CanonicalHeaderKey(keyHeader): {key}}, key, nil
}

// baseURL adds the API version "/v1beta" to a base URL whose path does
// not end in a version ("https://generativelanguage.googleapis.com",
// LiteLLM's form of GEMINI_API_BASE, or "https://proxy/gemini"); a base
// ending in "/v1beta", "/v1" or "/v1alpha" is kept.
func baseURL(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return base
	}
	last := path.Base(strings.TrimRight(u.Path, "/"))
	if versionRE.MatchString(last) {
		return base
	}
	return provider.JoinURL(base, "/v1beta")
}

var versionRE = regexp.MustCompile(`^v[0-9]+((alpha|beta)[0-9]*)?$`)

// modelPath is the resource name of a model in a URL: "models/<model>",
// unless the model already names its collection ("models/x",
// "tunedModels/x"); false for any other name, which must not reach a URL.
func modelPath(model string) (string, bool) {
	collection, name, ok := strings.Cut(model, "/")
	if !ok {
		collection, name = "models", model
	}
	if collection != "models" && collection != "tunedModels" || !validModelName(name) {
		return "", false
	}
	return collection + "/" + name, true
}

// validModelName reports whether name is 1 to 256 letters, digits, '.',
// '-' and '_', and not "." or "..".
func validModelName(name string) bool {
	if name == "" || len(name) > 256 || name == "." || name == ".." {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// send resolves the endpoint, sends body and turns a non-2xx answer into
// an *llmux.Error. On success the caller owns resp.Body.
func (p *Provider) send(ctx context.Context, a *llmux.Attempt, method string, body []byte, input any) (*http.Response, error) {
	u, eh, secret, err := p.endpoint(ctx, a, method)
	if err != nil {
		return nil, err
	}
	h := make(http.Header, len(p.cfg.header)+len(eh)+1)
	for k, v := range p.cfg.header {
		h[k] = append([]string(nil), v...)
	}
	for k, v := range eh {
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), v...)
	}
	h.Set("Content-Type", "application/json")
	return provider.Open(ctx, a, provider.Wire{
		Method: http.MethodPost,
		URL:    u,
		Header: h,
		Body:   body,
		APIKey: secret,
		Input:  input,
	}, p.cfg.name, p.mapError, secret)
}
