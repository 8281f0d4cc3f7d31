package cost

import (
	"errors"
	"fmt"
)

// Tier thresholds: a prompt of more than this many tokens (cached and
// cache-creation tokens included) is billed at the matching "above" prices,
// as LiteLLM does.
const (
	Tier200k = 200_000
	Tier128k = 128_000
)

// Price is one model's entry in a [Table]. Prices are in US dollars per
// token. The JSON field each one comes from in LiteLLM's price file is named
// in its comment.
//
// A zero price means "not set" wherever a fallback exists: cache reads and
// cache writes fall back to the input price, reasoning tokens to the output
// price and each tiered price to its base price.
type Price struct {
	Provider        string // litellm_provider: "openai", "anthropic", "azure", ...
	Mode            string // mode: "chat", "completion", "embedding", "responses", ...
	MaxInputTokens  int    // max_input_tokens; 0 if unknown
	MaxOutputTokens int    // max_output_tokens; 0 if unknown

	InputPerToken         float64 // input_cost_per_token
	OutputPerToken        float64 // output_cost_per_token
	CacheReadPerToken     float64 // cache_read_input_token_cost
	CacheCreationPerToken float64 // cache_creation_input_token_cost
	ReasoningPerToken     float64 // output_cost_per_reasoning_token

	// Prices for prompts of more than Tier200k tokens.
	InputPerTokenAbove200k         float64 // input_cost_per_token_above_200k_tokens
	OutputPerTokenAbove200k        float64 // output_cost_per_token_above_200k_tokens
	CacheReadPerTokenAbove200k     float64 // cache_read_input_token_cost_above_200k_tokens
	CacheCreationPerTokenAbove200k float64 // cache_creation_input_token_cost_above_200k_tokens

	// Prices for prompts of more than Tier128k tokens (older Gemini models).
	InputPerTokenAbove128k  float64 // input_cost_per_token_above_128k_tokens
	OutputPerTokenAbove128k float64 // output_cost_per_token_above_128k_tokens

	// Unpriced is set by [Load] when the entry has neither
	// input_cost_per_token nor output_cost_per_token: the model is billed
	// per image, per second, per request or by a tiered_pricing list, none
	// of which this package reads. [Price.Cost] then reports
	// [ErrUnknownModel] instead of a wrong 0. An entry built by hand and
	// passed to [Table.Register] is priced unless this is set.
	Unpriced bool
}

// Usage is the token usage of one call, in the convention this package
// expects. The llmux client normalises each provider's usage to it:
//
//   - PromptTokens counts every input token, including cache reads and cache
//     writes. OpenAI's prompt_tokens and Gemini's promptTokenCount already
//     do. Anthropic's (and Bedrock Converse's) input_tokens exclude them, so
//     PromptTokens = input_tokens + cache_read_input_tokens +
//     cache_creation_input_tokens.
//   - CachedPromptTokens is the part of PromptTokens read from the prompt
//     cache: OpenAI's prompt_tokens_details.cached_tokens, Anthropic's
//     cache_read_input_tokens, Gemini's cachedContentTokenCount.
//   - CacheCreationTokens is the part of PromptTokens written to the cache:
//     Anthropic's cache_creation_input_tokens (Bedrock cacheWriteInputTokens).
//     OpenAI and Gemini report none.
//   - CompletionTokens counts every output token, including reasoning.
//     OpenAI's completion_tokens and Anthropic's output_tokens already do.
//     Gemini's candidatesTokenCount excludes thoughtsTokenCount, so
//     CompletionTokens = candidatesTokenCount + thoughtsTokenCount.
//   - ReasoningTokens is the part of CompletionTokens spent reasoning:
//     OpenAI's completion_tokens_details.reasoning_tokens, Gemini's
//     thoughtsTokenCount. Anthropic does not report it separately; leave it
//     0 and its thinking tokens are billed as output, which is what
//     Anthropic charges.
type Usage struct {
	PromptTokens        int
	CompletionTokens    int
	CachedPromptTokens  int
	CacheCreationTokens int
	ReasoningTokens     int
}

// Breakdown is the cost of one call in US dollars, split into disjoint parts
// that add up to Total. Each field is rounded to 12 significant digits (see
// [Price.Cost]).
//
// LiteLLM's cost_breakdown.input_cost is Input + CacheRead + CacheCreation
// here, and its output_cost is Output + Reasoning.
type Breakdown struct {
	Input         float64 `json:"input_cost"`          // uncached prompt tokens
	CacheRead     float64 `json:"cache_read_cost"`     // CachedPromptTokens
	CacheCreation float64 `json:"cache_creation_cost"` // CacheCreationTokens
	Output        float64 `json:"output_cost"`         // completion tokens other than reasoning
	Reasoning     float64 `json:"reasoning_cost"`      // ReasoningTokens
	Total         float64 `json:"total_cost"`
}

var (
	// ErrUnknownModel means there is no per-token price for the model, so
	// its cost is unknown: the table has no entry for it, or the entry is
	// [Price.Unpriced]. Callers report "cost unknown", never 0.
	ErrUnknownModel = errors.New("cost: no price for model")

	// ErrInvalidUsage means a [Usage] breaks its contract: a negative count,
	// or parts that exceed their total. Usually it is an Anthropic usage
	// passed on without adding the cache tokens to PromptTokens.
	ErrInvalidUsage = errors.New("cost: invalid usage")
)

func (u Usage) validate() error {
	switch {
	case u.PromptTokens < 0 || u.CompletionTokens < 0 || u.CachedPromptTokens < 0 ||
		u.CacheCreationTokens < 0 || u.ReasoningTokens < 0:
		return fmt.Errorf("%w: negative token count in %+v", ErrInvalidUsage, u)
	case u.CachedPromptTokens+u.CacheCreationTokens > u.PromptTokens:
		return fmt.Errorf("%w: cached (%d) plus cache creation (%d) tokens exceed prompt tokens (%d)",
			ErrInvalidUsage, u.CachedPromptTokens, u.CacheCreationTokens, u.PromptTokens)
	case u.ReasoningTokens > u.CompletionTokens:
		return fmt.Errorf("%w: reasoning tokens (%d) exceed completion tokens (%d)",
			ErrInvalidUsage, u.ReasoningTokens, u.CompletionTokens)
	}
	return nil
}

// Cost returns the cost of usage u at price p:
//
//   - uncached input (PromptTokens - CachedPromptTokens - CacheCreationTokens)
//     at InputPerToken;
//   - cache reads at CacheReadPerToken and cache writes at
//     CacheCreationPerToken, each falling back to the input price if 0;
//   - reasoning tokens at ReasoningPerToken (falling back to the output
//     price) and the rest of CompletionTokens at OutputPerToken;
//   - when PromptTokens exceeds [Tier200k] (or [Tier128k]) and the model has
//     an input price for that tier, the tier's prices replace the base ones,
//     for the whole call, as LiteLLM does;
//   - embedding models (Mode "embedding") are billed for input only.
//
// Each part and the total are rounded to 12 significant digits. A float64
// holds about 16; the products and the sum carry a few units of rounding
// noise in the last of them (10 × 5e-07 + 20 × 1.5e-06 is
// 3.5000000000000004e-05). Rounding to 12 removes the noise, so figures
// print, compare and add up cleanly, and still resolves a millionth of a
// cent on a bill of a million dollars. Total is rounded from the unrounded
// sum.
//
// Cost returns an error wrapping [ErrUnknownModel] if p is Unpriced, and
// one wrapping [ErrInvalidUsage] if u breaks its contract.
func (p *Price) Cost(u Usage) (Breakdown, error) {
	if p.Unpriced {
		return Breakdown{}, fmt.Errorf("%w: not billed per token", ErrUnknownModel)
	}
	if err := u.validate(); err != nil {
		return Breakdown{}, err
	}

	in, out := p.InputPerToken, p.OutputPerToken
	read, write := p.CacheReadPerToken, p.CacheCreationPerToken
	switch {
	case u.PromptTokens > Tier200k && p.InputPerTokenAbove200k > 0:
		in = p.InputPerTokenAbove200k
		out = or(p.OutputPerTokenAbove200k, out)
		read = or(p.CacheReadPerTokenAbove200k, read)
		write = or(p.CacheCreationPerTokenAbove200k, write)
	case u.PromptTokens > Tier128k && p.InputPerTokenAbove128k > 0:
		in = p.InputPerTokenAbove128k
		out = or(p.OutputPerTokenAbove128k, out)
	}
	read, write = or(read, in), or(write, in)
	reason := or(p.ReasoningPerToken, out)

	uncached := u.PromptTokens - u.CachedPromptTokens - u.CacheCreationTokens
	input := float64(uncached) * in
	cacheRead := float64(u.CachedPromptTokens) * read
	cacheCreation := float64(u.CacheCreationTokens) * write
	var output, reasoning float64
	if p.Mode != "embedding" {
		output = float64(u.CompletionTokens-u.ReasoningTokens) * out
		reasoning = float64(u.ReasoningTokens) * reason
	}
	return Breakdown{
		Input:         round(input),
		CacheRead:     round(cacheRead),
		CacheCreation: round(cacheCreation),
		Output:        round(output),
		Reasoning:     round(reasoning),
		Total:         round(input + cacheRead + cacheCreation + output + reasoning),
	}, nil
}

// or returns v, or fallback if v is 0.
func or(v, fallback float64) float64 {
	if v == 0 {
		return fallback
	}
	return v
}
