package anthropic

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

const testKey = "sk-ant-api03-test-key-0123456789"

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fake is a server answering every request with one canned answer and
// recording the requests.
type fake struct {
	srv *httptest.Server
	*providertest.Capture
}

// serve starts a server answering every request with status and the
// testdata file byte for byte. Errors carry request-id, 429s retry-after.
func serve(t testing.TB, status int, file string) *fake {
	t.Helper()
	contentType := "application/json"
	if strings.HasSuffix(file, ".sse") {
		contentType = "text/event-stream"
	}
	return serveBody(t, status, contentType, providertest.Fixture(t, file))
}

// serveBody is serve with the body and its Content-Type given.
func serveBody(t testing.TB, status int, contentType string, body []byte) *fake {
	t.Helper()
	header := http.Header{"Content-Type": {contentType}}
	if status >= 400 {
		header.Set("request-id", "req_011CSHoEeqs5C35K2UUqR7G1")
	}
	if status == http.StatusTooManyRequests {
		header.Set("retry-after", "17")
	}
	srv, c := providertest.Serve(t, status, header, body)
	return &fake{srv: srv, Capture: c}
}

func (f *fake) provider(opts ...Option) *Provider {
	return New(append([]Option{WithAPIKey(testKey), WithBaseURL(f.srv.URL)}, opts...)...)
}

func (f *fake) attempt(req *llmux.Request, model string) *llmux.Attempt {
	return &llmux.Attempt{Request: req, Model: model, Number: 1, HTTPClient: f.srv.Client()}
}

// last returns the last request the server received.
func last(t *testing.T, f *fake) providertest.Request {
	t.Helper()
	reqs := f.Requests()
	if len(reqs) == 0 {
		t.Fatal("no request received")
	}
	return reqs[len(reqs)-1]
}

// checkRequest asserts method, path and the standard headers.
func checkRequest(t *testing.T, r providertest.Request, path string) {
	t.Helper()
	if r.Method != http.MethodPost {
		t.Errorf("method = %s, want POST", r.Method)
	}
	if r.Path != path {
		t.Errorf("path = %s, want %s", r.Path, path)
	}
	for k, want := range map[string]string{
		"x-api-key":         testKey,
		"anthropic-version": "2023-06-01",
		"Content-Type":      "application/json",
	} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if got := r.Header.Get("Authorization"); got != "" {
		t.Errorf("Authorization header sent: %q", got)
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

func ptr[T any](v T) *T { return &v }

var bg = context.Background()
