package litellm

import (
	"context"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cache"
	"github.com/llmux/llmux/internal/record"
)

// A cache hit, seen through LiteLLM's views: kwargs carry cache_hit,
// cache_key and saved_cache_cost and no api_key; the payload id is
// "<call id>_cache_hit<unix time>"; a streamed hit has its complete
// streaming response.
func TestViews_CacheHit(t *testing.T) {
	mem, err := cache.NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	rec := &record.Events{}
	c, err := llmux.New(llmux.WithCache(mem), llmux.WithCallbacks(llmux.Inline(rec)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	req := func() *llmux.Request {
		return &llmux.Request{Model: "gpt-3.5-turbo", Messages: []llmux.Message{llmux.User("hi")}, MockResponse: "Hello from the cache"}
	}
	ctx := context.Background()
	for range 2 {
		if _, err := c.Completion(ctx, req()); err != nil {
			t.Fatal(err)
		}
	}
	evs := rec.All()
	if len(evs) != 4 {
		t.Fatalf("events %s, want pre, post, success, success", rec.Types())
	}
	miss, hit := evs[2], evs[3]
	k := Kwargs(hit)
	if k["cache_hit"] != true || k["response_cost"] != 0.0 || k["saved_cache_cost"] != 3.5e-05 || k["cache_key"] != miss.CacheKey {
		t.Errorf("kwargs: cache_hit=%v response_cost=%v saved_cache_cost=%v cache_key=%v",
			k["cache_hit"], k["response_cost"], k["saved_cache_cost"], k["cache_key"])
	}
	if _, ok := k["api_key"]; ok {
		t.Error("kwargs of a hit carry an api_key, but no API call was made")
	}
	p := Payload(hit)
	if !strings.HasPrefix(p.ID, hit.CallID+"_cache_hit") || len(p.ID) <= len(hit.CallID+"_cache_hit") {
		t.Errorf("payload id %q, want %q + timestamp", p.ID, hit.CallID+"_cache_hit")
	}
	if mp := Payload(miss); mp.ID != miss.CallID || *mp.CacheHit || *p.CacheHit != true {
		t.Errorf("payload ids/cache_hit: miss %q %v, hit %q %v", mp.ID, *mp.CacheHit, p.ID, *p.CacheHit)
	}
	if p.ResponseCost != 0 || p.SavedCacheCost != 3.5e-05 || *p.CacheKey != miss.CacheKey {
		t.Errorf("payload: response_cost %v saved %v key %v", p.ResponseCost, p.SavedCacheCost, *p.CacheKey)
	}

	s, err := c.Stream(ctx, req())
	if err != nil {
		t.Fatal(err)
	}
	for s.Next() {
	}
	s.Close()
	if k := Kwargs(rec.Last()); k["complete_streaming_response"] == nil || k["cache_hit"] != true {
		t.Errorf("streamed hit kwargs complete_streaming_response=%v cache_hit=%v", k["complete_streaming_response"], k["cache_hit"])
	}
}
