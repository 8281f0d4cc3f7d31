// Command cache-hit mirrors LiteLLM's "Logging Cache Hits" seed
// (litellm.cache = Cache(type="redis", host=..., port=..., password=...),
// a CustomLogger printing kwargs["cache_hit"], then the same completion
// twice). The first call gives pre, post and success events; the identical
// second call is answered by the cache and gives one more success event,
// with cache_hit true, a response cost of 0 and the cost it saved: four
// events in all.
//
// It runs on the in-memory cache by default, or on Redis:
//
//	go run ./examples/cache-hit
//	go run ./examples/cache-hit -cache redis -redis-url redis://127.0.0.1:6379/0
//
// The calls use the built-in mock provider, so no API key is needed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cache"
	"github.com/llmux/llmux/cache/redis"
	"github.com/llmux/llmux/litellm"
)

// MyHandler prints each event with its cache fields. Pre- and post-API-call
// events run on the caller's goroutine, success events on the logger's own
// goroutine, so writes are serialised with mu.
type MyHandler struct {
	mu   sync.Mutex
	w    io.Writer
	keys []string
}

var (
	_ llmux.PreAPICallLogger  = (*MyHandler)(nil)
	_ llmux.PostAPICallLogger = (*MyHandler)(nil)
	_ llmux.SuccessLogger     = (*MyHandler)(nil)
)

func (h *MyHandler) LogPreAPICall(_ context.Context, e *llmux.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Fprintln(h.w, "Pre-API Call")
}

func (h *MyHandler) LogPostAPICall(_ context.Context, e *llmux.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Fprintln(h.w, "Post-API Call")
}

// LogSuccessEvent reads the fields through Kwargs, under LiteLLM's names.
func (h *MyHandler) LogSuccessEvent(_ context.Context, e *llmux.Event) {
	k := litellm.Kwargs(e)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.keys = append(h.keys, e.CacheKey)
	fmt.Fprintf(h.w, "On Success: cache_hit=%v response_cost=%v saved_cache_cost=%v\n",
		k["cache_hit"], k["response_cost"], k["saved_cache_cost"])
}

func main() {
	backend := flag.String("cache", "memory", `the cache: "memory" or "redis"`)
	redisURL := flag.String("redis-url", "redis://127.0.0.1:6379/0", "the Redis server, for -cache redis")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *backend, *redisURL); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, backend, redisURL string) error {
	req := func() *llmux.Request {
		return &llmux.Request{
			Model:        "gpt-3.5-turbo",
			Messages:     []llmux.Message{llmux.User("Hi 👋 - i'm openai")},
			MockResponse: "Hello from the cache example",
		}
	}

	switch backend {
	case "memory":
		c, err := cache.NewMemory()
		if err != nil {
			return err
		}
		llmux.SetCache(c)
	case "redis":
		// SetCache takes the default client's cache settings. The default
		// timeout (100ms) suits a cache next to the service; on a busy
		// machine a lookup could take longer and the call would rightly go
		// to the provider instead, so this demo gives Redis a second.
		dc, err := llmux.New(llmux.WithCacheTimeout(time.Second))
		if err != nil {
			return err
		}
		prev := llmux.Default()
		llmux.SetDefault(dc)
		defer llmux.SetDefault(prev)
		defer dc.Close(ctx) //nolint:errcheck // nothing queued on it fails to close
		c, err := redis.New(redis.Options{URL: redisURL, Namespace: "llmux-example"})
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.Ping(ctx); err != nil {
			return fmt.Errorf("no Redis at %s: %w", redisURL, err)
		}
		// Start from a cold cache, so every run shows the miss then the hit.
		key, err := llmux.CacheKey(llmux.CallCompletion, req())
		if err != nil {
			return err
		}
		if err := c.Delete(ctx, key); err != nil {
			return err
		}
		llmux.SetCache(c)
	default:
		return fmt.Errorf("-cache: want memory or redis, got %q", backend)
	}
	defer llmux.SetCache(nil)

	h := &MyHandler{w: w}
	if err := llmux.SetCallbacks(h); err != nil {
		return err
	}
	defer llmux.SetCallbacks() //nolint:errcheck // removing loggers cannot fail

	var texts []string
	for range 2 {
		resp, err := llmux.Completion(ctx, req())
		if err != nil {
			return err
		}
		texts = append(texts, fmt.Sprintf("%q cache_hit=%v", resp.Text(), resp.CacheHit))
	}
	if err := llmux.Flush(ctx); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range texts {
		fmt.Fprintln(w, "caller got", t)
	}
	if len(h.keys) != 2 || h.keys[0] != h.keys[1] {
		return errors.New("the two calls did not share one cache key")
	}
	fmt.Fprintln(w, "both calls share one cache key")
	s := llmux.GlobalCacheStats()
	fmt.Fprintf(w, "cache stats: hits=%d misses=%d stores=%d errors=%d\n", s.Hits, s.Misses, s.Stores, s.Errors)
	return nil
}
