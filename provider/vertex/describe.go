package vertex

import "github.com/llmux/llmux/provider"

// Describe returns what the provider is and offers.
func (p *Provider) Describe() provider.Info {
	return provider.Info{Prefix: providerName, Title: "Google Vertex AI", Also: p.Prefixes(),
		Env: []string{"VERTEXAI_PROJECT", "VERTEX_PROJECT", "VERTEXAI_LOCATION", "VERTEX_LOCATION",
			"VERTEXAI_CREDENTIALS", "VERTEX_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS", "VERTEXAI_API_BASE", "VERTEX_API_BASE"},
		Chat: true, Stream: true, Embeddings: true, Tools: true,
		Note: "Gemini models (`generateContent`) and Claude models (`rawPredict`, Messages API); Google OAuth (service account or ADC); embeddings with `predict`"}
}
