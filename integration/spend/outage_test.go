package spend

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/delivery"
	"github.com/llmux/llmux/internal/pgtest"
	"github.com/llmux/llmux/internal/tcpproxy"
)

// TestLogger_PostgresDownThenBackLosesNothing takes the database away
// (refused and reset connections) while calls finish, brings it back,
// and finds every row exactly once: connection errors are retried, and
// the retried batch does not duplicate.
func TestLogger_PostgresDownThenBackLosesNothing(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Schema(t)
	p := tcpproxy.Start(t, "127.0.0.1:5432")
	dsn = strings.Replace(dsn, "127.0.0.1:5432", p.Addr, 1) + "&connect_timeout=1"
	ctx := context.Background()
	l, err := Open(ctx, dsn, Options{Delivery: delivery.Options{Name: "sql-outage", BatchSize: 7,
		FlushInterval: time.Millisecond, InitialBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}})
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
	start := time.Now()
	logN(10, n)
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("logging %d events with the database down took %v", n-10, d)
	}
	time.Sleep(300 * time.Millisecond) // several failed attempts
	if s := l.Stats(); s.Delivered != 10 || s.Queued != n-10 {
		t.Errorf("while down: %+v", s)
	}
	p.Up(t)
	fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := l.Flush(fctx); err != nil {
		t.Fatal(err)
	}
	rows, err := l.Store().Rows(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if len(rows) != n {
		t.Fatalf("%d rows after the outage, want %d", len(rows), n)
	}
	if s := l.Stats(); s.Emitted != n || s.Delivered != n || len(s.Dropped) != 0 || s.Queued != 0 {
		t.Errorf("stats %+v", s)
	}
}
