package gemini

import (
	"context"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

// Chat performs one generateContent call.
func (p *Provider) Chat(ctx context.Context, a *llmux.Attempt) (*llmux.Response, error) {
	body, err := p.chatBody(a)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, a, MethodGenerate, body, nil)
	if err != nil {
		return nil, err
	}
	b, err := provider.ReadBody(a, resp)
	if err != nil {
		return nil, provider.Named(err, p.cfg.name)
	}
	return p.decodeGenerate(a.Model, b)
}

// ChatStream opens a streamGenerateContent?alt=sse call. Errors up to and
// including the response headers are returned here; in-band errors and a
// prompt blocked by the safety filters come from the reader's Recv as
// *llmux.Error.
func (p *Provider) ChatStream(ctx context.Context, a *llmux.Attempt) (llmux.ChunkReader, error) {
	body, err := p.chatBody(a)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, a, MethodStream, body, nil)
	if err != nil {
		return nil, err
	}
	return p.newStream(resp.Body, a.Model), nil
}
