package otel_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/delivery"
	"github.com/llmux/llmux/integration/otel"
)

// TestHungCollector_CallsAndLoggerNeverWait: with a collector that holds
// every export until released, calls return at once, the logger keeps
// up (no llmux queue drops), the spans beyond MaxQueueSize are dropped
// as queue_full, and emitted = delivered + dropped + queued holds before
// and after; once released, Close delivers what was queued (queued 0).
func TestHungCollector_CallsAndLoggerNeverWait(t *testing.T) {
	release := make(chan struct{})
	var once bool
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer recv.Close()
	defer func() {
		if !once {
			close(release)
		}
	}()
	ctx := context.Background()
	const queue = 8
	l, err := otel.NewExporter(ctx, otel.Config{Endpoint: recv.URL + "/v1/traces", MaxQueueSize: queue, BatchTimeout: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c, err := llmux.New(llmux.WithCallbacks(l))
	if err != nil {
		t.Fatal(err)
	}
	const calls = 200
	start := time.Now()
	for range calls {
		if _, err := c.Completion(ctx, &llmux.Request{Model: "gpt-4o", Messages: []llmux.Message{llmux.User("hi")}, MockResponse: "ok"}); err != nil {
			t.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	// Every event reaches the logger while the collector hangs.
	deadline := time.Now().Add(5 * time.Second)
	for {
		var st llmux.LoggerStats
		for _, s := range c.Stats() {
			if s.Name == "otel" {
				st = s
			}
		}
		// Each call emits pre, post and success events.
		if st.Delivered == 3*calls || time.Now().After(deadline) {
			if st.Dropped() != 0 || st.Delivered != 3*calls {
				t.Errorf("logger stats %+v: want all %d events delivered to the logger, none dropped", st, 3*calls)
			}
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	check := func(when string, s delivery.Stats) {
		t.Helper()
		var dropped uint64
		for _, n := range s.Dropped {
			dropped += n
		}
		if s.Emitted != s.Delivered+dropped+s.Queued {
			t.Errorf("%s: %+v: emitted != delivered + dropped + queued", when, s)
		}
	}
	hung := l.SinkStats()
	check("hung", hung)
	// Two spans per call (call + attempt); at most `queue` wait or are in
	// the export that hangs.
	if hung.Emitted != 2*calls || hung.Delivered != 0 || hung.Queued > queue || hung.Dropped[delivery.DropQueueFull] < 2*calls-queue {
		t.Errorf("while hung: %+v; want %d emitted, none delivered, <= %d queued, the rest queue_full", hung, 2*calls, queue)
	}
	t.Logf("%d calls with a hung collector took %v; sink %+v", calls, elapsed, hung)

	close(release)
	once = true
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.Close(cctx); err != nil {
		t.Fatal(err)
	}
	after := l.SinkStats()
	check("after Close", after)
	if after.Queued != 0 || after.Delivered != hung.Queued {
		t.Errorf("after Close: %+v; want the %d queued spans delivered, 0 queued", after, hung.Queued)
	}
}
