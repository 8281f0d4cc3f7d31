package otel_test

import (
	"context"
	"errors"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/otel"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// successOnly passes a logger its success events alone, as the gateway's
// success_callback does.
type successOnly struct{ l *otel.Logger }

func (s successOnly) LogSuccessEvent(ctx context.Context, e *llmux.Event) {
	s.l.LogSuccessEvent(ctx, e)
}

func attrsOf(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	out := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		out[kv.Key] = kv.Value
	}
	return out
}

// TestStream_TimeToFirstTokenAndSuccessOnly: a stream's span has
// llmux.stream and the time to first token; a logger given success events
// only (no pre/post events) still makes the attempt span from the
// terminal event; the caller's SDK span is the parent.
func TestStream_TimeToFirstTokenAndSuccessOnly(t *testing.T) {
	ctx := context.Background()
	rec := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(rec))
	defer tp.Shutdown(ctx)
	l := otel.New(tp)
	c, err := llmux.New(llmux.WithCallbacks(successOnly{l}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, parent := tp.Tracer("app").Start(ctx, "handle request")
	s, err := c.Stream(ctx, &llmux.Request{Model: "gpt-4o", Messages: []llmux.Message{llmux.User("hi")}, MockResponse: "one two three"})
	if err != nil {
		t.Fatal(err)
	}
	for s.Next() {
	}
	if err := errors.Join(s.Err(), s.Close()); err != nil {
		t.Fatal(err)
	}
	parent.End()
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Shutdown(ctx); err != nil { // a provider of ours: flushed, not shut down
		t.Fatal(err)
	}
	var call, attempt sdktrace.ReadOnlySpan
	for _, sp := range rec.GetSpans().Snapshots() {
		switch sp.Name() {
		case "chat gpt-4o":
			call = sp
		case "attempt 1 gpt-4o":
			attempt = sp
		}
	}
	if call == nil || attempt == nil {
		t.Fatalf("spans %v", rec.GetSpans())
	}
	a := attrsOf(call)
	if !a["llmux.stream"].AsBool() {
		t.Error("llmux.stream not set")
	}
	if v, ok := a["llmux.time_to_first_token_s"]; !ok || v.AsFloat64() < 0 {
		t.Errorf("llmux.time_to_first_token_s = %v (present %v)", v, ok)
	}
	if call.Parent().SpanID() != parent.SpanContext().SpanID() || call.SpanContext().TraceID() != parent.SpanContext().TraceID() {
		t.Errorf("call span parent %v, want the caller's span %v", call.Parent().SpanID(), parent.SpanContext().SpanID())
	}
	if attempt.Parent().SpanID() != call.SpanContext().SpanID() {
		t.Errorf("attempt parent %v, want the call span", attempt.Parent().SpanID())
	}
	if attempt.StartTime().Before(call.StartTime()) || attempt.EndTime().After(call.EndTime()) {
		t.Errorf("attempt %v..%v outside the call %v..%v", attempt.StartTime(), attempt.EndTime(), call.StartTime(), call.EndTime())
	}
}
