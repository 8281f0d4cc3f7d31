package anthropic

import (
	"bytes"
	"context"
	"encoding/json"
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

var update = flag.Bool("update", false, "rewrite golden files")

const testKey = "sk-ant-api03-test-key-0123456789"

// recorded is one request the fake server received.
type recorded struct {
	method, path string
	header       http.Header
	body         []byte
}

// fake serves one canned answer and records every request.
type fake struct {
	srv    *httptest.Server
	mu     sync.Mutex
	reqs   []recorded
	status int
	body   []byte
	header http.Header
}

// serve starts a server answering every request with status and the
// testdata file byte for byte. Errors carry request-id, 429s retry-after.
func serve(t testing.TB, status int, file string) *fake {
	t.Helper()
	f := &fake{status: status, body: readFile(t, file), header: http.Header{}}
	switch {
	case strings.HasSuffix(file, ".sse"):
		f.header.Set("Content-Type", "text/event-stream")
	default:
		f.header.Set("Content-Type", "application/json")
	}
	if status >= 400 {
		f.header.Set("request-id", "req_011CSHoEeqs5C35K2UUqR7G1")
	}
	if status == http.StatusTooManyRequests {
		f.header.Set("retry-after", "17")
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{r.Method, r.URL.Path, r.Header.Clone(), b})
		f.mu.Unlock()
		for k, v := range f.header {
			w.Header()[k] = v
		}
		w.WriteHeader(f.status)
		_, _ = w.Write(f.body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

// only returns the one request received.
func (f *fake) only(t testing.TB) recorded {
	t.Helper()
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("server received %d requests, want 1", len(reqs))
	}
	return reqs[0]
}

func (f *fake) provider(opts ...Option) *Provider {
	return New(append([]Option{WithAPIKey(testKey), WithBaseURL(f.srv.URL)}, opts...)...)
}

func (f *fake) attempt(req *llmux.Request, model string) *llmux.Attempt {
	return &llmux.Attempt{Request: req, Model: model, Number: 1, HTTPClient: f.srv.Client()}
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkRequest asserts method, path and the standard headers.
func checkRequest(t *testing.T, r recorded, path string) {
	t.Helper()
	if r.method != http.MethodPost {
		t.Errorf("method = %s, want POST", r.method)
	}
	if r.path != path {
		t.Errorf("path = %s, want %s", r.path, path)
	}
	for k, want := range map[string]string{
		"x-api-key":         testKey,
		"anthropic-version": "2023-06-01",
		"Content-Type":      "application/json",
	} {
		if got := r.header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if got := r.header.Get("Authorization"); got != "" {
		t.Errorf("Authorization header sent: %q", got)
	}
}

// golden compares got with testdata/golden/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
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
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s mismatch:\n got: %s\nwant: %s", name, got, want)
	}
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

// transcript renders chunks as JSON lines with Created zeroed, for golden
// files.
func transcript(t *testing.T, chunks []*llmux.Chunk) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, c := range chunks {
		cc := *c
		cc.Created = 0
		b, err := json.Marshal(cc)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func asLLMuxError(t *testing.T, err error) *llmux.Error {
	t.Helper()
	var e *llmux.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *llmux.Error", err, err)
	}
	return e
}

func ptr[T any](v T) *T { return &v }

var bg = context.Background()
