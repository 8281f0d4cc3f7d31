package cache_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cache"
	"github.com/llmux/llmux/internal/record"
	"github.com/llmux/llmux/provider/openai"
)

// These tests drive an llmux.Client with the in-memory cache: the call
// path with the embedded default backend.

func memoryClient(t *testing.T, opts ...llmux.Option) (*llmux.Client, *record.Events, *cache.Memory) {
	t.Helper()
	m, err := cache.NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	rec := &record.Events{}
	c, err := llmux.New(append([]llmux.Option{llmux.WithCache(m), llmux.WithCallbacks(llmux.Inline(rec))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c, rec, m
}

func hi() []llmux.Message { return []llmux.Message{llmux.User("Hi 👋 - i'm openai")} }

func TestClient_MemoryHitGivesOneSuccessEvent(t *testing.T) {
	ctx := context.Background()
	req := func() *llmux.Request {
		return &llmux.Request{Model: "gpt-3.5-turbo", Messages: hi(), MockResponse: "from memory"}
	}
	t.Run("completion", func(t *testing.T) {
		c, rec, m := memoryClient(t)
		for range 2 {
			if _, err := c.Completion(ctx, req()); err != nil {
				t.Fatal(err)
			}
		}
		if got := rec.Types(); got != "pre_api_call,post_api_call,successful_api_call,successful_api_call" {
			t.Fatalf("events = %s", got)
		}
		rec.MissThenHit(t)
		hit := rec.Last()
		if !hit.CacheHit || hit.ResponseCost != 0 || hit.SavedCacheCost != 3.5e-05 || m.Len() != 1 {
			t.Errorf("hit=%v cost=%v saved=%v entries=%d", hit.CacheHit, hit.ResponseCost, hit.SavedCacheCost, m.Len())
		}
	})
	t.Run("stream", func(t *testing.T) {
		c, rec, _ := memoryClient(t)
		for range 2 {
			s, err := c.Stream(ctx, req())
			if err != nil {
				t.Fatal(err)
			}
			for s.Next() {
			}
			if err := s.Err(); err != nil {
				t.Fatal(err)
			}
			s.Close()
			if s.Response().Text() != "from memory" {
				t.Fatalf("text %q", s.Response().Text())
			}
		}
		want := "pre_api_call,post_api_call" + strings.Repeat(",stream_event", 4) + ",successful_api_call" +
			strings.Repeat(",stream_event", 3) + ",successful_api_call"
		if got := rec.Types(); got != want {
			t.Fatalf("events = %s\nwant     %s", got, want)
		}
		rec.MissThenHit(t)
		if hit := rec.Last(); !hit.CacheHit || hit.CompleteStreamingResponse.Text() != "from memory" {
			t.Errorf("hit=%v complete=%q", hit.CacheHit, hit.CompleteStreamingResponse.Text())
		}
	})
	t.Run("expired entry is a miss", func(t *testing.T) {
		c, rec, _ := memoryClient(t)
		r := req()
		r.Cache = &llmux.CacheControl{TTL: 1} // 1ns: expired by the next call
		if _, err := c.Completion(ctx, r); err != nil {
			t.Fatal(err)
		}
		if resp, err := c.Completion(ctx, req()); err != nil || resp.CacheHit {
			t.Fatalf("%v hit=%v", err, resp.CacheHit)
		}
		if rec.Last().CacheHit {
			t.Error("event says hit")
		}
	})
}

// N identical concurrent calls on a cold key, against an upstream that
// answers each request differently: every caller gets one whole answer,
// the cache holds one of them whole, and later hits return exactly it.
func TestClient_ConcurrentSafe_MemoryColdKey(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"chatcmpl-%d","object":"chat.completion","created":1,"model":"gpt-4o-mini",`+
			`"choices":[{"index":0,"message":{"role":"assistant","content":%q},"finish_reason":"stop"}],`+
			`"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}`,
			i, strings.Repeat(fmt.Sprintf("answer-%d ", i), 500), i, i, 2*i)
	}))
	t.Cleanup(srv.Close)
	c, _, m := memoryClient(t, llmux.WithProvider(openai.New(openai.WithAPIKey("sk-test"), openai.WithBaseURL(srv.URL))))
	whole := func(r *llmux.Response) string {
		var i int
		if _, err := fmt.Sscanf(r.ID, "chatcmpl-%d", &i); err != nil {
			return "bad id " + r.ID
		}
		if r.Text() != strings.Repeat(fmt.Sprintf("answer-%d ", i), 500) || r.Usage.PromptTokens != i || r.Usage.TotalTokens != 2*i {
			return fmt.Sprintf("torn: id %s usage %+v", r.ID, r.Usage)
		}
		return ""
	}
	call := func() *llmux.Response {
		resp, err := c.Completion(context.Background(), &llmux.Request{Model: "gpt-4o-mini", Messages: hi()})
		if err != nil {
			t.Error(err)
			return nil
		}
		if msg := whole(resp); msg != "" {
			t.Error(msg)
		}
		return resp
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() { call() })
	}
	wg.Wait()
	if m.Len() != 1 {
		t.Fatalf("%d entries, want 1", m.Len())
	}
	stored := call()
	if stored == nil || !stored.CacheHit {
		t.Fatal("no hit after the cold start")
	}
	for range 16 {
		wg.Go(func() {
			if r := call(); r != nil && (r.ID != stored.ID || !r.CacheHit) {
				t.Errorf("hit %s (hit=%v), stored %s", r.ID, r.CacheHit, stored.ID)
			}
		})
	}
	wg.Wait()
}
