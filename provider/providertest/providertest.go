// Package providertest is the conformance suite every llmux provider
// passes. It drives the provider through a real [llmux.Client] against an
// httptest server replaying the provider's own recorded fixtures, and
// checks what the client promises its users: the event sequence, the exact
// body reported as sent, masked keys, error codes, retries, streaming and
// cancellation.
//
//	func TestConformance(t *testing.T) {
//		providertest.Run(t, providertest.Harness{
//			New:   func(base, key string) llmux.Provider { return openai.New(openai.WithBaseURL(base), openai.WithAPIKey(key)) },
//			Model: "openai/gpt-4o-mini",
//			Chat:  providertest.Reply{Body: chatJSON}, ...
//		})
//	}
//
// It also holds the helpers the providers' own tests share: [Fixture]
// reads testdata, [Serve] replays a body and records what was sent
// ([Capture]), [Golden] compares with a golden file, [NoNetwork] and
// [AsError]. Importing the package registers the -update flag in the test
// binary: `go test ./provider/... -update` rewrites the golden files.
package providertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/record"
)

// Reply is one recorded upstream answer.
type Reply struct {
	Status int               // 0 means 200
	Header map[string]string // added to the response
	Body   string
}

// Harness describes a provider to the suite.
type Harness struct {
	// New builds the provider for an upstream at base with the given key
	// ("" for none: the provider must then use no environment default).
	New func(base, key string) llmux.Provider
	// Model is the model name as callers write it ("openai/gpt-4o-mini").
	Model string
	// Chat and Stream are the recorded answers to a chat request and a
	// streamed one; WantText is the text of both.
	Chat, Stream Reply
	WantText     string
	// Unauthorized is a recorded 401 answer; RateLimited a recorded 429
	// (the suite adds retry-after: 0).
	Unauthorized, RateLimited Reply
	// MissingKeyFails is set when the provider refuses to call without a
	// key (it must then fail before sending anything).
	MissingKeyFails bool
	// StreamError, when set, is a recorded stream that fails in-band after
	// some text (WantPartial) with an error of code StreamErrorCode.
	StreamError     Reply
	WantPartial     string
	StreamErrorCode llmux.Code
}

const key = "sk-conformance-0123456789abcdefXYZ9"

// Run runs the suite.
func Run(t *testing.T, h Harness) {
	t.Helper()
	t.Run("ChatEventsAndWire", func(t *testing.T) { chatEvents(t, h) })
	t.Run("StreamEventsAndAccumulation", func(t *testing.T) { streamEvents(t, h) })
	t.Run("UnauthorizedIsNotRetried", func(t *testing.T) { unauthorized(t, h) })
	t.Run("RateLimitIsRetried", func(t *testing.T) { rateLimited(t, h) })
	t.Run("StreamEarlyClose", func(t *testing.T) { earlyClose(t, h) })
	t.Run("CancelDuringRequest", func(t *testing.T) { cancelDuring(t, h) })
	t.Run("ConcurrentSafe", func(t *testing.T) { concurrent(t, h) })
	if h.StreamError.Body != "" {
		t.Run("StreamErrorEventEndsWithFailure", func(t *testing.T) { streamError(t, h) })
	}
	if h.MissingKeyFails {
		t.Run("MissingKeyFailsBeforeSending", func(t *testing.T) { missingKey(t, h) })
	}
}

// server replays replies in order (the last repeats) and records bodies.
type server struct {
	*httptest.Server
	mu      sync.Mutex
	replies []Reply
	bodies  []string
	block   chan struct{}
}

func newServer(t *testing.T, replies ...Reply) *server {
	s := &server{replies: replies, block: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		rp := s.replies[min(len(s.bodies), len(s.replies)-1)]
		s.bodies = append(s.bodies, string(b))
		s.mu.Unlock()
		for k, v := range rp.Header {
			w.Header().Set(k, v)
		}
		if strings.Contains(rp.Body, "data:") {
			w.Header().Set("Content-Type", "text/event-stream")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		status := rp.Status
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		if rp.Body == "" { // hang until released: used for cancellation
			w.(http.Flusher).Flush()
			select {
			case <-s.block:
			case <-r.Context().Done():
			}
			return
		}
		_, _ = io.WriteString(w, rp.Body)
	}))
	t.Cleanup(func() { close(s.block); s.Close() })
	return s
}

func (s *server) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

func client(t *testing.T, p llmux.Provider) (*llmux.Client, *record.Events) {
	t.Helper()
	r := &record.Events{}
	c, err := llmux.New(llmux.WithProvider(p), llmux.WithCallbacks(llmux.Inline(r)),
		llmux.WithRetryBackoff(0, 0, time.Minute), llmux.WithStreamIdleTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c, r
}

func request(h Harness) *llmux.Request {
	return &llmux.Request{Model: h.Model, Messages: []llmux.Message{llmux.User("Hello")}, Metadata: map[string]any{"suite": "conformance"}}
}

func noSecret(t *testing.T, r *record.Events, err error) {
	t.Helper()
	for _, e := range r.All() {
		s := fmt.Sprintf("%+v %+v %v %s", *e, e.Attempt, e.Err, e.Attempt.RequestBody)
		if strings.Contains(s, key[8:]) {
			t.Fatalf("%s event carries the API key unmasked", e.Type)
		}
	}
	if err != nil && strings.Contains(err.Error(), key[8:]) {
		t.Fatalf("error carries the API key: %v", err)
	}
}

func chatEvents(t *testing.T, h Harness) {
	srv := newServer(t, h.Chat)
	c, r := client(t, h.New(srv.URL, key))
	resp, err := c.Completion(context.Background(), request(h))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Text(); got != h.WantText {
		t.Fatalf("text = %q, want %q", got, h.WantText)
	}
	if got := r.Sequence(); got != "pre_api_call,post_api_call,successful_api_call" {
		t.Fatalf("events = %s", got)
	}
	ev := r.All()
	if sent := srv.requests(); len(sent) != 1 || string(ev[0].Attempt.RequestBody) != sent[0] {
		t.Fatalf("complete_input_dict %s differs from the body sent %q", ev[0].Attempt.RequestBody, sent)
	}
	if ev[0].Attempt.APIKey == "" || ev[0].Attempt.APIKey == key {
		t.Fatalf("api key in event = %q, want masked", ev[0].Attempt.APIKey)
	}
	if ev[1].OriginalResponse != h.Chat.Body || ev[1].StatusCode != 200 {
		t.Fatalf("post event original response/status = %q %d", ev[1].OriginalResponse, ev[1].StatusCode)
	}
	if s := ev[2]; s.Usage.TotalTokens == 0 || s.Response == nil || s.Metadata["suite"] != "conformance" {
		t.Fatalf("success event usage %+v response %v metadata %v", s.Usage, s.Response, s.Metadata)
	}
	noSecret(t, r, nil)
}

// streamText streams reply to the end and returns the provider's text,
// the stream (closed) and the recorded events.
func streamText(t *testing.T, h Harness, reply Reply) (string, *llmux.ChatStream, *record.Events, *server) {
	t.Helper()
	srv := newServer(t, reply)
	c, r := client(t, h.New(srv.URL, key))
	s, err := c.Stream(context.Background(), request(h))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var text strings.Builder
	for s.Next() {
		text.WriteString(s.Chunk().Text())
	}
	return text.String(), s, r, srv
}

func streamEvents(t *testing.T, h Harness) {
	text, s, r, _ := streamText(t, h, h.Stream)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if text != h.WantText || s.Response().Text() != h.WantText {
		t.Fatalf("streamed %q, accumulated %q, want %q", text, s.Response().Text(), h.WantText)
	}
	if got := r.Sequence(); got != "pre_api_call,post_api_call,stream_event+,successful_api_call" {
		t.Fatalf("events = %s", got)
	}
	last := r.All()[len(r.All())-1]
	if last.CompleteStreamingResponse.Text() != h.WantText || last.Usage.TotalTokens == 0 {
		t.Fatalf("complete streaming response %q usage %+v", last.CompleteStreamingResponse.Text(), last.Usage)
	}
}

func unauthorized(t *testing.T, h Harness) {
	srv := newServer(t, h.Unauthorized)
	c, r := client(t, h.New(srv.URL, key))
	_, err := c.Completion(context.Background(), request(h))
	var e *llmux.Error
	if !errors.As(err, &e) || e.Code != llmux.CodeAuthentication || e.StatusCode != 401 {
		t.Fatalf("err = %v, want CodeAuthentication 401", err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Fatalf("%d requests, want 1 (no retry)", n)
	}
	if got := r.Sequence(); got != "pre_api_call,post_api_call,failed_api_call" {
		t.Fatalf("events = %s", got)
	}
	noSecret(t, r, err)
}

func rateLimited(t *testing.T, h Harness) {
	rl := h.RateLimited
	hdr := map[string]string{"retry-after": "0"}
	for k, v := range rl.Header {
		hdr[k] = v
	}
	rl.Header = hdr
	srv := newServer(t, rl, h.Chat)
	c, r := client(t, h.New(srv.URL, key))
	if _, err := c.Completion(context.Background(), request(h)); err != nil {
		t.Fatal(err)
	}
	if got := r.Sequence(); got != "pre_api_call,post_api_call,pre_api_call,post_api_call,successful_api_call" {
		t.Fatalf("events = %s", got)
	}
	if code := llmux.CodeOf(r.All()[1].Attempt.Err); code != llmux.CodeRateLimited {
		t.Fatalf("first attempt error code %v", code)
	}
}

func earlyClose(t *testing.T, h Harness) {
	srv := newServer(t, h.Stream)
	c, r := client(t, h.New(srv.URL, key))
	s, err := c.Stream(context.Background(), request(h))
	if err != nil {
		t.Fatal(err)
	}
	s.Next()
	s.Close()
	if !errors.Is(s.Err(), llmux.ErrStreamClosed) {
		t.Fatalf("err = %v", s.Err())
	}
	if got := r.Sequence(); got != "pre_api_call,post_api_call,stream_event+,failed_api_call" {
		t.Fatalf("events = %s", got)
	}
}

func cancelDuring(t *testing.T, h Harness) {
	srv := newServer(t, Reply{}) // hangs
	c, r := client(t, h.New(srv.URL, key))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for len(srv.requests()) == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := c.Completion(ctx, request(h))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled in chain", err)
	}
	if got := r.Sequence(); got != "pre_api_call,post_api_call,failed_api_call" {
		t.Fatalf("events = %s", got)
	}
}

func concurrent(t *testing.T, h Harness) {
	srv := newServer(t, h.Chat)
	c, r := client(t, h.New(srv.URL, key))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Completion(context.Background(), request(h)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := len(r.All()); n != 24 {
		t.Fatalf("%d events, want 24", n)
	}
}

func missingKey(t *testing.T, h Harness) {
	srv := newServer(t, h.Chat)
	c, r := client(t, h.New(srv.URL, ""))
	_, err := c.Completion(context.Background(), request(h))
	if llmux.CodeOf(err) != llmux.CodeAuthentication {
		t.Fatalf("err = %v, want CodeAuthentication", err)
	}
	if n := len(srv.requests()); n != 0 {
		t.Fatalf("%d requests sent without a key", n)
	}
	if got := r.Sequence(); got != "failed_api_call" {
		t.Fatalf("events = %s", got)
	}
}

func streamError(t *testing.T, h Harness) {
	text, s, r, srv := streamText(t, h, h.StreamError)
	if code := llmux.CodeOf(s.Err()); code != h.StreamErrorCode {
		t.Fatalf("err = %v (code %v), want code %v", s.Err(), code, h.StreamErrorCode)
	}
	if text != h.WantPartial {
		t.Fatalf("streamed %q before the error, want %q", text, h.WantPartial)
	}
	if got := r.Sequence(); got != "pre_api_call,post_api_call,stream_event+,failed_api_call" {
		t.Fatalf("events = %s", got)
	}
	if n := len(srv.requests()); n != 1 {
		t.Fatalf("%d requests: a stream is never retried after its first chunk", n)
	}
	last := r.All()[len(r.All())-1]
	if last.Response == nil || last.Response.Text() != h.WantPartial || last.Usage.TotalTokens == 0 {
		t.Fatalf("failure event partial response %v usage %+v", last.Response, last.Usage)
	}
}
