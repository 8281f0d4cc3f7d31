package vertex

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"golang.org/x/oauth2"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
	"github.com/llmux/llmux/provider/anthropic"
	"github.com/llmux/llmux/provider/gemini"
)

const (
	providerName = "vertex_ai"

	// DefaultLocation is the region used when neither [WithLocation], the
	// request's vertex_location nor VERTEXAI_LOCATION / VERTEX_LOCATION is
	// set.
	DefaultLocation = "us-central1"
	// AnthropicVersion is the anthropic_version the Messages body carries
	// on Vertex AI.
	AnthropicVersion = "vertex-2023-10-16"
)

// The request settings ([llmux.Request.ProviderParams]) the provider
// reads, by LiteLLM's litellm_params names; each overrides the option of
// the same meaning for that request. LiteLLM's older "vertex_ai_*"
// spellings are read too.
const (
	ParamProject     = "vertex_project"
	ParamLocation    = "vertex_location"
	ParamCredentials = "vertex_credentials"
)

// Provider is the Vertex AI provider: Gemini models through the Gemini
// codec, Claude models through the Anthropic codec, both with Google
// credentials. It is immutable after [New] and safe for concurrent use.
type Provider struct {
	cfg    config
	creds  *credCache
	gemini *gemini.Provider
	claude *anthropic.Provider
}

var (
	_ llmux.Provider          = (*Provider)(nil)
	_ provider.ModelClaimer   = (*Provider)(nil)
	_ provider.Embedder       = (*Provider)(nil)
	_ provider.ParamSupporter = (*Provider)(nil)
	_ provider.Describer      = (*Provider)(nil)
)

type config struct {
	project, location, baseURL string
	credentials                string // vertex_credentials: JSON or a file path
	tokenSource                oauth2.TokenSource
	header                     http.Header
	getenv                     func(string) string
}

// Option configures a [Provider].
type Option func(*config)

// WithProject sets the Google Cloud project. Default: VERTEXAI_PROJECT,
// else VERTEX_PROJECT, else the project_id of the credentials. A request's
// vertex_project overrides it.
func WithProject(project string) Option { return func(c *config) { c.project = project } }

// WithLocation sets the region ("us-central1", "europe-west4") or "global".
// Default: VERTEXAI_LOCATION, else VERTEX_LOCATION, else
// [DefaultLocation]. A request's vertex_location overrides it.
func WithLocation(location string) Option { return func(c *config) { c.location = location } }

// WithCredentialsJSON sets the credentials: a service account key or
// gcloud user credentials, as JSON. Default: VERTEXAI_CREDENTIALS, else
// VERTEX_CREDENTIALS (the JSON or a file path), else the file
// GOOGLE_APPLICATION_CREDENTIALS names, else Application Default
// Credentials. A request's vertex_credentials overrides it.
func WithCredentialsJSON(b []byte) Option { return func(c *config) { c.credentials = string(b) } }

// WithCredentialsFile sets the credentials to the JSON file at path; see
// [WithCredentialsJSON]. The file is read on first use.
func WithCredentialsFile(path string) Option { return func(c *config) { c.credentials = path } }

// WithTokenSource sets where access tokens come from, instead of
// credentials; its tokens are reused until they expire. Default: none
// (the credentials of [WithCredentialsJSON]).
func WithTokenSource(ts oauth2.TokenSource) Option { return func(c *config) { c.tokenSource = ts } }

// WithBaseURL sets the API base URL instead of
// "https://{location}-aiplatform.googleapis.com": a private endpoint or a
// gateway such as Cloudflare's. The path "/v1/projects/..." is appended to
// it (after a trailing "/v1" or "/v1beta1" of the base, that version); a
// base that already names the model (".../models/gemini-2.5-pro", LiteLLM's
// api_base form) gets only ":method". Default: VERTEXAI_API_BASE, else
// VERTEX_API_BASE, else the regional host. A request's APIBase overrides
// it.
func WithBaseURL(url string) Option { return func(c *config) { c.baseURL = url } }

// WithEnv sets the environment [New] reads its defaults from. Default:
// os.Getenv. A gateway passes its own lookup so tests and embedders
// control it. Application Default Credentials (the gcloud file under
// $HOME, the metadata server) are found through the process environment
// whatever this is.
func WithEnv(getenv func(string) string) Option { return func(c *config) { c.getenv = getenv } }

// WithHeader adds a header to every request. Default: none. Authorization
// and Content-Type are set by the provider.
func WithHeader(key, value string) Option {
	return func(c *config) {
		if c.header == nil {
			c.header = http.Header{}
		}
		c.header.Add(key, value)
	}
}

// New returns a Vertex AI provider. Environment variables ([WithEnv]) are
// read here only, for the settings no option sets: VERTEXAI_PROJECT, VERTEX_PROJECT, VERTEXAI_LOCATION,
// VERTEX_LOCATION, VERTEXAI_CREDENTIALS, VERTEX_CREDENTIALS,
// GOOGLE_APPLICATION_CREDENTIALS, VERTEXAI_API_BASE and VERTEX_API_BASE.
// Credentials are loaded, and Application Default Credentials looked up,
// on the first call, not here.
func New(opts ...Option) *Provider {
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	env := cfg.getenv
	if env == nil {
		env = os.Getenv
	}
	from := func(names ...string) string {
		for _, n := range names {
			if v := env(n); v != "" {
				return v
			}
		}
		return ""
	}
	if cfg.project == "" {
		cfg.project = from("VERTEXAI_PROJECT", "VERTEX_PROJECT")
	}
	if cfg.location == "" {
		cfg.location = from("VERTEXAI_LOCATION", "VERTEX_LOCATION")
	}
	if cfg.credentials == "" && cfg.tokenSource == nil {
		cfg.credentials = from("VERTEXAI_CREDENTIALS", "VERTEX_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS")
	}
	if cfg.baseURL == "" {
		cfg.baseURL = from("VERTEXAI_API_BASE", "VERTEX_API_BASE")
	}
	p := &Provider{cfg: cfg, creds: newCredCache(cfg.credentials, cfg.tokenSource)}
	var gopts []gemini.Option
	var aopts []anthropic.Option
	for k, vs := range cfg.header {
		for _, v := range vs {
			gopts = append(gopts, gemini.WithHeader(k, v))
			aopts = append(aopts, anthropic.WithHeader(k, v))
		}
	}
	p.gemini = gemini.New(append(gopts, gemini.WithName(providerName), gemini.WithEndpoint(p.geminiEndpoint))...)
	p.claude = anthropic.New(append(aopts, anthropic.WithBodyVersion(AnthropicVersion), anthropic.WithEndpoint(p.claudeEndpoint))...)
	return p
}

// Name returns "vertex_ai".
func (p *Provider) Name() string { return providerName }

// Prefixes returns LiteLLM's other Vertex AI prefix, "vertex_ai_beta".
func (p *Provider) Prefixes() []string { return []string{"vertex_ai_beta"} }

// ClaimModel returns false: bare gemini and claude names are the Gemini
// API's and Anthropic's as much as Vertex AI's, so callers write the
// prefix.
func (p *Provider) ClaimModel(string) bool { return false }

// isClaude reports whether a model is Anthropic's, served through the
// Anthropic codec: claude-sonnet-4-5@20250929, claude-3-5-haiku...
func isClaude(model string) bool {
	return strings.HasPrefix(strings.ToLower(model), "claude")
}

// Chat performs one chat completion: generateContent for Gemini models,
// rawPredict (the Messages API) for Claude models.
func (p *Provider) Chat(ctx context.Context, a *llmux.Attempt) (*llmux.Response, error) {
	if isClaude(a.Model) {
		resp, err := p.claude.Chat(ctx, a)
		return resp, claudeError(err)
	}
	return p.gemini.Chat(ctx, a)
}

// ChatStream opens a streamed chat completion: streamGenerateContent for
// Gemini models, streamRawPredict for Claude models. Errors up to and
// including the response headers are returned here; in-band errors come
// from the reader's Recv.
func (p *Provider) ChatStream(ctx context.Context, a *llmux.Attempt) (llmux.ChunkReader, error) {
	if isClaude(a.Model) {
		r, err := p.claude.ChatStream(ctx, a)
		if err != nil {
			return nil, claudeError(err)
		}
		return claudeStream{r}, nil
	}
	return p.gemini.ChatStream(ctx, a)
}

// SupportsParam reports whether the OpenAI parameter name is sent: for
// embeddings dimensions and encoding_format; for chat, what the Anthropic
// codec sends for Claude models, what the Gemini codec sends for the
// others.
func (p *Provider) SupportsParam(ct llmux.CallType, model, name string) bool {
	if ct == llmux.CallEmbedding {
		return embeddingParams[name]
	}
	if isClaude(model) {
		return p.claude.SupportsParam(ct, model, name)
	}
	return p.gemini.SupportsParam(ct, model, name)
}

// target is where one attempt goes and with which token.
type target struct {
	base, project, location string
	token                   string
}

// resolve works out an attempt's project, location, base URL and access
// token: the request's settings, else the provider's, else the
// credentials' project. a.APIKey, when set, is the access token itself.
func (p *Provider) resolve(ctx context.Context, a *llmux.Attempt) (target, error) {
	params := providerParams(a)
	t := target{
		base:     cmp.Or(a.APIBase, p.cfg.baseURL),
		project:  cmp.Or(params[ParamProject], params["vertex_ai_project"], p.cfg.project),
		location: cmp.Or(params[ParamLocation], params["vertex_ai_location"], p.cfg.location, DefaultLocation),
	}
	if !validLocation(t.location) {
		// The location names the host: a request's vertex_location must
		// not send the token elsewhere ("evil.example/#"). Checked before
		// a token is fetched for nothing.
		return target{}, &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: providerName, Param: ParamLocation,
			Message: fmt.Sprintf("invalid location %q: want a region such as us-central1, or global", provider.Truncate(t.location, 64))}
	}
	if a.APIKey != "" {
		t.token = a.APIKey
	} else {
		cr, err := p.creds.get(cmp.Or(params[ParamCredentials], params["vertex_ai_credentials"]))
		if err != nil {
			return target{}, err
		}
		if t.token, err = cr.token(ctx); err != nil {
			return target{}, err
		}
		if t.project == "" {
			t.project = cr.project
		}
	}
	if t.project == "" && !namesModel(t.base) {
		return target{}, &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: providerName,
			Message: "missing project: set vertex_project, VERTEXAI_PROJECT or vertex.WithProject, or use credentials with a project_id"}
	}
	return t, nil
}

// validLocation reports whether a location is a region name: lowercase
// letters, digits and dashes.
func validLocation(l string) bool {
	if l == "" || len(l) > 63 {
		return false
	}
	for _, r := range l {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// url builds the URL of a method of a publisher's model:
// https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}:{method},
// on aiplatform.googleapis.com for the "global" location.
func (t target) url(publisher, model, method string) string {
	base := t.base
	if namesModel(base) {
		return joinMethod(base, method)
	}
	if base == "" {
		host := "aiplatform.googleapis.com"
		if t.location != "global" {
			host = t.location + "-" + host
		}
		base = "https://" + host
	}
	version := "/v1"
	if b := strings.TrimRight(strings.SplitN(base, "?", 2)[0], "/"); strings.HasSuffix(b, "/v1") || strings.HasSuffix(b, "/v1beta1") {
		version = ""
	}
	path := version + "/projects/" + url.PathEscape(t.project) + "/locations/" + url.PathEscape(t.location) +
		"/publishers/" + publisher + "/models/" + url.PathEscape(model)
	return joinMethod(provider.JoinURL(base, path), method)
}

// namesModel reports whether a base URL already names the model (LiteLLM's
// api_base form, ".../models/gemini-2.5-pro").
func namesModel(base string) bool {
	u, err := url.Parse(base)
	return err == nil && strings.Contains(u.Path, "/models/")
}

// joinMethod appends ":method" (which may carry a query, "?alt=sse") to
// the path of u, keeping u's own query.
func joinMethod(u, method string) string {
	m, mq, _ := strings.Cut(method, "?")
	base, q, _ := strings.Cut(u, "?")
	out := strings.TrimRight(base, "/") + ":" + m
	switch {
	case mq != "" && q != "":
		return out + "?" + mq + "&" + q
	case mq != "":
		return out + "?" + mq
	case q != "":
		return out + "?" + q
	}
	return out
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// geminiEndpoint is the Gemini codec's [gemini.Endpoint] on Vertex AI.
func (p *Provider) geminiEndpoint(ctx context.Context, a *llmux.Attempt, method string) (string, http.Header, string, error) {
	t, err := p.resolve(ctx, a)
	if err != nil {
		return "", nil, "", err
	}
	return t.url("google", a.Model, method), bearer(t.token), t.token, nil
}

// claudeEndpoint is the Anthropic codec's [anthropic.Endpoint] on Vertex
// AI: rawPredict, or streamRawPredict for streams.
func (p *Provider) claudeEndpoint(ctx context.Context, a *llmux.Attempt, path string, stream bool) (string, http.Header, string, error) {
	if path != "/v1/messages" {
		return "", nil, "", &llmux.Error{Code: llmux.CodeUnsupported, Provider: providerName,
			Message: "Vertex AI serves Claude models through the Messages API only, not " + path}
	}
	t, err := p.resolve(ctx, a)
	if err != nil {
		return "", nil, "", err
	}
	method := "rawPredict"
	if stream {
		method = "streamRawPredict"
	}
	return t.url("anthropic", a.Model, method), bearer(t.token), t.token, nil
}

// providerParams returns the request's provider settings (read-only).
func providerParams(a *llmux.Attempt) map[string]string {
	if a.Request == nil {
		return nil
	}
	return a.Request.ProviderParams
}
