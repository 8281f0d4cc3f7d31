//go:build unix

package redis_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/llmux/llmux/internal/record"
	"github.com/llmux/llmux/internal/redistest"
	"github.com/llmux/llmux/router"
	"github.com/llmux/llmux/router/redis"
)

// maxCall is how long a call may take with Redis down, on a busy machine:
// the router waits at most its state timeout (100ms) per operation, and
// only on the first call of each retry interval.
const maxCall = 2 * time.Second

// Redis refusing connections, or frozen (SIGSTOP: it accepts and never
// answers): calls go on, each bounded, logged once; when Redis answers
// again the router uses it again.
func TestState_OutageNeverFailsOrStallsACall(t *testing.T) {
	srv := redistest.Start(t)
	for _, tc := range []struct {
		name string
		addr string
		down func()
		up   func()
	}{
		{"refused", closedAddr(t), func() {}, nil},
		{"frozen", srv.Addr, srv.Stop, srv.Cont},
	} {
		t.Run(tc.name, func(t *testing.T) {
			good := newUpstream(t, 200)
			st, err := redis.New(redis.Options{Addr: tc.addr, Namespace: "llmuxtest-outage", Timeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			logs := &record.Logs{}
			now := time.Now()
			r, err := router.New([]router.Deployment{{ID: "a", ModelGroup: "g", Model: "openai/gpt-4o", APIBase: good.URL + "/v1"}},
				router.WithState(st), router.WithLog(slog.New(logs)), router.WithNow(func() time.Time { return now }))
			if err != nil {
				t.Fatal(err)
			}
			c := newClient(t, r)
			tc.down()
			deadline := time.Now().Add(1500 * time.Millisecond) // spans a retry interval
			n := 0
			for time.Now().Before(deadline) {
				start := time.Now()
				if err := call(t, c, "g"); err != nil {
					t.Fatalf("call %d with Redis %s: %v", n, tc.name, err)
				}
				if d := time.Since(start); d > maxCall {
					t.Errorf("call %d took %v with Redis %s", n, d, tc.name)
				}
				n++
				time.Sleep(50 * time.Millisecond)
			}
			if good.requests() != n {
				t.Errorf("%d calls, %d upstream requests", n, good.requests())
			}
			if w := logs.Count("WARN router: shared state unavailable"); w != 1 {
				t.Errorf("%d warnings in %d calls, want 1 (at most one per 10s): %q", w, n, logs.Lines())
			}
			if tc.up == nil {
				return
			}
			tc.up()
			// One call per retry interval probes Redis; a busy machine may
			// need a few.
			for end := time.Now().Add(10 * time.Second); logs.Count("INFO router: shared state answers again") == 0; {
				if time.Now().After(end) {
					t.Fatalf("no recovery: %q", logs.Lines())
				}
				if err := call(t, c, "g"); err != nil {
					t.Fatal(err)
				}
				time.Sleep(100 * time.Millisecond)
			}
			if err := call(t, c, "g"); err != nil {
				t.Fatal(err)
			}
			if got := load(t, st, "a", now); got.Requests < 1 {
				t.Errorf("after recovery Redis holds %+v, want the calls since counted", got)
			}
		})
	}
}
