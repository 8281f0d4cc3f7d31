package cost_test

import (
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/llmux/llmux/cost"
)

func ExampleOf() {
	b, err := cost.Of("openai", "gpt-3.5-turbo", cost.Usage{PromptTokens: 10, CompletionTokens: 20})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.Input, b.Output, b.Total)
	// Output: 5e-06 3e-05 3.5e-05
}

func ExampleOf_cachedTokens() {
	// Anthropic reported input_tokens 100, cache_read_input_tokens 1000 and
	// cache_creation_input_tokens 100: PromptTokens adds them up.
	b, err := cost.Of("anthropic", "claude-sonnet-4-5", cost.Usage{
		PromptTokens:        1200,
		CachedPromptTokens:  1000,
		CacheCreationTokens: 100,
		CompletionTokens:    300,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", b)
	// Output: {Input:0.0003 CacheRead:0.0003 CacheCreation:0.000375 Output:0.0045 Reasoning:0 Total:0.005475}
}

func ExampleOf_unknownModel() {
	_, err := cost.Of("openai", "my-private-model", cost.Usage{PromptTokens: 10})
	fmt.Println(errors.Is(err, cost.ErrUnknownModel))
	fmt.Println(err)
	// Output:
	// true
	// cost: no price for model "openai/my-private-model": not in the table
}

func ExampleProviderOf() {
	for _, model := range []string{"gpt-4o", "claude-sonnet-4-5", "azure/gpt-4o"} {
		p, _ := cost.ProviderOf(model)
		fmt.Println(model, p)
	}
	// Output:
	// gpt-4o openai
	// claude-sonnet-4-5 anthropic
	// azure/gpt-4o azure
}

func ExampleTable_Register() {
	t := cost.Default().Clone() // keep the process-wide table unchanged
	t.Register("my-finetune", cost.Price{Provider: "openai", InputPerToken: 3e-06, OutputPerToken: 1.2e-05})
	b, err := t.Cost("openai", "my-finetune", cost.Usage{PromptTokens: 1000, CompletionTokens: 100})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.Total)
	// Output: 0.0042
}

func ExampleLoad() {
	// A newer LiteLLM file, layered over the embedded table.
	newer, err := cost.Load(strings.NewReader(`{
		"gpt-9": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-05, "output_cost_per_token": 4e-05}
	}`))
	if err != nil {
		log.Fatal(err)
	}
	t := cost.Default().Clone()
	t.Merge(newer)
	b, err := t.Cost("", "gpt-9", cost.Usage{PromptTokens: 100, CompletionTokens: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.Total)
	// Output: 0.0014
}
