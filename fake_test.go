package llmux

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/llmux/llmux/internal/sse"
)

// fakeProvider is a minimal OpenAI-shaped codec for client tests; the real
// codecs live in provider/... and have their own tests.
type fakeProvider struct {
	name string
	base string
	key  string
}

func (p *fakeProvider) Name() string { return p.name }

func (p *fakeProvider) wire(a *Attempt, stream bool) (Wire, error) {
	key := a.APIKey
	if key == "" {
		key = p.key
	}
	if key == "" {
		return Wire{}, &Error{Code: CodeAuthentication, Message: "missing API key"}
	}
	base := a.APIBase
	if base == "" {
		base = p.base
	}
	body, _ := json.Marshal(map[string]any{"model": a.Model, "messages": a.Request.Messages, "stream": stream})
	h := http.Header{}
	h.Set("Authorization", "Bearer "+key)
	return Wire{URL: base + "/chat/completions", Header: h, Body: body, APIKey: key}, nil
}

func (p *fakeProvider) Chat(ctx context.Context, a *Attempt) (*Response, error) {
	w, err := p.wire(a, false)
	if err != nil {
		return nil, err
	}
	resp, err := a.Send(ctx, w)
	if err != nil {
		return nil, err
	}
	b, err := a.ReadBody(resp)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		return nil, HTTPError(p.name, resp.StatusCode, resp.Header, b)
	}
	var r Response
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, &Error{Code: CodeBadResponse, Message: err.Error()}
	}
	r.Raw = b
	return &r, nil
}

func (p *fakeProvider) ChatStream(ctx context.Context, a *Attempt) (ChunkReader, error) {
	w, err := p.wire(a, true)
	if err != nil {
		return nil, err
	}
	resp, err := a.Send(ctx, w)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		b, err := a.ReadBody(resp)
		if err != nil {
			return nil, err
		}
		return nil, HTTPError(p.name, resp.StatusCode, resp.Header, b)
	}
	return &fakeReader{body: resp.Body, dec: sse.NewDecoder(resp.Body, 0)}, nil
}

type fakeReader struct {
	body io.ReadCloser
	dec  *sse.Decoder
}

func (r *fakeReader) Recv() (*Chunk, error) {
	ev, err := r.dec.Next()
	if err == io.EOF { // no [DONE]: the connection dropped
		return nil, &Error{Code: CodeConnection, Message: "stream ended early", Err: io.ErrUnexpectedEOF}
	}
	if err != nil {
		return nil, err
	}
	if string(ev.Data) == "[DONE]" {
		return nil, io.EOF
	}
	var c Chunk
	if err := json.Unmarshal(ev.Data, &c); err != nil {
		return nil, &Error{Code: CodeBadResponse, Message: err.Error()}
	}
	return &c, nil
}

func (r *fakeReader) Close() error { return r.body.Close() }

// reply is one scripted upstream answer.
type reply struct {
	status int
	header map[string]string
	body   string
	// block, when set, makes the handler write body then wait for it to
	// close (or the request to end).
	block chan struct{}
}

// upstream is an httptest server answering scripted replies in order; the
// last one repeats.
type upstream struct {
	*httptest.Server
	mu      sync.Mutex
	replies []reply
	n       int
	bodies  []string
	headers []http.Header
}

func newUpstream(t *testing.T, replies ...reply) *upstream {
	u := &upstream{replies: replies}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.bodies = append(u.bodies, string(b))
		u.headers = append(u.headers, r.Header.Clone())
		rp := u.replies[min(u.n, len(u.replies)-1)]
		u.n++
		u.mu.Unlock()
		for k, v := range rp.header {
			w.Header().Set(k, v)
		}
		if strings.HasPrefix(rp.body, "data:") {
			w.Header().Set("Content-Type", "text/event-stream")
		}
		status := rp.status
		if status == 0 {
			status = 200
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, rp.body)
		if rp.block != nil {
			w.(http.Flusher).Flush()
			select {
			case <-rp.block:
			case <-r.Context().Done():
			}
		}
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) requests() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.n
}

const okBody = `{"id":"chatcmpl-1","object":"chat.completion","created":1764000000,"model":"gpt-4o-mini-2024-07-18",` +
	`"choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I assist you today?"},"finish_reason":"stop"}],` +
	`"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0}}}`

const streamBody = `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":" world"},"finish_reason":null}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29}}

data: [DONE]

`

const testKey = "sk-test-SECRETSECRETSECRET1234"

func fakeClient(t *testing.T, u *upstream, opts ...Option) (*Client, *recorder) {
	t.Helper()
	return newTestClient(t, append([]Option{WithProvider(&fakeProvider{name: "openai", base: u.URL, key: testKey})}, opts...)...)
}

func hi() []Message { return []Message{User("Hi 👋 - i'm openai")} }
