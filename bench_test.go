package llmux

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// noopLogger does nothing; loggers with different ids are different
// loggers (equal values would be registered once).
type noopLogger struct{ id int }

func (noopLogger) LogPreAPICall(context.Context, *Event)          {}
func (noopLogger) LogPostAPICall(context.Context, *Event)         {}
func (noopLogger) LogStreamEvent(context.Context, *Event, *Chunk) {}
func (noopLogger) LogSuccessEvent(context.Context, *Event)        {}
func (noopLogger) LogFailureEvent(context.Context, *Event)        {}

// BenchmarkDispatch measures emitting one event (snapshot + hand-off) to
// 0, 1 and 10 loggers, inline and through the per-logger queues.
func BenchmarkDispatch(b *testing.B) {
	for _, mode := range []string{"inline", "queued"} {
		for _, n := range []int{0, 1, 10} {
			b.Run(fmt.Sprintf("%s/loggers=%d", mode, n), func(b *testing.B) {
				loggers := make([]any, n)
				for i := range loggers {
					loggers[i] = noopLogger{id: i}
					if mode == "inline" {
						loggers[i] = Inline(noopLogger{id: i})
					}
				}
				c, err := New(WithCallbacks(loggers...), WithQueueSize(1<<20))
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close(context.Background())
				if got := len(c.reg.subs); got != n {
					b.Fatalf("%d loggers registered, want %d", got, n)
				}
				cl := &call{c: c, req: &Request{}}
				cl.regs[1] = c.reg
				cl.collect()
				cl.bg = context.Background()
				ctx := context.Background()
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					cl.emit(ctx, kindSuccess)
					if i%100_000 == 99_999 {
						b.StopTimer()
						_ = c.Flush(ctx)
						b.StartTimer()
					}
				}
				b.StopTimer()
				_ = c.Flush(ctx)
				if n > 0 {
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/event/logger")
				}
			})
		}
	}
}

// BenchmarkCompletion measures the whole Completion path against an
// in-process fake upstream, with no loggers and with 3.
func BenchmarkCompletion(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(okBody))
	}))
	defer srv.Close()
	for _, n := range []int{0, 3} {
		b.Run(fmt.Sprintf("loggers=%d", n), func(b *testing.B) {
			loggers := make([]any, n)
			for i := range loggers {
				loggers[i] = noopLogger{id: i}
			}
			c, err := New(WithProvider(&fakeProvider{name: "openai", base: srv.URL, key: testKey}), WithCallbacks(loggers...))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close(context.Background())
			req := &Request{Model: "openai/gpt-4o-mini", Messages: hi()}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Completion(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCompletionMock measures the client's own overhead: the mock
// provider does no I/O.
func BenchmarkCompletionMock(b *testing.B) {
	for _, n := range []int{0, 3} {
		b.Run(fmt.Sprintf("loggers=%d", n), func(b *testing.B) {
			loggers := make([]any, n)
			for i := range loggers {
				loggers[i] = noopLogger{id: i}
			}
			c, err := New(WithCallbacks(loggers...), WithQueueSize(1<<20))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close(context.Background())
			req := &Request{Model: "gpt-3.5-turbo", Messages: hi(), MockResponse: "hi"}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Completion(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			fctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			_ = c.Flush(fctx)
		})
	}
}

// BenchmarkCacheKey measures deriving the cache key of a typical chat
// request: system and user messages, a tool, sampling parameters.
func BenchmarkCacheKey(b *testing.B) {
	req := keyBase()
	req.MaxTokens = ptr(256)
	req.Metadata = map[string]any{"ignored": true}
	b.ReportAllocs()
	for b.Loop() {
		_ = cacheKey(CallCompletion, "openai", "gpt-4o", req)
	}
}
