// Command callback-functions mirrors LiteLLM's "Callback Functions":
// plain functions set as litellm.input_callback, litellm.success_callback
// and litellm.failure_callback, with the signatures
// (kwargs), (kwargs, completion_response, start_time, end_time) and
// (kwargs, exception, start_time, end_time).
//
// In llmux the function adapters llmux.InputCallback, llmux.SuccessCallback
// and llmux.FailureCallback turn closures into loggers; the *llmux.Event
// plays the part of kwargs. They are registered on an explicit client and
// run offline on the built-in mock provider.
//
//	go run ./examples/callback-functions
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

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// lockedWriter serialises writes from the caller's goroutine (input
// callback) and the loggers' goroutines (success and failure callbacks).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func run(ctx context.Context, w io.Writer) (err error) {
	out := &lockedWriter{w: w}

	// LiteLLM: def custom_input(kwargs): print(kwargs["model"], kwargs["messages"])
	input := llmux.InputCallback(func(e *llmux.Event) {
		fmt.Fprintf(out, "input:   model=%s messages=%s\n", e.Model, texts(e.Messages))
	})
	// LiteLLM: def track(kwargs, completion_response, start_time, end_time)
	success := llmux.SuccessCallback(func(e *llmux.Event, resp any, start, end time.Time) {
		r, ok := resp.(*llmux.Response)
		if !ok {
			fmt.Fprintf(out, "success: unexpected response type %T\n", resp)
			return
		}
		fmt.Fprintf(out, "success: model=%s messages=%s response=%q duration=%v\n",
			e.Model, texts(e.Messages), r.Text(), end.Sub(start))
	})
	// LiteLLM: def failure(kwargs, exception, start_time, end_time)
	failure := llmux.FailureCallback(func(e *llmux.Event, err error, start, end time.Time) {
		fmt.Fprintf(out, "failure: model=%s messages=%s error=%q duration=%v\n",
			e.Model, texts(e.Messages), err, end.Sub(start))
	})

	// Each logger runs on its own goroutine, so two loggers' lines may
	// interleave; LiteLLM runs input callbacks before the request is
	// sent, and llmux.Inline does the same here, keeping "input" first.
	c, err := llmux.New(llmux.WithCallbacks(llmux.Inline(input), success, failure))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.Close(context.WithoutCancel(ctx))) }()

	resp, err := c.Completion(ctx, &llmux.Request{
		Model:        "gpt-3.5-turbo",
		Messages:     []llmux.Message{llmux.User("Hi 👋 - i'm openai")},
		MockResponse: "Hello! How can I help?",
	})
	if err != nil {
		return err
	}
	// Success and failure callbacks run in the background; Flush waits
	// for them so the output stays in call order.
	if err := c.Flush(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "caller:  %q\n", resp.Text())

	_, callErr := c.Completion(ctx, &llmux.Request{
		Model:        "gpt-3.5-turbo",
		Messages:     []llmux.Message{llmux.User("this one fails")},
		MockResponse: errors.New("rate limited by the mock"),
	})
	if callErr == nil {
		return errors.New("the failing call succeeded")
	}
	if err := c.Flush(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "caller:  error %q\n", callErr)
	return nil
}

// texts renders messages as role: text pairs.
func texts(msgs []llmux.Message) string {
	s := "["
	for i, m := range msgs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s: %q", m.Role, m.Text())
	}
	return s + "]"
}
