package bedrock

import "github.com/llmux/llmux/provider"

var _ provider.Describer = (*Provider)(nil)

// Describe returns what the provider is and offers.
func (p *Provider) Describe() provider.Info {
	return provider.Info{Prefix: providerName, Title: "AWS Bedrock", Also: p.Prefixes(),
		Env: []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
			"AWS_BEARER_TOKEN_BEDROCK", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_REGION_NAME", "AWS_BEDROCK_RUNTIME_ENDPOINT"},
		Chat: true, Stream: true, Embeddings: true, Tools: true,
		Note: "Converse and ConverseStream (every Bedrock chat model), SigV4 with the AWS default credential chain or a Bedrock API key; " +
			"embeddings with `InvokeModel` (Titan, Cohere)"}
}
