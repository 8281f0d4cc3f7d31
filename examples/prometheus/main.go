// Command prometheus counts llmux calls in Prometheus metrics (LiteLLM's
// "prometheus" callback) and serves them at /metrics: requests by status,
// latency and time-to-first-token histograms, tokens, cost, cache hits,
// errors by code, and every logger's delivery counters.
//
// It makes a few calls on the built-in mock provider (a completion, a
// stream, a rate-limited failure), scrapes its own /metrics and prints the
// llmux series; with -serve it keeps serving /metrics for a Prometheus
// server to scrape:
//
//	go run ./examples/prometheus
//	go run ./examples/prometheus -serve -addr localhost:9464
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/prometheus"
)

func main() {
	addr := flag.String("addr", "localhost:0", "address to serve /metrics on")
	serve := flag.Bool("serve", false, "keep serving /metrics until interrupted")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if *serve {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt)
		defer stop()
	}
	if err := run(ctx, os.Stdout, ln, *serve); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, ln net.Listener, serve bool) (err error) {
	m := prometheus.New()
	c, err := llmux.New(llmux.WithCallbacks(m))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.Close(context.WithoutCancel(ctx))) }()
	m.SetStats(c.Stats) // every logger's delivery counters, read at scrape time

	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	msgs := []llmux.Message{llmux.User("Hi")}
	if _, err := c.Completion(ctx, &llmux.Request{Model: "gpt-4o", Messages: msgs, MockResponse: "Hello!"}); err != nil {
		return err
	}
	s, err := c.Stream(ctx, &llmux.Request{Model: "gpt-4o", Messages: msgs, MockResponse: "Hello from a stream"})
	if err != nil {
		return err
	}
	for s.Next() {
	}
	if err := errors.Join(s.Err(), s.Close()); err != nil {
		return err
	}
	_, err = c.Completion(ctx, &llmux.Request{Model: "gpt-4o", Messages: msgs, MockResponse: "litellm.RateLimitError", MaxRetries: llmux.Ptr(0)})
	fmt.Fprintf(w, "third call: %v\n", llmux.CodeOf(err))
	if err := c.Flush(ctx); err != nil { // the logger has seen every event
		return err
	}

	url := "http://" + ln.Addr().String() + "/metrics"
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "llmux_") && !strings.Contains(line, "_bucket{") {
			fmt.Fprintln(w, line)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if serve {
		fmt.Fprintf(w, "serving %s until interrupted\n", url)
		<-ctx.Done()
	}
	return nil
}
