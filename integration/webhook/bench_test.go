package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/llmux/llmux"
)

// callP99 makes n mock calls and returns their p99 latency, with no
// logger ("no-logger"), with the webhook logger on a healthy endpoint
// ("webhook-ok"), or on one that accepts the request and never answers
// ("webhook-hung").
func callP99(tb testing.TB, mode string, n int, timed func(bool)) time.Duration {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if mode == "webhook-hung" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	}))
	defer srv.Close()
	defer close(release)
	var opts []llmux.Option
	var l *Logger
	if mode != "no-logger" {
		var err error
		qo := fastQueue(100)
		qo.FlushInterval = 100 * time.Millisecond
		l, err = New(srv.URL, WithQueueOptions(qo))
		if err != nil {
			tb.Fatal(err)
		}
		opts = append(opts, llmux.WithCallbacks(l), llmux.WithLog(quiet))
	}
	c, err := llmux.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	req := &llmux.Request{Model: "gpt-3.5-turbo", Messages: []llmux.Message{llmux.User("hello")}, MockResponse: "hi"}
	ctx := context.Background()
	lat := make([]time.Duration, n)
	timed(true)
	for i := range n {
		t0 := time.Now()
		if _, err := c.Completion(ctx, req); err != nil {
			tb.Fatal(err)
		}
		lat[i] = time.Since(t0)
	}
	timed(false)
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_ = c.Close(cctx)
	if l != nil {
		_ = l.Shutdown(cctx)
	}
	slices.Sort(lat)
	return lat[len(lat)*99/100]
}

// A webhook endpoint that hangs forever does not slow calls: their p99 is
// within 10% + 2 ms of the p99 with the same logger on a healthy
// endpoint (the logger's own encoding work, which competes for the CPU, is
// in both runs). The machine is shared, so the best of three rounds
// counts.
func TestCall_HungEndpointDoesNotSlowCalls(t *testing.T) {
	const n = 3000
	var ok, hung, none time.Duration
	for round := range 3 {
		none = callP99(t, "no-logger", n, func(bool) {})
		ok = callP99(t, "webhook-ok", n, func(bool) {})
		hung = callP99(t, "webhook-hung", n, func(bool) {})
		t.Logf("round %d: call p99 with no logger %v, healthy webhook %v, hung webhook %v", round, none, ok, hung)
		if hung <= ok+ok/10+2*time.Millisecond {
			return
		}
	}
	t.Fatalf("p99 with a hung webhook %v > healthy webhook %v + 10%% + 2ms", hung, ok)
}

// BenchmarkCall reports a call's p99 with no logger, a healthy webhook and
// a hung one.
//
//	go test -run XXX -bench Call -count 5 ./integration/webhook
func BenchmarkCall(b *testing.B) {
	for _, mode := range []string{"no-logger", "webhook-ok", "webhook-hung"} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			p99 := callP99(b, mode, b.N, func(on bool) {
				if on {
					b.ResetTimer()
				} else {
					b.StopTimer()
				}
			})
			b.ReportMetric(float64(p99.Microseconds()), "p99-µs")
		})
	}
}
