package record

import (
	"context"
	"log/slog"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cache"
)

func TestEvents_TypesAndSequence(t *testing.T) {
	c, err := llmux.New()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	r := &Events{}
	s, err := c.Stream(context.Background(), &llmux.Request{Model: "mock/x", Messages: []llmux.Message{llmux.User("hi")},
		MockResponse: "one two", Callbacks: []any{llmux.Inline(r)}})
	if err != nil {
		t.Fatal(err)
	}
	for s.Next() {
	}
	s.Close()
	if got := r.Sequence(); got != "pre_api_call,post_api_call,stream_event+,successful_api_call" {
		t.Errorf("Sequence = %s", got)
	}
	if got := r.Types(); got != "pre_api_call,post_api_call,stream_event,stream_event,stream_event,stream_event,successful_api_call" {
		t.Errorf("Types = %s", got)
	}
	if r.Last().Type != llmux.EventSuccess || len(r.All()) != 7 {
		t.Errorf("Last %s, %d events", r.Last().Type, len(r.All()))
	}
	if (&Events{}).Last() != nil {
		t.Error("Last of nothing is not nil")
	}
}

func TestLogs_KeepsLinesAndCounts(t *testing.T) {
	h := &Logs{}
	l := slog.New(h)
	l.Warn("llmux: cache unavailable", "errors", 3)
	l.Info("llmux: cache available again")
	if got := h.Lines(); len(got) != 2 || got[0] != "WARN llmux: cache unavailable errors=3" {
		t.Errorf("Lines = %q", got)
	}
	if h.Count("WARN llmux: cache") != 1 || h.Count("INFO") != 1 || h.Count("ERROR") != 0 {
		t.Errorf("Count wrong: %q", h.Lines())
	}
}

func TestEvents_MissThenHit(t *testing.T) {
	m, _ := cache.NewMemory()
	r := &Events{}
	c, err := llmux.New(llmux.WithCache(m), llmux.WithCallbacks(llmux.Inline(r)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	for range 2 {
		if _, err := c.Completion(context.Background(), &llmux.Request{Model: "gpt-3.5-turbo",
			Messages: []llmux.Message{llmux.User("hi")}, MockResponse: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	r.MissThenHit(t)
}
