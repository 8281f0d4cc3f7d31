package vertex

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
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
		if errors.As(err, &re) {
			// Not the answer's body: a token endpoint that is not Google's
			// (a key's token_uri) must not have its page shown to a caller.
			msg := "fetch access token: the token endpoint answered " + re.Response.Status
			code, desc := re.ErrorCode, re.ErrorDescription
			if code == "" { // the JWT flow leaves the OAuth error in the body
				var oe struct {
					Error       string `json:"error"`
					Description string `json:"error_description"`
				}
				if json.Unmarshal(re.Body, &oe) == nil {
					code, desc = oe.Error, oe.Description
				}
			}
			if code != "" {
				msg += " (" + provider.Truncate(code+": "+desc, 200) + ")"
			}
			e = authError(msg, nil)
		}
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

// googleTokenURLs are the token endpoints a request's credentials may
// name (token_uri); a test adds its fake one.
var googleTokenURLs = []string{"https://oauth2.googleapis.com/token", "https://accounts.google.com/o/oauth2/token"}

// fromJSON builds credentials from a credential JSON. The provider's own
// (its option or environment: the operator's) may be of any type Google's
// library knows, workload identity federation included. A request's
// (vertex_credentials, perhaps a client's) must be a service account key
// or gcloud user credentials whose token endpoint and universe are
// Google's: other types can run commands or read files they name, and a
// token_uri of the sender's choosing would make the gateway post there.
func fromJSON(b []byte, fromRequest bool) (*creds, error) {
	var f struct {
		Type           string `json:"type"`
		ProjectID      string `json:"project_id"`
		TokenURI       string `json:"token_uri"`
		UniverseDomain string `json:"universe_domain"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, authError("credentials are not valid JSON", nil)
	}
	if fromRequest {
		var ok bool
		for _, t := range credentialTypes {
			ok = ok || string(t) == f.Type
		}
		if !ok {
			return nil, authError(fmt.Sprintf("unsupported credentials type %q: want a service account key (service_account) or user credentials (authorized_user)", provider.Truncate(f.Type, 64)), nil)
		}
		if f.TokenURI != "" && !slices.Contains(googleTokenURLs, f.TokenURI) {
			return nil, authError("credentials: token_uri is not Google's token endpoint", nil)
		}
		if f.UniverseDomain != "" && f.UniverseDomain != "googleapis.com" {
			return nil, authError("credentials: universe_domain is not googleapis.com", nil)
		}
	}
	gc, err := google.CredentialsFromJSONWithTypeAndParams(tokenContext(), b, google.CredentialsType(f.Type),
		google.CredentialsParams{Scopes: []string{Scope}})
	if err != nil {
		return nil, authError("load credentials: "+err.Error(), err)
	}
	return &creds{ts: oauth2.ReuseTokenSource(nil, gc.TokenSource), project: cmp.Or(gc.ProjectID, f.ProjectID)}, nil
}

// fromSetting builds credentials from a vertex_credentials value: the JSON
// itself, or the path of a file holding it. fromRequest says it is a
// request's (see fromJSON).
func fromSetting(v string, fromRequest bool) (*creds, error) {
	s := strings.TrimPrefix(strings.TrimSpace(v), "\ufeff")
	if strings.HasPrefix(s, "{") {
		return fromJSON([]byte(s), fromRequest)
	}
	b, err := readFile(v)
	if err != nil {
		// The path once: an *os.PathError would repeat it. A value that
		// does not look like a path may be a mangled key: never shown.
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if len(v) > 512 || strings.ContainsAny(v, "{}\n\"'") {
			return nil, authError("credentials: neither a JSON object nor a readable file ("+err.Error()+")", nil)
		}
		return nil, authError(fmt.Sprintf("read credentials file %s: %v", v, err), nil)
	}
	return fromJSON(b, fromRequest)
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
		cr, err := fromSetting(setting, true)
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
		cr, err = fromSetting(c.setting, false)
	} else {
		cr, err = fromDefault()
	}
	if err != nil {
		return nil, err
	}
	c.own = cr
	return cr, nil
}
