package llmux

import "context"

func (c *Client) completion(ctx context.Context, req *Request, global *registry) (*Response, error) {
	cl, err := c.begin(ctx, req, CallCompletion, false, global)
	if err != nil {
		return nil, err
	}
	resp, _, err := attempts(ctx, cl, false, cl.p.Chat)
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
	resp, _, err := attempts(ctx, cl, false, cl.p.(TextCompleter).TextCompletion)
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
	resp, _, err := attempts(ctx, cl, false, cl.p.(Embedder).Embedding)
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

// respond records a non-streamed response and ends the call with success.
func (cl *call) respond(ctx context.Context, resp *Response) {
	cl.account(resp)
	if cl.any {
		cl.ev.Response = cl.forLog(resp)
	}
	cl.succeed(ctx)
}
