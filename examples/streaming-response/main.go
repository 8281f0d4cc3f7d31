// Command streaming-response mirrors LiteLLM's custom callback reading
// kwargs["complete_streaming_response"] in log_success_event: once a
// stream has ended, the success event carries the whole response
// assembled from the chunks, with its usage.
//
// In llmux that is Event.CompleteStreamingResponse. The program streams
// from a fake OpenAI server (Server-Sent Events in OpenAI's wire format,
// started in the program with net/http/httptest), so it runs offline.
//
//	go run ./examples/streaming-response
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/openai"
)

const apiKey = "sk-test-0123456789abcdef"

// sseEvents is what the fake server streams: OpenAI chat completion chunks
// with stream_options.include_usage, ending with a usage-only chunk and
// [DONE].
var sseEvents = []string{
	`{"id":"chatcmpl-42","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`,
	`{"id":"chatcmpl-42","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}`,
	`{"id":"chatcmpl-42","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":", world"},"finish_reason":null}]}`,
	`{"id":"chatcmpl-42","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"!"},"finish_reason":null}]}`,
	`{"id":"chatcmpl-42","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
	`{"id":"chatcmpl-42","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}`,
	`[DONE]`,
}

// fakeOpenAI serves POST /v1/chat/completions with stream=true.
func fakeOpenAI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, `{"error":{"message":"not found","type":"invalid_request_error"}}`, http.StatusNotFound)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+apiKey {
		http.Error(w, `{"error":{"message":"bad key","type":"invalid_request_error","code":"invalid_api_key"}}`, http.StatusUnauthorized)
		return
	}
	var req struct {
		Stream bool `json:"stream"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || !req.Stream {
		http.Error(w, `{"error":{"message":"want stream=true","type":"invalid_request_error"}}`, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	flusher, _ := w.(http.Flusher)
	for _, ev := range sseEvents {
		fmt.Fprintf(w, "data: %s\n\n", ev)
		if flusher != nil {
			flusher.Flush()
		}
	}
}

// StreamLogger prints the complete streaming response of each stream.
type StreamLogger struct{ out io.Writer }

var _ llmux.SuccessLogger = (*StreamLogger)(nil)

// LogSuccessEvent runs once the stream was fully consumed.
func (l *StreamLogger) LogSuccessEvent(_ context.Context, e *llmux.Event) {
	r := e.CompleteStreamingResponse
	if r == nil {
		fmt.Fprintln(l.out, "success: no complete streaming response (not a stream)")
		return
	}
	finish := ""
	if len(r.Choices) > 0 {
		finish = r.Choices[0].FinishReason
	}
	fmt.Fprintf(l.out, "complete_streaming_response: id=%s model=%s text=%q finish_reason=%s\n", r.ID, r.Model, r.Text(), finish)
	fmt.Fprintf(l.out, "usage: prompt=%d completion=%d total=%d\n", r.Usage.PromptTokens, r.Usage.CompletionTokens, r.Usage.TotalTokens)
	if e.CostErr != nil {
		fmt.Fprintf(l.out, "cost unknown: %v\n", e.CostErr)
	} else {
		fmt.Fprintf(l.out, "response_cost: %g USD\n", e.ResponseCost)
	}
}

// lockedWriter serialises writes from the logger's goroutine with the
// final read.
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
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer) (err error) {
	// The success event fires as the last Next returns, on the logger's
	// goroutine, so its lines go to a buffer of their own, printed after
	// the caller's line once Flush says they were delivered.
	var logged bytes.Buffer
	out := &lockedWriter{w: &logged}
	srv := httptest.NewServer(http.HandlerFunc(fakeOpenAI))
	defer srv.Close()

	c, err := llmux.New(
		// The base URL includes the version path, as for any
		// OpenAI-compatible server.
		llmux.WithProvider(openai.New(openai.WithBaseURL(srv.URL+"/v1"), openai.WithAPIKey(apiKey))),
		llmux.WithCallbacks(&StreamLogger{out: out}),
	)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.Close(context.WithoutCancel(ctx))) }()

	s, err := c.Stream(ctx, &llmux.Request{
		Model:    "openai/gpt-4o-mini",
		Messages: []llmux.Message{llmux.User("Say hello")},
	})
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprint(w, "caller sees:")
	for s.Next() {
		fmt.Fprintf(w, " %q", s.Chunk().Text())
	}
	fmt.Fprintln(w)
	if err := s.Err(); err != nil {
		return err
	}
	if err := c.Flush(ctx); err != nil {
		return err
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	_, err = logged.WriteTo(w)
	return err
}
