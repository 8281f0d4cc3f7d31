package router

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmux/llmux"
)

func readStream(t *testing.T, s *llmux.ChatStream) string {
	t.Helper()
	var b strings.Builder
	for s.Next() {
		b.WriteString(s.Chunk().Text())
	}
	return b.String()
}

// An error before the first byte is an error of Stream: the router tries
// the next deployment, in the same call.
func TestStream_ErrorBeforeFirstByteIsRetriedOnAnotherDeployment(t *testing.T) {
	down, up := newUpstream(t, serverError()), newUpstream(t, okStream(t))
	a, b := deployment("a", "g", down), deployment("b", "g", up)
	a.Weight = 1
	r := newRouter(t, []Deployment{a, b})
	c, rec := newClient(t, r)
	s, err := c.Stream(context.Background(), chat("g"))
	if err != nil {
		t.Fatal(err)
	}
	text := readStream(t, s)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if text != "Hello! How can I assist you today?" {
		t.Errorf("text %q", text)
	}
	if got := rec.Sequence(); got != "pre_api_call,post_api_call,pre_api_call,post_api_call,stream_event+,successful_api_call" {
		t.Errorf("events %s", got)
	}
	if e := rec.Last(); e.Route != (llmux.Route{ModelGroup: "g", ModelID: "b", Deployment: "openai/gpt-4o-mini-b", Try: 2}) || e.Attempt.Number != 2 {
		t.Errorf("terminal event: route %+v attempt %d", e.Route, e.Attempt.Number)
	}
}

// A routed stream counts in flight until it is closed, and its tokens (the
// usage chunk's) when it ends.
func TestStream_CountsInFlightUntilCloseAndItsTokens(t *testing.T) {
	u := newUpstream(t, okStream(t))
	r := newRouter(t, []Deployment{deployment("a", "g", u)})
	c, _ := newClient(t, r)
	d := depOf(t, r, "a")
	s, err := c.Stream(context.Background(), chat("g"))
	if err != nil {
		t.Fatal(err)
	}
	if d.inflight.Load() != 1 {
		t.Errorf("in flight %d while the stream is open, want 1", d.inflight.Load())
	}
	if !s.Next() {
		t.Fatal(s.Err())
	}
	if got := status(t, r, "a"); got.Requests != 1 || got.Tokens != 0 {
		t.Errorf("mid-stream: %+v, want the request counted, no tokens yet", got)
	}
	readStream(t, s)
	s.Close()
	s.Close()
	if d.inflight.Load() != 0 {
		t.Errorf("in flight %d after Close, want 0", d.inflight.Load())
	}
	if got := status(t, r, "a"); got.Requests != 1 || got.Tokens != 29 {
		t.Errorf("after the stream: %+v, want 1 request and the usage chunk's 29 tokens", got)
	}
	if d.latencyOf() <= 0 {
		t.Error("no latency sample (time to headers)")
	}

	// Closed early: no usage chunk, the text received is estimated.
	s, err = c.Stream(context.Background(), chat("g"))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		s.Next()
	}
	s.Close()
	if d.inflight.Load() != 0 {
		t.Errorf("in flight %d after an early Close", d.inflight.Load())
	}
	if got := status(t, r, "a"); got.Requests != 2 || got.Tokens != 29+2 { // "Hello" + "!" = 6 bytes
		t.Errorf("after an early Close: %+v, want 2 requests and 31 tokens", got)
	}
}

// Once a stream has started, a failure is the stream's: no other
// deployment is tried, and the failure counts towards the cooldown.
func TestStream_NoRetryAfterTheStreamStarted(t *testing.T) {
	sse := fixture(t, "openai-chat-stream.sse")
	cut := strings.Index(sse, "\n\n") + 2 + strings.Index(sse[strings.Index(sse, "\n\n")+2:], "\n\n") + 2 // two events
	broken, good := newUpstream(t, reply{body: sse, cut: cut}), newUpstream(t, okStream(t))
	a, b := deployment("a", "g", broken), deployment("b", "g", good)
	a.Weight = 1
	r := newRouter(t, []Deployment{a, b}, WithAllowedFails(0))
	c, rec := newClient(t, r)
	s, err := c.Stream(context.Background(), chat("g"))
	if err != nil {
		t.Fatal(err)
	}
	text := readStream(t, s)
	s.Close()
	if s.Err() == nil {
		t.Fatal("the broken stream ended without an error")
	}
	if text != "Hello" {
		t.Errorf("text %q, want what arrived before the break", text)
	}
	if good.requests() != 0 {
		t.Errorf("%d requests to the other deployment after the stream started", good.requests())
	}
	if got := rec.Sequence(); got != "pre_api_call,post_api_call,stream_event+,failed_api_call" {
		t.Errorf("events %s", got)
	}
	if depOf(t, r, "a").inflight.Load() != 0 {
		t.Error("still in flight")
	}
	if code := llmux.CodeOf(s.Err()); code != llmux.CodeConnection {
		t.Errorf("mid-stream error %v, want a connection error", s.Err())
	}
	if got := status(t, r, "a"); got.CooldownUntil.IsZero() {
		t.Error("the mid-stream connection error did not count towards the cooldown")
	}
}

func TestStream_CallerRequestAndRouteEvents(t *testing.T) {
	u := newUpstream(t, okStream(t))
	r := newRouter(t, []Deployment{deployment("a", "g", u)})
	c, rec := newClient(t, r)
	req := chat("g")
	s, err := c.Stream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	readStream(t, s)
	s.Close()
	want := llmux.Route{ModelGroup: "g", ModelID: "a", Deployment: "openai/gpt-4o-mini-a", Try: 1}
	for _, e := range rec.All() {
		if diff := cmp.Diff(want, e.Route); diff != "" {
			t.Fatalf("%s event route (-want +got):\n%s", e.Type, diff)
		}
	}
	if req.Model != "g" || req.Route != nil {
		t.Errorf("caller's request changed: %+v", req)
	}
}
