package prometheus_test

import (
	"context"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/prometheus"
)

// BenchmarkLogger_Success measures recording one successful call.
func BenchmarkLogger_Success(b *testing.B) {
	m := prometheus.New()
	start := time.Now()
	e := &llmux.Event{Type: llmux.EventSuccess, Model: "gpt-4o", Provider: "openai", StartTime: start, EndTime: start.Add(time.Second),
		Usage: llmux.Usage{PromptTokens: 10, CompletionTokens: 20}, ResponseCost: 1e-4}
	b.ReportAllocs()
	for b.Loop() {
		m.LogSuccessEvent(context.Background(), e)
	}
}
