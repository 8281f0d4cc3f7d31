package llmux

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"
)

// recorder records every event it gets, in order.
type recorder struct {
	mu     sync.Mutex
	events []*Event
	chunks []*Chunk
	ctxs   []context.Context
}

var (
	_ PreAPICallLogger  = (*recorder)(nil)
	_ PostAPICallLogger = (*recorder)(nil)
	_ StreamLogger      = (*recorder)(nil)
	_ SuccessLogger     = (*recorder)(nil)
	_ FailureLogger     = (*recorder)(nil)
)

func (r *recorder) add(ctx context.Context, e *Event, c *Chunk) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	r.ctxs = append(r.ctxs, ctx)
	if c != nil {
		r.chunks = append(r.chunks, c)
	}
}

func (r *recorder) LogPreAPICall(ctx context.Context, e *Event)  { r.add(ctx, e, nil) }
func (r *recorder) LogPostAPICall(ctx context.Context, e *Event) { r.add(ctx, e, nil) }
func (r *recorder) LogStreamEvent(ctx context.Context, e *Event, c *Chunk) {
	r.add(ctx, e, c)
}
func (r *recorder) LogSuccessEvent(ctx context.Context, e *Event) { r.add(ctx, e, nil) }
func (r *recorder) LogFailureEvent(ctx context.Context, e *Event) { r.add(ctx, e, nil) }

// types returns the event types seen, stream events collapsed to one
// "stream_event*N" entry per run.
func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	n := 0
	flush := func() {
		if n > 0 {
			out = append(out, fmt.Sprintf("stream_event*%d", n))
			n = 0
		}
	}
	for _, e := range r.events {
		if e.Type == EventStream {
			n++
			continue
		}
		flush()
		out = append(out, string(e.Type))
	}
	flush()
	return out
}

func (r *recorder) last() *Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.events) == 0 {
		return nil
	}
	return r.events[len(r.events)-1]
}

func (r *recorder) all() []*Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Event(nil), r.events...)
}

func wantTypes(t *testing.T, r *recorder, want ...string) {
	t.Helper()
	got := r.types()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("events = %v\nwant     %v", got, want)
	}
}

// newTestClient returns a client with the recorder delivered inline, so
// events are all in when the call returns.
func newTestClient(t *testing.T, opts ...Option) (*Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	c, err := New(append([]Option{WithCallbacks(Inline(rec)), WithRetryBackoff(0, 0, time.Minute)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c, rec
}

func ptr[T any](v T) *T { return &v }

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// onlyIf returns &true when v is set, nil otherwise: a tri-state option
// given or left to the client.
func onlyIf(v bool) *bool {
	if v {
		return &v
	}
	return nil
}

// cmpWire makes go-cmp compare wire types by their fields, ignoring the
// unexported record of how a decoded value's JSON looked.
var cmpWire = cmpopts.IgnoreUnexported(Request{}, Message{}, ContentPart{}, ImageURL{}, InputAudio{}, File{},
	ThinkingBlock{}, Audio{}, Tool{}, Function{}, ToolCall{}, FunctionCall{}, Response{}, Choice{}, Usage{},
	Chunk{}, ChunkChoice{}, Delta{}, EmbeddingResponse{}, EmbeddingVector{})
