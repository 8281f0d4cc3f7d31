package llmux

import (
	"context"
	"net/http"
	"time"

	"github.com/llmux/llmux/internal/attemptlink"
)

// Provider is a codec for one upstream API. It translates a [Request] into
// the provider's wire format, sends it, and translates the answer or error
// back; package [github.com/llmux/llmux/provider] has the tools to do so,
// and declares the optional capabilities a provider may add (text
// completions, embeddings, the model names it claims, the parameters it
// supports).
// Retries, caching, cost and callbacks happen once, in the [Client], never
// inside a provider.
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

// textCompleter and embedder are the optional capabilities a Provider may
// have; package provider declares them by name (provider.TextCompleter,
// provider.Embedder) for providers to assert.
type textCompleter interface {
	TextCompletion(ctx context.Context, a *Attempt) (*Response, error)
}

type embedder interface {
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

// Attempt is one try of a call, handed by the client to a [Provider]. It is
// data: the provider reads the request and the per-attempt settings from
// it and sends with package provider's Send, which reports the exchange to
// the call's loggers.
type Attempt struct {
	// Request is the request as the provider must send it: the caller's,
	// or a copy without the parameters the provider does not support when
	// they are dropped ([WithDropParams]). Providers must not modify it.
	Request *Request
	// Model is the upstream model name, without the provider prefix.
	Model string
	// APIBase, APIKey and APIVersion are the per-request overrides; empty
	// means the provider's configured value.
	APIBase, APIKey, APIVersion string
	// Number counts the call's attempts from 1, across retries and the
	// deployments a router tries.
	Number int
	// Stream is set for [Provider.ChatStream] attempts.
	Stream bool
	// HTTPClient is the client's HTTP client.
	HTTPClient *http.Client

	call      *call
	began     bool
	sent      bool
	received  bool
	wire      wireRequest
	startedAt time.Time
	status    int
	header    http.Header
	raw       []byte
}

// wireRequest is what the provider sent, as package provider reported it.
type wireRequest struct {
	method, url string
	header      http.Header
	body        []byte
	apiKey      string
	input       any
}

// attemptRecorder is an Attempt seen through attemptlink.Recorder, so its
// recording methods stay out of Attempt's API.
type attemptRecorder Attempt

var _ = func() bool {
	attemptlink.Of = func(x any) attemptlink.Recorder {
		if a, ok := x.(*Attempt); ok && a != nil {
			return (*attemptRecorder)(a)
		}
		return nil
	}
	return true
}()

func (r *attemptRecorder) Begin(ctx context.Context, method, url string, header http.Header, body []byte, apiKey string, input any) {
	(*Attempt)(r).begin(ctx, wireRequest{method: method, url: url, header: header, body: body, apiKey: apiKey, input: input})
}

func (r *attemptRecorder) Sent(status int, header http.Header) {
	r.sent = true
	r.status, r.header = status, header
}

func (r *attemptRecorder) Received(raw []byte) {
	r.raw = raw
	r.received = true
}

// begin records the wire request and emits the pre-API-call event.
func (a *Attempt) begin(ctx context.Context, w wireRequest) {
	a.wire = w
	a.began = true
	a.startedAt = time.Now()
	if a.call != nil {
		a.call.preAPICall(ctx, a)
	}
}
