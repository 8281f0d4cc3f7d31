package llmux

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// reader is a queued logger that reads every field of each event it gets
// (and of each chunk), as a real exporter would, and keeps what it saw, so
// -race catches any memory it shares with the caller.
type reader struct {
	mu   sync.Mutex
	seen []string
}

func (r *reader) read(e *Event, c *Chunk) {
	b, err := json.Marshal(struct {
		Msgs   []Message
		Params map[string]any
		Meta   map[string]any
		Tags   []string
		Resp   *Response
		CSR    *Response
		Emb    *EmbeddingResponse
		Chunk  *Chunk
		Err    string
		Input  any
		Body   json.RawMessage
	}{e.Messages, e.OptionalParams, e.Metadata, e.Tags, e.Response, e.CompleteStreamingResponse, e.EmbeddingResponse, c,
		fmt.Sprint(e.Err), e.Attempt.Input, e.Attempt.RequestBody})
	if err != nil {
		b = []byte(err.Error())
	}
	r.mu.Lock()
	r.seen = append(r.seen, string(b))
	r.mu.Unlock()
}

func (r *reader) LogPreAPICall(_ context.Context, e *Event)            { r.read(e, nil) }
func (r *reader) LogPostAPICall(_ context.Context, e *Event)           { r.read(e, nil) }
func (r *reader) LogStreamEvent(_ context.Context, e *Event, c *Chunk) { r.read(e, c) }
func (r *reader) LogSuccessEvent(_ context.Context, e *Event)          { r.read(e, nil) }
func (r *reader) LogFailureEvent(_ context.Context, e *Event)          { r.read(e, nil) }
func (r *reader) all() string                                          { r.mu.Lock(); defer r.mu.Unlock(); return strings.Join(r.seen, "\n") }
func (r *reader) count() int                                           { r.mu.Lock(); defer r.mu.Unlock(); return len(r.seen) }
func newSnapshotClient(t *testing.T, opts ...Option) (*Client, *reader, *reader) {
	t.Helper()
	r1, r2 := &reader{}, &reader{}
	c, err := New(append([]Option{WithCallbacks(r1, r2), WithRetryBackoff(0, 0, 0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c, r1, r2
}

// snapReq is a request touching every kind of shared memory: slices,
// nested metadata, pointers, raw JSON.
func snapReq() *Request {
	return &Request{
		Model:    "mock/gpt",
		Messages: []Message{User("hello"), {Role: RoleUser, Parts: []ContentPart{{Type: "text", Text: "part"}}}},
		Tools: []Tool{{Type: "function", Function: Function{Name: "f",
			Parameters: json.RawMessage(`{"type":"object"}`)}}},
		ToolChoice:     &ToolChoice{Mode: "auto"},
		Stop:           []string{"END"},
		ResponseFormat: json.RawMessage(`{"type":"json_object"}`),
		Temperature:    ptr(0.5),
		Tags:           []string{"tag-a"},
		Metadata:       map[string]any{"nested": map[string]any{"k": "v"}, "list": []any{"x"}},
		Extra:          map[string]json.RawMessage{"logit_bias": json.RawMessage(`{"1":1}`)},
		MockResponse:   "answer",
	}
}

// mutate changes everything a caller may have touched, in place.
func mutate(req *Request) {
	req.Messages[0].Content = "changed"
	req.Messages[1].Parts[0].Text = "changed"
	req.Tools[0].Function.Name = "g"
	req.Tools[0].Function.Parameters[1] = 'X'
	req.ToolChoice.Mode = "none"
	req.Stop[0] = "STOP"
	req.ResponseFormat[1] = 'X'
	*req.Temperature = 1.5
	req.Tags[0] = "tag-b"
	req.Metadata["nested"].(map[string]any)["k"] = "changed"
	req.Metadata["list"].([]any)[0] = "changed"
	req.Metadata["added"] = 1
	req.Extra["logit_bias"][1] = 'X'
}

// The caller reuses its request and changes the response it got right
// after the call, while queued loggers read their events: no race, and
// the loggers see what the call was made with.
func TestSnapshot_ConcurrentSafe_CallerMutatesRequestAndResponse(t *testing.T) {
	c, r1, r2 := newSnapshotClient(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				req := snapReq()
				resp, err := c.Completion(ctx, req)
				if err != nil {
					t.Error(err)
					return
				}
				mutate(req)
				resp.Model = "changed"
				resp.Choices[0].Message.Content = "changed"
				resp.Choices[0].Message.Extra = map[string]json.RawMessage{"x": json.RawMessage(`1`)}
				resp.Usage.PromptTokens = -1
				resp.Raw[0] = 'X'
			}
		}()
	}
	wg.Wait()
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*reader{r1, r2} {
		if got := r.all(); strings.Contains(got, "changed") || strings.Contains(got, "STOP") || strings.Contains(got, "tag-b") {
			t.Fatalf("a logger saw the caller's later changes:\n%.2000s", got)
		}
		if r.count() != 8*20*3 {
			t.Errorf("logger got %d events, want %d", r.count(), 8*20*3)
		}
	}
}

// The caller changes each chunk it gets while stream loggers read theirs.
func TestSnapshot_ConcurrentSafe_CallerMutatesChunks(t *testing.T) {
	c, r1, _ := newSnapshotClient(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				req := snapReq()
				req.MockResponse = "one two three four"
				s, err := c.Stream(ctx, req)
				if err != nil {
					t.Error(err)
					return
				}
				for s.Next() {
					ch := s.Chunk()
					for j := range ch.Choices {
						ch.Choices[j].Delta.Content = "changed"
					}
					ch.Model = "changed"
					if ch.Usage != nil {
						ch.Usage.TotalTokens = -1
					}
				}
				resp := s.Response()
				resp.Choices[0].Message.Content = "changed"
				s.Close()
				mutate(req)
			}
		}()
	}
	wg.Wait()
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r1.all(); strings.Contains(got, "changed") {
		t.Fatalf("a logger saw the caller's changes:\n%.2000s", got)
	}
}

// One *Error given as MockResponse to many concurrent calls is never
// changed: each caller gets its own copy, and the shared error's text
// stays as it was.
func TestSnapshot_ConcurrentSafe_SharedMockErrorIsNotMutated(t *testing.T) {
	c, _, _ := newSnapshotClient(t)
	shared := &Error{Code: CodeInvalidRequest, Message: "shared mock failure"}
	before := shared.Error()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for g := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[g] = c.Completion(context.Background(), &Request{Model: "openai/gpt-4o", Messages: hi(), MockResponse: shared})
		}()
	}
	wg.Wait()
	if shared.Error() != before || shared.Provider != "" {
		t.Errorf("the caller's error changed: %q (provider %q), was %q", shared.Error(), shared.Provider, before)
	}
	for _, err := range errs {
		var e *Error
		if !errors.As(err, &e) || e == shared || e.Provider != "openai" || e.Code != CodeInvalidRequest {
			t.Errorf("err = %#v, want a copy naming the provider", err)
		}
	}
}

// Loggers share one event per emission and must not change it; one that
// wants to works on a Clone, and the others never see its changes.
func TestSnapshot_CloneIsIndependent(t *testing.T) {
	var got []*Event
	var mu sync.Mutex
	changer := SuccessCallback(func(e *Event, _ any, _, _ time.Time) {
		c := e.Clone()
		c.Metadata["k"] = "changed"
		c.Tags = append(c.Tags, "added")
		c.Messages[0].Content = "changed"
		c.Response.Choices[0].Message.Content = "changed"
		c.OptionalParams["stop"].([]string)[0] = "changed"
	})
	keeper := SuccessCallback(func(e *Event, _ any, _, _ time.Time) {
		mu.Lock()
		got = append(got, e)
		mu.Unlock()
	})
	c, err := New(WithCallbacks(Inline(changer), Inline(keeper)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	req := snapReq()
	req.Metadata = map[string]any{"k": "v"}
	if _, err := c.Completion(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	e := got[0]
	if e.Metadata["k"] != "v" || len(e.Tags) != 1 || e.Messages[0].Content != "hello" ||
		e.Response.Choices[0].Message.Content != "answer" || e.OptionalParams["stop"].([]string)[0] != "END" {
		t.Errorf("a clone's changes showed in the shared event: %+v", e)
	}
}

// BenchmarkSnapshot measures what owning copies costs per call with one
// queued logger: the event snapshot (messages, params, metadata) and the
// response copy, against the dispatch budget of 1µs per event per logger.
func BenchmarkSnapshot(b *testing.B) {
	c, err := New(WithCallbacks(noopLogger{}), WithQueueSize(1<<16))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(context.Background())
	req := snapReq()
	resp := &Response{ID: "x", Object: "chat.completion", Model: "m", Choices: []Choice{{Message: Assistant("an answer of some length"),
		FinishReason: "stop"}}, Usage: Usage{PromptTokens: 10, CompletionTokens: 20, TotalTokens: 30}, Raw: json.RawMessage(okBody)}
	b.Run("request-snapshot", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			cl := &call{c: c, req: req, eff: req, ct: CallCompletion}
			cl.regs[1] = c.reg
			cl.collect()
			cl.snapshot(req, req)
		}
	})
	b.Run("response-copy", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = resp.Clone()
		}
	})
}

func TestNewID_IsAUniqueV4UUID(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		id := newID()
		if len(id) != 36 || id[14] != '4' || !strings.Contains("89ab", id[19:20]) || strings.Count(id, "-") != 4 {
			t.Fatalf("id %q is not a v4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}

// The success event's response body is the event's own: the caller
// changing the Raw bytes it got back does not reach it (the event shares
// the copy its post-API-call event took, not the caller's bytes).
func TestSnapshot_SuccessRawIsTheEvents(t *testing.T) {
	u := newUpstream(t, reply{body: okBody})
	c, rec := fakeClient(t, u)
	resp, err := c.Completion(context.Background(), &Request{Model: "gpt-4o", Messages: hi()})
	if err != nil {
		t.Fatal(err)
	}
	resp.Raw[0] = 'X'
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "successful_api_call")
	ev := rec.last()
	if got := string(ev.Response.Raw); got != okBody {
		t.Errorf("success event's Response.Raw = %.60q..., want the body as received", got)
	}
	if ev.OriginalResponse != okBody {
		t.Errorf("success event's OriginalResponse = %.60q..., want the body as received", ev.OriginalResponse)
	}
}
