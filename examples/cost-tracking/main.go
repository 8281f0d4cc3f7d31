// Command cost-tracking mirrors LiteLLM's "Custom Callback to track costs
// for Streaming + Non-Streaming": a success callback reading
// kwargs["response_cost"] for completions and for streams (where LiteLLM
// computes it from the complete streaming response).
//
// In llmux the client computes the cost once, from the usage and the price
// table, and carries it on the event as Event.ResponseCost. An unpriced
// model gives Event.CostErr ("cost unknown"), never a silent 0. Prices of
// your own go in a cost.Table (llmux.WithPriceTable) or, for one request,
// in Request.Price. Runs offline on the built-in mock provider, whose usage
// is always 10 prompt + 20 completion tokens.
//
//	go run ./examples/cost-tracking
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"sync"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cost"
)

// CostTracker prints each call's cost and keeps a running total of the
// calls whose cost is known.
type CostTracker struct {
	out io.Writer

	mu      sync.Mutex
	total   float64
	unknown int
}

var _ llmux.SuccessLogger = (*CostTracker)(nil)

// LogSuccessEvent is called for completions and, once the stream ended,
// for streams: both carry the cost.
func (t *CostTracker) LogSuccessEvent(_ context.Context, e *llmux.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	kind := "completion"
	if e.Stream {
		kind = "stream"
	}
	if e.CostErr != nil {
		t.unknown++
		fmt.Fprintf(t.out, "%-10s %-14s cost unknown: %v\n", kind, e.Model, e.CostErr)
		return
	}
	t.total += e.ResponseCost
	b := e.CostBreakdown
	fmt.Fprintf(t.out, "%-10s %-14s response_cost=%g (input %g + output %g) tokens=%d\n",
		kind, e.Model, e.ResponseCost, b.Input, b.Output, e.Usage.TotalTokens)
}

// Total returns the sum of the known costs and the number of calls whose
// cost is unknown.
func (t *CostTracker) Total() (float64, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.total, t.unknown
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer) (err error) {
	tracker := &CostTracker{out: w}
	// Inline: the tracker has run when the call returns (for a stream,
	// when Next returns false), so the output stays in call order.
	logger := llmux.Inline(tracker)

	c, err := llmux.New(llmux.WithCallbacks(logger))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.Close(context.WithoutCancel(ctx))) }()

	msgs := []llmux.Message{llmux.User("Hi 👋 - i'm openai")}

	// Non-streaming: 10 × 5e-07 + 20 × 1.5e-06 = 3.5e-05 USD.
	if _, err := c.Completion(ctx, &llmux.Request{Model: "gpt-3.5-turbo", Messages: msgs, MockResponse: "Hello!"}); err != nil {
		return err
	}

	// Streaming: the same usage, the same cost.
	s, err := c.Stream(ctx, &llmux.Request{Model: "gpt-3.5-turbo", Messages: msgs, MockResponse: "Hello from a stream"})
	if err != nil {
		return err
	}
	for s.Next() {
	}
	if err := errors.Join(s.Err(), s.Close()); err != nil {
		return err
	}

	// A model the price table does not know: cost unknown, not 0.
	if _, err := c.Completion(ctx, &llmux.Request{Model: "mock/my-model", Messages: msgs}); err != nil {
		return err
	}

	// Per request: Request.Price overrides the table.
	if _, err := c.Completion(ctx, &llmux.Request{
		Model: "mock/my-model", Messages: msgs,
		Price: &cost.Price{InputPerToken: 2e-06, OutputPerToken: 4e-06},
	}); err != nil {
		return err
	}

	// Client-wide: register the price on a copy of the embedded table
	// (registering on cost.Default() would change it for the whole process).
	table := cost.Default().Clone()
	table.Register("my-model", cost.Price{Provider: "mock", InputPerToken: 1e-06, OutputPerToken: 2e-06})
	priced, err := llmux.New(llmux.WithPriceTable(table), llmux.WithCallbacks(logger))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, priced.Close(context.WithoutCancel(ctx))) }()
	if _, err := priced.Completion(ctx, &llmux.Request{Model: "mock/my-model", Messages: msgs}); err != nil {
		return err
	}

	total, unknown := tracker.Total()
	fmt.Fprintf(w, "total known cost: %.6g USD; calls with unknown cost: %d\n", total, unknown)
	return nil
}
