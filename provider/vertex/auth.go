package vertex

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/llmux/llmux"
)

// Scope is the OAuth scope of the access tokens the provider asks for.
const Scope = "https://www.googleapis.com/auth/cloud-platform"

// credentialTypes are the credential JSON types accepted: a service
// account key and gcloud's user credentials. Other types (external
// accounts, which can run commands or read files they name) are refused,
// as Google advises for configurations that may come from elsewhere:
// https://cloud.google.com/docs/authentication/external/externally-sourced-credentials
var credentialTypes = []google.CredentialsType{google.ServiceAccount, google.AuthorizedUser}

// tokenTimeout bounds one token fetch: oauth2.TokenSource takes no
// context, so a caller's cancellation cannot stop it.
const tokenTimeout = 30 * time.Second

// creds is a resolved credential: a token source that caches its token
// until it expires, and the project it names ("" if none).
type creds struct {
	ts      oauth2.TokenSource
	project string
}

// token returns a valid access token, fetched only when the cached one has
// expired. A refused grant is CodeAuthentication, with the cause but never
// the credential; a token endpoint that is down (5xx, 429, unreachable)
// is a server, rate-limit or connection error, which the client retries.
func (c *creds) token(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	tok, err := c.ts.Token()
	if err != nil {
		e := authError("fetch access token: "+err.Error(), err)
		var re *oauth2.RetrieveError
		var ne net.Error
		switch {
		case errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusTooManyRequests:
			e.Code = llmux.CodeRateLimited
		case errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 500:
			e.Code = llmux.CodeServer
		case re == nil && errors.As(err, &ne):
			e.Code = llmux.CodeConnection
		}
		return "", e
	}
	if tok.AccessToken == "" {
		return "", authError("fetch access token: the token endpoint returned no access_token", nil)
	}
	return tok.AccessToken, nil
}

func authError(msg string, err error) *llmux.Error {
	return &llmux.Error{Code: llmux.CodeAuthentication, Provider: providerName, Message: msg, Err: err}
}

// tokenContext is the context the token sources keep for their fetches:
// not a caller's (a source outlives the call that made it), with an HTTP
// client whose timeout bounds each fetch.
func tokenContext() context.Context {
	return context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: tokenTimeout})
}

// fromJSON builds credentials from a credential JSON (a service account
// key or gcloud user credentials).
func fromJSON(b []byte) (*creds, error) {
	var f struct {
		Type      string `json:"type"`
		ProjectID string `json:"project_id"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, authError("credentials are not valid JSON", nil)
	}
	var ok bool
	for _, t := range credentialTypes {
		ok = ok || string(t) == f.Type
	}
	if !ok {
		return nil, authError(fmt.Sprintf("unsupported credentials type %q: want a service account key (service_account) or user credentials (authorized_user)", f.Type), nil)
	}
	gc, err := google.CredentialsFromJSONWithTypeAndParams(tokenContext(), b, google.CredentialsType(f.Type),
		google.CredentialsParams{Scopes: []string{Scope}})
	if err != nil {
		return nil, authError("load credentials: "+err.Error(), err)
	}
	return &creds{ts: oauth2.ReuseTokenSource(nil, gc.TokenSource), project: firstNonEmpty(gc.ProjectID, f.ProjectID)}, nil
}

// fromSetting builds credentials from a vertex_credentials value: the JSON
// itself, or the path of a file holding it.
func fromSetting(v string) (*creds, error) {
	if s := strings.TrimSpace(v); strings.HasPrefix(s, "{") {
		return fromJSON([]byte(s))
	}
	b, err := readFile(v)
	if err != nil {
		// The path once: an *os.PathError would repeat it.
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, authError(fmt.Sprintf("read credentials file %q: %v", v, err), err)
	}
	return fromJSON(b)
}

// maxCredentialsFile caps what is read of a credentials file: a key file
// is a few KiB.
const maxCredentialsFile = 1 << 20

// readFile reads a regular file of at most maxCredentialsFile bytes, so a
// path naming a device or a huge file (a request's vertex_credentials may
// come from a client) cannot exhaust memory.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	b, err := io.ReadAll(io.LimitReader(f, maxCredentialsFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxCredentialsFile {
		return nil, errors.New("larger than 1 MiB")
	}
	return b, nil
}

// fromDefault finds Application Default Credentials: gcloud's
// application_default_credentials.json, or the metadata server on Google
// Cloud.
func fromDefault() (*creds, error) {
	gc, err := google.FindDefaultCredentials(tokenContext(), Scope)
	if err != nil {
		return nil, authError("no credentials: set vertex_credentials, VERTEXAI_CREDENTIALS or GOOGLE_APPLICATION_CREDENTIALS, "+
			"or run `gcloud auth application-default login` ("+err.Error()+")", err)
	}
	return &creds{ts: oauth2.ReuseTokenSource(nil, gc.TokenSource), project: gc.ProjectID}, nil
}

// credCache holds the provider's credentials: its own, resolved once on
// first use, and those of the requests that name theirs
// (vertex_credentials), by a hash of the setting. Each keeps its token
// source, so a token is fetched once per credential and expiry, not per
// request.
type credCache struct {
	mu      sync.Mutex
	setting string // the provider's vertex_credentials, "" for ADC
	own     *creds
	byReq   *lru.Cache[[sha256.Size]byte, *creds]
}

// maxRequestCredentials bounds the request credentials kept.
const maxRequestCredentials = 64

func newCredCache(setting string, fixed oauth2.TokenSource) *credCache {
	byReq, _ := lru.New[[sha256.Size]byte, *creds](maxRequestCredentials) // fails only for a size <= 0
	c := &credCache{setting: setting, byReq: byReq}
	if fixed != nil {
		c.own = &creds{ts: oauth2.ReuseTokenSource(nil, fixed)}
	}
	return c
}

// get returns the credentials for a request's vertex_credentials setting,
// or the provider's own when it is "". A failure is not cached: the next
// call tries again (a file may appear, the metadata server may answer).
func (c *credCache) get(setting string) (*creds, error) {
	if setting != "" {
		k := sha256.Sum256([]byte(setting))
		if cr, ok := c.byReq.Get(k); ok {
			return cr, nil
		}
		cr, err := fromSetting(setting)
		if err != nil {
			return nil, err
		}
		if prev, ok, _ := c.byReq.PeekOrAdd(k, cr); ok {
			return prev, nil
		}
		return cr, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.own != nil {
		return c.own, nil
	}
	var (
		cr  *creds
		err error
	)
	if c.setting != "" {
		cr, err = fromSetting(c.setting)
	} else {
		cr, err = fromDefault()
	}
	if err != nil {
		return nil, err
	}
	c.own = cr
	return cr, nil
}
