package redis_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/redistest"
	"github.com/llmux/llmux/router"
	"github.com/llmux/llmux/router/redis"
)

func TestNew_Validates(t *testing.T) {
	_, err := redis.New(redis.Options{URL: "redis://u:hunter2secret@[::1", DB: -1, Timeout: -1, Addr: "x:1"})
	if err == nil {
		t.Fatal("New accepted invalid options")
	}
	for _, want := range []string{"redis: Options.DB: must not be negative", "redis: Options.Timeout", "redis: Options.URL: set with Addr", "redis: Options.URL: "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "hunter2secret") {
		t.Errorf("error shows the password: %v", err)
	}
	s, err := redis.New(redis.Options{Addr: "127.0.0.1:1", Password: "hunter2secret", Namespace: "ns"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.String(); got != `redis.State(127.0.0.1:1 db=0 namespace="ns")` {
		t.Errorf("String = %s", got)
	}
}

func TestState_KeysCountersAndExpiries(t *testing.T) {
	addr := redistest.Need(t)
	ns := namespace(t, addr)
	s := newState(t, addr, ns)
	ctx := context.Background()
	now := time.Now()
	if err := s.AddUsage(ctx, "dep-1", now, 1, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUsage(ctx, "dep-1", now, 2, 29); err != nil {
		t.Fatal(err)
	}
	for want := int64(1); want <= 3; want++ {
		if n, err := s.AddFailure(ctx, "dep-1", now); err != nil || n != want {
			t.Fatalf("AddFailure = %d, %v; want %d", n, err, want)
		}
	}
	until := now.Add(30 * time.Second)
	if err := s.Cooldown(ctx, "dep-1", now, until); err != nil {
		t.Fatal(err)
	}
	got := load(t, s, "dep-1", now)
	if got.Requests != 3 || got.Tokens != 29 || got.CooldownUntil.UnixMilli() != until.UnixMilli() {
		t.Errorf("Load = %+v", got)
	}
	if got := load(t, s, "unknown", now); got != (router.Status{}) {
		t.Errorf("unknown deployment: %+v", got)
	}
	if got := load(t, s, "dep-1", now.Add(time.Minute)); got.Requests != 0 || got.Tokens != 0 {
		t.Errorf("next minute: %+v", got)
	}
	rc := goredis.NewClient(&goredis.Options{Addr: addr})
	defer rc.Close()
	keys, err := rc.Keys(ctx, ns+":*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 4 {
		t.Errorf("keys %v, want cooldown, rpm, tpm and fails", keys)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, ns+":{dep-1}:") {
			t.Errorf("key %q outside the deployment's slot", k)
		}
		ttl, err := rc.PTTL(ctx, k).Result()
		if err != nil || ttl <= 0 || ttl > 2*time.Minute {
			t.Errorf("key %q: ttl %v (%v), want a bounded expiry", k, ttl, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUsage(ctx, "dep-1", now, 1, 1); !errors.Is(err, redis.ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

// Two routers, each with its own State on the same Redis: a deployment
// cooled down by one is skipped by the other, and the usage counters are
// the sum of both.
func TestState_TwoRoutersShareCooldownsAndCounters(t *testing.T) {
	addr := redistest.Need(t)
	ns := namespace(t, addr)
	bad, good := newUpstream(t, 503), newUpstream(t, 200)
	deps := []router.Deployment{
		{ID: "east", ModelGroup: "gpt-4o", Model: "openai/gpt-4o", APIBase: bad.URL + "/v1", Weight: 1}, // picked first when available
		{ID: "west", ModelGroup: "gpt-4o", Model: "openai/gpt-4o", APIBase: good.URL + "/v1"},
	}
	opts := []router.Option{router.WithAllowedFails(0), router.WithCooldown(time.Minute), router.WithStateTimeout(5 * time.Second)}
	s1, s2 := newState(t, addr, ns), newState(t, addr, ns)
	r1 := newRouter(t, deps, append(opts, router.WithState(s1))...)
	r2 := newRouter(t, deps, append(opts, router.WithState(s2))...)
	c1, c2 := newClient(t, r1), newClient(t, r2)

	if err := call(t, c1, "gpt-4o"); err != nil { // east fails and cools down; west answers
		t.Fatal(err)
	}
	if bad.requests() != 1 || good.requests() != 1 {
		t.Fatalf("router 1: east %d west %d requests", bad.requests(), good.requests())
	}
	for range 3 {
		if err := call(t, c2, "gpt-4o"); err != nil {
			t.Fatal(err)
		}
	}
	if bad.requests() != 1 {
		t.Errorf("router 2 called east %d times while router 1 had cooled it down", bad.requests()-1)
	}
	t.Logf("router 2 skipped the deployment router 1 cooled down: east %d, west %d requests", bad.requests(), good.requests())
	now := time.Now()
	if st := load(t, s1, "west", now); st.Requests != 4 || st.Tokens != 4*29 {
		t.Errorf("west counters seen by router 1's state: %+v, want 4 requests and 116 tokens from both routers", st)
	}

	// Usage-based routing sees the other router's requests: one rpm
	// shared by both routers.
	lim := []router.Deployment{{ID: "solo", ModelGroup: "mini", Model: "openai/gpt-4o-mini", APIBase: good.URL + "/v1", RPM: 2}}
	fixed := func() time.Time { return now } // one minute for the three calls
	u1 := newRouter(t, lim, router.WithStrategy(router.UsageBased), router.WithState(s1), router.WithStateTimeout(5*time.Second), router.WithNow(fixed))
	u2 := newRouter(t, lim, router.WithStrategy(router.UsageBased), router.WithState(s2), router.WithStateTimeout(5*time.Second), router.WithNow(fixed))
	uc1, uc2 := newClient(t, u1), newClient(t, u2)
	if err := call(t, uc1, "mini"); err != nil {
		t.Fatal(err)
	}
	if err := call(t, uc2, "mini"); err != nil {
		t.Fatal(err)
	}
	err := call(t, uc1, "mini")
	if llmux.CodeOf(err) != llmux.CodeRateLimited || !strings.Contains(err.Error(), `model group "mini"`) {
		t.Errorf("third call within the minute: %v, want rate_limited (2 rpm used by both routers)", err)
	}
}
