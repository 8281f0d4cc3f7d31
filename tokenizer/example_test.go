package tokenizer_test

import (
	"fmt"

	"github.com/llmux/llmux/tokenizer"
)

func ExampleCount() {
	fmt.Println(tokenizer.Count("gpt-4o", "hello world"))
	fmt.Println(tokenizer.Count("claude-sonnet-4-5", "hello world")) // cl100k_base estimate
	// Output:
	// 2
	// 2
}

func ExampleMessageOverhead() {
	// Estimate the prompt tokens of a chat request, as OpenAI counts them.
	model := "gpt-4o"
	msgs := []struct{ Role, Content string }{
		{"system", "You are terse."},
		{"user", "hello world"},
	}
	n := tokenizer.ReplyOverhead
	for _, m := range msgs {
		n += tokenizer.MessageOverhead + tokenizer.Count(model, m.Role) + tokenizer.Count(model, m.Content)
	}
	fmt.Println(n)
	// Output: 17
}
