package provider_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/record"
	"github.com/llmux/llmux/provider/openai"
)

const chatAnswer = `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini",` +
	`"choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],` +
	`"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}`

// chatServer answers every chat completion with chatAnswer, after calling
// seen (when set) with the request's body.
func chatServer(t *testing.T, seen func(body []byte)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if seen != nil {
			seen(b)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, chatAnswer)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func chatClient(t *testing.T, srv *httptest.Server, loggers ...any) *llmux.Client {
	t.Helper()
	c, err := llmux.New(
		llmux.WithProvider(openai.New(openai.WithAPIKey("sk-send-test-key-0123456789"), openai.WithBaseURL(srv.URL+"/v1"))),
		llmux.WithCallbacks(loggers...),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// A queued logger's pre-API-call event, sent through Send, carries the
// exact body the upstream received and a snapshot of the request that the
// caller's later changes do not reach, and it comes before the attempt's
// post-API-call event.
func TestSend_QueuedPreEventIsTheRequestAsSent(t *testing.T) {
	var (
		mu   sync.Mutex
		sent []byte
	)
	srv := chatServer(t, func(b []byte) { mu.Lock(); sent = b; mu.Unlock() })
	rec := &record.Events{}
	c := chatClient(t, srv, rec)
	req := &llmux.Request{Model: "openai/gpt-4o-mini", Messages: []llmux.Message{llmux.User("Hi 👋 - i'm openai")},
		Metadata: map[string]any{"team": "a"}}
	if _, err := c.Completion(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	req.Messages[0].Content = "changed after the call"
	req.Metadata["team"] = "b"
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	events := rec.All()
	var types []llmux.EventType
	for _, e := range events {
		types = append(types, e.Type)
	}
	if len(events) != 3 || types[0] != llmux.EventPreAPICall || types[1] != llmux.EventPostAPICall || types[2] != llmux.EventSuccess {
		t.Fatalf("events %v, want pre, post, success", types)
	}
	pre := events[0]
	mu.Lock()
	defer mu.Unlock()
	if string(pre.Attempt.RequestBody) != string(sent) {
		t.Errorf("pre-API-call body %s, upstream received %s", pre.Attempt.RequestBody, sent)
	}
	if len(pre.Messages) != 1 || pre.Messages[0].Content != "Hi 👋 - i'm openai" {
		t.Errorf("pre-API-call messages %+v: want the request as called", pre.Messages)
	}
	if pre.Metadata["team"] != "a" {
		t.Errorf("pre-API-call metadata %v: want the request's as called", pre.Metadata)
	}
	if pre.Attempt.Number != 1 || pre.Attempt.StartTime.IsZero() {
		t.Errorf("attempt %d started %v", pre.Attempt.Number, pre.Attempt.StartTime)
	}
}

// inlinePre records whether its pre-API-call event came.
type inlinePre struct{ got atomic.Bool }

func (l *inlinePre) LogPreAPICall(context.Context, *llmux.Event) { l.got.Store(true) }

// An inline pre-API-call logger gets its event before the request leaves
// ([llmux.Inline]: "before the call goes on"): Send emits it, then sends.
func TestSend_InlinePreLoggerRunsBeforeTheRequestLeaves(t *testing.T) {
	l := &inlinePre{}
	var before atomic.Bool
	srv := chatServer(t, func([]byte) { before.Store(l.got.Load()) })
	c := chatClient(t, srv, llmux.Inline(l), &record.Events{})
	if _, err := c.Completion(context.Background(), &llmux.Request{Model: "openai/gpt-4o-mini", Messages: []llmux.Message{llmux.User("Hi")}}); err != nil {
		t.Fatal(err)
	}
	if !before.Load() {
		t.Error("the upstream got the request before the inline logger's pre-API-call event")
	}
}
