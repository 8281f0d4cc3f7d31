// Command mixpanel mirrors LiteLLM's "Custom Callback to write to
// Mixpanel": a success callback that sends each call to an analytics
// tracking endpoint.
//
// The Tracker below POSTs one JSON event per successful call,
//
//	{"event": "llm_call", "properties": {"model", "provider", "response_cost",
//	  "total_tokens", "latency_ms", "call_id", "metadata"}}
//
// with its own http.Client and a timeout per post. It runs on the logger's
// goroutine, so a slow endpoint never slows the calls; failures are
// reported and counted, never panicked on. (Mixpanel's own /track API wants
// a JSON array and a project token in the properties; adapt the body to
// your endpoint.)
//
// The endpoint comes from -endpoint or $MIXPANEL_ENDPOINT; without one the
// program starts a local tracking server that prints what it receives, so
// it runs offline on the built-in mock provider:
//
//	go run ./examples/mixpanel
//	go run ./examples/mixpanel -endpoint https://example.com/track
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/openai"
)

// TrackEvent is the JSON body of one post.
type TrackEvent struct {
	Event      string     `json:"event"`
	Properties Properties `json:"properties"`
}

// Properties describe one call.
type Properties struct {
	Model    string `json:"model"`
	Provider string `json:"provider"`
	// ResponseCost is null when the cost is unknown (an unpriced model).
	ResponseCost *float64       `json:"response_cost"`
	TotalTokens  int            `json:"total_tokens"`
	LatencyMS    float64        `json:"latency_ms"`
	CallID       string         `json:"call_id"`
	Metadata     map[string]any `json:"metadata"`
}

// Tracker posts each success event to a tracking endpoint.
type Tracker struct {
	endpoint string
	hc       *http.Client
	timeout  time.Duration
	onError  func(error)

	sent, failed atomic.Int64
}

var _ llmux.SuccessLogger = (*Tracker)(nil)

// NewTracker returns a Tracker posting to endpoint with hc, giving up on a
// post after timeout. onError receives every failure; it is called from
// the logger's goroutine.
func NewTracker(endpoint string, hc *http.Client, timeout time.Duration, onError func(error)) *Tracker {
	return &Tracker{endpoint: endpoint, hc: hc, timeout: timeout, onError: onError}
}

// LogSuccessEvent posts the event. ctx keeps the call's values but not its
// cancellation, so a caller who hung up does not lose the analytics; the
// timeout bounds the post instead.
func (t *Tracker) LogSuccessEvent(ctx context.Context, e *llmux.Event) {
	if err := t.post(ctx, e); err != nil {
		t.failed.Add(1)
		t.onError(fmt.Errorf("mixpanel: call %s: %w", e.CallID, err))
		return
	}
	t.sent.Add(1)
}

// Counts returns how many events were posted and how many failed.
func (t *Tracker) Counts() (sent, failed int64) { return t.sent.Load(), t.failed.Load() }

func (t *Tracker) post(ctx context.Context, e *llmux.Event) error {
	p := Properties{
		Model:       e.Model,
		Provider:    e.Provider,
		TotalTokens: e.Usage.TotalTokens,
		LatencyMS:   float64(e.Duration().Microseconds()) / 1000,
		CallID:      e.CallID,
		Metadata:    e.Metadata,
	}
	if e.CostErr == nil {
		c := e.ResponseCost
		p.ResponseCost = &c
	}
	// Metadata is the caller's and may hold values JSON cannot encode:
	// that is an error to report, not a panic.
	body, err := json.Marshal(TrackEvent{Event: "llm_call", Properties: p})
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := t.hc.Do(req)
	if err != nil {
		return fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	// Drain a little so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("post: endpoint answered %s", resp.Status)
	}
	return nil
}

// lockedWriter serialises writes from the caller, the logger and the
// local tracking server.
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
	endpoint := flag.String("endpoint", os.Getenv("MIXPANEL_ENDPOINT"), "tracking endpoint URL; empty starts a local one")
	timeout := flag.Duration("timeout", 5*time.Second, "timeout of each post")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *endpoint, *timeout); err != nil {
		log.Fatal(err)
	}
}

// run makes three calls (a completion, a stream and a call to an unpriced
// model) and tracks them at endpoint, or at a local server when endpoint
// is empty.
func run(ctx context.Context, w io.Writer, endpoint string, timeout time.Duration) (err error) {
	out := &lockedWriter{w: w}
	if endpoint == "" {
		srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			fmt.Fprintf(out, "tracking server received: %s\n", b)
		}))
		defer srv.Close()
		endpoint = srv.URL + "/track"
	}

	hc := &http.Client{Timeout: timeout}
	defer hc.CloseIdleConnections()
	tracker := NewTracker(endpoint, hc, timeout, func(err error) { fmt.Fprintln(out, err) })

	// The OpenAI provider claims "gpt-3.5-turbo"; the mock response answers
	// for it, so no key or network is needed.
	c, err := llmux.New(llmux.WithProvider(openai.New()), llmux.WithCallbacks(tracker))
	if err != nil {
		return err
	}
	// Close delivers the events still queued, so every post has been made
	// (or has failed) when it returns.
	closed := false
	defer func() {
		if !closed {
			err = errors.Join(err, c.Close(context.WithoutCancel(ctx)))
		}
	}()

	md := map[string]any{"user_id": "u-42"}
	msgs := []llmux.Message{llmux.User("Hi 👋 - i'm openai")}

	if _, err := c.Completion(ctx, &llmux.Request{Model: "gpt-3.5-turbo", Messages: msgs, Metadata: md, MockResponse: "Hello!"}); err != nil {
		return err
	}
	s, err := c.Stream(ctx, &llmux.Request{Model: "gpt-3.5-turbo", Messages: msgs, Metadata: md, MockResponse: "Hello from a stream"})
	if err != nil {
		return err
	}
	for s.Next() {
	}
	if err := errors.Join(s.Err(), s.Close()); err != nil {
		return err
	}
	if _, err := c.Completion(ctx, &llmux.Request{Model: "mock/my-model", Messages: msgs, Metadata: md}); err != nil {
		return err
	}

	if err := c.Close(ctx); err != nil {
		return err
	}
	closed = true
	sent, failed := tracker.Counts()
	fmt.Fprintf(out, "tracked %d events, %d failed\n", sent, failed)
	return nil
}
