package bedrock

import (
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

var _ provider.ParamSupporter = (*Provider)(nil)

// converseParams are the OpenAI parameters Converse takes; the package
// documentation lists the member each one becomes.
var converseParams = map[string]bool{
	"temperature": true, "top_p": true, "max_tokens": true, "max_completion_tokens": true, "n": true,
	"stop": true, "tools": true, "tool_choice": true, "response_format": true,
}

// SupportsParam reports whether Converse sends the OpenAI parameter name
// for a chat completion to model: temperature, top_p, max_tokens,
// max_completion_tokens, stop, tools, tool_choice, response_format (a
// forced json_tool_call whose input is the answer), n (n = 1 is what
// Converse does; n > 1 fails with CodeUnsupported), and reasoning_effort
// for Anthropic Claude models (a thinking budget). Everything else (seed,
// logprobs, penalties, user, parallel_tool_calls...) is
// refused, unless the caller drops or allows it. Embeddings take
// encoding_format, and dimensions for amazon.titan-embed-text-v2 and
// cohere.embed-v4; text completions take nothing: there are none.
func (p *Provider) SupportsParam(ct llmux.CallType, model, name string) bool {
	if ct == llmux.CallEmbedding {
		return embeddingParam(model, name)
	}
	if ct != llmux.CallCompletion {
		return false
	}
	if name == "reasoning_effort" {
		return strings.Contains(model, "anthropic.claude")
	}
	return converseParams[name]
}

// requestParams returns the request's provider settings (LiteLLM's
// litellm_params names), nil when it has none.
func requestParams(a *llmux.Attempt) map[string]string {
	if a == nil || a.Request == nil {
		return nil
	}
	return a.Request.ProviderParams
}
