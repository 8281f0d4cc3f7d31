package nats

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/tcpproxy"
)

// TestLogger_ServerDownThenBackLosesNothing cuts the connection to NATS
// while calls finish and restores it: every payload is in the stream
// exactly once (missing acks are retried; Nats-Msg-Id drops the copies).
func TestLogger_ServerDownThenBackLosesNothing(t *testing.T) {
	t.Parallel()
	url := need(t)
	stream, subject := unique(t, url)
	p := tcpproxy.Start(t, strings.TrimPrefix(url, "nats://"))
	o := fast("nats://"+p.Addr, subject, stream)
	o.AckTimeout = 200 * time.Millisecond
	o.Conn = []natsgo.Option{natsgo.ReconnectWait(20 * time.Millisecond)}
	o.Delivery.BatchSize = 7
	o.Delivery.MaxBackoff = 50 * time.Millisecond
	ctx := context.Background()
	l, err := New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	const n = 50
	logN := func(from, to int) {
		for i := from; i < to; i++ {
			l.LogSuccessEvent(ctx, &llmux.Event{Type: llmux.EventSuccess, CallID: fmt.Sprintf("call-%03d", i), Model: "m",
				StartTime: t0, EndTime: t0.Add(time.Millisecond)})
		}
	}
	logN(0, 10)
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	p.Down()
	logN(10, n)
	time.Sleep(500 * time.Millisecond)
	if s := l.Stats(); s.Delivered != 10 {
		t.Errorf("while down: %+v", s)
	}
	p.Up(t)
	fctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := l.Flush(fctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if s := l.Stats(); s.Emitted != n || s.Delivered != n || len(s.Dropped) != 0 || s.Queued != 0 {
		t.Errorf("stats %+v", s)
	}
	msgs := messages(t, url, stream)
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.Header.Get(jetstream.MsgIDHeader)]++
	}
	if len(msgs) != n || len(seen) != n {
		t.Fatalf("%d messages, %d distinct ids; want %d each", len(msgs), len(seen), n)
	}
}
