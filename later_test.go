package llmux

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/llmux/llmux/internal/later"
)

// TestLater_EventsAfterTheAnswer: with the gateway's slot in the context,
// a completion returns with only its pre-API-call event emitted; running
// the slot emits the post-API-call and success events, the same as a call
// without the slot emits before it returns.
func TestLater_EventsAfterTheAnswer(t *testing.T) {
	u := newUpstream(t, reply{body: okBody}, reply{body: okBody})
	c, rec := fakeClient(t, u)
	want, err := c.Completion(context.Background(), &Request{Model: "gpt-4o", Messages: hi()})
	if err != nil {
		t.Fatal(err)
	}
	direct := rec.all()
	rec.events = nil

	ctx, slot := later.With(context.Background())
	resp, err := c.Completion(ctx, &Request{Model: "gpt-4o", Messages: hi()})
	if err != nil {
		t.Fatal(err)
	}
	returned := time.Now()
	if !reflect.DeepEqual(resp.Usage, want.Usage) {
		t.Errorf("usage %+v, want %+v", resp.Usage, want.Usage)
	}
	wantTypes(t, rec, "pre_api_call")
	slot.Run()
	wantTypes(t, rec, "pre_api_call", "post_api_call", "successful_api_call")
	slot.Run() // once only
	wantTypes(t, rec, "pre_api_call", "post_api_call", "successful_api_call")

	got := rec.all()
	for i := range got {
		d, g := direct[i], got[i]
		if !reflect.DeepEqual(g.Usage, d.Usage) || g.ResponseCost != d.ResponseCost || g.StatusCode != d.StatusCode ||
			g.OriginalResponse != d.OriginalResponse || !reflect.DeepEqual(g.Response, d.Response) {
			t.Errorf("%s event differs from the call's without the slot:\n got usage %+v cost %v status %d\nwant usage %+v cost %v status %d",
				g.Type, g.Usage, g.ResponseCost, g.StatusCode, d.Usage, d.ResponseCost, d.StatusCode)
		}
	}
	if post := got[1]; !post.Usage.IsZero() {
		t.Errorf("post-API-call event has usage %+v: it is emitted before the usage is set", post.Usage)
	}
	if end := got[2].EndTime; end.After(returned) {
		t.Errorf("success EndTime %v is after the call returned (%v): it is when the answer was ready", end, returned)
	}
}

// TestLater_HeldPostComesFirst: a post-API-call event held for after the
// answer is emitted before anything that follows the attempt: a failure
// middleware gives after a successful attempt, or another attempt.
func TestLater_HeldPostComesFirst(t *testing.T) {
	refuse := func(next CallFunc) CallFunc {
		return func(ctx context.Context, c *Call) (*Result, error) {
			if _, err := next(ctx, c); err != nil {
				return nil, err
			}
			return nil, errors.New("the answer is refused")
		}
	}
	again := func(next CallFunc) CallFunc {
		return func(ctx context.Context, c *Call) (*Result, error) {
			if _, err := next(ctx, c); err != nil {
				return nil, err
			}
			return next(ctx, c)
		}
	}
	for _, tc := range []struct {
		name string
		mw   Middleware
		want []string
	}{
		{"failure after success", refuse, []string{"pre_api_call", "post_api_call", "failed_api_call"}},
		{"second attempt", again, []string{"pre_api_call", "post_api_call", "pre_api_call", "post_api_call", "successful_api_call"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := newUpstream(t, reply{body: okBody}, reply{body: okBody})
			c, rec := fakeClient(t, u, WithMiddleware(tc.mw))
			ctx, slot := later.With(context.Background())
			_, _ = c.Completion(ctx, &Request{Model: "gpt-4o", Messages: hi()})
			slot.Run()
			wantTypes(t, rec, tc.want...)
		})
	}
}

// TestLater_StreamsIgnoreIt: a stream emits its events as always, the
// success event when it ends, and leaves nothing in the slot.
func TestLater_StreamsIgnoreIt(t *testing.T) {
	u := newUpstream(t, reply{body: streamBody})
	c, rec := fakeClient(t, u)
	ctx, slot := later.With(context.Background())
	s, err := c.Stream(ctx, &Request{Model: "gpt-4o", Messages: hi()})
	if err != nil {
		t.Fatal(err)
	}
	for s.Next() {
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	types := rec.types()
	if len(types) == 0 || types[len(types)-1] != "successful_api_call" {
		t.Fatalf("events %v: the stream's success event is missing", types)
	}
	n := len(rec.all())
	slot.Run()
	if len(rec.all()) != n {
		t.Errorf("the slot held events of a stream: %v", rec.types())
	}
	if later.From(context.Background()) != nil {
		t.Fatal("a plain context has a slot")
	}
}
