package openai_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/llmux/llmux"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const testKey = "sk-test-0123456789abcdef"

// captured is one request the test server received.
type captured struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

type capture struct {
	mu   sync.Mutex
	reqs []captured
}

func (c *capture) last(t *testing.T) captured {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.reqs) != 1 {
		t.Fatalf("server received %d requests, want 1", len(c.reqs))
	}
	return c.reqs[0]
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serve starts a server answering every request with status, header and
// body, byte for byte, and recording the request.
func serve(t testing.TB, status int, header http.Header, body []byte) (*httptest.Server, *capture) {
	t.Helper()
	c := &capture{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.reqs = append(c.reqs, captured{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: b})
		c.mu.Unlock()
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

// serveFile serves testdata/name with status 200.
func serveFile(t testing.TB, name string) (*httptest.Server, *capture) {
	t.Helper()
	return serve(t, http.StatusOK, nil, fixture(t, name))
}

func attempt(srv *httptest.Server, req *llmux.Request, model string) *llmux.Attempt {
	return &llmux.Attempt{Request: req, Model: model, Number: 1, HTTPClient: srv.Client()}
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
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

// noNetwork is an HTTP client that fails the test if it is used.
func noNetwork(t *testing.T) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Errorf("unexpected HTTP request to %s", r.URL)
		return nil, errors.New("no network in tests")
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func asError(t *testing.T, err error) *llmux.Error {
	t.Helper()
	var e *llmux.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *llmux.Error", err, err)
	}
	return e
}

// readAll drains a chunk reader and returns the chunks and the final error.
func readAll(t testing.TB, r llmux.ChunkReader) ([]*llmux.Chunk, error) {
	t.Helper()
	var out []*llmux.Chunk
	for i := 0; i < 10000; i++ {
		c, err := r.Recv()
		if err != nil {
			return out, err
		}
		if c == nil {
			t.Fatal("Recv returned a nil chunk and no error")
		}
		out = append(out, c)
	}
	t.Fatal("stream did not end")
	return nil, nil
}

func text(chunks []*llmux.Chunk) string {
	var b strings.Builder
	for _, c := range chunks {
		b.WriteString(c.Text())
	}
	return b.String()
}

func ptr[T any](v T) *T { return &v }
