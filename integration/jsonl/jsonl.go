// Package jsonl is a logger that writes every llmux event as one JSON line:
// LiteLLM's kwargs keys ([litellm.Kwargs]) plus "event" (the event type)
// and, for stream events, "chunk". Terminal events carry
// standard_logging_object. Numbers are printed as Python prints them, so
// lines read like LiteLLM's.
//
// It is what `llmux complete --events` and `llmux serve --events` print,
// and the gateway's "stdout" and "stderr" callbacks (integration/file
// writes payload lines to a rotated file):
//
//	l, err := jsonl.Open("/var/log/llmux/events.jsonl")
//	if err != nil { ... }
//	c, err := llmux.New(llmux.WithCallbacks(l))
//	...
//	defer c.Close(ctx) // delivers queued events, then closes the file
package jsonl

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"sync"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonx"
	"github.com/llmux/llmux/litellm"
)

// Logger writes events as JSON lines to one writer. It is safe for
// concurrent use: each line is written whole.
type Logger struct {
	mu     sync.Mutex
	w      io.Writer
	closer io.Closer
	name   string
}

var (
	_ llmux.PreAPICallLogger  = (*Logger)(nil)
	_ llmux.PostAPICallLogger = (*Logger)(nil)
	_ llmux.StreamLogger      = (*Logger)(nil)
	_ llmux.SuccessLogger     = (*Logger)(nil)
	_ llmux.FailureLogger     = (*Logger)(nil)
	_ llmux.Shutdowner        = (*Logger)(nil)
	_ llmux.Named             = (*Logger)(nil)
)

// New returns a logger writing to w, which it never closes.
func New(w io.Writer) *Logger { return &Logger{w: w, name: "jsonl"} }

// Open returns a logger appending to the file at path, created with mode
// 0600 when missing; Shutdown (called by the client's Close) closes it.
func Open(path string) (*Logger, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	return &Logger{w: f, closer: f, name: "jsonl:" + path}, nil
}

// Name names the logger in the client's statistics and warnings.
func (l *Logger) Name() string { return l.name }

// Line returns the line Logger writes for an event (c is the chunk of a
// stream event, else nil), without its newline.
func Line(e *llmux.Event, c *llmux.Chunk) []byte {
	line := map[string]any{}
	for k, v := range litellm.Kwargs(e) {
		line[k] = v
	}
	line["event"] = string(e.Type)
	if c != nil {
		line["chunk"] = c
	}
	b, err := json.Marshal(line)
	if err != nil {
		b, _ = json.Marshal(map[string]any{"event": string(e.Type), "litellm_call_id": e.CallID, "marshal_error": err.Error()})
	}
	return jsonx.PythonFloats(b)
}

// PayloadLine returns the line a Payloads logger writes for a terminal
// event: LiteLLM's standard_logging_object, without its newline.
func PayloadLine(e *llmux.Event) []byte {
	b, err := litellm.AppendPythonPayload(make([]byte, 0, 4096), e)
	if err != nil {
		b, _ = json.Marshal(map[string]any{"id": e.CallID, "marshal_error": err.Error()})
	}
	return b
}

func (l *Logger) write(e *llmux.Event, c *llmux.Chunk) { l.writeLine(Line(e, c)) }

func (l *Logger) writeLine(b []byte) {
	b = append(b, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(b)
}

// LogPreAPICall writes the pre-API-call event.
func (l *Logger) LogPreAPICall(_ context.Context, e *llmux.Event) { l.write(e, nil) }

// LogPostAPICall writes the post-API-call event.
func (l *Logger) LogPostAPICall(_ context.Context, e *llmux.Event) { l.write(e, nil) }

// LogStreamEvent writes a stream event with its chunk.
func (l *Logger) LogStreamEvent(_ context.Context, e *llmux.Event, c *llmux.Chunk) { l.write(e, c) }

// LogSuccessEvent writes the success event.
func (l *Logger) LogSuccessEvent(_ context.Context, e *llmux.Event) { l.write(e, nil) }

// LogFailureEvent writes the failure event.
func (l *Logger) LogFailureEvent(_ context.Context, e *llmux.Event) { l.write(e, nil) }

// Shutdown closes the file of a logger made by Open; it is a no-op for
// one made by New.
func (l *Logger) Shutdown(context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closer == nil {
		return nil
	}
	err := l.closer.Close()
	l.closer = nil
	l.w = io.Discard
	return err
}

// PayloadLogger writes one line per finished call, its success or failure
// event: LiteLLM's standard_logging_object, as LiteLLM's bucket and file
// loggers store it. It gets no other event.
type PayloadLogger struct{ l *Logger }

var (
	_ llmux.SuccessLogger = (*PayloadLogger)(nil)
	_ llmux.FailureLogger = (*PayloadLogger)(nil)
	_ llmux.Shutdowner    = (*PayloadLogger)(nil)
	_ llmux.Named         = (*PayloadLogger)(nil)
)

// NewPayloads returns a payload logger writing to w, which it never
// closes.
func NewPayloads(w io.Writer) *PayloadLogger {
	return &PayloadLogger{l: &Logger{w: w, name: "jsonl-payloads"}}
}

// OpenPayloads returns a payload logger appending to the file at path, as
// [Open] does.
func OpenPayloads(path string) (*PayloadLogger, error) {
	l, err := Open(path)
	if err != nil {
		return nil, err
	}
	l.name = "jsonl-payloads:" + path
	return &PayloadLogger{l: l}, nil
}

// Name names the logger in the client's statistics and warnings.
func (p *PayloadLogger) Name() string { return p.l.name }

// LogSuccessEvent writes the call's payload.
func (p *PayloadLogger) LogSuccessEvent(_ context.Context, e *llmux.Event) { p.log(e) }

// LogFailureEvent writes the call's payload.
func (p *PayloadLogger) LogFailureEvent(_ context.Context, e *llmux.Event) { p.log(e) }

// log writes e's payload line, encoded into a reused buffer (a writer must
// not keep what it is given).
func (p *PayloadLogger) log(e *llmux.Event) {
	bp := jsonx.GetBuf()
	b, err := litellm.AppendPythonPayload(*bp, e)
	if err != nil {
		b, _ = json.Marshal(map[string]any{"id": e.CallID, "marshal_error": err.Error()})
	}
	b = append(b, '\n')
	p.l.mu.Lock()
	_, _ = p.l.w.Write(b)
	p.l.mu.Unlock()
	jsonx.PutBuf(bp, b)
}

// Shutdown closes the file of a logger made by OpenPayloads.
func (p *PayloadLogger) Shutdown(ctx context.Context) error { return p.l.Shutdown(ctx) }
