package webhook

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmux/llmux"
)

// An endpoint that answers 503 for a while, then recovers, loses no
// payload with a spool: every call's payload arrives, once the endpoint is
// back. LLMUX_LONG=1 makes the outage 60 s.
func TestLogger_EndpointOutageLosesNothingWithSpool(t *testing.T) {
	outage := 1500 * time.Millisecond
	if os.Getenv("LLMUX_LONG") == "1" {
		outage = 60 * time.Second
	}
	var down atomic.Bool
	down.Store(true)
	r := newReceiver(t, func(int) (int, http.Header) {
		if down.Load() {
			return http.StatusServiceUnavailable, nil
		}
		return 200, nil
	})
	qo := fastQueue(50)
	qo.MaxBackoff = 200 * time.Millisecond
	qo.SpoolDir = t.TempDir()
	l, err := New(r.URL, WithQueueOptions(qo), WithGzip(true))
	if err != nil {
		t.Fatal(err)
	}
	c, err := llmux.New(llmux.WithCallbacks(l), llmux.WithLog(quiet))
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	start := time.Now()
	for time.Since(start) < outage+outage/5 {
		if time.Since(start) > outage {
			down.Store(false)
		}
		_, _ = c.Completion(context.Background(), &llmux.Request{Model: "gpt-3.5-turbo",
			Messages: []llmux.Message{llmux.User("hi")}, MockResponse: fmt.Sprint(calls)})
		calls++
		time.Sleep(time.Millisecond)
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	r.mu.Lock()
	for _, p := range r.payload {
		ids[fmt.Sprint(p["id"])] = true
	}
	r.mu.Unlock()
	s := l.Stats()
	var clientDropped uint64
	for _, ls := range c.Stats() {
		clientDropped += ls.Dropped()
	}
	t.Logf("outage %v: %d calls, %d payloads received, delivery %+v, client queue drops %d", outage, calls, len(ids), s, clientDropped)
	if len(ids) != calls || len(s.Dropped) != 0 || clientDropped != 0 {
		t.Fatalf("%d calls but %d payloads received (stats %+v)", calls, len(ids), s)
	}
}
