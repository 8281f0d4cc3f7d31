package llmux

import (
	"context"
	"fmt"
	"time"
)

// The logger interfaces. A logger implements one or more of them, like
// LiteLLM's CustomLogger hooks; registration ([WithCallbacks],
// [SetCallbacks], [Request.Callbacks]) rejects a value implementing none.
//
// Who calls them and how:
//   - LogPreAPICall and LogPostAPICall run on the caller's goroutine, inline
//     with each upstream attempt, so keep them fast.
//   - LogStreamEvent, LogSuccessEvent and LogFailureEvent run on the
//     logger's own goroutine, fed by a bounded queue: a slow logger never
//     slows a call. Wrap a logger with [Inline] to run them on the caller's
//     goroutine instead.
//   - One logger sees a call's events in order: per attempt pre then post,
//     then the stream chunks, then exactly one success or failure. Several
//     loggers are called in registration order. Calls of different
//     requests may interleave.
//   - The *Event is a read-only snapshot owned by llmux; a logger may keep
//     it. Background deliveries get context.WithoutCancel of the call's
//     context: its values, never its cancellation.
//   - A panic is recovered, counted in [LoggerStats.Panics] and reported
//     with the logger's name; it never changes the call's result.
type (
	// PreAPICallLogger is called before each upstream request, with the
	// exact body about to be sent.
	PreAPICallLogger interface {
		LogPreAPICall(ctx context.Context, e *Event)
	}
	// PostAPICallLogger is called after each upstream attempt, with the raw
	// response or the attempt's error.
	PostAPICallLogger interface {
		LogPostAPICall(ctx context.Context, e *Event)
	}
	// StreamLogger is called once per streamed chunk, in order.
	StreamLogger interface {
		LogStreamEvent(ctx context.Context, e *Event, c *Chunk)
	}
	// SuccessLogger is called once when a call succeeded: after the last
	// attempt, and for streams after the stream was fully consumed.
	SuccessLogger interface {
		LogSuccessEvent(ctx context.Context, e *Event)
	}
	// FailureLogger is called once when a call failed, including streams
	// closed early or cancelled.
	FailureLogger interface {
		LogFailureEvent(ctx context.Context, e *Event)
	}
)

// Named lets a logger choose the name used in [LoggerStats] and reports;
// otherwise its Go type names it.
type Named interface{ Name() string }

// InputCallback is LiteLLM's input_callback function: called with the
// pre-API-call event of each attempt.
type InputCallback func(e *Event)

// LogPreAPICall calls f.
func (f InputCallback) LogPreAPICall(_ context.Context, e *Event) { f(e) }

// SuccessCallback is LiteLLM's success_callback function shape:
// (kwargs, completion_response, start_time, end_time). For streams the
// response is the complete streaming response.
type SuccessCallback func(e *Event, resp any, start, end time.Time)

// LogSuccessEvent calls f.
func (f SuccessCallback) LogSuccessEvent(_ context.Context, e *Event) {
	f(e, e.Result(), e.StartTime, e.EndTime)
}

// FailureCallback is LiteLLM's failure_callback function shape:
// (kwargs, exception, start_time, end_time).
type FailureCallback func(e *Event, err error, start, end time.Time)

// LogFailureEvent calls f.
func (f FailureCallback) LogFailureEvent(_ context.Context, e *Event) {
	f(e, e.Err, e.StartTime, e.EndTime)
}

// StreamCallback is called with each streamed chunk.
type StreamCallback func(e *Event, c *Chunk)

// LogStreamEvent calls f.
func (f StreamCallback) LogStreamEvent(_ context.Context, e *Event, c *Chunk) { f(e, c) }

var (
	_ PreAPICallLogger = InputCallback(nil)
	_ SuccessLogger    = SuccessCallback(nil)
	_ FailureLogger    = FailureCallback(nil)
	_ StreamLogger     = StreamCallback(nil)
)

// Inline wraps a logger so its stream, success and failure events run on
// the caller's goroutine, before the call returns (or, for streams, before
// Next returns false). Use it for loggers that must finish before the
// caller goes on, such as a test recorder or a budget check.
func Inline(logger any) any { return inlineLogger{logger} }

// NamedLogger gives a logger a name for [LoggerStats] and reports.
func NamedLogger(name string, logger any) any { return namedLogger{name: name, l: logger} }

type inlineLogger struct{ l any }

type namedLogger struct {
	name string
	l    any
}

// ErrNotALogger is wrapped by registration errors for values that
// implement none of the logger interfaces.
var ErrNotALogger = fmt.Errorf("llmux: value implements none of PreAPICallLogger, PostAPICallLogger, StreamLogger, SuccessLogger, FailureLogger")
