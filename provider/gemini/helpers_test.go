package gemini

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

const testKey = "AIzaSyTest-0123456789abcdefghijklmnopq"

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fake is a server answering every request with one canned answer and
// recording the requests.
type fake struct {
	srv *httptest.Server
	*providertest.Capture
}

// serve starts a server answering every request with status and the
// testdata file byte for byte.
func serve(t testing.TB, status int, file string) *fake {
	t.Helper()
	contentType := "application/json"
	if strings.HasSuffix(file, ".sse") {
		contentType = "text/event-stream"
	}
	return serveBody(t, status, contentType, providertest.Fixture(t, file))
}

func serveBody(t testing.TB, status int, contentType string, body []byte) *fake {
	t.Helper()
	header := http.Header{"Content-Type": {contentType}}
	srv, c := providertest.Serve(t, status, header, body)
	return &fake{srv: srv, Capture: c}
}

func (f *fake) provider(opts ...Option) *Provider {
	return New(append([]Option{WithAPIKey(testKey), WithBaseURL(f.srv.URL + "/v1beta")}, opts...)...)
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

// transcript renders chunks as JSON lines with Created zeroed and
// generated tool call ids replaced, for golden files.
func transcript(t *testing.T, chunks []*llmux.Chunk) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, c := range chunks {
		cc := *c
		cc.Created = 0
		cc.Choices = append([]llmux.ChunkChoice(nil), c.Choices...)
		for i := range cc.Choices {
			tcs := append([]llmux.ToolCall(nil), cc.Choices[i].Delta.ToolCalls...)
			for j := range tcs {
				tcs[j].ID = stableID(tcs[j].ID)
			}
			cc.Choices[i].Delta.ToolCalls = tcs
		}
		b, err := json.Marshal(cc)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// stableID replaces the random part of a generated tool call id.
func stableID(id string) string {
	if !strings.HasPrefix(id, "call_") || len(id) < 29 {
		return id
	}
	return "call_RANDOM" + id[29:]
}

func ptr[T any](v T) *T { return &v }

var bg = context.Background()
