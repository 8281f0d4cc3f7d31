package otel_test

import (
	"context"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// BenchmarkLogger_Call measures the logger's work for one call with one
// attempt (pre, post and success events: two spans) on an SDK provider
// with a batch processor and a discarding exporter.
func BenchmarkLogger_Call(b *testing.B) {
	ctx := context.Background()
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	defer tp.Shutdown(ctx)
	l := otel.New(tp)
	start := time.Now()
	temp := 0.5
	e := &llmux.Event{CallID: "c", CallType: llmux.CallCompletion, Model: "gpt-4o", Provider: "openai", StartTime: start,
		Messages:       []llmux.Message{llmux.User("hi")},
		OptionalParams: map[string]any{"temperature": temp},
		Attempt:        llmux.AttemptInfo{Number: 1, StartTime: start, APIBase: "https://api.openai.com/v1/chat/completions"},
		EndTime:        start.Add(time.Second), Usage: llmux.Usage{PromptTokens: 10, CompletionTokens: 20},
		Response: &llmux.Response{ID: "x", Model: "gpt-4o", Choices: []llmux.Choice{{Message: llmux.Message{Role: "assistant", Content: "hello"}, FinishReason: "stop"}}}}
	b.ReportAllocs()
	for b.Loop() {
		e.Type = llmux.EventPreAPICall
		l.LogPreAPICall(ctx, e)
		e.Type = llmux.EventPostAPICall
		l.LogPostAPICall(ctx, e)
		e.Type = llmux.EventSuccess
		l.LogSuccessEvent(ctx, e)
	}
}
