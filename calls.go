package llmux

import "context"

func (c *Client) completion(ctx context.Context, req *Request, sc scope) (*Response, error) {
	return c.complete(ctx, req, sc, CallCompletion)
}

func (c *Client) textCompletion(ctx context.Context, req *Request, sc scope) (*Response, error) {
	return c.complete(ctx, req, sc, CallTextCompletion)
}

// complete runs a chat or text completion: from the cache, else from the
// provider, storing the answer.
func (c *Client) complete(ctx context.Context, req *Request, sc scope, ct CallType) (*Response, error) {
	cl, err := c.begin(ctx, req, ct, false, sc)
	if err != nil {
		return nil, err
	}
	if e := cl.lookup(ctx); e != nil {
		cl.respond(ctx, e.Response)
		return e.Response, nil
	}
	do := cl.p.Chat
	if ct == CallTextCompletion {
		do = cl.p.(TextCompleter).TextCompletion
	}
	resp, _, err := attempts(ctx, cl, false, do)
	if err != nil {
		return nil, cl.fail(ctx, err)
	}
	cl.respond(ctx, resp)
	return resp, nil
}

func (c *Client) embedding(ctx context.Context, req *Request, sc scope) (*EmbeddingResponse, error) {
	cl, err := c.begin(ctx, req, CallEmbedding, false, sc)
	if err != nil {
		return nil, err
	}
	var resp *EmbeddingResponse
	if e := cl.lookup(ctx); e != nil {
		resp = e.Embedding
	} else {
		resp, _, err = attempts(ctx, cl, false, cl.p.(Embedder).Embedding)
		if err != nil {
			return nil, cl.fail(ctx, err)
		}
		cl.store(ctx, nil, resp)
	}
	if cl.any {
		cl.ev.EmbeddingResponse = resp
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
	if e := cl.lookup(ctx); e != nil {
		rctx, cancel := context.WithCancel(ctx)
		return newStream(ctx, cl, newReplayReader(rctx, e.Response), cancel, "chat.completion"), nil
	}
	r, cancel, err := attempts(ctx, cl, true, cl.p.ChatStream)
	if err != nil {
		return nil, cl.fail(ctx, err)
	}
	return newStream(ctx, cl, r, cancel, "chat.completion"), nil
}

// attempts runs one provider method through the call's attempt loop and
// returns what the last attempt produced. A provider returning neither a
// result nor an error fails the attempt with CodeBadResponse.
func attempts[T comparable](ctx context.Context, cl *call, stream bool, do func(context.Context, *Attempt) (T, error)) (T, context.CancelFunc, error) {
	var out T
	cancel, err := cl.attempt(ctx, stream, func(ctx context.Context, a *Attempt) error {
		r, err := do(ctx, a)
		out = r
		var zero T
		if err == nil && r == zero {
			return &Error{Code: CodeBadResponse, Message: "provider returned no response and no error"}
		}
		return err
	})
	return out, cancel, err
}

// respond records a non-streamed response, stores it and ends the call
// with success.
func (cl *call) respond(ctx context.Context, resp *Response) {
	cl.account(resp)
	cl.store(ctx, resp, nil)
	if cl.any {
		cl.ev.Response = cl.forLog(resp)
	}
	cl.succeed(ctx)
}
