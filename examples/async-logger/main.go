// Command async-logger mirrors LiteLLM's async custom callbacks
// (async_log_success_event on a CustomLogger): logging that runs off the
// request path, so a slow logging backend never slows the calls.
//
// In llmux every stream, success and failure event goes to a bounded
// per-logger queue served by the logger's own goroutine. Here the logger
// is slow on purpose: it waits until it is released, then sleeps per
// event. The calls return at once; Client.Stats shows the events queued;
// Client.Close waits until the logger has caught up. Runs offline on the
// built-in mock provider.
//
//	go run ./examples/async-logger
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"time"

	"github.com/llmux/llmux"
)

// SlowLogger stands for a slow backend: each success event waits until
// release is closed, then takes delay.
type SlowLogger struct {
	release <-chan struct{}
	delay   time.Duration
	out     io.Writer
}

var _ llmux.SuccessLogger = (*SlowLogger)(nil)

// LogSuccessEvent runs on the logger's goroutine, never the caller's.
func (l *SlowLogger) LogSuccessEvent(ctx context.Context, e *llmux.Event) {
	select {
	case <-l.release:
	case <-ctx.Done(): // never happens: background loggers get context.WithoutCancel
	}
	time.Sleep(l.delay)
	fmt.Fprintf(l.out, "logger: caught up with %q\n", e.Response.Text())
}

// lockedWriter serialises the caller's and the logger's writes.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func main() {
	if err := run(context.Background(), os.Stdout, 200*time.Millisecond); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, delay time.Duration) (err error) {
	out := &lockedWriter{w: w}
	release := make(chan struct{})
	releaseOnce := sync.OnceFunc(func() { close(release) })
	defer releaseOnce() // on early returns, so Close cannot wait forever

	c, err := llmux.New(llmux.WithCallbacks(
		llmux.NamedLogger("slow", &SlowLogger{release: release, delay: delay, out: out}),
	))
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			err = errors.Join(err, c.Close(context.WithoutCancel(ctx)))
		}
	}()

	for i := 1; i <= 3; i++ {
		start := time.Now()
		resp, err := c.Completion(ctx, &llmux.Request{
			Model:        "gpt-3.5-turbo",
			Messages:     []llmux.Message{llmux.User("hello")},
			MockResponse: fmt.Sprintf("answer %d", i),
		})
		if err != nil {
			return err
		}
		// The logger is still blocked, so returning at all shows the call
		// did not wait for it.
		fmt.Fprintf(out, "call %d returned %q in %v\n", i, resp.Text(), time.Since(start).Round(time.Microsecond))
	}

	printStats(out, "before Close", c.Stats())

	releaseOnce()
	start := time.Now()
	if err := c.Close(ctx); err != nil {
		return err
	}
	closed = true
	fmt.Fprintf(out, "Close waited %v for the logger\n", time.Since(start).Round(time.Millisecond))
	printStats(out, "after Close", c.Stats())
	return nil
}

func printStats(w io.Writer, when string, stats []llmux.LoggerStats) {
	for _, s := range stats {
		fmt.Fprintf(w, "%s: %s emitted=%d delivered=%d queued=%d dropped=%d\n",
			when, s.Name, s.Emitted, s.Delivered, s.Queued, s.Dropped())
	}
}
