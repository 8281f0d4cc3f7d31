package bedrock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/record"
	"github.com/llmux/llmux/provider/providertest"
)

func chatOnce(t *testing.T, f *fake, p *Provider) (*llmux.Response, error) {
	t.Helper()
	return p.Chat(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("Hello")}}))
}

func TestSigV4_FakeEndpointVerifiesSignature(t *testing.T) {
	isolate(t)
	f := serveFixture(t, 200, "converse.json")
	resp, err := chatOnce(t, f, f.provider())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text() != "Hello! How can I help you today?" {
		t.Fatalf("text = %q", resp.Text())
	}
	r := f.last(t)
	auth := r.Header.Get("Authorization")
	scope := "/" + time.Now().UTC().Format("20060102") + "/us-east-1/bedrock/aws4_request"
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+testKeyID+scope) {
		t.Errorf("Authorization = %q, want credential scope %s", auth, scope)
	}
	for _, h := range []string{"host", "content-type", "x-amz-date", "content-length"} {
		if !strings.Contains(auth, h) {
			t.Errorf("Authorization %q does not sign %s", auth, h)
		}
	}
	if r.Header.Get("X-Amz-Security-Token") != "" {
		t.Errorf("session token sent for long-term credentials")
	}
}

func TestSigV4_WrongSecretIsRejected(t *testing.T) {
	isolate(t)
	f := serveFixture(t, 200, "converse.json")
	p := f.provider(WithStaticCredentials(testKeyID, "not-the-secret-0123456789abcdefghijklmn", ""))
	_, err := chatOnce(t, f, p)
	e := providertest.AsError(t, err)
	if e.Code != llmux.CodeAuthentication || e.StatusCode != 403 || e.Type != "InvalidSignatureException" {
		t.Fatalf("err = %v (code %v, status %d, type %q), want authentication 403 InvalidSignatureException", err, e.Code, e.StatusCode, e.Type)
	}
	if reqs := f.requests(); len(reqs) != 1 || reqs[0].SigErr == nil {
		t.Fatalf("the fake endpoint accepted a wrong signature: %+v", reqs)
	}
}

func TestSigV4_WrongRegionIsRejected(t *testing.T) {
	isolate(t)
	f := serveFixture(t, 200, "converse.json")
	_, err := chatOnce(t, f, f.provider(WithRegion("eu-west-3")))
	if llmux.CodeOf(err) != llmux.CodeAuthentication {
		t.Fatalf("err = %v, want the signature of another region rejected", err)
	}
}

func TestSigV4_SessionTokenIsSentAndSigned(t *testing.T) {
	isolate(t)
	f := serveFixture(t, 200, "converse.json")
	f.creds.SessionToken = testToken
	if _, err := chatOnce(t, f, f.provider(WithStaticCredentials(testKeyID, testSecret, testToken))); err != nil {
		t.Fatal(err)
	}
	r := f.last(t)
	if got := r.Header.Get("X-Amz-Security-Token"); got != testToken {
		t.Errorf("X-Amz-Security-Token = %q", got)
	}
	if !strings.Contains(r.Header.Get("Authorization"), "x-amz-security-token") {
		t.Errorf("session token not signed: %s", r.Header.Get("Authorization"))
	}
}

func TestCredentials_FromEnvironment(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_ACCESS_KEY_ID", testKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecret)
	t.Setenv("AWS_SESSION_TOKEN", testToken)
	t.Setenv("AWS_REGION", testRegion)
	f := serveFixture(t, 200, "converse.json")
	f.creds.SessionToken = testToken
	if _, err := chatOnce(t, f, New(WithBaseURL(f.srv.URL))); err != nil {
		t.Fatal(err)
	}
	f.last(t)
}

// The region comes from LiteLLM's AWS_REGION_NAME, and, with no base URL,
// names the runtime endpoint.
func TestRegion_FromEnvironmentNamesTheEndpoint(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_REGION_NAME", "eu-central-1")
	var got *http.Request
	hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		got = r
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(string(providertest.Fixture(t, "converse.json")))), Request: r}, nil
	})}
	p := New(WithStaticCredentials(testKeyID, testSecret, ""))
	a := &llmux.Attempt{Request: &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}}, Model: testModel, HTTPClient: hc}
	if _, err := p.Chat(bg, a); err != nil {
		t.Fatal(err)
	}
	if want := "https://bedrock-runtime.eu-central-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"; got.URL.String() != want {
		t.Errorf("URL = %s, want %s", got.URL, want)
	}
	if !strings.Contains(got.Header.Get("Authorization"), "/eu-central-1/bedrock/aws4_request") {
		t.Errorf("Authorization = %s", got.Header.Get("Authorization"))
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// writeProfiles writes shared config and credentials files with a "dev"
// profile in eu-west-1.
func writeProfiles(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(creds, []byte("[dev]\naws_access_key_id = "+testKeyID+"\naws_secret_access_key = "+testSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("[profile dev]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_CONFIG_FILE", cfg)
}

func TestCredentials_FromProfileWithItsRegion(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
		env  string
	}{
		{"WithProfile", []Option{WithProfile("dev")}, ""},
		{"AWS_PROFILE", nil, "dev"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			writeProfiles(t)
			t.Setenv("AWS_PROFILE", tc.env)
			f := serveFixture(t, 200, "converse.json")
			f.region = "eu-west-1"
			p := New(append([]Option{WithBaseURL(f.srv.URL)}, tc.opts...)...)
			if _, err := chatOnce(t, f, p); err != nil {
				t.Fatal(err)
			}
			f.last(t)
		})
	}
}

func TestCredentials_MissingFailsBeforeSending(t *testing.T) {
	isolate(t)
	f := serveFixture(t, 200, "converse.json")
	p := New(WithBaseURL(f.srv.URL))
	for _, stream := range []bool{false, true} {
		var err error
		a := f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}})
		if stream {
			_, err = p.ChatStream(bg, a)
		} else {
			_, err = p.Chat(bg, a)
		}
		e := providertest.AsError(t, err)
		if e.Code != llmux.CodeAuthentication || e.Provider != "bedrock" {
			t.Fatalf("err = %v, want CodeAuthentication", err)
		}
		for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_BEARER_TOKEN_BEDROCK"} {
			if !strings.Contains(e.Message, v) {
				t.Errorf("message %q does not name %s", e.Message, v)
			}
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Fatalf("%d requests sent without credentials", n)
	}
}

func TestCredentials_OnlyOneOfKeyPairFails(t *testing.T) {
	isolate(t)
	f := serveFixture(t, 200, "converse.json")
	_, err := f.provider().Chat(bg, &llmux.Attempt{
		Request: &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}, ProviderParams: map[string]string{"aws_access_key_id": testKeyID}},
		Model:   testModel, HTTPClient: f.srv.Client(),
	})
	if llmux.CodeOf(err) != llmux.CodeAuthentication || len(f.requests()) != 0 {
		t.Fatalf("err = %v, %d requests", err, len(f.requests()))
	}
}

// countingProvider counts how often credentials are retrieved.
type countingProvider struct{ n atomic.Int32 }

func (c *countingProvider) Retrieve(context.Context) (aws.Credentials, error) {
	c.n.Add(1)
	return aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, CanExpire: true, Expires: time.Now().Add(time.Hour)}, nil
}

func TestCredentials_ProviderIsCached(t *testing.T) {
	isolate(t)
	f := serveFixture(t, 200, "converse.json")
	cp := &countingProvider{}
	p := f.provider(WithCredentials(cp))
	for i := 0; i < 3; i++ {
		if _, err := chatOnce(t, f, p); err != nil {
			t.Fatal(err)
		}
		f.last(t)
	}
	if n := cp.n.Load(); n != 1 {
		t.Fatalf("credentials retrieved %d times, want 1 (cached)", n)
	}
}

func TestBearerToken_FromEnvironment(t *testing.T) {
	isolate(t)
	const token = "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLTAxMjM0NTY3ODk="
	t.Setenv("AWS_BEARER_TOKEN_BEDROCK", token)
	f := serveFixture(t, 200, "converse.json")
	f.bearer = token
	if _, err := chatOnce(t, f, New(WithBaseURL(f.srv.URL))); err != nil {
		t.Fatal(err)
	}
	r := f.last(t)
	if r.Header.Get("Authorization") != "Bearer "+token || r.Header.Get("X-Amz-Date") != "" {
		t.Fatalf("headers = %v, want a bearer token and no signature", r.Header)
	}
}

func TestModelID_EscapedInPath(t *testing.T) {
	isolate(t)
	for _, tc := range []struct {
		model, wantPath, region string
	}{
		{"anthropic.claude-3-5-sonnet-20240620-v1:0", "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse", ""},
		{"converse/anthropic.claude-3-5-sonnet-20240620-v1:0", "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse", ""},
		{"us.anthropic.claude-3-7-sonnet-20250219-v1:0", "/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse", ""},
		{"amazon.nova-pro-v1:0", "/model/amazon.nova-pro-v1%3A0/converse", ""},
		{"arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
			"/model/arn%3Aaws%3Abedrock%3Aeu-west-1%3A123456789012%3Aapplication-inference-profile%2Fa1b2c3d4e5f6/converse", "eu-west-1"},
	} {
		f := serveFixture(t, 200, "converse.json")
		opts := []Option{WithBaseURL(f.srv.URL), WithStaticCredentials(testKeyID, testSecret, "")}
		if tc.region == "" {
			opts = append(opts, WithRegion(testRegion))
		} else {
			f.region = tc.region // the ARN's region signs the request
		}
		a := f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}})
		a.Model = tc.model
		resp, err := New(opts...).Chat(bg, a)
		if err != nil {
			t.Fatalf("%s: %v", tc.model, err)
		}
		if r := f.last(t); r.RawPath != tc.wantPath {
			t.Errorf("%s: path = %s, want %s", tc.model, r.RawPath, tc.wantPath)
		}
		if want := modelID(tc.model); resp.Model != want {
			t.Errorf("%s: response model = %q, want %q", tc.model, resp.Model, want)
		}
	}
}

// The secret access key is never sent, and the session token, which is,
// is masked in the headers events report and scrubbed from everything
// else; the access key id is the call's masked API key.
func TestSecrets_NeverInEvents(t *testing.T) {
	isolate(t)
	for _, file := range []string{"converse.json", "converse-stream.events.jsonl", "errors/400-validation.json"} {
		t.Run(file, func(t *testing.T) {
			status := 200
			if strings.HasPrefix(file, "errors/") {
				status = 400
			}
			f := serveFixture(t, status, file)
			f.creds.SessionToken = testToken
			rec := &record.Events{}
			c, err := llmux.New(llmux.WithProvider(f.provider(WithStaticCredentials(testKeyID, testSecret, testToken))),
				llmux.WithCallbacks(llmux.Inline(rec)), llmux.WithMaxRetries(0))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(bg)
			req := &llmux.Request{Model: "bedrock/" + testModel, Messages: []llmux.Message{llmux.User("Hello")}}
			if strings.HasSuffix(file, ".jsonl") {
				s, err := c.Stream(bg, req)
				if err != nil {
					t.Fatal(err)
				}
				for s.Next() {
				}
				err = s.Err()
				s.Close()
				if err != nil {
					t.Fatal(err)
				}
			} else if _, err = c.Completion(bg, req); (err != nil) != (status != 200) {
				t.Fatal(err)
			} else if err != nil && (strings.Contains(err.Error(), testSecret) || strings.Contains(err.Error(), testToken)) {
				t.Fatalf("error carries a secret: %v", err)
			}
			evs := rec.All()
			if len(evs) < 3 {
				t.Fatalf("events = %s", rec.Sequence())
			}
			for _, e := range evs {
				b, _ := json.Marshal(e)
				s := fmt.Sprintf("%+v %+v %v %s %s", *e, e.Attempt, e.Err, e.Attempt.RequestBody, b)
				for _, secret := range []string{testSecret, testToken} {
					if strings.Contains(s, secret) {
						t.Fatalf("%s event carries a secret: %s", e.Type, s)
					}
				}
			}
			pre := evs[0]
			if pre.Attempt.APIKey == "" || pre.Attempt.APIKey == testKeyID || !strings.HasPrefix(testKeyID, strings.TrimSuffix(pre.Attempt.APIKey[:3], "...")) {
				t.Errorf("event api key = %q, want the access key id masked", pre.Attempt.APIKey)
			}
			if h := pre.Attempt.Headers["X-Amz-Security-Token"]; h == "" || h == testToken {
				t.Errorf("X-Amz-Security-Token in event = %q, want it masked", h)
			}
		})
	}
}

// A request's ProviderParams (LiteLLM's litellm_params names) override the
// provider's credentials, region and endpoint for that request only.
func TestProviderParams_OverrideProvider(t *testing.T) {
	isolate(t)
	f := serveFixture(t, 200, "converse.json")
	f.creds = aws.Credentials{AccessKeyID: "AKIDPERREQUEST000001", SecretAccessKey: "per-request-secret-0123456789abcdefghij", SessionToken: testToken}
	f.region = "ap-southeast-2"
	other := serveFixture(t, 200, "converse.json") // the provider's own endpoint: must not be used
	p := New(WithBaseURL(other.srv.URL), WithRegion(testRegion), WithStaticCredentials(testKeyID, testSecret, ""))
	a := &llmux.Attempt{Model: testModel, HTTPClient: f.srv.Client(), Request: &llmux.Request{
		Messages: []llmux.Message{llmux.User("Hi")},
		ProviderParams: map[string]string{
			"aws_access_key_id":            "AKIDPERREQUEST000001",
			"aws_secret_access_key":        "per-request-secret-0123456789abcdefghij",
			"aws_session_token":            testToken,
			"aws_region_name":              "ap-southeast-2",
			"aws_bedrock_runtime_endpoint": f.srv.URL,
		},
	}}
	if _, err := p.Chat(bg, a); err != nil {
		t.Fatal(err)
	}
	f.last(t)
	if n := len(other.requests()); n != 0 {
		t.Fatalf("the provider's endpoint got %d requests", n)
	}
	// The next request without ProviderParams uses the provider's settings.
	if _, err := chatOnce(t, other, p); err != nil {
		t.Fatal(err)
	}
	other.last(t)
}

func TestProviderParams_Profile(t *testing.T) {
	isolate(t)
	writeProfiles(t)
	f := serveFixture(t, 200, "converse.json")
	f.region = "eu-west-1"
	p := New(WithBaseURL(f.srv.URL), WithAPIKey("provider-bearer-token-0123456789")) // overridden by the profile
	a := &llmux.Attempt{Model: testModel, HTTPClient: f.srv.Client(), Request: &llmux.Request{
		Messages: []llmux.Message{llmux.User("Hi")}, ProviderParams: map[string]string{"aws_profile_name": "dev"},
	}}
	if _, err := p.Chat(bg, a); err != nil {
		t.Fatal(err)
	}
	f.last(t)
	a.Request.ProviderParams = map[string]string{"aws_profile_name": "nope"}
	if _, err := p.Chat(bg, a); llmux.CodeOf(err) != llmux.CodeAuthentication {
		t.Fatalf("unknown profile: err = %v, want CodeAuthentication", err)
	}
}

// A per-request api_key is a Bedrock API key: it beats the provider's
// SigV4 credentials.
func TestAPIKeyPerRequest_IsBearerToken(t *testing.T) {
	isolate(t)
	f := serveFixture(t, 200, "converse.json")
	f.bearer = "per-request-bedrock-api-key-0123456789"
	a := f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}})
	a.APIKey = f.bearer
	if _, err := f.provider().Chat(bg, a); err != nil {
		t.Fatal(err)
	}
	if r := f.last(t); r.Header.Get("Authorization") != "Bearer "+f.bearer {
		t.Fatalf("Authorization = %q", r.Header.Get("Authorization"))
	}
}

// Many requests at once load the default chain once and all verify.
func TestCredentials_DefaultChainConcurrentSafe(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_ACCESS_KEY_ID", testKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecret)
	f := serveFixture(t, 200, "converse.json")
	p := New(WithBaseURL(f.srv.URL), WithRegion(testRegion))
	errs := make(chan error, 16)
	for i := 0; i < cap(errs); i++ {
		go func() {
			_, err := chatOnce(t, f, p)
			errs <- err
		}()
	}
	for i := 0; i < cap(errs); i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range f.requests() {
		if r.SigErr != nil {
			t.Fatal(r.SigErr)
		}
	}
	if len(p.chains) != 1 {
		t.Fatalf("%d chains loaded", len(p.chains))
	}
}

// Per-request credentials are scrubbed from events like the provider's.
func TestSecrets_ProviderParamsNeverInEvents(t *testing.T) {
	isolate(t)
	f := serveFixture(t, 400, "errors/400-validation.json")
	f.creds = aws.Credentials{AccessKeyID: "AKIDPERREQUEST000001", SecretAccessKey: "per-request-secret-0123456789abcdefghij", SessionToken: testToken}
	rec := &record.Events{}
	c, err := llmux.New(llmux.WithProvider(New(WithBaseURL(f.srv.URL), WithRegion(testRegion))),
		llmux.WithCallbacks(llmux.Inline(rec)), llmux.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(bg)
	_, err = c.Completion(bg, &llmux.Request{Model: "bedrock/" + testModel, Messages: []llmux.Message{llmux.User("Hi")},
		ProviderParams: map[string]string{"aws_access_key_id": f.creds.AccessKeyID, "aws_secret_access_key": f.creds.SecretAccessKey, "aws_session_token": testToken}})
	if llmux.CodeOf(err) != llmux.CodeInvalidRequest {
		t.Fatalf("err = %v", err)
	}
	f.last(t)
	for _, e := range rec.All() {
		b, _ := json.Marshal(e)
		s := fmt.Sprintf("%+v %+v %v %s", *e, e.Attempt, e.Err, b)
		for _, secret := range []string{f.creds.SecretAccessKey, testToken, f.creds.AccessKeyID} {
			if strings.Contains(s, secret) {
				t.Fatalf("%s event carries %q", e.Type, secret)
			}
		}
	}
}

// fakeSTS answers AssumeRole for requests signed with base, and counts
// them.
func fakeSTS(t *testing.T, base aws.Credentials, region string, assumed aws.Credentials) (*httptest.Server, *atomic.Int32, *atomic.Value) {
	t.Helper()
	var n atomic.Int32
	var form atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := verifySigV4For(r, body, base, region, "sts"); err != nil {
			t.Errorf("STS request: %v", err)
			w.WriteHeader(http.StatusForbidden)
			return
		}
		n.Add(1)
		v, _ := url.ParseQuery(string(body))
		form.Store(v)
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/bedrock-caller/llmux</Arn><AssumedRoleId>AROA0123456789EXAMPLE:llmux</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata></AssumeRoleResponse>`,
			assumed.AccessKeyID, assumed.SecretAccessKey, assumed.SessionToken, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	t.Cleanup(srv.Close)
	return srv, &n, &form
}

// aws_role_name assumes the role with STS, signed with the credentials
// found (here per-request keys), and signs the Bedrock request with the
// role's; the role's credentials are cached across requests.
func TestProviderParams_AssumeRole(t *testing.T) {
	isolate(t)
	assumed := aws.Credentials{AccessKeyID: "ASIAASSUMED000000001", SecretAccessKey: "assumed-secret-0123456789abcdefghijklmn", SessionToken: "assumed-session-token-0123456789"}
	stsSrv, calls, form := fakeSTS(t, aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}, testRegion, assumed)
	f := serveFixture(t, 200, "converse.json")
	f.creds = assumed
	p := New(WithBaseURL(f.srv.URL), WithRegion(testRegion), WithAPIKey("provider-bearer-token-0123456789")) // a role skips bearer tokens
	params := map[string]string{
		"aws_access_key_id": testKeyID, "aws_secret_access_key": testSecret,
		"aws_role_name":    "arn:aws:iam::123456789012:role/bedrock-caller",
		"aws_session_name": "llmux-test", "aws_external_id": "ext-42", "aws_sts_endpoint": stsSrv.URL,
	}
	for i := 0; i < 2; i++ {
		a := f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}, ProviderParams: params})
		if _, err := p.Chat(bg, a); err != nil {
			t.Fatal(err)
		}
		if r := f.last(t); r.Header.Get("X-Amz-Security-Token") != assumed.SessionToken {
			t.Fatalf("session token = %q", r.Header.Get("X-Amz-Security-Token"))
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d AssumeRole calls, want 1 (cached)", n)
	}
	v := form.Load().(url.Values)
	if v.Get("Action") != "AssumeRole" || v.Get("RoleArn") != params["aws_role_name"] || v.Get("RoleSessionName") != "llmux-test" || v.Get("ExternalId") != "ext-42" {
		t.Fatalf("AssumeRole form = %v", v)
	}
}

func TestProviderParams_AssumeRoleDenied(t *testing.T) {
	isolate(t)
	stsSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole</Message></Error><RequestId>x</RequestId></ErrorResponse>`)
	}))
	defer stsSrv.Close()
	f := serveFixture(t, 200, "converse.json")
	a := f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}, ProviderParams: map[string]string{
		"aws_role_name": "arn:aws:iam::123456789012:role/nope", "aws_sts_endpoint": stsSrv.URL}})
	_, err := f.provider().Chat(bg, a)
	if e := providertest.AsError(t, err); e.Code != llmux.CodeAuthentication || !strings.Contains(e.Message, "assume role arn:aws:iam::123456789012:role/nope") {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Fatalf("%d Bedrock requests without credentials", n)
	}
}

// WithEnv replaces the process environment for New's defaults.
func TestWithEnv_Defaults(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_REGION", "us-east-2") // ignored: WithEnv replaces the process environment
	f := serveFixture(t, 200, "converse.json")
	f.bearer = "env-bedrock-api-key-0123456789"
	env := map[string]string{"AWS_REGION_NAME": "eu-north-1", "AWS_BEARER_TOKEN_BEDROCK": f.bearer, "AWS_BEDROCK_RUNTIME_ENDPOINT": f.srv.URL}
	p := New(WithEnv(func(k string) string { return env[k] }))
	if p.cfg.region != "eu-north-1" || p.cfg.baseURL != f.srv.URL {
		t.Fatalf("config %+v", p.cfg)
	}
	if _, err := chatOnce(t, f, p); err != nil {
		t.Fatal(err)
	}
	f.last(t)
	// Options win over the environment.
	if p := New(WithEnv(func(k string) string { return env[k] }), WithRegion("ap-south-1")); p.cfg.region != "ap-south-1" {
		t.Fatalf("region = %q", p.cfg.region)
	}
}

func TestDescribe(t *testing.T) {
	info := New().Describe()
	if info.Prefix != "bedrock" || !info.Chat || !info.Stream || !info.Embeddings || !info.Tools || info.TextCompletion || len(info.Env) == 0 {
		t.Fatalf("info %+v", info)
	}
}

// A region names the host the credentials go to: one that is not a region
// name (from a request's aws_region_name or from an ARN) is refused before
// anything is signed or sent.
func TestRegion_MustBeARegionName(t *testing.T) {
	isolate(t)
	p := New(WithAPIKey("gateway-bedrock-api-key-0123456789"))
	for _, tc := range []struct{ model, region string }{
		{testModel, "x@attacker.invalid/#"},
		{testModel, "us-east-1.evil.example"},
		{testModel, "US-EAST-1"},
		{"arn:aws:bedrock:x@attacker.invalid/#:1:inference-profile/a", ""},
	} {
		req := &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}}
		if tc.region != "" {
			req.ProviderParams = map[string]string{"aws_region_name": tc.region}
		}
		_, err := p.Chat(bg, &llmux.Attempt{Request: req, Model: tc.model, HTTPClient: providertest.NoNetwork(t)})
		var e *llmux.Error
		if !errors.As(err, &e) || e.Code != llmux.CodeInvalidRequest || e.Param != "aws_region_name" {
			t.Errorf("model %s region %q: %v", tc.model, tc.region, err)
		}
	}
	if !validRegion("eu-central-2") || !validRegion("us-gov-west-1") || validRegion("") {
		t.Error("validRegion")
	}
}
