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
//   - Every method runs on the logger's own goroutine, fed by a bounded
//     queue (one per logger): a slow logger never slows a call, and events
//     of calls made faster than it keeps up are dropped and counted
//     ([LoggerStats]). Wrap a logger with [Inline] to run them on the
//     caller's goroutine instead. Loggers observe; to act on a call, use
//     [Middleware].
//   - One logger sees a call's events in order: per attempt pre then post,
//     then the stream chunks, then exactly one success or failure. Several
//     loggers are called in registration order. Calls of different
//     requests may interleave.
//   - The *Event (and *Chunk) is a snapshot owned by llmux and shared by
//     the loggers of one emission; it shares no memory with the caller. As
//     with net/http's Request for handlers, a logger must not modify it,
//     nor anything it points to; it may keep it. A logger that wants to
//     change it works on [Event.Clone]. Queued deliveries get
//     context.WithoutCancel of the call's context: its values, never its
//     cancellation.
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

// Inline wraps a logger so its events run on the caller's goroutine,
// before the call goes on (and, for the terminal event, before it
// returns; for streams, before Next returns false). A slow inline logger
// slows every call: use it for loggers that must finish first, such as a
// test recorder. To act on a call (budgets, auth, guardrails) use
// [Middleware].
func Inline(logger any) any { return inlineLogger{logger} }

// RedactMessages wraps a logger so it gets every event with messages,
// inputs, request bodies and responses replaced by [RedactedText], as
// though message logging were off for it alone (LiteLLM's per-callback
// turn_off_message_logging); other loggers see them.
func RedactMessages(logger any) any { return redactedLogger{logger} }

type redactedLogger struct{ l any }

// Flusher is an optional interface of a logger that buffers what it
// sends (an exporter's batch): [Client.Flush] calls Flush after the
// logger's queued events were delivered, and waits for it, honouring ctx.
type Flusher interface {
	Flush(ctx context.Context) error
}

// Shutdowner is an optional interface of a logger that holds resources:
// [Client.Close] calls Shutdown once after the logger's last event was
// delivered, so it can send its last batch and stop. A logger with Flush
// and no Shutdown is flushed instead. Like OpenTelemetry exporters,
// Shutdown honours ctx.
type Shutdowner interface {
	Shutdown(ctx context.Context) error
}

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
