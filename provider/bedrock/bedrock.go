package bedrock

import (
	"cmp"
	"context"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/encoding/httpbinding"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

const (
	providerName = "bedrock"

	// DefaultRegion is the region used when neither [WithRegion], the
	// request's aws_region_name, the environment (AWS_REGION,
	// AWS_DEFAULT_REGION, AWS_REGION_NAME), the shared AWS config file nor
	// an inference profile ARN names one. It is LiteLLM's default.
	DefaultRegion = "us-west-2"

	// signingName is the service name in SigV4 credential scopes of the
	// Bedrock runtime API.
	signingName = "bedrock"
)

// Provider is the AWS Bedrock codec, for the Converse and ConverseStream
// APIs. It is safe for concurrent use; the AWS default credential chain is
// loaded on first use (once per profile) and its credentials are cached
// and refreshed by the AWS SDK.
type Provider struct {
	cfg    config
	signer *v4.Signer

	mu     sync.Mutex
	chains map[string]*aws.Config           // loaded default configs, by profile ("" for the default)
	roles  map[string]*aws.CredentialsCache // assumed roles (see assumeRole)
}

var (
	_ llmux.Provider        = (*Provider)(nil)
	_ provider.ModelClaimer = (*Provider)(nil)
)

type config struct {
	region  string
	creds   aws.CredentialsProvider
	profile string
	baseURL string
	apiKey  string // a Bedrock API key, sent as a bearer token
	header  http.Header
	getenv  func(string) string
}

// Option configures a [Provider].
type Option func(*config)

// WithRegion sets the AWS region of the runtime endpoint and of the
// signature. Default: AWS_REGION, else AWS_DEFAULT_REGION, else
// AWS_REGION_NAME (LiteLLM's), read in [New]; else the region of the
// shared config profile; else the region of an inference profile ARN used
// as the model; else [DefaultRegion].
func WithRegion(region string) Option { return func(c *config) { c.region = region } }

// WithCredentials sets the credentials provider that signs requests, such
// as an [aws.CredentialsCache] around an STS assume-role provider. It is
// wrapped in a cache unless it is one. Default: the AWS default credential
// chain (see the package documentation).
func WithCredentials(p aws.CredentialsProvider) Option {
	return func(c *config) {
		if p == nil {
			c.creds = nil
			return
		}
		if _, ok := p.(*aws.CredentialsCache); !ok {
			p = aws.NewCredentialsCache(p)
		}
		c.creds = p
	}
}

// WithStaticCredentials signs requests with an access key id, a secret
// access key and, for temporary credentials, a session token ("" for
// none). An empty id or secret removes static credentials. Default: the
// AWS default credential chain.
func WithStaticCredentials(id, secret, token string) Option {
	return func(c *config) {
		if id == "" || secret == "" {
			c.creds = nil
			return
		}
		c.creds = credentials.NewStaticCredentialsProvider(id, secret, token)
	}
}

// WithProfile loads the credentials and region of a named profile of the
// shared AWS config and credentials files (~/.aws/config,
// ~/.aws/credentials). Default: AWS_PROFILE, else the "default" profile.
func WithProfile(name string) Option { return func(c *config) { c.profile = name } }

// WithAPIKey sets a Bedrock API key, sent as "Authorization: Bearer <key>"
// instead of a SigV4 signature. It takes precedence over the profile and
// the default credential chain, not over [WithCredentials],
// [WithStaticCredentials] or per-request credentials. Default:
// AWS_BEARER_TOKEN_BEDROCK, read in [New].
func WithAPIKey(key string) Option { return func(c *config) { c.apiKey = key } }

// WithBaseURL sets the runtime endpoint, such as a VPC endpoint
// ("https://vpce-0123-abcd.bedrock-runtime.us-east-1.vpce.amazonaws.com")
// or a proxy; the API paths (/model/{id}/converse) are appended to it.
// Default: AWS_BEDROCK_RUNTIME_ENDPOINT, read in [New], else
// https://bedrock-runtime.{region}.amazonaws.com.
func WithBaseURL(url string) Option { return func(c *config) { c.baseURL = url } }

// WithHeader adds a header to every request (and to the signature).
// Default: none. Authorization, X-Amz-* and Content-Type are set by the
// provider and cannot be replaced this way.
func WithHeader(key, value string) Option {
	return func(c *config) {
		if c.header == nil {
			c.header = http.Header{}
		}
		c.header.Add(key, value)
	}
}

// WithEnv sets the environment [New] reads its defaults from (region,
// Bedrock API key, endpoint). Default: os.Getenv. A gateway passes its own
// lookup so tests and embedders control it. The AWS default credential
// chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, the shared files...) reads the
// process environment whatever this is.
func WithEnv(getenv func(string) string) Option { return func(c *config) { c.getenv = getenv } }

// New returns a Bedrock provider. Environment variables ([WithEnv]) read here:
// AWS_REGION, AWS_DEFAULT_REGION, AWS_REGION_NAME, AWS_BEARER_TOKEN_BEDROCK
// and AWS_BEDROCK_RUNTIME_ENDPOINT. The AWS default credential chain
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
// AWS_PROFILE, the shared files, SSO, web identity, container and EC2
// instance roles) is loaded by the AWS SDK on the first request that needs
// it, and reads its own variables then.
func New(opts ...Option) *Provider {
	// The environment fills only what no option set: options are applied
	// first, to an empty config, so that WithEnv is known.
	var set config
	for _, o := range opts {
		if o != nil {
			o(&set)
		}
	}
	getenv := set.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	cfg := config{
		region:  cmp.Or(getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"), getenv("AWS_REGION_NAME")),
		apiKey:  getenv("AWS_BEARER_TOKEN_BEDROCK"),
		baseURL: getenv("AWS_BEDROCK_RUNTIME_ENDPOINT"),
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return &Provider{cfg: cfg, signer: v4.NewSigner()}
}

// Name returns "bedrock".
func (p *Provider) Name() string { return providerName }

// Chat performs one Converse call.
func (p *Provider) Chat(ctx context.Context, a *llmux.Attempt) (*llmux.Response, error) {
	model := modelID(a.Model)
	body, err := converseBody(a.Request, model)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, a, model, "/converse", body)
	if err != nil {
		return nil, err
	}
	b, err := provider.ReadBody(a, resp)
	if err != nil {
		return nil, provider.Named(err, providerName)
	}
	return decodeConverse(b, model)
}

// ChatStream opens a ConverseStream call. Errors up to and including the
// response headers are returned here; exception frames in the stream come
// from the reader's Recv as *llmux.Error.
func (p *Provider) ChatStream(ctx context.Context, a *llmux.Attempt) (llmux.ChunkReader, error) {
	model := modelID(a.Model)
	body, err := converseBody(a.Request, model)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, a, model, "/converse-stream", body)
	if err != nil {
		return nil, err
	}
	return newStream(resp.Body, model), nil
}

// modelID returns the Bedrock model id of an upstream model name: LiteLLM's
// "converse/" route prefix (and "invoke/", whose models Converse serves
// too) is dropped.
func modelID(model string) string {
	for _, route := range [...]string{"converse/", "invoke/"} {
		if m, ok := strings.CutPrefix(model, route); ok {
			return m
		}
	}
	return model
}

// endpoint returns the URL of the API path (/converse or /converse-stream)
// of model at base. The model id is one escaped path segment: the ":" of
// versions and the "/" and ":" of ARNs are escaped, as the AWS SDK does.
func endpoint(base, model, path string) string {
	return provider.JoinURL(base, "/model/"+httpbinding.EscapePath(model, true)+path)
}

// regionOfARN returns the region of an ARN model id
// ("arn:aws:bedrock:us-east-1:123456789012:inference-profile/..."), or "".
func regionOfARN(model string) string {
	if !strings.HasPrefix(model, "arn:") {
		return ""
	}
	parts := strings.SplitN(model, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[3]
}

// Prefixes returns nil: Bedrock models are "bedrock/<model id>", including
// LiteLLM's "bedrock/converse/<model id>".
func (p *Provider) Prefixes() []string { return nil }

// vendors are the model providers whose Bedrock model ids ("<vendor>.<model>")
// are claimed as bare names.
var vendors = []string{"anthropic.", "amazon.", "meta.", "cohere.", "ai21.", "mistral.", "deepseek.",
	"writer.", "qwen.", "openai.", "twelvelabs.", "stability."}

// geoPrefixes are the prefixes of cross-region inference profile ids
// ("us.anthropic.claude-...").
var geoPrefixes = []string{"us.", "eu.", "apac.", "us-gov.", "global.", "jp.", "au.", "ca."}

// ClaimModel reports whether a bare model name is a Bedrock model id:
// "<vendor>.<model>" (anthropic.claude-..., amazon.nova-..., meta.llama...),
// optionally behind a cross-region prefix ("us.", "eu.", "apac."...), or a
// Bedrock ARN. Those forms are Bedrock's own, so the claim is unambiguous.
func (p *Provider) ClaimModel(model string) bool {
	if strings.HasPrefix(model, "arn:aws:bedrock:") || strings.HasPrefix(model, "arn:aws-us-gov:bedrock:") {
		return true
	}
	for _, g := range geoPrefixes {
		if rest, ok := strings.CutPrefix(model, g); ok {
			model = rest
			break
		}
	}
	for _, v := range vendors {
		if strings.HasPrefix(model, v) && len(model) > len(v) {
			return true
		}
	}
	return false
}
