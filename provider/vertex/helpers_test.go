package vertex

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
	"golang.org/x/oauth2"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var bg = context.Background()

const (
	saEmail   = "llmux-test@sa-project.iam.gserviceaccount.com"
	saProject = "sa-project"
)

var (
	keyOnce sync.Once
	rsaKey  *rsa.PrivateKey
	keyPEM  string
)

// testKey is an RSA key generated once per test run, as a service account
// key would hold it (PKCS#8 PEM).
func testKey(t testing.TB) (*rsa.PrivateKey, string) {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			panic(err)
		}
		rsaKey, keyPEM = k, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	})
	return rsaKey, keyPEM
}

// keyMaterial is a line from the middle of the PEM key: text that must
// never show in an error or event.
func keyMaterial(t testing.TB) string {
	_, p := testKey(t)
	lines := strings.Split(p, "\n")
	return lines[len(lines)/2]
}

// tokenServer is a fake Google OAuth token endpoint: it checks the JWT
// bearer grant of a service account (signature, issuer, audience, scope)
// and answers with "ya29.test-<n>", counting the grants.
type tokenServer struct {
	*httptest.Server
	grants atomic.Int32
	fail   atomic.Bool  // answer 400 invalid_grant
	down   atomic.Int32 // answer this many grants with 503 first
	mu     sync.Mutex
	errs   []string
}

func newTokenServer(t *testing.T) *tokenServer {
	t.Helper()
	key, _ := testKey(t)
	ts := &tokenServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := ts.check(r, &key.PublicKey); err != nil {
			ts.mu.Lock()
			ts.errs = append(ts.errs, err.Error())
			ts.mu.Unlock()
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if ts.down.Add(-1) >= 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"error":"temporarily_unavailable"}`)
			return
		}
		if ts.fail.Load() {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"invalid_grant","error_description":"Invalid JWT Signature."}`)
			return
		}
		n := ts.grants.Add(1)
		fmt.Fprintf(w, `{"access_token":"ya29.test-%d","token_type":"Bearer","expires_in":3599}`, n)
	}))
	t.Cleanup(func() {
		ts.Close()
		ts.mu.Lock()
		defer ts.mu.Unlock()
		for _, e := range ts.errs {
			t.Errorf("token endpoint: %s", e)
		}
	})
	return ts
}

// check verifies the JWT bearer grant: RFC 7523 as Google's token
// endpoint takes it.
func (ts *tokenServer) check(r *http.Request, pub *rsa.PublicKey) error {
	if r.Method != http.MethodPost {
		return fmt.Errorf("method %s", r.Method)
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	if g := r.PostForm.Get("grant_type"); g != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		return fmt.Errorf("grant_type %q", g)
	}
	parts := strings.Split(r.PostForm.Get("assertion"), ".")
	if len(parts) != 3 {
		return fmt.Errorf("assertion is not a JWT")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return fmt.Errorf("assertion signature: %v", err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return err
	}
	var claims struct {
		Iss, Scope, Aud string
		Exp, Iat        int64
	}
	if err := json.Unmarshal(raw, &claims); err != nil {
		return err
	}
	if claims.Iss != saEmail || claims.Scope != Scope || claims.Aud != ts.URL+"/token" || claims.Exp <= claims.Iat {
		return fmt.Errorf("claims %+v", claims)
	}
	return nil
}

// serviceAccount returns a service account key JSON whose token_uri is
// the fake token endpoint, which it lets requests' credentials name for
// the test's duration (as they may name Google's).
func serviceAccount(t *testing.T, ts *tokenServer) []byte {
	t.Helper()
	saved := googleTokenURLs
	googleTokenURLs = append(slices.Clone(saved), ts.URL+"/token")
	t.Cleanup(func() { googleTokenURLs = saved })
	_, p := testKey(t)
	b, err := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     saProject,
		"private_key_id": "0123456789abcdef",
		"private_key":    p,
		"client_email":   saEmail,
		"client_id":      "100000000000000000001",
		"token_uri":      ts.URL + "/token",
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fake is a Vertex AI server answering every request with one canned
// answer and recording the requests.
type fake struct {
	srv *httptest.Server
	*providertest.Capture
}

func serve(t testing.TB, status int, file string) *fake {
	t.Helper()
	h := http.Header{}
	if strings.HasSuffix(file, ".sse") {
		h.Set("Content-Type", "text/event-stream")
	} else {
		h.Set("Content-Type", "application/json")
	}
	if status == http.StatusTooManyRequests {
		h.Set("Retry-After", "7")
	}
	srv, c := providertest.Serve(t, status, h, providertest.Fixture(t, file))
	return &fake{srv: srv, Capture: c}
}

// staticToken is a token source of one token, counting its calls.
type staticToken struct {
	tok   string
	calls atomic.Int32
}

func (s *staticToken) Token() (*oauth2.Token, error) {
	s.calls.Add(1)
	return &oauth2.Token{AccessToken: s.tok}, nil
}

func (f *fake) attempt(req *llmux.Request, model string) *llmux.Attempt {
	return &llmux.Attempt{Request: req, Model: model, Number: 1, HTTPClient: f.srv.Client()}
}

func last(t *testing.T, f *fake) providertest.Request {
	t.Helper()
	reqs := f.Requests()
	if len(reqs) == 0 {
		t.Fatal("no request received")
	}
	return reqs[len(reqs)-1]
}

func drain(t testing.TB, r llmux.ChunkReader) ([]*llmux.Chunk, error) {
	t.Helper()
	var chunks []*llmux.Chunk
	for range 10000 {
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

func hello() *llmux.Request {
	return &llmux.Request{Messages: []llmux.Message{llmux.User("Hello")}}
}

func ptr[T any](v T) *T { return &v }
