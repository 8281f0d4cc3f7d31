package llmux

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// countLogger counts events per call id and checks each call's order.
type countLogger struct {
	mu      sync.Mutex
	byCall  map[string][]EventType
	success atomic.Int64
	failure atomic.Int64
}

func (l *countLogger) add(e *Event) {
	l.mu.Lock()
	l.byCall[e.CallID] = append(l.byCall[e.CallID], e.Type)
	l.mu.Unlock()
}
func (l *countLogger) LogPreAPICall(_ context.Context, e *Event)  { l.add(e) }
func (l *countLogger) LogPostAPICall(_ context.Context, e *Event) { l.add(e) }
func (l *countLogger) LogStreamEvent(_ context.Context, e *Event, _ *Chunk) {
	l.add(e)
}
func (l *countLogger) LogSuccessEvent(_ context.Context, e *Event) { l.success.Add(1); l.add(e) }
func (l *countLogger) LogFailureEvent(_ context.Context, e *Event) { l.failure.Add(1); l.add(e) }

func TestClient_ConcurrentSafe(t *testing.T) {
	l := &countLogger{byCall: map[string][]EventType{}}
	c, err := New(WithCallbacks(l, NamedLogger("second", &countLogger{byCall: map[string][]EventType{}})))
	if err != nil {
		t.Fatal(err)
	}
	const workers, calls = 8, 25
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				req := &Request{Model: "mock/x", Messages: hi(), MockResponse: "a b c"}
				switch i % 3 {
				case 0:
					if _, err := c.Completion(context.Background(), req); err != nil {
						t.Error(err)
					}
				case 1:
					s, err := c.Stream(context.Background(), req)
					if err != nil {
						t.Error(err)
						continue
					}
					if w%2 == 0 {
						s.Next()
						go s.Close() // Close from another goroutine
						for s.Next() {
						}
					} else {
						for s.Next() {
						}
					}
					s.Close()
				case 2:
					req.MockResponse = errors.New("boom")
					_, _ = c.Completion(context.Background(), req)
				}
			}
		}(w)
	}
	wg.Wait()
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	total := int64(workers * calls)
	if got := l.success.Load() + l.failure.Load(); got != total {
		t.Fatalf("%d terminal events for %d calls", got, total)
	}
	for id, types := range l.byCall {
		terminal := 0
		for i, ty := range types {
			if ty == EventSuccess || ty == EventFailure {
				terminal++
				if i != len(types)-1 {
					t.Fatalf("call %s: terminal event not last: %v", id, types)
				}
			}
		}
		if terminal != 1 || types[0] != EventPreAPICall {
			t.Fatalf("call %s: events %v", id, types)
		}
	}
	for _, st := range c.Stats() {
		if st.Emitted != st.Delivered+st.Dropped() || st.Queued != 0 {
			t.Fatalf("stats %+v", st)
		}
	}
}

func FuzzAccumulator(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0, 2, 1})
	f.Add([]byte{0, 5})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var a accumulator
		for i := 0; i+1 < len(ops) && i < 400; i += 2 {
			choice, tool := int(ops[i]%4), int(ops[i+1]%5)
			c := &Chunk{ID: "x", Choices: []ChunkChoice{{Index: choice, Delta: Delta{Content: "t",
				ToolCalls: []ToolCall{{Index: &tool, Function: FunctionCall{Arguments: "{"}}}}}}}
			if err := a.add(c); err != nil {
				if CodeOf(err) != CodeBadResponse {
					t.Fatalf("error code %v", CodeOf(err))
				}
				return
			}
			if len(a.choices) > maxChoices {
				t.Fatal("unbounded growth")
			}
		}
		r := a.response("chat.completion")
		if len(r.Choices) != len(a.choices) {
			t.Fatal("choices lost")
		}
	})
}

func TestAccumulator_RefusesSkippedIndex(t *testing.T) {
	var a accumulator
	if err := a.add(&Chunk{Choices: []ChunkChoice{{Index: 1}}}); CodeOf(err) != CodeBadResponse {
		t.Fatalf("err %v", err)
	}
	two := 2
	if err := a.add(&Chunk{Choices: []ChunkChoice{{Index: 0, Delta: Delta{ToolCalls: []ToolCall{{Index: &two}}}}}}); CodeOf(err) != CodeBadResponse {
		t.Fatalf("err %v", err)
	}
}

func TestAccumulator_SeveralChoicesAndToolCalls(t *testing.T) {
	var a accumulator
	zero, one := 0, 1
	chunks := []*Chunk{
		{ID: "c", Choices: []ChunkChoice{{Index: 0, Delta: Delta{Role: RoleAssistant, Content: "A"}}, {Index: 1, Delta: Delta{Content: "B"}}}},
		{Choices: []ChunkChoice{{Index: 2, Delta: Delta{Content: "C"}}}},
		{Choices: []ChunkChoice{{Index: 0, Delta: Delta{ToolCalls: []ToolCall{{Index: &zero, ID: "t0", Function: FunctionCall{Name: "f", Arguments: `{"a"`}}}}}}},
		{Choices: []ChunkChoice{{Index: 0, Delta: Delta{ToolCalls: []ToolCall{{Index: &one, ID: "t1", Function: FunctionCall{Name: "g"}}}}}}},
		{Choices: []ChunkChoice{{Index: 0, Delta: Delta{ToolCalls: []ToolCall{{Index: &zero, Function: FunctionCall{Arguments: `:1}`}}}}, FinishReason: "tool_calls"}}},
	}
	for _, c := range chunks {
		if err := a.add(c); err != nil {
			t.Fatal(err)
		}
	}
	r := a.response("chat.completion")
	if len(r.Choices) != 3 || r.Choices[1].Message.Content != "B" || r.Choices[2].Message.Content != "C" {
		t.Fatalf("choices %+v", r.Choices)
	}
	tc := r.Choices[0].Message.ToolCalls
	if len(tc) != 2 || tc[0].Function.Arguments != `{"a":1}` || tc[1].Function.Name != "g" || tc[0].Type != "function" || r.Choices[0].FinishReason != "tool_calls" {
		t.Fatalf("tool calls %+v", tc)
	}
}
