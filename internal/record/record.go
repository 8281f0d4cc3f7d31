// Package record keeps what a client reports, for tests outside the root
// package: [Events] is a logger recording every event, [Logs] a
// slog.Handler recording llmux's own log lines. (The root package's
// tests have their own recorder: they cannot import this package.)
package record

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/llmux/llmux"
)

// Events records every event it gets, in order. Register it with
// llmux.Inline so that the events are all in when a call returns.
type Events struct {
	mu     sync.Mutex
	events []*llmux.Event
}

var (
	_ llmux.PreAPICallLogger  = (*Events)(nil)
	_ llmux.PostAPICallLogger = (*Events)(nil)
	_ llmux.StreamLogger      = (*Events)(nil)
	_ llmux.SuccessLogger     = (*Events)(nil)
	_ llmux.FailureLogger     = (*Events)(nil)
)

func (r *Events) add(e *llmux.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// LogPreAPICall records e.
func (r *Events) LogPreAPICall(_ context.Context, e *llmux.Event) { r.add(e) }

// LogPostAPICall records e.
func (r *Events) LogPostAPICall(_ context.Context, e *llmux.Event) { r.add(e) }

// LogStreamEvent records e.
func (r *Events) LogStreamEvent(_ context.Context, e *llmux.Event, _ *llmux.Chunk) { r.add(e) }

// LogSuccessEvent records e.
func (r *Events) LogSuccessEvent(_ context.Context, e *llmux.Event) { r.add(e) }

// LogFailureEvent records e.
func (r *Events) LogFailureEvent(_ context.Context, e *llmux.Event) { r.add(e) }

// All returns the events recorded so far.
func (r *Events) All() []*llmux.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*llmux.Event(nil), r.events...)
}

// Last returns the latest event, or nil.
func (r *Events) Last() *llmux.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.events) == 0 {
		return nil
	}
	return r.events[len(r.events)-1]
}

// Types returns the event types, comma-separated.
func (r *Events) Types() string {
	var out []string
	for _, e := range r.All() {
		out = append(out, string(e.Type))
	}
	return strings.Join(out, ",")
}

// Sequence is [Events.Types] with each run of stream events written
// once, as "stream_event+".
func (r *Events) Sequence() string {
	var out []string
	for _, e := range r.All() {
		ty := string(e.Type)
		if e.Type == llmux.EventStream {
			if len(out) > 0 && out[len(out)-1] == "stream_event+" {
				continue
			}
			ty = "stream_event+"
		}
		out = append(out, ty)
	}
	return strings.Join(out, ",")
}

// MissThenHit checks the success events of a call made twice on a cache:
// the first is a miss that cost something, the second a hit, both under
// the same cache key.
func (r *Events) MissThenHit(t testing.TB) {
	t.Helper()
	var succ []*llmux.Event
	for _, e := range r.All() {
		if e.Type == llmux.EventSuccess {
			succ = append(succ, e)
		}
	}
	if len(succ) != 2 {
		t.Fatalf("%d success events, want 2", len(succ))
	}
	miss, hit := succ[0], succ[1]
	if miss.CacheHit || miss.ResponseCost == 0 || miss.CostErr != nil || miss.CacheKey == "" {
		t.Errorf("first call: hit=%v cost=%v (%v) key=%q; want a priced miss with a key", miss.CacheHit, miss.ResponseCost, miss.CostErr, miss.CacheKey)
	}
	if !hit.CacheHit || hit.ResponseCost != 0 || hit.SavedCacheCost != miss.ResponseCost || hit.CacheKey != miss.CacheKey {
		t.Errorf("second call: hit=%v cost=%v saved=%v key=%q; want a hit, cost 0, saved %v, key %q",
			hit.CacheHit, hit.ResponseCost, hit.SavedCacheCost, hit.CacheKey, miss.ResponseCost, miss.CacheKey)
	}
}

// Logs is a slog.Handler keeping each record as one line:
// "LEVEL message key=value ...".
type Logs struct {
	mu    sync.Mutex
	lines []string
}

var _ slog.Handler = (*Logs)(nil)

// Enabled reports true: every level is kept.
func (h *Logs) Enabled(context.Context, slog.Level) bool { return true }

// Handle keeps r.
func (h *Logs) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Level, r.Message)
	r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = append(h.lines, b.String())
	return nil
}

// WithAttrs returns h: attributes added this way are not kept.
func (h *Logs) WithAttrs([]slog.Attr) slog.Handler { return h }

// WithGroup returns h.
func (h *Logs) WithGroup(string) slog.Handler { return h }

// Lines returns the records kept so far.
func (h *Logs) Lines() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.lines...)
}

// Count returns how many kept lines start with prefix, such as
// "WARN llmux: cache unavailable".
func (h *Logs) Count(prefix string) int {
	n := 0
	for _, l := range h.Lines() {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// CmpWire makes go-cmp compare llmux's wire types by their fields,
// ignoring the unexported record of how a decoded value's JSON looked.
var CmpWire = cmpopts.IgnoreUnexported(llmux.Request{}, llmux.Message{}, llmux.ContentPart{}, llmux.ImageURL{},
	llmux.InputAudio{}, llmux.File{}, llmux.ThinkingBlock{}, llmux.Audio{}, llmux.Tool{}, llmux.Function{},
	llmux.ToolCall{}, llmux.FunctionCall{}, llmux.Response{}, llmux.Choice{}, llmux.Usage{}, llmux.Chunk{},
	llmux.ChunkChoice{}, llmux.Delta{}, llmux.EmbeddingResponse{}, llmux.EmbeddingVector{})
