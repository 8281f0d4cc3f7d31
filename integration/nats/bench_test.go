package nats

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/llmux/llmux/integration/delivery"
)

// BenchmarkSend publishes batches of 100 payloads and waits for their
// acks, as the logger does; msgs/s is the figure.
func BenchmarkSend(b *testing.B) {
	url := DefaultURL
	ctx := context.Background()
	id := time.Now().UnixNano()
	stream, subject := fmt.Sprintf("LLMUX_BENCH_%d", id), fmt.Sprintf("llmux.bench.%d", id)
	l, err := New(ctx, Options{URL: url, Subject: subject, Stream: stream})
	if err != nil {
		b.Skip(err)
	}
	defer func() {
		_ = l.js.DeleteStream(ctx, stream)
		_ = l.Shutdown(ctx)
	}()
	e := testEvents()[0]
	batch := make([]delivery.Record, 100)
	n := 0
	for b.Loop() {
		for i := range batch {
			c := *e
			c.CallID = fmt.Sprintf("bench-%d", n)
			n++
			batch[i] = Record(&c)
		}
		if err := l.send(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}
