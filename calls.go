package llmux

import "context"

func (c *Client) completion(ctx context.Context, req *Request, global *registry) (*Response, error) {
	cl, err := c.begin(ctx, req, CallCompletion, false, global)
	if err != nil {
		return nil, err
	}
	var resp *Response
	_, err = cl.attempt(ctx, false, func(ctx context.Context, a *Attempt) error {
		r, err := cl.p.Chat(ctx, a)
		resp = r
		return nilResponse(err, r == nil)
	})
	if err != nil {
		return nil, cl.fail(ctx, err)
	}
	cl.respond(ctx, resp)
	return resp, nil
}

func (c *Client) textCompletion(ctx context.Context, req *Request, global *registry) (*Response, error) {
	cl, err := c.begin(ctx, req, CallTextCompletion, false, global)
	if err != nil {
		return nil, err
	}
	tc := cl.p.(TextCompleter)
	var resp *Response
	_, err = cl.attempt(ctx, false, func(ctx context.Context, a *Attempt) error {
		r, err := tc.TextCompletion(ctx, a)
		resp = r
		return nilResponse(err, r == nil)
	})
	if err != nil {
		return nil, cl.fail(ctx, err)
	}
	cl.respond(ctx, resp)
	return resp, nil
}

func (c *Client) embedding(ctx context.Context, req *Request, global *registry) (*EmbeddingResponse, error) {
	cl, err := c.begin(ctx, req, CallEmbedding, false, global)
	if err != nil {
		return nil, err
	}
	em := cl.p.(Embedder)
	var resp *EmbeddingResponse
	_, err = cl.attempt(ctx, false, func(ctx context.Context, a *Attempt) error {
		r, err := em.Embedding(ctx, a)
		resp = r
		return nilResponse(err, r == nil)
	})
	if err != nil {
		return nil, cl.fail(ctx, err)
	}
	if cl.any {
		cl.ev.EmbeddingResponse = resp
		cl.ev.Usage = resp.Usage
		cl.ev.ResponseCost, cl.ev.CostBreakdown, cl.ev.CostErr = cl.price(resp.Usage, resp.Model)
	}
	cl.succeed(ctx)
	return resp, nil
}

func (c *Client) stream(ctx context.Context, req *Request, global *registry) (*ChatStream, error) {
	cl, err := c.begin(ctx, req, CallCompletion, true, global)
	if err != nil {
		return nil, err
	}
	var r ChunkReader
	cancel, err := cl.attempt(ctx, true, func(ctx context.Context, a *Attempt) error {
		rr, err := cl.p.ChatStream(ctx, a)
		r = rr
		return nilResponse(err, rr == nil)
	})
	if err != nil {
		return nil, cl.fail(ctx, err)
	}
	return newStream(ctx, cl, r, cancel, "chat.completion"), nil
}

// respond records a non-streamed response and ends the call with success.
func (cl *call) respond(ctx context.Context, resp *Response) {
	cl.account(resp)
	if cl.any {
		cl.ev.Response = cl.forLog(resp)
	}
	cl.succeed(ctx)
}

// nilResponse guards against a provider returning neither a result nor an
// error.
func nilResponse(err error, isNil bool) error {
	if err == nil && isNil {
		return &Error{Code: CodeBadResponse, Message: "provider returned no response and no error"}
	}
	return err
}
