package gemini

import (
	"strings"

	"github.com/llmux/llmux"
)

// chatParams are the OpenAI parameters generateContent takes; the package
// documentation lists the member each one becomes.
var chatParams = map[string]bool{
	"temperature": true, "top_p": true, "max_tokens": true, "max_completion_tokens": true, "n": true,
	"stop": true, "presence_penalty": true, "frequency_penalty": true, "seed": true, "logprobs": true,
	"top_logprobs": true, "tools": true, "tool_choice": true, "response_format": true, "reasoning_effort": true,
}

// embeddingParams are the OpenAI parameters of embeddings: dimensions
// becomes outputDimensionality, encoding_format "base64" is made from the
// floats Gemini returns.
var embeddingParams = map[string]bool{"dimensions": true, "encoding_format": true}

// SupportsParam reports whether the OpenAI parameter name is sent, for
// chat completions and embeddings. reasoning_effort is refused for models
// that do not think (gemini-1.x, gemini-2.0, gemma), so the client drops
// or refuses it as configured. Not supported: user,
// parallel_tool_calls (Gemini has no switch for it), logit_bias and the
// other OpenAI-only parameters; text completions are not served.
func (p *Provider) SupportsParam(ct llmux.CallType, model, name string) bool {
	switch ct {
	case llmux.CallCompletion:
		if name == "reasoning_effort" && !thinks(model) {
			return false
		}
		return chatParams[name]
	case llmux.CallEmbedding:
		return embeddingParams[name]
	}
	return false
}

// thinks reports whether a model can take a thinkingConfig: every Gemini
// from 2.5 on, and, to be safe, any model name this package does not know.
func thinks(model string) bool {
	m := strings.ToLower(model)
	m = m[strings.LastIndex(m, "/")+1:]
	for _, p := range [...]string{"gemini-1", "gemini-2.0", "gemini-pro", "gemma", "learnlm"} {
		if strings.HasPrefix(m, p) {
			return false
		}
	}
	return true
}
