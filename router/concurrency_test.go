package router

import (
	"context"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/record"
)

func sharedRequest(model string) *llmux.Request {
	return &llmux.Request{
		Model:       model,
		Messages:    []llmux.Message{llmux.System("be brief"), llmux.User("Hi 👋 - i'm openai")},
		Metadata:    map[string]any{"team": "a", "tags": []any{"x"}},
		Tags:        []string{"t1"},
		Temperature: llmux.Ptr(0.5),
		MaxRetries:  llmux.Ptr(5),
	}
}

// Many calls share one request while the router copies it for each try
// (a failing deployment forces retries): the router never writes to it.
// Then each caller changes its own request while its stream is still
// being read: the router no longer reads it.
func TestRouter_CallerRequestNeverMutated_ConcurrentSafe(t *testing.T) {
	flaky, good := newUpstream(t, serverError()), newUpstream(t, okBoth(t))
	r := newRouter(t, []Deployment{deployment("a", "g", flaky), deployment("b", "g", good), deployment("c", "g", good)},
		WithStrategy(LeastBusy), WithCooldown(0))
	c, _ := newClient(t, r)
	shared := sharedRequest("g")
	want := sharedRequest("g")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 5 {
				if _, err := c.Completion(context.Background(), shared); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range 8 {
		wg.Go(func() {
			own := sharedRequest("g")
			s, err := c.Stream(context.Background(), own)
			if err != nil {
				t.Error(err)
				return
			}
			var inner sync.WaitGroup
			inner.Go(func() {
				for s.Next() {
				}
			})
			own.Model = "changed"
			own.Messages[1].Content = "changed"
			own.Metadata["team"] = "changed"
			own.Tags[0] = "changed"
			*own.MaxRetries = 0
			inner.Wait()
			s.Close()
		})
	}
	wg.Wait()
	if diff := cmp.Diff(want, shared, record.CmpWire); diff != "" {
		t.Errorf("the shared request changed (-want +got):\n%s", diff)
	}
	for _, id := range []string{"a", "b", "c"} {
		if n := depOf(t, r, id).inflight.Load(); n != 0 {
			t.Errorf("%s: %d in flight after every call ended", id, n)
		}
	}
}
