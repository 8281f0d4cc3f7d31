package llmux

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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

// Prefixes and ClaimModel make the fake claim bare names as the real
// providers do: gpt-* and o* for "openai", claude* for "anthropic".
func (p *fakeProvider) Prefixes() []string { return nil }

func (p *fakeProvider) ClaimModel(m string) bool {
	switch p.name {
	case "openai":
		return strings.HasPrefix(m, "gpt-") || strings.HasPrefix(m, "o1") || strings.HasPrefix(m, "o3") || strings.HasPrefix(m, "text-embedding-")
	case "anthropic":
		return strings.HasPrefix(m, "claude")
	}
	return false
}

func (p *fakeProvider) wire(a *Attempt, stream bool) (fakeWire, error) {
	key := a.APIKey
	if key == "" {
		key = p.key
	}
	if key == "" {
		return fakeWire{}, &Error{Code: CodeAuthentication, Message: "missing API key"}
	}
	base := a.APIBase
	if base == "" {
		base = p.base
	}
	r := *a.Request
	r.Model, r.Stream = a.Model, stream
	body, _ := json.Marshal(&r)
	h := http.Header{}
	h.Set("Authorization", "Bearer "+key)
	return fakeWire{URL: base + "/chat/completions", Header: h, Body: body, APIKey: key}, nil
}

func (p *fakeProvider) Chat(ctx context.Context, a *Attempt) (*Response, error) {
	w, err := p.wire(a, false)
	if err != nil {
		return nil, err
	}
	resp, err := fakeSend(ctx, a, w)
	if err != nil {
		return nil, err
	}
	b, err := fakeRead(a, resp)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		return nil, fakeHTTPError(p.name, resp.StatusCode, resp.Header, b)
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
	resp, err := fakeSend(ctx, a, w)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		b, err := fakeRead(a, resp)
		if err != nil {
			return nil, err
		}
		return nil, fakeHTTPError(p.name, resp.StatusCode, resp.Header, b)
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

// fakeWire, fakeSend, fakeRead and fakeHTTPError stand in for package
// provider, which these tests cannot import (it imports llmux): they report
// the exchange to the attempt's recorder as provider.Send and ReadBody do.
type fakeWire struct {
	URL    string
	Header http.Header
	Body   []byte
	APIKey string
}

func fakeSend(ctx context.Context, a *Attempt, w fakeWire) (*http.Response, error) {
	rec := (*attemptRecorder)(a)
	rec.Begin(ctx, http.MethodPost, w.URL, w.Header, w.Body, w.APIKey, nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, strings.NewReader(string(w.Body)))
	if err != nil {
		return nil, err
	}
	req.Header = w.Header.Clone()
	hc := a.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		rec.Sent(0, nil)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if c := CodeOf(err); c == CodeCanceled || c == CodeTimeout {
			return nil, err
		}
		return nil, &Error{Code: CodeConnection, Message: err.Error(), Err: err}
	}
	rec.Sent(resp.StatusCode, resp.Header)
	return resp, nil
}

func fakeRead(a *Attempt, resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		code := CodeOf(err)
		if code == CodeUnknown {
			code = CodeConnection
		}
		return nil, &Error{Code: code, Message: err.Error(), Err: err}
	}
	(*attemptRecorder)(a).Received(b)
	return b, nil
}

func fakeHTTPError(name string, status int, h http.Header, body []byte) *Error {
	e := &Error{Code: CodeServer, Provider: name, StatusCode: status, Message: http.StatusText(status), Body: body}
	switch status {
	case http.StatusBadRequest:
		e.Code = CodeInvalidRequest
	case http.StatusUnauthorized:
		e.Code = CodeAuthentication
	case http.StatusTooManyRequests:
		e.Code = CodeRateLimited
	case http.StatusServiceUnavailable:
		e.Code = CodeOverloaded
	}
	if ms, err := strconv.Atoi(h.Get("retry-after-ms")); err == nil {
		e.RetryAfter = time.Duration(ms) * time.Millisecond
	} else if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	return e
}
