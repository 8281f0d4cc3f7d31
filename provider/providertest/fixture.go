package providertest

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/llmux/llmux"
)

// update is the -update flag of every test binary that imports this
// package: with it, [Golden] rewrites golden files instead of comparing.
var update = flag.Bool("update", false, "rewrite the golden files (providertest.Golden) instead of comparing with them")

// Fixture returns the contents of testdata/name, relative to the package
// under test, and fails the test if it cannot be read.
func Fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Golden compares got with the file at path (relative to the package
// under test, conventionally testdata/golden/...). Run the tests with
// -update to write got to path instead, creating its folder; then review
// the diff like code.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("body differs from %s (run go test -update and review the diff)\n got: %s\nwant: %s", path, got, want)
	}
}

// Request is one request a [Serve] server received.
type Request struct {
	Method, Path, Query string // Query is the raw query, without "?"
	Header              http.Header
	Body                []byte
}

// Capture records the requests a [Serve] server receives. It is safe for
// concurrent use.
type Capture struct {
	mu   sync.Mutex
	reqs []Request
}

func (c *Capture) add(r Request) {
	c.mu.Lock()
	c.reqs = append(c.reqs, r)
	c.mu.Unlock()
}

// Requests returns the requests received so far, in order.
func (c *Capture) Requests() []Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Request(nil), c.reqs...)
}

// Only returns the one request received. It fails the test unless exactly
// one request arrived.
func (c *Capture) Only(t testing.TB) Request {
	t.Helper()
	reqs := c.Requests()
	if len(reqs) != 1 {
		t.Fatalf("server received %d requests, want 1", len(reqs))
	}
	return reqs[0]
}

// Serve starts a server that answers every request with status, header
// and body, byte for byte, and records each request in the returned
// [Capture]. When header has no Content-Type, a body starting with "data:"
// is sent as text/event-stream and any other as application/json. The
// server is closed when the test ends.
func Serve(t testing.TB, status int, header http.Header, body []byte) (*httptest.Server, *Capture) {
	t.Helper()
	c := &Capture{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.add(Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: b})
		for k, vs := range header {
			w.Header()[k] = vs
		}
		if w.Header().Get("Content-Type") == "" {
			if bytes.HasPrefix(body, []byte("data:")) {
				w.Header().Set("Content-Type", "text/event-stream")
			} else {
				w.Header().Set("Content-Type", "application/json")
			}
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, c
}

// NoNetwork returns an HTTP client that fails the test if it sends
// anything: for checks that a provider refuses before any request.
func NoNetwork(t testing.TB) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Errorf("unexpected HTTP request to %s", r.URL)
		return nil, errors.New("providertest: no network in tests")
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// AsError returns err as an *llmux.Error, failing the test if it is not
// one.
func AsError(t testing.TB, err error) *llmux.Error {
	t.Helper()
	var e *llmux.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *llmux.Error", err, err)
	}
	return e
}
