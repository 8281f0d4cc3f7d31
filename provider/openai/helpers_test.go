package openai_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

const testKey = "sk-test-0123456789abcdef"

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serveFile serves testdata/name with status 200.
func serveFile(t testing.TB, name string) (*httptest.Server, *providertest.Capture) {
	t.Helper()
	return providertest.Serve(t, http.StatusOK, nil, providertest.Fixture(t, name))
}

func attempt(srv *httptest.Server, req *llmux.Request, model string) *llmux.Attempt {
	return &llmux.Attempt{Request: req, Model: model, Number: 1, HTTPClient: srv.Client()}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

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
