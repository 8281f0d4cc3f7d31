package bedrock

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"go.uber.org/goleak"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

// The test credentials the fake Bedrock endpoint knows.
const (
	testKeyID  = "AKIDEXAMPLE0123456789"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testToken  = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN0123456789"
	testRegion = "us-east-1"
	testModel  = "anthropic.claude-3-5-sonnet-20240620-v1:0"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var bg = context.Background()

// isolate clears every AWS setting of the environment, so that the
// default credential chain finds nothing unless the test sets it: no
// variables, shared files that do not exist, no instance metadata.
func isolate(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_REGION_NAME", "AWS_BEARER_TOKEN_BEDROCK",
		"AWS_BEDROCK_RUNTIME_ENDPOINT", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ACCESS_KEY", "AWS_SECRET_KEY"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// received is one request the fake endpoint got.
type received struct {
	Method, Path, RawPath string
	Header                http.Header
	Body                  []byte
	SigErr                error // nil when the SigV4 signature verified
}

// fake is a Bedrock runtime endpoint. It verifies SigV4 signatures with
// the credentials it knows (or checks the bearer token) and answers 403
// with InvalidSignatureException when they do not match; else it answers
// with its canned reply.
type fake struct {
	srv    *httptest.Server
	creds  aws.Credentials
	bearer string
	region string

	mu     sync.Mutex
	reqs   []received
	status int
	header http.Header
	body   []byte
}

func newFake(t testing.TB, status int, contentType string, body []byte) *fake {
	t.Helper()
	f := &fake{
		creds:  aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret},
		region: testRegion, status: status, body: body,
		header: http.Header{"Content-Type": {contentType}, "X-Amzn-Requestid": {"3f1c2d4e-0000-4a5b-8c9d-0123456789ab"}},
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// serveFixture answers with a testdata file: a .jsonl event list is
// encoded into binary event-stream frames.
func serveFixture(t testing.TB, status int, file string) *fake {
	t.Helper()
	if strings.HasSuffix(file, ".jsonl") {
		return newFake(t, status, "application/vnd.amazon.eventstream", encodeEvents(t, providertest.Fixture(t, file)))
	}
	return newFake(t, status, "application/json", providertest.Fixture(t, file))
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec := received{Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), Header: r.Header.Clone(), Body: body}
	auth := r.Header.Get("Authorization")
	if f.bearer != "" && strings.HasPrefix(auth, "Bearer ") {
		if auth != "Bearer "+f.bearer {
			rec.SigErr = fmt.Errorf("wrong bearer token")
		}
	} else {
		rec.SigErr = verifySigV4(r, body, f.creds, f.region)
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, rec)
	status, header, reply := f.status, f.header, f.body
	f.mu.Unlock()
	if rec.SigErr != nil {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Errortype", "InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}`)
		return
	}
	for k, v := range header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	_, _ = w.Write(reply)
}

// verifySigV4 recomputes the signature of r server-side: it re-signs a
// copy of the request, with the headers the client says it signed, at the
// client's X-Amz-Date, with the known credentials, and compares the
// Authorization headers.
func verifySigV4(r *http.Request, body []byte, creds aws.Credentials, region string) error {
	return verifySigV4For(r, body, creds, region, "bedrock")
}

// verifySigV4For is verifySigV4 for another service's signing name.
func verifySigV4For(r *http.Request, body []byte, creds aws.Credentials, region, service string) error {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") {
		return fmt.Errorf("not a SigV4 Authorization header: %q", auth)
	}
	_, signed, ok := strings.Cut(auth, "SignedHeaders=")
	if !ok {
		return fmt.Errorf("no SignedHeaders in %q", auth)
	}
	signed, _, _ = strings.Cut(signed, ",")
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("X-Amz-Date: %v", err)
	}
	if got := r.Header.Get("X-Amz-Security-Token"); got != creds.SessionToken {
		return fmt.Errorf("X-Amz-Security-Token = %q, want %q", got, creds.SessionToken)
	}
	clone, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	for _, h := range strings.Split(signed, ";") {
		switch h {
		case "host", "content-length", "x-amz-date", "x-amz-security-token": // set by the signer
		default:
			clone.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, clone, hex.EncodeToString(sum[:]), service, region, at); err != nil {
		return err
	}
	if want := clone.Header.Get("Authorization"); want != auth {
		return fmt.Errorf("signature mismatch:\n got %s\nwant %s", auth, want)
	}
	return nil
}

func (f *fake) requests() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.reqs...)
}

// last returns the last request received, and fails the test if its
// signature did not verify.
func (f *fake) last(t testing.TB) received {
	t.Helper()
	reqs := f.requests()
	if len(reqs) == 0 {
		t.Fatal("no request received")
	}
	r := reqs[len(reqs)-1]
	if r.SigErr != nil {
		t.Fatalf("request not authenticated: %v", r.SigErr)
	}
	return r
}

// provider returns a provider for the fake with the known static
// credentials, plus opts.
func (f *fake) provider(opts ...Option) *Provider {
	return New(append([]Option{WithBaseURL(f.srv.URL), WithRegion(testRegion), WithStaticCredentials(testKeyID, testSecret, "")}, opts...)...)
}

func (f *fake) attempt(req *llmux.Request) *llmux.Attempt {
	return &llmux.Attempt{Request: req, Model: testModel, Number: 1, HTTPClient: f.srv.Client()}
}

// encodeEvents turns a .jsonl event list ({"event": name, "payload": {...}}
// per line, or {"exception": type, "payload": {...}}) into binary
// event-stream frames, as Bedrock sends them.
func encodeEvents(t testing.TB, jsonl []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	enc := eventstream.NewEncoder()
	sc := bufio.NewScanner(bytes.NewReader(jsonl))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var ev struct {
			Event     string          `json:"event"`
			Exception string          `json:"exception"`
			Payload   json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatalf("event line %s: %v", line, err)
		}
		var payload bytes.Buffer
		if err := json.Compact(&payload, ev.Payload); err != nil {
			t.Fatal(err)
		}
		var m eventstream.Message
		if ev.Exception != "" {
			m.Headers.Set(":exception-type", eventstream.StringValue(ev.Exception))
			m.Headers.Set(":content-type", eventstream.StringValue("application/json"))
			m.Headers.Set(":message-type", eventstream.StringValue("exception"))
		} else {
			m.Headers.Set(":event-type", eventstream.StringValue(ev.Event))
			m.Headers.Set(":content-type", eventstream.StringValue("application/json"))
			m.Headers.Set(":message-type", eventstream.StringValue("event"))
		}
		m.Payload = payload.Bytes()
		if err := enc.Encode(&out, m); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

// events encodes inline event lines.
func events(t testing.TB, lines ...string) []byte {
	t.Helper()
	return encodeEvents(t, []byte(strings.Join(lines, "\n")))
}

// drain reads a stream to its end and returns the chunks and the error
// that ended it (nil for io.EOF).
func drain(t testing.TB, r llmux.ChunkReader) ([]*llmux.Chunk, error) {
	t.Helper()
	var chunks []*llmux.Chunk
	for i := 0; i < 10000; i++ {
		c, err := r.Recv()
		if err == io.EOF {
			return chunks, nil
		}
		if err != nil {
			return chunks, err
		}
		chunks = append(chunks, c)
	}
	t.Fatal("stream did not end")
	return nil, nil
}

// transcript renders chunks as JSON lines with ID and Created zeroed, for
// golden files.
func transcript(t *testing.T, chunks []*llmux.Chunk) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, c := range chunks {
		cc := *c
		cc.ID, cc.Created = "", 0
		b, err := json.Marshal(cc)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func ptr[T any](v T) *T { return &v }
