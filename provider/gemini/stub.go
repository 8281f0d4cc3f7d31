package gemini

import (
	"context"

	"github.com/llmux/llmux"
)

func unsupportedYet(name string) error {
	return &llmux.Error{Code: llmux.CodeUnsupported, Provider: name, Message: "not implemented yet"}
}

// Chat performs one generateContent call.
func (p *Provider) Chat(ctx context.Context, a *llmux.Attempt) (*llmux.Response, error) {
	return nil, unsupportedYet(p.cfg.name)
}

// ChatStream opens a streamGenerateContent call.
func (p *Provider) ChatStream(ctx context.Context, a *llmux.Attempt) (llmux.ChunkReader, error) {
	return nil, unsupportedYet(p.cfg.name)
}

// Embedding performs an embedContent or batchEmbedContents call.
func (p *Provider) Embedding(ctx context.Context, a *llmux.Attempt) (*llmux.EmbeddingResponse, error) {
	return nil, unsupportedYet(p.cfg.name)
}

// SupportsParam reports whether the OpenAI parameter name is sent.
func (p *Provider) SupportsParam(ct llmux.CallType, model, name string) bool { return false }
