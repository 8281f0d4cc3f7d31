// Command webhook sends every finished call's standard logging payload to
// an HTTP endpoint, as LiteLLM's generic_api callback does: batches
// posted as JSON arrays, with your headers, gzip, retries on 429/5xx and
// a disk spool so an outage or a restart loses nothing.
//
// The endpoint here is an in-process receiver that answers the first
// batch with 503 (the logger retries it) and prints what it gets. Point
// GENERIC_LOGGER_ENDPOINT at your own to use it for real; the gateway's
// config turns the same logger on with callbacks: ["generic_api"].
//
//	go run ./examples/webhook
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/delivery"
	"github.com/llmux/llmux/integration/webhook"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// receiver prints each batch it accepts; the first request gets a 503.
func receiver(out io.Writer) *httptest.Server {
	var mu sync.Mutex
	n := 0
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		n++
		if n == 1 {
			fmt.Fprintln(out, "receiver: 503 (try again)")
			w.Header().Set("Retry-After", "0.05")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		body, _ := io.ReadAll(zr)
		var batch []struct {
			Status       string  `json:"status"`
			Model        string  `json:"model"`
			ResponseCost float64 `json:"response_cost"`
			Response     any     `json:"response"`
		}
		if err := json.NewDecoder(bytes.NewReader(body)).Decode(&batch); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		fmt.Fprintf(out, "receiver: batch of %d payloads, Authorization %q\n", len(batch), r.Header.Get("Authorization"))
		for _, p := range batch {
			fmt.Fprintf(out, "  %s %s cost=%g\n", p.Status, p.Model, p.ResponseCost)
		}
	}))
}

func run(ctx context.Context, out io.Writer) error {
	srv := receiver(out)
	defer srv.Close()
	spool, err := os.MkdirTemp("", "llmux-webhook-spool")
	if err != nil {
		return err
	}
	defer os.RemoveAll(spool)

	hook, err := webhook.New(srv.URL,
		webhook.WithHeader("Authorization", "Bearer hook-token"),
		webhook.WithGzip(true),
		webhook.WithQueueOptions(delivery.Options{
			BatchSize:     10,
			FlushInterval: time.Second, // Close sends what is left at once
			SpoolDir:      spool,       // accepted events are on disk until the endpoint took them
		}))
	if err != nil {
		return err
	}
	c, err := llmux.New(llmux.WithCallbacks(hook), llmux.WithMaxRetries(0))
	if err != nil {
		return err
	}
	for _, m := range []string{"hello", "world", "litellm.RateLimitError"} {
		_, _ = c.Completion(ctx, &llmux.Request{Model: "gpt-3.5-turbo",
			Messages: []llmux.Message{llmux.User("hi")}, MockResponse: m})
	}
	if err := c.Close(ctx); err != nil { // flushes the webhook (Shutdown)
		return err
	}
	s := hook.Stats()
	fmt.Fprintf(out, "webhook: emitted=%d delivered=%d dropped=%d queued=%d spooled=%d\n",
		s.Emitted, s.Delivered, len(s.Dropped), s.Queued, s.Spooled)
	return nil
}
