package bedrock

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

// The LiteLLM litellm_params names read from a request's ProviderParams.
const (
	paramAccessKeyID     = "aws_access_key_id"
	paramSecretAccessKey = "aws_secret_access_key"
	paramSessionToken    = "aws_session_token"
	paramRegion          = "aws_region_name"
	paramProfile         = "aws_profile_name"
	paramEndpoint        = "aws_bedrock_runtime_endpoint"
	paramRoleName        = "aws_role_name"
	paramSessionName     = "aws_session_name"
	paramExternalID      = "aws_external_id"
	paramSTSEndpoint     = "aws_sts_endpoint"
)

const missingCredentials = "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY " +
	"(and AWS_SESSION_TOKEN for temporary credentials), or AWS_PROFILE, or AWS_BEARER_TOKEN_BEDROCK " +
	"(a Bedrock API key), or pass aws_access_key_id and aws_secret_access_key"

// target is where and how one request goes: the endpoint, the region and
// either a bearer token or SigV4 credentials.
type target struct {
	base   string
	region string
	bearer string
	creds  aws.Credentials
}

// secret returns what the request carries as its key: the bearer token,
// or the access key id (the secret access key is never sent).
func (t *target) secret() string {
	if t.bearer != "" {
		return t.bearer
	}
	return t.creds.AccessKeyID
}

// resolve picks the request's settings: its ProviderParams, APIKey and
// APIBase over the provider's options. Credentials, first found wins:
//
//  1. aws_access_key_id + aws_secret_access_key (+ aws_session_token);
//  2. the request's API key (api_key), as a Bedrock API key;
//  3. aws_profile_name, through the default chain of that profile;
//  4. [WithCredentials] or [WithStaticCredentials];
//  5. [WithAPIKey] or AWS_BEARER_TOKEN_BEDROCK;
//  6. the AWS default credential chain ([WithProfile] or AWS_PROFILE).
//
// With aws_role_name, the bearer tokens are skipped and the credentials
// found assume that role (see assumeRole).
func (p *Provider) resolve(ctx context.Context, a *llmux.Attempt, model string) (*target, error) {
	pp := requestParams(a)
	t := &target{}
	role := pp[paramRoleName]
	var (
		chain         *aws.Config
		credsProvider aws.CredentialsProvider
		source        string // identifies the credentials a role is assumed with
	)
	id, secret := pp[paramAccessKeyID], pp[paramSecretAccessKey]
	switch {
	case id != "" || secret != "":
		if id == "" || secret == "" {
			return nil, authError("aws_access_key_id and aws_secret_access_key must be given together", nil)
		}
		t.creds = aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: pp[paramSessionToken], Source: "ProviderParams"}
		if role != "" {
			credsProvider = credentials.NewStaticCredentialsProvider(id, secret, t.creds.SessionToken)
			sum := sha256.Sum256([]byte(secret + "\x00" + t.creds.SessionToken))
			source = "static:" + id + ":" + hex.EncodeToString(sum[:])
		}
	case a.APIKey != "" && role == "":
		t.bearer = a.APIKey
	case pp[paramProfile] != "":
		c, err := p.chain(ctx, pp[paramProfile])
		if err != nil {
			return nil, err
		}
		chain, credsProvider, source = c, c.Credentials, "profile:"+pp[paramProfile]
	case p.cfg.creds != nil:
		credsProvider, source = p.cfg.creds, "provider"
	case p.cfg.apiKey != "" && role == "":
		t.bearer = p.cfg.apiKey
	default:
		c, err := p.chain(ctx, p.cfg.profile)
		if err != nil {
			return nil, err
		}
		chain, credsProvider, source = c, c.Credentials, "profile:"+p.cfg.profile
	}
	t.region = cmp.Or(pp[paramRegion], p.cfg.region, regionOfARN(model))
	if t.region == "" && chain != nil {
		t.region = chain.Region
	}
	if t.region == "" {
		t.region = DefaultRegion
	}
	if !validRegion(t.region) {
		// The region names the host the credentials go to: a request's
		// aws_region_name, or an ARN's, must not be able to name another.
		return nil, &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: providerName, Param: paramRegion,
			Message: fmt.Sprintf("%q is not an AWS region name (lowercase letters, digits and dashes)", provider.Truncate(t.region, 64))}
	}
	if role != "" {
		credsProvider = p.assumeRole(credsProvider, source, role, pp, t.region)
	}
	if credsProvider != nil {
		creds, err := credsProvider.Retrieve(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, provider.Named(provider.TransportError(ctx, err), providerName)
			}
			if role != "" {
				return nil, authError("assume role "+role, err)
			}
			return nil, authError(missingCredentials, err)
		}
		if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
			return nil, authError(missingCredentials, nil)
		}
		t.creds = creds
	}
	t.base = cmp.Or(pp[paramEndpoint], a.APIBase, p.cfg.baseURL)
	if t.base == "" {
		t.base = "https://bedrock-runtime." + t.region + ".amazonaws.com"
	}
	return t, nil
}

// validRegion reports whether r can be an AWS region name: 1 to 32
// lowercase letters, digits and dashes ("us-east-1", "eu-central-2").
func validRegion(r string) bool {
	if r == "" || len(r) > 32 {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// maxRoles bounds the assumed-role providers kept.
const maxRoles = 256

// assumeRole returns the credentials of role (LiteLLM's aws_role_name, with
// aws_session_name, aws_external_id and aws_sts_endpoint), assumed with
// STS AssumeRole using base. The provider is kept, one per role, session,
// external id, STS endpoint, region and base credentials, so its
// credentials are cached until they near expiry.
func (p *Provider) assumeRole(base aws.CredentialsProvider, source, role string, pp map[string]string, region string) aws.CredentialsProvider {
	session, external, endpoint := pp[paramSessionName], pp[paramExternalID], pp[paramSTSEndpoint]
	key := strings.Join([]string{role, session, external, endpoint, region, source}, "\x00")
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.roles[key]; c != nil {
		return c
	}
	client := sts.New(sts.Options{Region: region, Credentials: base}, func(o *sts.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	c := aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(client, role, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = cmp.Or(session, "llmux-bedrock")
		if external != "" {
			o.ExternalID = aws.String(external)
		}
	}))
	if p.roles == nil || len(p.roles) >= maxRoles {
		// Bounded: a gateway passing many tenants' keys starts over
		// rather than grow without end.
		p.roles = make(map[string]*aws.CredentialsCache)
	}
	p.roles[key] = c
	return c
}

// chain returns the AWS default configuration of a profile ("" for the
// default), loaded on first use and kept: its credentials provider caches
// and refreshes the credentials. A failed load is not kept, so a later
// request tries again.
func (p *Provider) chain(ctx context.Context, profile string) (*aws.Config, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.chains[profile]; c != nil {
		return c, nil
	}
	var opts []func(*awsconfig.LoadOptions) error
	if profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(profile))
	}
	c, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, provider.Named(provider.TransportError(ctx, err), providerName)
		}
		return nil, authError("load the AWS configuration", err)
	}
	if c.Credentials == nil {
		return nil, authError(missingCredentials, nil)
	}
	if p.chains == nil {
		p.chains = make(map[string]*aws.Config)
	}
	p.chains[profile] = &c
	return &c, nil
}

func authError(msg string, err error) *llmux.Error {
	e := &llmux.Error{Code: llmux.CodeAuthentication, Provider: providerName, Message: msg, Err: err}
	if err != nil {
		e.Message = msg + ": " + err.Error()
	}
	return e
}

// send resolves the request's target, signs the request (or sets the
// bearer token), sends it and turns a non-2xx answer into an
// *llmux.Error. On success the caller owns resp.Body.
func (p *Provider) send(ctx context.Context, a *llmux.Attempt, model, path string, body []byte) (*http.Response, error) {
	t, err := p.resolve(ctx, a, model)
	if err != nil {
		return nil, err
	}
	url := endpoint(t.base, model, path)
	h := make(http.Header, len(p.cfg.header)+6)
	for k, v := range p.cfg.header {
		h[k] = append([]string(nil), v...)
	}
	for _, k := range [...]string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256"} {
		h.Del(k)
	}
	h.Set("Content-Type", "application/json")
	if path == "/converse-stream" {
		h.Set("Accept", "application/vnd.amazon.eventstream")
	} else {
		h.Set("Accept", "application/json")
	}
	if t.bearer != "" {
		h.Set("Authorization", "Bearer "+t.bearer)
	} else if h, err = p.sign(ctx, url, h, body, t); err != nil {
		return nil, err
	}
	return provider.Open(ctx, a, provider.Wire{
		Method: http.MethodPost,
		URL:    url,
		Header: h,
		Body:   body,
		APIKey: t.secret(),
	}, providerName, mapError, t.creds.SecretAccessKey, t.creds.SessionToken, t.bearer)
}

// sign returns h with the SigV4 headers of a POST of body to url:
// X-Amz-Date, X-Amz-Security-Token for temporary credentials, and
// Authorization. The signature covers the host, Content-Length and every
// header in h.
func (p *Provider) sign(ctx context.Context, url string, h http.Header, body []byte, t *target) (http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: providerName, Message: "build request: " + err.Error(), Err: err}
	}
	req.Header = h
	sum := sha256.Sum256(body)
	if err := p.signer.SignHTTP(ctx, t.creds, req, hex.EncodeToString(sum[:]), signingName, t.region, time.Now()); err != nil {
		return nil, authError("sign the request", err)
	}
	return req.Header, nil
}
