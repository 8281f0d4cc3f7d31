package llmux

import (
	"context"
	"fmt"
)

// Call is one call as [Middleware] sees it.
type Call struct {
	// ID is the call's id, [Event.CallID].
	ID string
	// Type is the kind of call: chat or text completion, or embedding.
	Type CallType
	// Stream is set for [Client.Stream] calls.
	Stream bool
	// Request is the request the call will run: a shallow copy of the
	// caller's, owned by the chain. Middleware may set its fields or
	// replace it; it must not change the caller's slices and maps in
	// place (replace them: Messages = append([]Message{sys}, Messages...)).
	Request *Request

	cl *call
}

// Result is what a call produces: Response for chat and text completions,
// Embedding for embeddings, Stream for streams. Middleware may return the
// result it got from next, change it, or make its own (a canned answer, a
// wrapped stream that sees or replaces each chunk).
type Result struct {
	Response  *Response
	Embedding *EmbeddingResponse
	// Stream yields the chunks. The client wraps it to accumulate the
	// response, emit stream events and time it out when idle; it calls
	// Close once, never concurrently with Recv.
	Stream ChunkReader
	// CacheHit is set by the client when the cache answered: no API call
	// was made (a router does not count it against a deployment's rate).
	CacheHit bool
}

// CallFunc performs a call: the provider's (through the cache and the
// attempt loop) at the end of the chain, or a middleware's.
type CallFunc func(ctx context.Context, c *Call) (*Result, error)

// Middleware acts on a call, in the style of go-redis hooks: it gets the
// next function of the chain and returns its own. It may change the
// request before calling next, reject the call by returning an error
// without calling next (an [*Error] with the code to report, such as
// CodePermission or CodeRateLimited; any other error is reported as is,
// with CodeUnknown), or change or replace the result. Budgets, auth, rate
// limits, guardrails and a gateway's proxy hooks are middleware; loggers
// only observe.
//
// Middleware runs inside the event model: the call's events start before
// it (a rejection ends the call with one failure event and no
// pre/post-API-call events) and its success event carries the result the
// middleware returned, which is what the caller gets. A middleware that
// panics fails the call with CodeUnknown; the client and other calls go on.
//
// The chain of a client ([WithMiddleware]) is built once, in New; the
// middleware of a request ([Request.Middleware]) runs inside it. The
// first middleware given is the outermost. Middleware is called from the
// caller's goroutine, concurrently for concurrent calls.
type Middleware func(next CallFunc) CallFunc

// WithMiddleware adds middleware that acts on every call of the client
// ([Middleware]). The first given is the outermost. Default: none.
func WithMiddleware(mw ...Middleware) Option {
	return func(c *config) error {
		for i, m := range mw {
			if m == nil {
				return fmt.Errorf("llmux: WithMiddleware: middleware %d is nil", i)
			}
		}
		c.middleware = append(c.middleware, mw...)
		return nil
	}
}

// chain returns f wrapped in mw, the first outermost.
func chain(mw []Middleware, f CallFunc) CallFunc {
	for i := len(mw) - 1; i >= 0; i-- {
		f = mw[i](f)
	}
	return f
}

// terminal is the end of every chain: the call as the client runs it.
func terminal(ctx context.Context, c *Call) (*Result, error) {
	return c.cl.invoke(ctx, c)
}

// ResponseStream returns a [ChunkReader] that yields r in the chunk shapes
// of an OpenAI-compatible stream, as a cached answer is replayed: for each
// choice its whole content, then the finish reasons, then a usage chunk.
// Middleware that answers a streaming call itself (a canned reply, a
// guardrail's refusal) returns it as [Result.Stream]. The chunks share
// memory with r: do not change r afterwards.
func ResponseStream(ctx context.Context, r *Response) ChunkReader {
	if r == nil {
		r = &Response{}
	}
	return newReplayReader(ctx, r)
}
