// Command transformed-input mirrors LiteLLM's "What's in kwargs?" /
// log_pre_api_call example: logging the exact request a provider receives,
// after LiteLLM translated the OpenAI-shaped messages
// (kwargs["additional_args"]["complete_input_dict"]).
//
// In llmux the pre-API-call event carries the body about to be sent as
// Event.Attempt.RequestBody, with the URL and the masked API key. The
// program calls "claude-2" (served by Anthropic's legacy /v1/complete API,
// so the messages become a "\n\nHuman: ...\n\nAssistant: " prompt) against
// a fake Anthropic server started in the program, so it runs offline.
//
//	go run ./examples/transformed-input
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
	"github.com/llmux/llmux/litellm"
	"github.com/llmux/llmux/provider/anthropic"
)

// apiKey is a made-up key: the fake server accepts anything, and the logs
// must only ever show it masked.
const apiKey = "sk-ant-test-0123456789abcdef"

// completeResponse is a legacy /v1/complete answer.
const completeResponse = `{"type":"completion","id":"compl_01","completion":" Hello!","stop_reason":"stop_sequence","model":"claude-2.1"}`

// InputLogger prints what each attempt sends upstream.
type InputLogger struct{ out io.Writer }

var _ llmux.PreAPICallLogger = (*InputLogger)(nil)

// LogPreAPICall runs on the caller's goroutine just before the request is
// sent.
func (l *InputLogger) LogPreAPICall(_ context.Context, e *llmux.Event) {
	a := e.Attempt
	fmt.Fprintf(l.out, "model: %s (provider %s, upstream %s)\n", e.Model, e.Provider, e.UpstreamModel)
	fmt.Fprintf(l.out, "api_base: %s\n", a.APIBase)
	fmt.Fprintf(l.out, "api_key: %s\n", a.APIKey)
	fmt.Fprintf(l.out, "complete_input_dict: %s\n", a.RequestBody)

	// The same bytes under LiteLLM's key names.
	args, _ := litellm.Kwargs(e)["additional_args"].(map[string]any)
	dict, _ := args["complete_input_dict"].(json.RawMessage)
	fmt.Fprintf(l.out, "kwargs[\"additional_args\"][\"complete_input_dict\"] is the same: %t\n", bytes.Equal(dict, a.RequestBody))
}

// fakeAnthropic is a stand-in for api.anthropic.com that records what it
// received.
type fakeAnthropic struct {
	mu   sync.Mutex
	body []byte
	key  string
}

func (f *fakeAnthropic) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/complete" {
		http.Error(w, `{"type":"error","error":{"type":"not_found_error","message":"not found"}}`, http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.body, f.key = body, r.Header.Get("x-api-key")
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, completeResponse)
}

func (f *fakeAnthropic) received() (body []byte, key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.body, f.key
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer) (err error) {
	fake := &fakeAnthropic{}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	c, err := llmux.New(
		llmux.WithProvider(anthropic.New(anthropic.WithBaseURL(srv.URL), anthropic.WithAPIKey(apiKey))),
		// Inline: pre-call events are queued by default; this logger writes
		// to w, which run also writes to, so it must run on the caller's
		// goroutine, before the request is sent.
		llmux.WithCallbacks(llmux.Inline(&InputLogger{out: w})),
	)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.Close(context.WithoutCancel(ctx))) }()

	resp, err := c.Completion(ctx, &llmux.Request{
		Model:    "claude-2",
		Messages: []llmux.Message{llmux.User("Hi 👋 - i'm openai")},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "response: %q (model %s)\n", resp.Text(), resp.Model)

	body, key := fake.received()
	fmt.Fprintf(w, "upstream received: %s\n", body)
	fmt.Fprintf(w, "upstream got the real key: %t\n", key == apiKey)
	return nil
}
