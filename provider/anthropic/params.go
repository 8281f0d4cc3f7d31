package anthropic

import (
	"encoding/json"
	"slices"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

var _ provider.ParamSupporter = (*Provider)(nil)

// messagesParams are the OpenAI parameters the Messages API takes; the
// package documentation lists the member each one becomes.
var messagesParams = map[string]bool{
	"temperature": true, "top_p": true, "max_tokens": true, "max_completion_tokens": true, "n": true,
	"stop": true, "user": true, "tools": true, "tool_choice": true, "parallel_tool_calls": true,
	"reasoning_effort": true, "service_tier": true,
}

// completeParams are the OpenAI parameters the legacy Text Completions API
// takes.
var completeParams = map[string]bool{
	"temperature": true, "top_p": true, "max_tokens": true, "max_completion_tokens": true, "n": true,
	"stop": true, "user": true,
}

// SupportsParam reports whether the API serving model sends the OpenAI
// parameter name, for chat and text completions: the Messages API, or the
// legacy Text Completions API for claude-2 and claude-instant models. The
// package documentation lists what each supported parameter becomes and
// what is refused. "n" is supported because n = 1 is what both APIs do;
// n > 1 fails the call with CodeUnsupported. Embeddings take nothing:
// Anthropic has no embeddings API.
func (p *Provider) SupportsParam(ct llmux.CallType, model, name string) bool {
	if ct != llmux.CallCompletion && ct != llmux.CallTextCompletion {
		return false
	}
	if isLegacyModel(model) {
		return completeParams[name]
	}
	return messagesParams[name]
}

// allowedFields returns, as body fields under their OpenAI names, the
// typed parameters the request sets and lists in AllowedParams although
// the API does not map them (seed, response_format...): the caller asked
// for them to be sent anyway. Extra keys need no help: they are always
// merged into the body.
func allowedFields(r *llmux.Request, supported map[string]bool) []field {
	var out []field
	for _, name := range r.AllowedParams {
		if supported[name] || slices.ContainsFunc(out, func(f field) bool { return f.Key == name }) {
			continue
		}
		if v, ok := typedParam(r, name); ok {
			out = append(out, field{Key: name, Val: v, When: true})
		}
	}
	return out
}

// typedParam returns the value of the typed request field the OpenAI
// parameter name is, in OpenAI's JSON shape, and whether it is set.
func typedParam(r *llmux.Request, name string) (any, bool) {
	switch name {
	case "temperature":
		return r.Temperature, r.Temperature != nil
	case "top_p":
		return r.TopP, r.TopP != nil
	case "max_tokens":
		return r.MaxTokens, r.MaxTokens != nil
	case "max_completion_tokens":
		return r.MaxCompletionTokens, r.MaxCompletionTokens != nil
	case "n":
		return r.N, r.N != nil
	case "stop":
		return r.Stop, len(r.Stop) > 0
	case "presence_penalty":
		return r.PresencePenalty, r.PresencePenalty != nil
	case "frequency_penalty":
		return r.FrequencyPenalty, r.FrequencyPenalty != nil
	case "seed":
		return r.Seed, r.Seed != nil
	case "logprobs":
		return r.Logprobs, r.Logprobs != nil
	case "top_logprobs":
		return r.TopLogprobs, r.TopLogprobs != nil
	case "tools":
		return r.Tools, len(r.Tools) > 0
	case "tool_choice":
		return r.ToolChoice, r.ToolChoice != nil
	case "parallel_tool_calls":
		return r.ParallelToolCalls, r.ParallelToolCalls != nil
	case "response_format":
		return json.RawMessage(r.ResponseFormat), len(r.ResponseFormat) > 0
	case "reasoning_effort":
		return r.ReasoningEffort, r.ReasoningEffort != ""
	case "dimensions":
		return r.Dimensions, r.Dimensions != nil
	case "encoding_format":
		return r.EncodingFormat, r.EncodingFormat != ""
	case "user":
		return r.User, r.User != ""
	}
	return nil, false
}

// Thinking budgets of reasoning_effort, as LiteLLM maps them
// (litellm/constants.py DEFAULT_REASONING_EFFORT_*_THINKING_BUDGET).
// LiteLLM's "minimal" budget (128) is below the API's minimum, so it is
// raised to that minimum, as LiteLLM itself now does.
var thinkingBudgets = map[string]int{
	"minimal": minThinkingBudget,
	"low":     1024,
	"medium":  2048,
	"high":    4096,
	"xhigh":   8192,
}

// minThinkingBudget is the smallest budget_tokens the Messages API
// accepts:
// https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking
const minThinkingBudget = 1024

type thinkingConfig struct {
	Type         string `json:"type"`
	BudgetTokens int    `json:"budget_tokens,omitempty"`
}

// thinkingFor maps reasoning_effort to the thinking member and the
// max_tokens to send with it. The API wants max_tokens > budget_tokens
// (thinking counts toward max_tokens): without an explicit max_tokens the
// budget is added to the default, so the answer keeps its usual room; an
// explicit max_tokens at or below the budget lowers the budget to
// max_tokens-1, and fails when that is below the API's minimum.
func thinkingFor(effort string, maxTokens int, explicit bool) (thinkingConfig, int, error) {
	if effort == "none" {
		return thinkingConfig{Type: "disabled"}, maxTokens, nil
	}
	budget, ok := thinkingBudgets[effort]
	if !ok {
		return thinkingConfig{}, 0, invalidParam("reasoning_effort",
			"reasoning_effort %q is not one of none, minimal, low, medium, high, xhigh", effort)
	}
	switch {
	case !explicit:
		maxTokens += budget
	case maxTokens <= budget:
		budget = maxTokens - 1
		if budget < minThinkingBudget {
			return thinkingConfig{}, 0, invalidParam("reasoning_effort",
				"reasoning_effort %q needs max_tokens above %d (the smallest thinking budget), got %d", effort, minThinkingBudget, maxTokens)
		}
	}
	return thinkingConfig{Type: "enabled", BudgetTokens: budget}, maxTokens, nil
}

// serviceTier maps OpenAI's service_tier to the Messages API's: "auto"
// and "priority" to "auto" (use Priority Tier capacity when the
// organisation has it), "default" to "standard_only"; Anthropic's own
// values pass. "flex" and "scale" have no equivalent.
// https://docs.anthropic.com/en/api/service-tiers
func serviceTier(raw json.RawMessage) (string, error) {
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", invalidParam("service_tier", "service_tier must be a string")
	}
	switch v {
	case "auto", "priority":
		return "auto", nil
	case "default", "standard_only":
		return "standard_only", nil
	}
	return "", invalidParam("service_tier", "service_tier %q has no Anthropic equivalent (auto, default, priority or standard_only)", v)
}
