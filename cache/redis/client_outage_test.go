package redis_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cache/redis"
	"github.com/llmux/llmux/internal/record"
	"github.com/llmux/llmux/internal/redistest"
)

// These tests drive an llmux.Client with a Redis cache: the call path,
// not the backend alone.

// newRedisCache returns a Cache on addr in a namespace of its own, whose
// keys are deleted when the test ends.
func newRedisCache(t testing.TB, addr string) *redis.Cache {
	t.Helper()
	c, err := redis.New(redis.Options{URL: "redis://" + addr + "/0", Namespace: "llmuxtest-" + uuid.NewString()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func newClient(t testing.TB, opts ...llmux.Option) (*llmux.Client, *record.Events) {
	t.Helper()
	rec := &record.Events{}
	// The shared server answers slower while other packages' tests run: a
	// generous cache timeout keeps these tests about the call path. The
	// outage tests set their own.
	c, err := llmux.New(append([]llmux.Option{llmux.WithCallbacks(llmux.Inline(rec)), llmux.WithCacheTimeout(5 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c, rec
}

func request(text string) *llmux.Request {
	return &llmux.Request{Model: "gpt-3.5-turbo", Messages: []llmux.Message{llmux.User("Hi 👋 - i'm openai")}, MockResponse: text}
}

// The seed on the real server: pre, post, success, then one success with
// cache_hit true; for plain and streamed calls.
func TestClient_RedisHitGivesOneSuccessEvent(t *testing.T) {
	addr := redistest.Need(t)
	ctx := context.Background()
	t.Run("completion", func(t *testing.T) {
		c, rec := newClient(t, llmux.WithCache(newRedisCache(t, addr)))
		for range 2 {
			if _, err := c.Completion(ctx, request("from redis")); err != nil {
				t.Fatal(err)
			}
		}
		if got := rec.Types(); got != "pre_api_call,post_api_call,successful_api_call,successful_api_call" {
			t.Fatalf("events = %s", got)
		}
		rec.MissThenHit(t)
		hit := rec.Last()
		if !hit.CacheHit || hit.ResponseCost != 0 || hit.SavedCacheCost != 3.5e-05 || hit.Response.Text() != "from redis" {
			t.Errorf("hit: %v %v %v %q", hit.CacheHit, hit.ResponseCost, hit.SavedCacheCost, hit.Response.Text())
		}
	})
	t.Run("stream", func(t *testing.T) {
		c, rec := newClient(t, llmux.WithCache(newRedisCache(t, addr)))
		var texts []string
		for range 2 {
			s, err := c.Stream(ctx, request("streamed from redis"))
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for s.Next() {
				b.WriteString(s.Chunk().Text())
			}
			if err := s.Err(); err != nil {
				t.Fatal(err)
			}
			s.Close()
			texts = append(texts, b.String())
		}
		if texts[0] != "streamed from redis" || texts[1] != texts[0] {
			t.Fatalf("texts %q", texts)
		}
		want := "pre_api_call,post_api_call" + strings.Repeat(",stream_event", 5) + ",successful_api_call" +
			strings.Repeat(",stream_event", 3) + ",successful_api_call"
		if got := rec.Types(); got != want {
			t.Fatalf("events = %s\nwant     %s", got, want)
		}
		rec.MissThenHit(t)
		hit := rec.Last()
		if !hit.CacheHit || hit.CompleteStreamingResponse.Text() != "streamed from redis" || hit.SavedCacheCost != 3.5e-05 {
			t.Errorf("hit: %v %q %v", hit.CacheHit, hit.CompleteStreamingResponse.Text(), hit.SavedCacheCost)
		}
	})
}

// A frozen Redis (SIGSTOP: it accepts connections and answers nothing)
// never fails or hangs a call: the lookup gives up after the cache
// timeout, the error is counted and logged once, later calls skip the cache
// while it rests, and caching resumes once the server is back.
func TestClient_FrozenRedisNeverFailsOrHangsACall(t *testing.T) {
	srv := redistest.Start(t)
	h := &record.Logs{}
	const timeout = 50 * time.Millisecond
	// go-redis's own socket timeout is set far above the bound checked
	// below, so only the cache timeout can explain a call within it.
	rc, err := redis.New(redis.Options{URL: "redis://" + srv.Addr + "/0", Namespace: "frozen", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rc.Close() })
	c, _ := newClient(t, llmux.WithCache(rc), llmux.WithCacheTimeout(timeout),
		llmux.WithCacheRetryInterval(100*time.Millisecond), llmux.WithCacheLogInterval(time.Hour), llmux.WithLog(slog.New(h)))
	ctx := context.Background()
	call := func(text string) (*llmux.Response, time.Duration) {
		t.Helper()
		start := time.Now()
		resp, err := c.Completion(ctx, request(text))
		if err != nil || resp.Text() != text {
			t.Fatalf("call failed with the cache down: %v", err)
		}
		return resp, time.Since(start)
	}
	if _, d := call("warm"); d > time.Second {
		t.Fatalf("a healthy call took %v", d)
	}
	if r, _ := call("warm"); !r.CacheHit {
		t.Fatal("no hit from the healthy server")
	}

	srv.Stop()
	// Each call goes to the provider. The first waits for its lookup's
	// timeout; go-redis's socket timeout (10s here) or no timeout at all
	// would show as a much longer call. The bound leaves room for a busy
	// machine.
	for i := range 20 {
		r, d := call(fmt.Sprintf("frozen %d", i))
		if r.CacheHit {
			t.Fatal("a hit from a frozen server")
		}
		if d > 2*time.Second {
			t.Fatalf("call %d took %v with the cache frozen; the cache timeout is %v", i, d, timeout)
		}
	}
	s := c.CacheStats()
	if s.Errors == 0 || s.Bypassed == 0 {
		t.Errorf("stats = %+v: want errors counted and calls bypassing the resting cache", s)
	}
	if n := h.Count("WARN llmux: cache unavailable"); n != 1 {
		t.Errorf("%d warnings within one log interval, want 1: %q", n, h.Lines())
	}

	srv.Cont()
	waitForHit(t, c, "after the freeze")
	if n := h.Count("INFO llmux: cache available again"); n < 1 {
		t.Errorf("recovery not logged: %q", h.Lines())
	}
}

// A Redis that is killed and restarted (empty) is the same story: calls go
// on, then caching resumes on the new server.
func TestClient_RestartedRedisResumesCaching(t *testing.T) {
	srv := redistest.Start(t)
	c, _ := newClient(t, llmux.WithCache(newRedisCache(t, srv.Addr)),
		llmux.WithCacheRetryInterval(50*time.Millisecond), llmux.WithLog(slog.New(slog.DiscardHandler)))
	ctx := context.Background()
	if _, err := c.Completion(ctx, request("before")); err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	for i := range 10 {
		resp, err := c.Completion(ctx, request(fmt.Sprintf("down %d", i)))
		if err != nil || resp.CacheHit {
			t.Fatalf("call with Redis down: %v hit=%v", err, resp.CacheHit)
		}
	}
	if c.CacheStats().Errors == 0 {
		t.Error("no cache error counted with Redis down")
	}
	srv.Restart()
	waitForHit(t, c, "after the restart")
}

// waitForHit calls until a call is stored and the next one hits, polling
// (not timing) for up to 10s.
func waitForHit(t *testing.T, c *llmux.Client, when string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		req := request("recovered")
		resp, err := c.Completion(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.CacheHit {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("caching did not resume %s: %+v", when, c.CacheStats())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// N identical calls on a cold key, on the real server: all answers are
// whole and every later hit returns one stored answer.
func TestClient_ConcurrentSafe_RedisColdKey(t *testing.T) {
	addr := redistest.Need(t)
	c, _ := newClient(t, llmux.WithCache(newRedisCache(t, addr)))
	big := strings.Repeat("a long answer that must never be torn. ", 2000)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			resp, err := c.Completion(context.Background(), request(big))
			if err != nil {
				t.Error(err)
				return
			}
			if resp.Text() != big {
				t.Errorf("torn answer of %d bytes", len(resp.Text()))
			}
		})
	}
	wg.Wait()
	resp, err := c.Completion(context.Background(), request(big))
	if err != nil || !resp.CacheHit || resp.Text() != big {
		t.Fatalf("after the cold start: %v hit=%v len=%d", err, resp.CacheHit, len(resp.Text()))
	}
}

// BenchmarkClient_RedisHit measures a Completion answered from the real
// Redis server over loopback, the whole call path included.
func BenchmarkClient_RedisHit(b *testing.B) {
	addr := redistest.Need(b)
	c, err := llmux.New(llmux.WithCache(newRedisCache(b, addr)), llmux.WithCacheTimeout(5*time.Second))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(context.Background())
	ctx := context.Background()
	if _, err := c.Completion(ctx, request("bench")); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.Completion(ctx, request("bench"))
		if err != nil || !resp.CacheHit {
			b.Fatalf("%v hit=%v", err, resp != nil && resp.CacheHit)
		}
	}
}
