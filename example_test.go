package llmux_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/llmux/llmux"
)

// printer is a logger implementing every hook, as LiteLLM's CustomLogger.
type printer struct{}

func (printer) LogPreAPICall(_ context.Context, e *llmux.Event) {
	fmt.Println("Pre-API Call", e.Attempt.Number)
}
func (printer) LogPostAPICall(_ context.Context, e *llmux.Event) { fmt.Println("Post-API Call") }
func (printer) LogSuccessEvent(_ context.Context, e *llmux.Event) {
	fmt.Println("On Success", e.ResponseCost, e.Metadata["hello"])
}
func (printer) LogFailureEvent(_ context.Context, e *llmux.Event) {
	fmt.Println("On Failure", llmux.CodeOf(e.Err))
}

func ExampleClient_Completion() {
	ctx := context.Background()
	// Inline makes the logger run before Completion returns, so the
	// output below is in order.
	c, err := llmux.New(llmux.WithCallbacks(llmux.Inline(printer{})))
	if err != nil {
		panic(err)
	}
	defer c.Close(ctx)
	resp, err := c.Completion(ctx, &llmux.Request{
		Model:        "gpt-3.5-turbo",
		Messages:     []llmux.Message{llmux.User("Hi 👋 - i'm openai")},
		Metadata:     map[string]any{"hello": "world"},
		MockResponse: "Hello!",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.Text())
	// Output:
	// Pre-API Call 1
	// Post-API Call
	// On Success 3.5e-05 world
	// Hello!
}

func ExampleClient_Stream() {
	ctx := context.Background()
	done := llmux.SuccessCallback(func(e *llmux.Event, resp any, start, end time.Time) {
		fmt.Printf("complete: %q, %d tokens\n", e.CompleteStreamingResponse.Text(), e.Usage.TotalTokens)
	})
	c, err := llmux.New(llmux.WithCallbacks(llmux.Inline(done)))
	if err != nil {
		panic(err)
	}
	defer c.Close(ctx)
	s, err := c.Stream(ctx, &llmux.Request{Model: "mock/demo", Messages: []llmux.Message{llmux.User("Hi")}, MockResponse: "Hello there"})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	for s.Next() {
		fmt.Printf("%q\n", s.Chunk().Text())
	}
	if err := s.Err(); err != nil {
		panic(err)
	}
	// Output:
	// "Hello"
	// " there"
	// ""
	// ""
	// complete: "Hello there", 30 tokens
}

func ExampleSetCallbacks() {
	ctx := context.Background()
	if err := llmux.SetCallbacks(llmux.Inline(printer{})); err != nil {
		panic(err)
	}
	defer llmux.SetCallbacks() //nolint:errcheck // reset for other examples
	_, err := llmux.Completion(ctx, &llmux.Request{
		Model:        "gpt-3.5-turbo",
		Messages:     []llmux.Message{llmux.User("Hi")},
		MockResponse: &llmux.Error{Code: llmux.CodeRateLimited, Message: "slow down"},
		MaxRetries:   new(int),
	})
	var e *llmux.Error
	fmt.Println(errors.As(err, &e), e.Code)
	// Output:
	// Pre-API Call 1
	// On Failure rate_limited
	// true rate_limited
}

func ExampleCost() {
	resp := &llmux.Response{Model: "gpt-3.5-turbo", Usage: llmux.Usage{PromptTokens: 10, CompletionTokens: 20}}
	b, err := llmux.Cost(resp, "openai")
	fmt.Println(b.Total, err)
	// Output: 3.5e-05 <nil>
}
