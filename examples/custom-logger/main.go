// Command custom-logger mirrors LiteLLM's "Custom Callback Class"
// (class MyCustomHandler(CustomLogger) with log_pre_api_call,
// log_post_api_call, log_stream_event, log_success_event and
// log_failure_event, registered with litellm.callbacks = [handler]).
//
// One type implements all five llmux logger interfaces and is registered
// globally with llmux.SetCallbacks; the package-level llmux.Completion and
// llmux.Stream then report to it. Everything runs offline on the built-in
// mock provider.
//
//	go run ./examples/custom-logger
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"sync"

	"github.com/llmux/llmux"
)

// MyLogger prints one line per event. Pre- and post-API-call events run on
// the caller's goroutine, the others on the logger's own goroutine, so
// writes are serialised with mu.
type MyLogger struct {
	mu sync.Mutex
	w  io.Writer
}

// The assertions catch a misspelled method at compile time: without them
// a typo would silently leave the logger unsubscribed from that event.
var (
	_ llmux.PreAPICallLogger  = (*MyLogger)(nil)
	_ llmux.PostAPICallLogger = (*MyLogger)(nil)
	_ llmux.StreamLogger      = (*MyLogger)(nil)
	_ llmux.SuccessLogger     = (*MyLogger)(nil)
	_ llmux.FailureLogger     = (*MyLogger)(nil)
)

func (l *MyLogger) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format, args...)
}

// LogPreAPICall is LiteLLM's log_pre_api_call.
func (l *MyLogger) LogPreAPICall(_ context.Context, e *llmux.Event) {
	l.printf("Pre-API Call   model=%s stream=%t\n", e.Model, e.Stream)
}

// LogPostAPICall is LiteLLM's log_post_api_call.
func (l *MyLogger) LogPostAPICall(_ context.Context, e *llmux.Event) {
	l.printf("Post-API Call  model=%s\n", e.Model)
}

// LogStreamEvent is LiteLLM's log_stream_event.
func (l *MyLogger) LogStreamEvent(_ context.Context, _ *llmux.Event, c *llmux.Chunk) {
	switch {
	case c.Usage != nil:
		l.printf("On Stream      usage=%d tokens\n", c.Usage.TotalTokens)
	case len(c.Choices) > 0 && c.Choices[0].FinishReason != "":
		l.printf("On Stream      finish_reason=%s\n", c.Choices[0].FinishReason)
	default:
		l.printf("On Stream      chunk=%q\n", c.Text())
	}
}

// LogSuccessEvent is LiteLLM's log_success_event.
func (l *MyLogger) LogSuccessEvent(_ context.Context, e *llmux.Event) {
	l.printf("On Success     response=%q\n", e.Response.Text())
}

// LogFailureEvent is LiteLLM's log_failure_event.
func (l *MyLogger) LogFailureEvent(_ context.Context, e *llmux.Event) {
	l.printf("On Failure     code=%s err=%v\n", e.ErrorCode(), e.Err)
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run registers MyLogger globally and makes three package-level calls: a
// completion, a stream and a failing completion. It flushes the logger
// after each call so that each call's events print together.
func run(ctx context.Context, w io.Writer) (err error) {
	logger := &MyLogger{w: w}
	if err := llmux.SetCallbacks(logger); err != nil {
		return err
	}
	// Close delivers what is still queued and stops the loggers'
	// goroutines; call it before the program exits.
	defer func() { err = errors.Join(err, llmux.Close(context.WithoutCancel(ctx))) }()

	msgs := []llmux.Message{llmux.User("Hi 👋 - i'm openai")}

	logger.printf("== completion\n")
	resp, err := llmux.Completion(ctx, &llmux.Request{
		Model: "gpt-3.5-turbo", Messages: msgs, MockResponse: "Hello there!",
	})
	if err != nil {
		return err
	}
	if err := llmux.Flush(ctx); err != nil {
		return err
	}
	logger.printf("caller got %q\n", resp.Text())

	logger.printf("== stream\n")
	s, err := llmux.Stream(ctx, &llmux.Request{
		Model: "gpt-3.5-turbo", Messages: msgs, MockResponse: "Hello from a stream",
	})
	if err != nil {
		return err
	}
	for s.Next() {
	}
	if err := errors.Join(s.Err(), s.Close()); err != nil {
		return err
	}
	if err := llmux.Flush(ctx); err != nil {
		return err
	}
	logger.printf("caller got %q\n", s.Response().Text())

	logger.printf("== failure\n")
	_, err = llmux.Completion(ctx, &llmux.Request{
		Model: "gpt-3.5-turbo", Messages: msgs, MockResponse: errors.New("the mock failed on purpose"),
	})
	if err == nil {
		return errors.New("the failing call succeeded")
	}
	if err := llmux.Flush(ctx); err != nil {
		return err
	}
	logger.printf("caller got error code=%s\n", llmux.CodeOf(err))
	return nil
}
