// Package cost prices LLM calls: it holds a table of per-token prices and
// turns a call's token usage into a cost in US dollars.
//
// The llmux client computes cost once per call with this package and carries
// it on the event, so budgets, metrics and logs all see the same figure. An
// unpriced model gives an error wrapping [ErrUnknownModel] ("cost unknown"),
// never a silent 0.
//
// # Quick start
//
//	b, err := cost.Of("anthropic", "claude-sonnet-4-5", cost.Usage{
//		PromptTokens:       1200, // includes the 1000 cached tokens below
//		CachedPromptTokens: 1000,
//		CompletionTokens:   300,
//	})
//	if errors.Is(err, cost.ErrUnknownModel) {
//		// cost unknown: report it as such, not as 0
//	}
//	fmt.Println(b.Total)
//
// [Default] is the table compiled into the binary as static data, so neither
// importing the package nor the first lookup parses or allocates anything;
// its rows hold no pointer (their strings are ranges of one constant), so
// the garbage collector never scans them. To
// use a newer LiteLLM price file, or prices of your own, layer them over a copy
// of it:
//
//	t := cost.Default().Clone()
//	newer, err := cost.LoadFile("model_prices_and_context_window.json")
//	if err != nil {
//		return err
//	}
//	t.Merge(newer)
//	t.Register("my-finetune", cost.Price{Provider: "openai", InputPerToken: 3e-6, OutputPerToken: 1.2e-5})
//
// # Usage contract
//
// Providers count tokens differently; [Usage] documents the one convention
// this package expects. In short, PromptTokens includes cached and
// cache-creation tokens and CompletionTokens includes reasoning tokens, as
// OpenAI reports them. Anthropic's and Bedrock's input_tokens exclude cache
// reads and writes, and Gemini's candidatesTokenCount excludes thoughts, so
// the client adds them before calling this package.
//
// # Data and licence
//
// The embedded table (prices_gen.go, Go source) is generated from LiteLLM's
// model_prices_and_context_window.json at BerriAI/litellm commit
// 4c1b15d6854c9ccad7e4348ed6f45edc45f8039d (2026-03-03), keeping only the
// fields this package reads. That file is MIT licensed,
// Copyright (c) 2023 Berri AI; see the NOTICE file in this directory.
//
// To regenerate it, replace ../shared/data/model_prices.json (relative to the
// repository) with the newer file and run go generate ./cost from the
// repository root. That rewrites prices_gen.go and testdata/prices.json.gz, a
// reduced copy of the source that the tests compare the generated table with;
// running it twice gives identical files. Then update the commit and date
// above and in NOTICE. See internal/gen.
//
// Related: package tokenizer estimates token counts when a provider reports
// no usage.
package cost
