package router

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmux/llmux/internal/record"
)

func TestMemory_CountersPerMinuteAndCooldowns(t *testing.T) {
	ctx, m := context.Background(), NewMemory()
	t0 := time.Date(2025, 6, 1, 12, 0, 30, 0, time.UTC)
	_ = m.AddUsage(ctx, "a", t0, 1, 10)
	_ = m.AddUsage(ctx, "a", t0.Add(20*time.Second), 2, 5)
	if n, _ := m.AddFailure(ctx, "a", t0); n != 1 {
		t.Errorf("first failure counted %d", n)
	}
	if n, _ := m.AddFailure(ctx, "a", t0.Add(29*time.Second)); n != 2 {
		t.Errorf("second failure counted %d", n)
	}
	_ = m.Cooldown(ctx, "b", t0, t0.Add(5*time.Second))
	out := make([]Status, 3)
	_ = m.Load(ctx, []string{"a", "b", "unknown"}, t0.Add(29*time.Second), out)
	if out[0].Requests != 3 || out[0].Tokens != 15 || !out[1].CooldownUntil.Equal(t0.Add(5*time.Second)) || out[2] != (Status{}) {
		t.Errorf("Load = %+v", out)
	}
	// The next minute starts at zero, failures too.
	next := t0.Add(30 * time.Second)
	_ = m.Load(ctx, []string{"a"}, next, out[:1])
	if out[0].Requests != 0 || out[0].Tokens != 0 {
		t.Errorf("next minute: %+v", out[0])
	}
	if n, _ := m.AddFailure(ctx, "a", next); n != 1 {
		t.Errorf("failures carried into the next minute: %d", n)
	}
}

func TestMemory_IsBounded(t *testing.T) {
	ctx, m := context.Background(), NewMemory()
	m.max = 100
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	_ = m.Cooldown(ctx, "cooling", t0, t0.Add(48*time.Hour))
	for i := range 1000 {
		_ = m.AddUsage(ctx, "d"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Minute), 1, 1)
	}
	if len(m.m) > 100 {
		t.Errorf("%d entries, bound 100", len(m.m))
	}
	out := make([]Status, 1)
	_ = m.Load(ctx, []string{"cooling"}, t0, out)
	if out[0].CooldownUntil.IsZero() {
		t.Error("an idle entry with a running cooldown was evicted before idle ones")
	}
}

func TestMemory_ConcurrentSafe(t *testing.T) {
	ctx, m := context.Background(), NewMemory()
	now := time.Now()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			out := make([]Status, 2)
			for i := range 500 {
				_ = m.AddUsage(ctx, "a", now, 1, 2)
				_, _ = m.AddFailure(ctx, "b", now)
				_ = m.Cooldown(ctx, "b", now, now.Add(time.Duration(g+i)))
				_ = m.Load(ctx, []string{"a", "b"}, now, out)
			}
		})
	}
	wg.Wait()
	out := make([]Status, 1)
	_ = m.Load(ctx, []string{"a"}, now, out)
	if out[0].Requests != 4000 || out[0].Tokens != 8000 {
		t.Errorf("%+v, want 4000 requests and 8000 tokens", out[0])
	}
}

// brokenState fails every operation, or hangs until ctx is done.
type brokenState struct {
	hang  bool
	calls atomic.Int32
	fix   atomic.Bool // answer from the wrapped memory from now on
	mem   *Memory
}

func (s *brokenState) fail(ctx context.Context) error {
	s.calls.Add(1)
	if s.hang {
		<-ctx.Done()
		return ctx.Err()
	}
	return errors.New("broken: connection refused")
}

func (s *brokenState) Load(ctx context.Context, ids []string, now time.Time, out []Status) error {
	if s.fix.Load() {
		return s.mem.Load(ctx, ids, now, out)
	}
	return s.fail(ctx)
}

func (s *brokenState) AddUsage(ctx context.Context, id string, now time.Time, r, tk int64) error {
	if s.fix.Load() {
		return s.mem.AddUsage(ctx, id, now, r, tk)
	}
	return s.fail(ctx)
}

func (s *brokenState) AddFailure(ctx context.Context, id string, now time.Time) (int64, error) {
	if s.fix.Load() {
		return s.mem.AddFailure(ctx, id, now)
	}
	return 0, s.fail(ctx)
}

func (s *brokenState) Cooldown(ctx context.Context, id string, now, until time.Time) error {
	if s.fix.Load() {
		return s.mem.Cooldown(ctx, id, now, until)
	}
	return s.fail(ctx)
}

// A shared state that fails or hangs never fails a call, costs a call at
// most one state timeout, is logged once per interval and is probed again
// after the retry interval.
func TestRouter_SharedStateOutageNeverFailsACall(t *testing.T) {
	for _, hang := range []bool{false, true} {
		t.Run(map[bool]string{false: "failing", true: "hanging"}[hang], func(t *testing.T) {
			u := newUpstream(t, ok(t))
			st := &brokenState{hang: hang, mem: NewMemory()}
			logs := &record.Logs{}
			clk := newClock()
			r, err := New([]Deployment{deployment("a", "g", u)}, WithState(st), WithStateTimeout(50*time.Millisecond),
				WithLog(slog.New(logs)), WithNow(clk.now))
			if err != nil {
				t.Fatal(err)
			}
			c, _ := newClient(t, r)
			for i := range 5 {
				start := time.Now()
				if _, err := c.Completion(context.Background(), chat("g")); err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
				if d := time.Since(start); d > time.Second {
					t.Errorf("call %d took %v with the shared state down", i, d)
				}
			}
			if n := st.calls.Load(); n != 1 {
				t.Errorf("the state was tried %d times within the retry interval, want once", n)
			}
			if n := logs.Count("WARN router: shared state unavailable"); n != 1 {
				t.Errorf("%d warnings, want 1: %q", n, logs.Lines())
			}
			// The local state took over: this router's own usage is there.
			if s := status(t, r, "a"); s.Requests != 5 || s.Tokens != 5*29 {
				t.Errorf("local state: %+v", s)
			}
			// After the retry interval one call probes it; it answers again.
			st.fix.Store(true)
			time.Sleep(stateRetryInterval + 50*time.Millisecond)
			if _, err := c.Completion(context.Background(), chat("g")); err != nil {
				t.Fatal(err)
			}
			if r.book.downUntil.Load() != 0 {
				t.Error("the shared state is still marked down after it answered")
			}
			if n := logs.Count("INFO router: shared state answers again"); n != 1 {
				t.Errorf("recovery logged %d times", n)
			}
			out := make([]Status, 1)
			_ = st.mem.Load(context.Background(), []string{"a"}, clk.now(), out)
			if out[0].Tokens != 29 {
				t.Errorf("shared state after recovery: %+v, want the last call's 29 tokens", out[0])
			}
		})
	}
}
