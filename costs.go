package llmux

import (
	"errors"

	"github.com/llmux/llmux/cost"
)

// Cost returns the cost in USD of a response from the given provider
// ("openai", "anthropic", ...), priced by its model and usage with the
// embedded price table ([cost.Default]), like LiteLLM's completion_cost.
// An unpriced model gives an error wrapping [cost.ErrUnknownModel].
func Cost(resp *Response, provider string) (cost.Breakdown, error) {
	if resp == nil {
		return cost.Breakdown{}, errors.New("llmux: Cost of a nil response")
	}
	return usageCost(cost.Default(), provider, resp.Usage, resp.Model, "")
}

// Cost is [Cost] with the client's price table ([WithPriceTable]).
func (c *Client) Cost(resp *Response, provider string) (cost.Breakdown, error) {
	if resp == nil {
		return cost.Breakdown{}, errors.New("llmux: Cost of a nil response")
	}
	return usageCost(c.cfg.prices, provider, resp.Usage, resp.Model, "")
}

// usageCost prices a usage under model, else under fallback (the model
// name the provider answered with, which may carry a date suffix).
func usageCost(t *cost.Table, provider string, u Usage, model, fallback string) (cost.Breakdown, error) {
	cu := costUsage(u)
	b, err := t.Cost(provider, model, cu)
	if errors.Is(err, cost.ErrUnknownModel) && fallback != "" && fallback != model {
		if b2, err2 := t.Cost(provider, fallback, cu); err2 == nil {
			return b2, nil
		}
	}
	return b, err
}

func costUsage(u Usage) cost.Usage {
	return cost.Usage{
		PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens,
		CachedPromptTokens: u.CachedTokens, CacheCreationTokens: u.CacheCreationTokens,
		ReasoningTokens: u.ReasoningTokens,
	}
}
