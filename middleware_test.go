package llmux

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestMiddleware_RewritesTheRequest(t *testing.T) {
	u := newUpstream(t, reply{body: okBody})
	var seen *Request
	rewrite := func(next CallFunc) CallFunc {
		return func(ctx context.Context, c *Call) (*Result, error) {
			seen = c.Request
			c.Request.Model = "openai/gpt-4o-mini"
			c.Request.Messages = append([]Message{System("be brief")}, c.Request.Messages...)
			return next(ctx, c)
		}
	}
	c, rec := fakeClient(t, u, WithMiddleware(rewrite))
	req := &Request{Model: "openai/something-else", Messages: hi()}
	if _, err := c.Completion(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if seen == req || len(req.Messages) != 1 || req.Model != "openai/something-else" {
		t.Errorf("middleware changed the caller's request: %+v", req)
	}
	if body := u.bodies[0]; !strings.Contains(body, `"model":"gpt-4o-mini"`) || !strings.Contains(body, "be brief") {
		t.Errorf("upstream body %s lacks the rewrite", body)
	}
	e := rec.last()
	if e.UpstreamModel != "gpt-4o-mini" || len(e.Messages) != 2 || e.Messages[0].Content != "be brief" {
		t.Errorf("the event does not show the rewritten request: %s %v", e.UpstreamModel, e.Messages)
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "successful_api_call")
}

func TestMiddleware_RejectionGivesOneFailureEventAndNoAttempt(t *testing.T) {
	u := newUpstream(t, reply{body: okBody})
	deny := func(next CallFunc) CallFunc {
		return func(ctx context.Context, c *Call) (*Result, error) {
			return nil, &Error{Code: CodePermission, Message: "budget exceeded"}
		}
	}
	c, rec := fakeClient(t, u, WithMiddleware(deny))
	for _, stream := range []bool{false, true} {
		var err error
		if stream {
			_, err = c.Stream(context.Background(), &Request{Model: "openai/gpt-4o-mini", Messages: hi()})
		} else {
			_, err = c.Completion(context.Background(), &Request{Model: "openai/gpt-4o-mini", Messages: hi()})
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != CodePermission || e.Message != "budget exceeded" {
			t.Fatalf("err = %v, want the middleware's permission error", err)
		}
	}
	wantTypes(t, rec, "failed_api_call", "failed_api_call")
	if u.requests() != 0 {
		t.Errorf("%d upstream requests, want none", u.requests())
	}
}

func TestMiddleware_ReplacesTheResponse(t *testing.T) {
	u := newUpstream(t, reply{body: okBody})
	footer := func(next CallFunc) CallFunc {
		return func(ctx context.Context, c *Call) (*Result, error) {
			res, err := next(ctx, c)
			if err != nil {
				return nil, err
			}
			r := res.Response.Clone()
			r.Choices[0].Message.Content += " [checked]"
			return &Result{Response: r}, nil
		}
	}
	c, rec := fakeClient(t, u, WithMiddleware(footer))
	resp, err := c.Completion(context.Background(), &Request{Model: "openai/gpt-4o-mini", Messages: hi()})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(resp.Text(), " [checked]") || !strings.HasSuffix(rec.last().Response.Text(), " [checked]") {
		t.Errorf("caller %q, event %q: both want the replacement", resp.Text(), rec.last().Response.Text())
	}
}

// upperReader is a middleware's wrapped stream: it sees and replaces each
// chunk.
type upperReader struct{ ChunkReader }

func (r upperReader) Recv() (*Chunk, error) {
	c, err := r.ChunkReader.Recv()
	if err != nil {
		return nil, err
	}
	c = c.Clone()
	for i := range c.Choices {
		c.Choices[i].Delta.Content = strings.ToUpper(c.Choices[i].Delta.Content)
	}
	return c, nil
}

func TestMiddleware_WrapsTheStream(t *testing.T) {
	upper := func(next CallFunc) CallFunc {
		return func(ctx context.Context, c *Call) (*Result, error) {
			res, err := next(ctx, c)
			if err != nil || res.Stream == nil {
				return res, err
			}
			return &Result{Stream: upperReader{res.Stream}}, nil
		}
	}
	c, rec := newTestClient(t, WithMiddleware(upper))
	s, err := c.Stream(context.Background(), &Request{Model: "mock/x", Messages: hi(), MockResponse: "hello there"})
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for s.Next() {
		text.WriteString(s.Chunk().Text())
	}
	s.Close()
	if text.String() != "HELLO THERE" || s.Response().Text() != "HELLO THERE" || rec.last().CompleteStreamingResponse.Text() != "HELLO THERE" {
		t.Errorf("stream %q, response %q, event %q", text.String(), s.Response().Text(), rec.last().CompleteStreamingResponse.Text())
	}
}

func TestMiddleware_PanicFailsOnlyThatCall(t *testing.T) {
	var n atomic.Int32
	boom := func(next CallFunc) CallFunc {
		return func(ctx context.Context, c *Call) (*Result, error) {
			if n.Add(1) == 1 {
				panic("hook exploded")
			}
			return next(ctx, c)
		}
	}
	c, rec := newTestClient(t, WithMiddleware(boom), WithLog(discardLog()))
	_, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi()})
	if CodeOf(err) != CodeUnknown || !strings.Contains(err.Error(), "hook exploded") {
		t.Fatalf("err = %v", err)
	}
	wantTypes(t, rec, "failed_api_call")
	if _, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi()}); err != nil {
		t.Fatalf("the next call failed: %v", err)
	}
}

func TestMiddleware_OrderAndPerRequest(t *testing.T) {
	var trace []string
	var built atomic.Int32
	mark := func(name string) Middleware {
		return func(next CallFunc) CallFunc {
			built.Add(1)
			return func(ctx context.Context, c *Call) (*Result, error) {
				trace = append(trace, name+">")
				res, err := next(ctx, c)
				trace = append(trace, "<"+name)
				return res, err
			}
		}
	}
	c, _ := newTestClient(t, WithMiddleware(mark("a"), mark("b")))
	if built.Load() != 2 {
		t.Fatalf("client chain built %d middleware, want 2 (once, in New)", built.Load())
	}
	for range 3 {
		if _, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi()}); err != nil {
			t.Fatal(err)
		}
	}
	if built.Load() != 2 {
		t.Errorf("calls rebuilt the client chain: %d builds", built.Load())
	}
	trace = nil
	if _, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi(), Middleware: []Middleware{mark("r")}}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(trace, " "); got != "a> b> r> <r <b <a" {
		t.Errorf("order %q, want the request's inside the client's", got)
	}
}

func TestMiddleware_SeesCacheHitsAndCallID(t *testing.T) {
	var ids []string
	record := func(next CallFunc) CallFunc {
		return func(ctx context.Context, c *Call) (*Result, error) {
			ids = append(ids, c.ID)
			return next(ctx, c)
		}
	}
	c, rec := newTestClient(t, WithMiddleware(record))
	if _, err := c.Embedding(context.Background(), &Request{Model: "mock/e", Input: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] == "" || ids[0] != rec.last().CallID {
		t.Errorf("middleware saw call ids %v, event %q", ids, rec.last().CallID)
	}
}

// flushLogger buffers and records Flush and Shutdown, like an exporter.
type flushLogger struct {
	got, flushed, shut atomic.Int32
	block              chan struct{}
}

func (l *flushLogger) LogSuccessEvent(context.Context, *Event) { l.got.Add(1) }

func (l *flushLogger) Flush(context.Context) error {
	l.flushed.Store(l.got.Load())
	return nil
}

func (l *flushLogger) Shutdown(ctx context.Context) error {
	l.shut.Add(1)
	if l.block != nil {
		select {
		case <-l.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func TestLoggers_FlushAndShutdown(t *testing.T) {
	l := &flushLogger{}
	c, err := New(WithCallbacks(l))
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := c.Completion(context.Background(), &Request{Model: "mock/x", Messages: hi()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if l.flushed.Load() != 5 {
		t.Errorf("Flush ran after %d of 5 events: it must run after the queue drained", l.flushed.Load())
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if l.shut.Load() != 1 {
		t.Errorf("Shutdown ran %d times, want once", l.shut.Load())
	}
}

func TestSetCallbacks_ReplacingWaitsAtMostTheBound(t *testing.T) {
	defer func(d time.Duration) { setCallbacksTimeout = d }(setCallbacksTimeout)
	setCallbacksTimeout = 200 * time.Millisecond
	stuck := &flushLogger{block: make(chan struct{})}
	defer close(stuck.block)
	if err := SetCallbacks(stuck); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = SetCallbacks() // replaces the stuck logger (its warning goes to slog's default)
	}()
	select {
	case <-done:
	case <-time.After(setCallbacksTimeout + 5*time.Second):
		t.Fatal("SetCallbacks waited past its bound for a logger that never shuts down")
	}
	if stuck.shut.Load() != 1 {
		t.Errorf("the replaced logger's Shutdown ran %d times", stuck.shut.Load())
	}
}

// A middleware's own stream that errors: the stream ends with one
// failure event.
type failingReader struct{ n int }

func (r *failingReader) Recv() (*Chunk, error) {
	r.n++
	if r.n == 1 {
		return &Chunk{ID: "x", Choices: []ChunkChoice{{Delta: Delta{Content: "partial"}}}}, nil
	}
	return nil, io.ErrUnexpectedEOF
}

func (r *failingReader) Close() error { return nil }

func TestMiddleware_OwnStreamFailureEndsWithOneFailureEvent(t *testing.T) {
	canned := func(next CallFunc) CallFunc {
		return func(ctx context.Context, c *Call) (*Result, error) {
			return &Result{Stream: &failingReader{}}, nil
		}
	}
	c, rec := newTestClient(t, WithMiddleware(canned))
	s, err := c.Stream(context.Background(), &Request{Model: "mock/x", Messages: hi()})
	if err != nil {
		t.Fatal(err)
	}
	for s.Next() {
	}
	s.Close()
	if s.Err() == nil || s.Response().Text() != "partial" {
		t.Errorf("err %v, partial %q", s.Err(), s.Response().Text())
	}
	wantTypes(t, rec, "stream_event*1", "failed_api_call")
}

// TestMiddleware_RouterTriesDeploymentsInOneCall is a router in miniature:
// middleware that sends the call to one deployment, then to another when
// the first fails. The call has one pre/post pair per attempt, numbered
// across deployments, and one terminal event reporting the route taken.
func TestMiddleware_RouterTriesDeploymentsInOneCall(t *testing.T) {
	down := newUpstream(t, reply{status: 503, body: `{"error":{"message":"overloaded","type":"server_error"}}`})
	up := newUpstream(t, reply{body: okBody})
	deployments := []struct{ id, model, base string }{
		{"dep-a", "openai/gpt-4o-a", down.URL}, {"dep-b", "openai/gpt-4o-b", up.URL},
	}
	router := func(next CallFunc) CallFunc {
		return func(ctx context.Context, c *Call) (*Result, error) {
			group := c.Request.Model
			var err error
			for i, d := range deployments {
				r := *c.Request
				r.Model, r.APIBase, r.MaxRetries = d.model, d.base, Ptr(0)
				r.Route = &Route{ModelGroup: group, ModelID: d.id, Deployment: d.model, Try: i + 1}
				c.Request = &r
				var res *Result
				if res, err = next(ctx, c); err == nil {
					return res, nil
				}
			}
			return nil, err
		}
	}
	c, rec := fakeClient(t, up, WithMiddleware(router))
	req := &Request{Model: "gpt-4o", Messages: hi()}
	if _, err := c.Completion(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if req.Route != nil || req.Model != "gpt-4o" {
		t.Errorf("the router changed the caller's request: %+v", req)
	}
	wantTypes(t, rec, "pre_api_call", "post_api_call", "pre_api_call", "post_api_call", "successful_api_call")
	evs := rec.all()
	for i, want := range []struct {
		n     int
		route Route
	}{
		{1, Route{"gpt-4o", "dep-a", "openai/gpt-4o-a", 1}}, {1, Route{"gpt-4o", "dep-a", "openai/gpt-4o-a", 1}},
		{2, Route{"gpt-4o", "dep-b", "openai/gpt-4o-b", 2}}, {2, Route{"gpt-4o", "dep-b", "openai/gpt-4o-b", 2}},
		{2, Route{"gpt-4o", "dep-b", "openai/gpt-4o-b", 2}},
	} {
		e := evs[i]
		if e.Attempt.Number != want.n || e.Route != want.route {
			t.Errorf("event %d (%s): attempt %d route %+v, want attempt %d route %+v", i, e.Type, e.Attempt.Number, e.Route, want.n, want.route)
		}
	}
	last := evs[len(evs)-1]
	if last.Model != "openai/gpt-4o-b" || !strings.HasPrefix(last.Attempt.APIBase, up.URL) {
		t.Errorf("terminal event: model %q api_base %q, want the second deployment's", last.Model, last.Attempt.APIBase)
	}
	if down.requests() != 1 || up.requests() != 1 {
		t.Errorf("upstream requests: %d to the failing deployment, %d to the good one; want 1 each", down.requests(), up.requests())
	}
}

// TestMiddleware_RefusalKeepsTheRoute: middleware that sets a Route and
// refuses the call without calling next (a router whose deployments all
// cool down) still has the route reported in the failure event.
func TestMiddleware_RefusalKeepsTheRoute(t *testing.T) {
	u := newUpstream(t, reply{body: okBody})
	refuse := func(next CallFunc) CallFunc {
		return func(ctx context.Context, c *Call) (*Result, error) {
			r := *c.Request
			r.Route = &Route{ModelGroup: "gpt-4o"}
			c.Request = &r
			return nil, &Error{Code: CodeRateLimited, Message: "every deployment of gpt-4o is cooling down"}
		}
	}
	c, rec := fakeClient(t, u, WithMiddleware(refuse))
	if _, err := c.Completion(context.Background(), &Request{Model: "gpt-4o", Messages: hi()}); CodeOf(err) != CodeRateLimited {
		t.Fatalf("err = %v", err)
	}
	wantTypes(t, rec, "failed_api_call")
	if e := rec.last(); e.Route.ModelGroup != "gpt-4o" {
		t.Errorf("failure event route %+v, want the group", e.Route)
	}
}

// TestMiddleware_ResultSaysCacheHit: the result middleware sees says when
// the cache answered.
func TestMiddleware_ResultSaysCacheHit(t *testing.T) {
	u := newUpstream(t, reply{body: okBody})
	var hits []bool
	spy := func(next CallFunc) CallFunc {
		return func(ctx context.Context, c *Call) (*Result, error) {
			res, err := next(ctx, c)
			if err == nil {
				hits = append(hits, res.CacheHit)
			}
			return res, err
		}
	}
	mem := newMapCache()
	c, _ := fakeClient(t, u, WithMiddleware(spy), WithCache(mem))
	for range 2 {
		if _, err := c.Completion(context.Background(), &Request{Model: "openai/gpt-4o-mini", Messages: hi()}); err != nil {
			t.Fatal(err)
		}
	}
	if len(hits) != 2 || hits[0] || !hits[1] {
		t.Errorf("CacheHit per call = %v, want [false true]", hits)
	}
}
