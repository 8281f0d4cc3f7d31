package router

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/llmux/llmux"
)

// picks counts the deployment ids picked in n picks of group g.
func picks(t *testing.T, r *Router, g string, n int) map[string]int {
	t.Helper()
	got := map[string]int{}
	for range n {
		d, err := r.pick(context.Background(), r.groups[g], nil, -1)
		if err != nil {
			t.Fatal(err)
		}
		got[d.ID]++
	}
	return got
}

func seeded() Option { return WithRand(rand.New(rand.NewPCG(1, 2))) }

func TestSimpleShuffle_WeightedDistribution(t *testing.T) {
	const n = 20000
	for _, tc := range []struct {
		name string
		deps []Deployment
		want map[string]float64
	}{
		{"weight", []Deployment{
			{ID: "a", ModelGroup: "g", Model: "m", Weight: 1, RPM: 1000},
			{ID: "b", ModelGroup: "g", Model: "m", Weight: 3},
			{ID: "c", ModelGroup: "g", Model: "m", RPM: 5000}, // no weight: only when no weighted one is left
		}, map[string]float64{"a": 0.25, "b": 0.75, "c": 0}},
		{"rpm", []Deployment{
			{ID: "a", ModelGroup: "g", Model: "m", RPM: 900, TPM: 1},
			{ID: "b", ModelGroup: "g", Model: "m", RPM: 100, TPM: 1000},
		}, map[string]float64{"a": 0.9, "b": 0.1}},
		{"tpm", []Deployment{
			{ID: "a", ModelGroup: "g", Model: "m", TPM: 2000},
			{ID: "b", ModelGroup: "g", Model: "m", TPM: 6000},
		}, map[string]float64{"a": 0.25, "b": 0.75}},
		{"uniform", []Deployment{
			{ID: "a", ModelGroup: "g", Model: "m"}, {ID: "b", ModelGroup: "g", Model: "m"},
			{ID: "c", ModelGroup: "g", Model: "m"}, {ID: "d", ModelGroup: "g", Model: "m"},
		}, map[string]float64{"a": 0.25, "b": 0.25, "c": 0.25, "d": 0.25}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRouter(t, tc.deps, seeded())
			got := picks(t, r, "g", n)
			for id, p := range tc.want {
				share := float64(got[id]) / n
				if math.Abs(share-p) > 0.02 {
					t.Errorf("%s picked %.3f of the time, want %.2f ± 0.02 (%v)", id, share, p, got)
				}
			}
		})
	}
}

func TestSimpleShuffle_UnweightedPickedWhenTheWeightedCoolDown(t *testing.T) {
	clk := newClock()
	r := newRouter(t, []Deployment{{ID: "a", ModelGroup: "g", Model: "m", Weight: 5}, {ID: "b", ModelGroup: "g", Model: "m"}}, WithNow(clk.now))
	_ = r.book.local.Cooldown(context.Background(), "a", clk.now(), clk.now().Add(time.Second))
	if got := picks(t, r, "g", 50); got["b"] != 50 {
		t.Errorf("picks %v, want b every time while a cools down", got)
	}
}

func TestLeastBusy_PicksFewestInFlight(t *testing.T) {
	r := newRouter(t, []Deployment{
		{ID: "a", ModelGroup: "g", Model: "m"}, {ID: "b", ModelGroup: "g", Model: "m"}, {ID: "c", ModelGroup: "g", Model: "m"},
	}, WithStrategy(LeastBusy), seeded())
	depOf(t, r, "a").inflight.Store(3)
	depOf(t, r, "b").inflight.Store(1)
	depOf(t, r, "c").inflight.Store(2)
	if got := picks(t, r, "g", 100); got["b"] != 100 {
		t.Errorf("picks %v, want b (1 in flight)", got)
	}
	depOf(t, r, "c").inflight.Store(1)
	if got := picks(t, r, "g", 1000); got["a"] != 0 || got["b"] < 400 || got["c"] < 400 {
		t.Errorf("picks %v, want b and c (tied) at random", got)
	}
}

func TestLeastBusy_CountsCallsInFlightThroughTheClient(t *testing.T) {
	u := newUpstream(t, okStream(t))
	r := newRouter(t, []Deployment{deployment("a", "g", u), deployment("b", "g", u)}, WithStrategy(LeastBusy))
	c, _ := newClient(t, r)
	s1, err := c.Stream(context.Background(), chat("g"))
	if err != nil {
		t.Fatal(err)
	}
	busy := "a"
	if depOf(t, r, "b").inflight.Load() == 1 {
		busy = "b"
	}
	// While s1 is open, the other deployment serves every new call.
	for range 3 {
		s, err := c.Stream(context.Background(), chat("g"))
		if err != nil {
			t.Fatal(err)
		}
		for s.Next() {
		}
		s.Close()
	}
	if n := depOf(t, r, busy).inflight.Load(); n != 1 {
		t.Errorf("%s has %d in flight, want 1", busy, n)
	}
	if got := status(t, r, busy); got.Requests != 1 {
		t.Errorf("%s served %d requests while busy, want only the first", busy, got.Requests)
	}
	s1.Close()
	if n := depOf(t, r, busy).inflight.Load(); n != 0 {
		t.Errorf("%d in flight after Close", n)
	}
}

func TestLatencyBased_PicksLowestWithinTheBuffer(t *testing.T) {
	deps := []Deployment{
		{ID: "fast", ModelGroup: "g", Model: "m"}, {ID: "near", ModelGroup: "g", Model: "m"},
		{ID: "slow", ModelGroup: "g", Model: "m"}, {ID: "new", ModelGroup: "g", Model: "m"},
	}
	r := newRouter(t, deps, WithStrategy(LatencyBased), seeded())
	// Without samples they tie: each is tried.
	if got := picks(t, r, "g", 200); len(got) != 4 {
		t.Fatalf("picks %v before any sample: want all four", got)
	}
	depOf(t, r, "fast").observe(time.Millisecond)
	if got := picks(t, r, "g", 200); got["fast"] != 0 {
		t.Fatalf("picks %v: a deployment without a sample goes before one with", got)
	}
	depOf(t, r, "fast").latency.Store(0)
	for id, d := range map[string]time.Duration{"fast": 100 * time.Millisecond, "near": 140 * time.Millisecond, "slow": 4 * time.Second, "new": 300 * time.Millisecond} {
		depOf(t, r, id).observe(d)
	}
	if got := picks(t, r, "g", 100); got["fast"] != 100 {
		t.Errorf("picks %v, want fast only without a buffer", got)
	}
	rb := newRouter(t, deps, WithStrategy(LatencyBased), WithLatencyBuffer(0.5), seeded())
	for id, d := range map[string]time.Duration{"fast": 100 * time.Millisecond, "near": 140 * time.Millisecond, "slow": 4 * time.Second, "new": 300 * time.Millisecond} {
		depOf(t, rb, id).observe(d)
	}
	got := picks(t, rb, "g", 2000)
	if got["slow"] != 0 || got["new"] != 0 || got["fast"] < 800 || got["near"] < 800 {
		t.Errorf("picks %v, want fast and near (within 50%%) evenly", got)
	}
	// The average follows recent samples.
	d := depOf(t, r, "fast")
	for range 20 {
		d.observe(time.Second)
	}
	if l := time.Duration(d.latencyOf()); l < 900*time.Millisecond {
		t.Errorf("latency %v after 20 samples of 1s", l)
	}
}

func TestLatencyBased_MeasuresThroughTheClient(t *testing.T) {
	clk := newClock()
	u := newUpstream(t, ok(t))
	r := newRouter(t, []Deployment{deployment("a", "g", u)}, WithStrategy(LatencyBased), WithNow(clk.now))
	slow := func(next llmux.CallFunc) llmux.CallFunc {
		return func(ctx context.Context, c *llmux.Call) (*llmux.Result, error) {
			clk.advance(250 * time.Millisecond)
			return next(ctx, c)
		}
	}
	c, _ := newClient(t, r)
	req := chat("g")
	req.Middleware = []llmux.Middleware{slow}
	if _, err := c.Completion(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if l := time.Duration(depOf(t, r, "a").latencyOf()); l != 250*time.Millisecond {
		t.Errorf("latency %v, want 250ms", l)
	}
}

func TestUsageBased_LowestTokensWithinLimits(t *testing.T) {
	clk := newClock()
	r := newRouter(t, []Deployment{
		{ID: "a", ModelGroup: "g", Model: "m", RPM: 10},
		{ID: "b", ModelGroup: "g", Model: "m", TPM: 1000},
		{ID: "c", ModelGroup: "g", Model: "m"},
	}, WithStrategy(UsageBased), WithNow(clk.now), seeded())
	ctx, now := context.Background(), clk.now()
	st := r.book.local
	_ = st.AddUsage(ctx, "a", now, 1, 100)
	_ = st.AddUsage(ctx, "b", now, 1, 200)
	_ = st.AddUsage(ctx, "c", now, 1, 300)
	if got := picks(t, r, "g", 20); got["a"] != 20 {
		t.Errorf("picks %v, want a (fewest tokens)", got)
	}
	_ = st.AddUsage(ctx, "a", now, 9, 0) // a at its 10 rpm
	if got := picks(t, r, "g", 20); got["b"] != 20 {
		t.Errorf("picks %v, want b once a reached its rpm", got)
	}
	_ = st.AddUsage(ctx, "b", now, 0, 800) // b at its 1000 tpm
	if got := picks(t, r, "g", 20); got["c"] != 20 {
		t.Errorf("picks %v, want c once b reached its tpm", got)
	}
	// A new minute starts the counters afresh.
	clk.advance(time.Minute)
	if got := picks(t, r, "g", 200); got["a"] == 0 || got["b"] == 0 || got["c"] == 0 {
		t.Errorf("picks %v in a new minute, want all (tied at 0)", got)
	}
}

// Through the client: each deployment allows one request a minute; the
// third call finds both at their limit: 429 until the next minute.
func TestUsageBased_RespectsRPMAndTPMThroughTheClient(t *testing.T) {
	clk := newClock()
	clk.advance(15 * time.Second) // 12:00:15
	u1, u2 := newUpstream(t, ok(t)), newUpstream(t, ok(t))
	a, b := deployment("a", "g", u1), deployment("b", "g", u2)
	a.RPM, b.TPM = 1, 29 // the fixture's answer uses 29 tokens
	r := newRouter(t, []Deployment{a, b}, WithStrategy(UsageBased), WithNow(clk.now))
	c, _ := newClient(t, r)
	for i := range 2 {
		if _, err := c.Completion(context.Background(), chat("g")); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if u1.requests() != 1 || u2.requests() != 1 {
		t.Fatalf("requests %d %d, want one each", u1.requests(), u2.requests())
	}
	_, err := c.Completion(context.Background(), chat("g"))
	var e *llmux.Error
	if !errors.As(err, &e) || e.Code != llmux.CodeRateLimited || e.RetryAfter != 45*time.Second {
		t.Fatalf("third call: %v, want rate_limited with retry after 45s", err)
	}
	clk.advance(45 * time.Second)
	if _, err := c.Completion(context.Background(), chat("g")); err != nil {
		t.Fatalf("next minute: %v", err)
	}
}
