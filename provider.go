package llmux

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"
)

// Provider is a codec for one upstream API. It translates a [Request] into
// the provider's wire format, sends it with [Attempt.Send], and translates
// the answer or error back. Retries, caching, cost and callbacks happen once,
// in the [Client], never inside a provider.
//
// The client calls a provider's methods from the caller's goroutine, once
// per attempt, concurrently for concurrent calls; implementations are safe
// for concurrent use. The [Attempt] is owned by the client and valid until
// the method returns (for streams: until the [ChunkReader] is closed).
type Provider interface {
	// Name is the provider prefix of model names ("openai" in
	// "openai/gpt-4o").
	Name() string
	// Chat performs one chat completion attempt.
	Chat(ctx context.Context, a *Attempt) (*Response, error)
	// ChatStream opens a streamed chat completion. It returns once the
	// response headers arrived; errors up to then are returned here.
	ChatStream(ctx context.Context, a *Attempt) (ChunkReader, error)
}

// TextCompleter is a [Provider] with a legacy text-completion API.
type TextCompleter interface {
	TextCompletion(ctx context.Context, a *Attempt) (*Response, error)
}

// Embedder is a [Provider] that computes embeddings.
type Embedder interface {
	Embedding(ctx context.Context, a *Attempt) (*EmbeddingResponse, error)
}

// ChunkReader yields the chunks of a stream. Recv returns io.EOF after the
// last chunk, and an *Error for an in-band error event. Close releases the
// connection. The client calls Close exactly once and never concurrently
// with Recv: to abort a Recv blocked on the network it cancels the
// attempt's context, which the reader's HTTP body honours.
type ChunkReader interface {
	Recv() (*Chunk, error)
	Close() error
}

// Attempt is one try of a call, handed by the client to the provider. The
// provider reads the request and settings from it and sends its wire request
// with [Attempt.Send], which emits the pre-API-call event and records what
// the post-API-call event reports.
type Attempt struct {
	// Request is the caller's request; providers must not modify it.
	Request *Request
	// Model is the upstream model name, without the provider prefix.
	Model string
	// APIBase, APIKey and APIVersion are the per-request overrides; empty
	// means the provider's configured value.
	APIBase, APIKey, APIVersion string
	// Number counts attempts from 1.
	Number int
	// Stream is set for [Provider.ChatStream] attempts.
	Stream bool
	// HTTPClient is the client's HTTP client.
	HTTPClient *http.Client

	call       *call
	began      bool
	sent       bool
	received   bool
	wire       Wire
	startedAt  time.Time
	status     int
	respHeader http.Header
	raw        []byte
}

// Wire is what a provider is about to send upstream.
type Wire struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// APIKey is the key this request carries, reported masked in events.
	APIKey string
	// Input is what the provider sends as the model's input, for the
	// event's "input" (the messages, or the prompt it built from them);
	// nil means the request's messages.
	Input any
}

// Begin records the wire request and emits the pre-API-call event without
// sending anything. Send calls it; providers without HTTP (the mock) call it
// directly.
func (a *Attempt) Begin(ctx context.Context, w Wire) {
	a.wire = w
	a.began = true
	a.startedAt = time.Now()
	if a.call != nil {
		a.call.preAPICall(ctx, a)
	}
}

// Send emits the pre-API-call event and performs the HTTP request. The
// request body is replayable. The caller closes the response body; for
// non-streaming calls it reads it with [Attempt.ReadBody].
func (a *Attempt) Send(ctx context.Context, w Wire) (*http.Response, error) {
	if w.Method == "" {
		w.Method = http.MethodPost
	}
	a.Begin(ctx, w)
	req, err := http.NewRequestWithContext(ctx, w.Method, w.URL, bytes.NewReader(w.Body))
	if err != nil {
		return nil, &Error{Code: CodeInvalidRequest, Message: "build request: " + err.Error(), Err: err}
	}
	body := w.Body
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	for k, v := range w.Header {
		req.Header[k] = v
	}
	if w.Body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := a.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	a.sent = true
	resp, err := hc.Do(req)
	if err != nil {
		return nil, transportError(ctx, err)
	}
	a.status = resp.StatusCode
	a.respHeader = resp.Header
	return resp, nil
}

// maxResponseBody caps non-streaming response bodies.
const maxResponseBody = 64 << 20

// ReadBody reads and closes a non-streaming response body (capped at 64 MiB)
// and records it as the attempt's original response.
func (a *Attempt) ReadBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		code := CodeOf(err)
		if code == CodeUnknown {
			code = CodeConnection
		}
		return nil, &Error{Code: code, StatusCode: resp.StatusCode, Message: "read response: " + err.Error(), Err: err}
	}
	if len(b) > maxResponseBody {
		return nil, &Error{Code: CodeBadResponse, StatusCode: resp.StatusCode, Message: "response body exceeds 64 MiB"}
	}
	a.Received(b)
	return b, nil
}

// Received records the raw response of the attempt, for the post-API-call
// event. ReadBody calls it; providers without HTTP call it directly.
func (a *Attempt) Received(raw []byte) {
	a.raw = raw
	a.received = true
}

// transportError classifies a transport error: the caller's
// cancellation stays CodeCanceled, a deadline CodeTimeout, anything else a
// connection error.
func transportError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		code := CodeCanceled
		if ctxErr == context.DeadlineExceeded {
			code = CodeTimeout
		}
		return &Error{Code: code, Message: "request: " + ctxErr.Error(), Err: ctxErr}
	}
	code := CodeOf(err)
	if code == CodeUnknown {
		code = CodeConnection
	}
	return &Error{Code: code, Message: "request: " + err.Error(), Err: err}
}
