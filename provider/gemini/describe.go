package gemini

import "github.com/llmux/llmux/provider"

// Describe returns what the provider is and offers. A provider with its
// own endpoint ([WithEndpoint]) describes itself under its name with no
// variables: whoever made the endpoint documents them (Vertex AI).
func (p *Provider) Describe() provider.Info {
	info := provider.Info{Prefix: p.Name(), Title: "Google Gemini API", Chat: true, Stream: true, Embeddings: true, Tools: true}
	if p.Name() == DefaultName {
		info.Env = []string{"GOOGLE_API_KEY", "GEMINI_API_KEY", "GEMINI_API_BASE"}
		info.Note = "key in `x-goog-api-key`; safety blocks are `content_filtered` errors"
	}
	return info
}
