package llmux_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cache"
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

// A cache answers the identical second call: no API call, so no pre- or
// post-API-call event, and one success event with CacheHit, a cost of 0
// and the cost it saved.
func ExampleWithCache() {
	mem, _ := cache.NewMemory(cache.WithTTL(10 * time.Minute))
	hits := llmux.SuccessCallback(func(e *llmux.Event, _ any, _, _ time.Time) {
		fmt.Printf("On Success cache_hit=%v response_cost=%v saved_cache_cost=%v\n", e.CacheHit, e.ResponseCost, e.SavedCacheCost)
	})
	c, err := llmux.New(llmux.WithCache(mem), llmux.WithCallbacks(llmux.Inline(printer{}), llmux.Inline(hits)))
	if err != nil {
		panic(err)
	}
	defer c.Close(context.Background())
	req := func() *llmux.Request {
		return &llmux.Request{Model: "gpt-3.5-turbo", Messages: []llmux.Message{llmux.User("Hi")}, MockResponse: "Hello!"}
	}
	for range 2 {
		resp, err := c.Completion(context.Background(), req())
		if err != nil {
			panic(err)
		}
		fmt.Println(resp.Text(), resp.CacheHit)
	}
	// Output:
	// Pre-API Call 1
	// Post-API Call
	// On Success 3.5e-05 <nil>
	// On Success cache_hit=false response_cost=3.5e-05 saved_cache_cost=0
	// Hello! false
	// On Success 0 <nil>
	// On Success cache_hit=true response_cost=0 saved_cache_cost=3.5e-05
	// Hello! true
}

// CacheControl adjusts one request: here its answer is kept for an hour
// under a tenant's namespace, which prefixes the key.
func ExampleCacheControl() {
	req := &llmux.Request{
		Model:    "openai/gpt-4o",
		Messages: []llmux.Message{llmux.User("Hi")},
		Cache:    &llmux.CacheControl{TTL: time.Hour, Namespace: "tenant-a"},
	}
	key, err := llmux.CacheKey(llmux.CallCompletion, req)
	if err != nil {
		panic(err)
	}
	fmt.Println(key[:len("tenant-a:")], len(key)-len("tenant-a:"))
	// Output: tenant-a: 64
}
