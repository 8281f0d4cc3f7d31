package cache_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cache"
	"github.com/llmux/llmux/provider/openai"
)

const benchBody = `{"id":"chatcmpl-1","object":"chat.completion","created":1764000000,"model":"gpt-4o-mini",` +
	`"choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I assist you today?"},"finish_reason":"stop"}],` +
	`"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29}}`

// BenchmarkClient_Completion compares a Completion answered by the
// in-memory cache with one that misses and goes to an in-process fake
// OpenAI upstream (no cache configured), and a miss that also stores.
func BenchmarkClient_Completion(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(benchBody))
	}))
	defer srv.Close()
	newClient := func(b *testing.B, opts ...llmux.Option) *llmux.Client {
		c, err := llmux.New(append([]llmux.Option{llmux.WithProvider(openai.New(openai.WithAPIKey("sk-bench"), openai.WithBaseURL(srv.URL)))}, opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = c.Close(context.Background()) })
		return c
	}
	req := func() *llmux.Request {
		return &llmux.Request{Model: "gpt-4o-mini", Messages: []llmux.Message{llmux.User("Hi 👋 - i'm openai")}}
	}
	ctx := context.Background()
	run := func(b *testing.B, c *llmux.Client, r *llmux.Request, wantHit bool) {
		b.ReportAllocs()
		for b.Loop() {
			resp, err := c.Completion(ctx, r)
			if err != nil {
				b.Fatal(err)
			}
			if resp.CacheHit != wantHit {
				b.Fatalf("CacheHit = %v, want %v", resp.CacheHit, wantHit)
			}
		}
	}
	b.Run("memory-hit", func(b *testing.B) {
		m, _ := cache.NewMemory()
		c := newClient(b, llmux.WithCache(m))
		if _, err := c.Completion(ctx, req()); err != nil {
			b.Fatal(err)
		}
		run(b, c, req(), true)
	})
	b.Run("miss-fake-upstream", func(b *testing.B) {
		run(b, newClient(b), req(), false)
	})
	b.Run("miss-and-store", func(b *testing.B) {
		m, _ := cache.NewMemory()
		c := newClient(b, llmux.WithCache(m))
		r := req()
		r.Cache = &llmux.CacheControl{NoCache: true}
		run(b, c, r, false)
	})
}
