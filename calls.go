package llmux

import (
	"context"
	"time"

	"github.com/llmux/llmux/internal/later"
)

func (c *Client) completion(ctx context.Context, req *Request, sc scope) (*Response, error) {
	return c.complete(ctx, req, sc, CallCompletion)
}

func (c *Client) textCompletion(ctx context.Context, req *Request, sc scope) (*Response, error) {
	return c.complete(ctx, req, sc, CallTextCompletion)
}

// complete runs a chat or text completion through the middleware chain.
func (c *Client) complete(ctx context.Context, req *Request, sc scope, ct CallType) (*Response, error) {
	cl, err := c.begin(ctx, req, ct, false, sc)
	if err != nil {
		return nil, err
	}
	if cl.any {
		cl.later = later.From(ctx)
	}
	res, err := cl.run(ctx)
	if err == nil && (res == nil || res.Response == nil) {
		err = &Error{Code: CodeBadResponse, Message: "middleware returned no response and no error"}
	}
	if err != nil {
		return nil, cl.fail(ctx, err)
	}
	resp := res.Response
	cl.estimate(resp) // the caller's answer carries it
	end := time.Now()
	if l := cl.later; l != nil {
		// The gateway writes the answer first; the events are built from
		// it afterwards (it does not change the response it was given).
		l.Set(func() { cl.finishCompletion(ctx, resp, end) })
	} else {
		cl.finishCompletion(ctx, resp, end)
	}
	return resp, nil
}

// finishCompletion emits a successful completion's last events: the held
// post-API-call event (before the usage and cost are set, as ever), then
// the success event with the response, ended at end.
func (cl *call) finishCompletion(ctx context.Context, resp *Response, end time.Time) {
	cl.releaseHeld()
	cl.charge(resp.Usage, resp.Model)
	if cl.has(kindSuccess) {
		cl.ev.Response = cl.forLog(resp)
	}
	cl.succeedAt(ctx, end)
}

func (c *Client) embedding(ctx context.Context, req *Request, sc scope) (*EmbeddingResponse, error) {
	cl, err := c.begin(ctx, req, CallEmbedding, false, sc)
	if err != nil {
		return nil, err
	}
	res, err := cl.run(ctx)
	if err == nil && (res == nil || res.Embedding == nil) {
		err = &Error{Code: CodeBadResponse, Message: "middleware returned no embedding and no error"}
	}
	if err != nil {
		return nil, cl.fail(ctx, err)
	}
	resp := res.Embedding
	if cl.any && cl.has(kindSuccess) {
		cl.ev.EmbeddingResponse = cl.embeddingForLog(resp)
	}
	cl.charge(resp.Usage, resp.Model)
	cl.succeed(ctx)
	return resp, nil
}

func (c *Client) stream(ctx context.Context, req *Request, sc scope) (*ChatStream, error) {
	cl, err := c.begin(ctx, req, CallCompletion, true, sc)
	if err != nil {
		return nil, err
	}
	res, err := cl.run(ctx)
	if err == nil && (res == nil || res.Stream == nil) {
		err = &Error{Code: CodeBadResponse, Message: "middleware returned no stream and no error"}
	}
	if err != nil {
		if cl.cancel != nil {
			cl.cancel()
		}
		if res != nil && res.Stream != nil {
			_ = res.Stream.Close()
		}
		return nil, cl.fail(ctx, err)
	}
	cancel := cl.cancel
	if cancel == nil {
		cancel = func() {}
	}
	return newStream(ctx, cl, res.Stream, cancel, "chat.completion"), nil
}

// answer answers the call from the cache or the provider: the end of the
// middleware chain, after validation and resolution.
func (cl *call) answer(ctx context.Context) (*Result, error) {
	if e := cl.lookup(ctx); e != nil {
		switch {
		case cl.stream:
			rctx, cancel := context.WithCancel(ctx)
			cl.cancel = cancel
			return &Result{Stream: newReplayReader(rctx, e.Response), CacheHit: true}, nil
		case cl.ct == CallEmbedding:
			return &Result{Embedding: e.Embedding, CacheHit: true}, nil
		}
		return &Result{Response: e.Response, CacheHit: true}, nil
	}
	switch {
	case cl.stream:
		r, err := attempts(ctx, cl, cl.p.ChatStream, nil)
		if err != nil {
			return nil, err
		}
		if cl.mw && cl.cache != nil {
			// Middleware may change the chunks the caller sees: store
			// what the provider sent.
			r = &storeReader{ChunkReader: r, cl: cl, ctx: ctx}
		}
		return &Result{Stream: r}, nil
	case cl.ct == CallEmbedding:
		resp, err := attempts(ctx, cl, cl.p.(embedder).Embedding, checkEmbedding)
		if err != nil {
			return nil, err
		}
		cl.store(ctx, nil, resp)
		return &Result{Embedding: resp}, nil
	}
	do := cl.p.Chat
	if cl.ct == CallTextCompletion {
		do = cl.p.(textCompleter).TextCompletion
	}
	resp, err := attempts(ctx, cl, do, checkResponse)
	if err != nil {
		return nil, err
	}
	cl.store(ctx, resp, nil)
	return &Result{Response: resp}, nil
}

// attempts runs one provider method through the call's attempt loop and
// returns what the last attempt produced. A provider returning neither a
// result nor an error, or a result check refuses, fails the attempt with
// CodeBadResponse.
func attempts[T comparable](ctx context.Context, cl *call, do func(context.Context, *Attempt) (T, error), check func(T) string) (T, error) {
	var out T
	err := cl.attempt(ctx, func(ctx context.Context, a *Attempt) error {
		r, err := do(ctx, a)
		out = r
		var zero T
		switch {
		case err != nil:
			return err
		case r == zero:
			return &Error{Code: CodeBadResponse, Message: "provider returned no response and no error"}
		case check != nil:
			if msg := check(r); msg != "" {
				return &Error{Code: CodeBadResponse, StatusCode: a.status, Message: msg}
			}
		}
		return nil
	})
	return out, err
}

// checkResponse refuses a completion without choices: a 200 body that is
// not a completion ({"choices":null}, another API's answer) decodes to one.
func checkResponse(r *Response) string {
	if len(r.Choices) == 0 {
		return "the response has no choices"
	}
	return ""
}

// checkEmbedding refuses an embedding response without vectors.
func checkEmbedding(r *EmbeddingResponse) string {
	if len(r.Data) == 0 {
		return "the response has no embeddings"
	}
	return ""
}
