package otel_test

import (
	"context"
	"fmt"
	"sort"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// With a TracerProvider of your own: here one recording in memory.
func ExampleNew() {
	ctx := context.Background()
	rec := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(rec))
	defer tp.Shutdown(ctx)

	c, err := llmux.New(llmux.WithCallbacks(otel.New(tp)))
	if err != nil {
		panic(err)
	}
	maxTokens := 64
	if _, err := c.Completion(ctx, &llmux.Request{Model: "gpt-4o", MaxTokens: &maxTokens,
		Messages: []llmux.Message{llmux.User("Hi")}, MockResponse: "Hello!"}); err != nil {
		panic(err)
	}
	if err := c.Close(ctx); err != nil { // delivers the events, then flushes tp
		panic(err)
	}
	spans := rec.GetSpans()
	sort.Slice(spans, func(i, j int) bool { return spans[i].Name > spans[j].Name })
	for _, s := range spans {
		fmt.Println(s.Name, s.SpanKind)
		for _, kv := range s.Attributes {
			switch kv.Key {
			case "gen_ai.request.max_tokens", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.response.finish_reasons", "llmux.attempt":
				fmt.Printf("  %s=%s\n", kv.Key, kv.Value.String())
			}
		}
	}
	// Output:
	// chat gpt-4o client
	//   gen_ai.request.max_tokens=64
	//   gen_ai.response.finish_reasons=["stop"]
	//   gen_ai.usage.input_tokens=10
	//   gen_ai.usage.output_tokens=20
	// attempt 1 gpt-4o client
	//   llmux.attempt=1
}
