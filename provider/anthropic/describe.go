package anthropic

import "github.com/llmux/llmux/provider"

// Describe returns what the provider is and offers.
func (p *Provider) Describe() provider.Info {
	return provider.Info{Prefix: "anthropic", Title: "Anthropic", Env: []string{"ANTHROPIC_API_KEY", "ANTHROPIC_API_BASE", "ANTHROPIC_BASE_URL"},
		Chat: true, Stream: true, Tools: true, TextCompletion: true,
		Note: "Messages API; legacy Text Completions (`/v1/complete`)"}
}
