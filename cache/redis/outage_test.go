//go:build unix

package redis

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmux/llmux/internal/redistest"
)

// callBudget is the ctx timeout the llmux client gives cache calls by
// default; maxStall is how long past it a call may take to give up, on a
// busy machine. The frozen-server test sets go-redis's own socket timeout
// to sockTimeout, far above maxStall, so only the ctx deadline can end a
// call within it.
const (
	callBudget  = 100 * time.Millisecond
	maxStall    = 2 * time.Second
	sockTimeout = 10 * time.Second
)

// timedOp runs op with a callBudget ctx and reports its error and how
// long it took.
func timedOp(op func(ctx context.Context) error) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), callBudget)
	defer cancel()
	start := time.Now()
	err := op(ctx)
	return time.Since(start), err
}

func getOp(c *Cache, key string) func(context.Context) error {
	return func(ctx context.Context) error {
		_, ok, err := c.Get(ctx, key)
		if err == nil && !ok {
			return errors.New("miss")
		}
		return err
	}
}

func setOp(c *Cache, key string) func(context.Context) error {
	return func(ctx context.Context) error { return c.Set(ctx, key, []byte("v"), 0) }
}

// eventually polls op with a callBudget ctx until it succeeds or within
// passes.
func eventually(t *testing.T, what string, within time.Duration, op func(context.Context) error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		_, err := timedOp(op)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still failing after %v: %v", what, within, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCache_FrozenServerTimesOutAndRecovers(t *testing.T) {
	s := redistest.Start(t)
	c, _ := newCacheAt(t, s.Addr, Options{Timeout: sockTimeout})
	mustSet(t, c, "k", []byte("v"), 0)
	if v, ok := mustGet(t, c, "k"); !ok || string(v) != "v" {
		t.Fatalf("Get before freeze = %q, %v", v, ok)
	}

	s.Stop()
	for _, tc := range []struct {
		op string
		fn func(context.Context) error
	}{
		{"get", getOp(c, "k")},
		{"set", setOp(c, "k")},
		{"get", getOp(c, "k")}, // again: now on a fresh connection to the frozen server
	} {
		elapsed, err := timedOp(tc.fn)
		if err == nil {
			t.Fatalf("%s on a frozen server succeeded", tc.op)
		}
		if elapsed > maxStall {
			t.Errorf("%s on a frozen server took %v, want < %v (ctx budget %v)", tc.op, elapsed, maxStall, callBudget)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s error %q does not wrap context.DeadlineExceeded", tc.op, err)
		}
		if !strings.HasPrefix(err.Error(), "redis: "+tc.op+": ") {
			t.Errorf("%s error %q lacks its prefix", tc.op, err)
		}
	}

	// Many callers at once: each still gives up on its own deadline.
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if elapsed, err := timedOp(getOp(c, "k")); err == nil || elapsed > maxStall {
				t.Errorf("concurrent get on a frozen server: %v after %v", err, elapsed)
			}
		})
	}
	wg.Wait()

	s.Cont()
	eventually(t, "get after SIGCONT", 5*time.Second, getOp(c, "k"))
}

func TestCache_ServerRestartRecovers(t *testing.T) {
	s := redistest.Start(t)
	// A small pool trips go-redis's dial-error breaker (PoolSize failed
	// dials) below, so recovery through its background probe is covered.
	c, _ := newCacheAt(t, s.Addr, Options{PoolSize: 4})
	mustSet(t, c, "k", []byte("v"), 0)

	s.Kill()
	for i := range 50 {
		elapsed, err := timedOp(getOp(c, "k"))
		if err == nil {
			t.Fatalf("get %d on a dead server succeeded", i)
		}
		if elapsed > maxStall {
			t.Fatalf("get %d on a dead server took %v, want < %v", i, elapsed, maxStall)
		}
		if i == 0 {
			t.Logf("dead server: %v (%v)", err, elapsed)
		}
	}
	if elapsed, err := timedOp(setOp(c, "k")); err == nil || elapsed > maxStall {
		t.Fatalf("set on a dead server: %v after %v", err, elapsed)
	}

	s.Restart() // empty: the old data is gone
	eventually(t, "set after restart", 5*time.Second, setOp(c, "k"))
	eventually(t, "get after restart", time.Second, getOp(c, "k"))
}
