package delivery

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// attempts is a sink that fails with err(i) on the i-th call (1-based)
// and records when each call came.
type attempts struct {
	mu    sync.Mutex
	at    []time.Time
	errFn func(i int) error
}

func (a *attempts) Send(ctx context.Context, b []Record) error {
	a.mu.Lock()
	a.at = append(a.at, time.Now())
	i := len(a.at)
	a.mu.Unlock()
	return a.errFn(i)
}

func (a *attempts) gaps() []time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	var g []time.Duration
	for i := 1; i < len(a.at); i++ {
		g = append(g, a.at[i].Sub(a.at[i-1]))
	}
	return g
}

func runOne(t *testing.T, sink Sink, o Options) Stats {
	t.Helper()
	o.Name, o.Log, o.FlushInterval = "retry", quiet, time.Millisecond
	q, err := New(sink, o)
	if err != nil {
		t.Fatal(err)
	}
	q.Add(Record("r"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := q.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s := q.Stats()
	conserved(t, s)
	return s
}

func TestQueue_PermanentErrorIsNotRetried(t *testing.T) {
	a := &attempts{errFn: func(int) error { return errors.New("400 bad request") }}
	s := runOne(t, a, Options{})
	if len(a.at) != 1 || s.Dropped[DropPermanent] != 1 {
		t.Fatalf("%d attempts, stats %+v; want 1 attempt and 1 permanent drop", len(a.at), s)
	}
}

func TestQueue_RetryableErrorIsRetriedUntilSuccess(t *testing.T) {
	a := &attempts{errFn: func(i int) error {
		if i < 4 {
			return Retryable(errors.New("503"), 0)
		}
		return nil
	}}
	s := runOne(t, a, Options{InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	if len(a.at) != 4 || s.Delivered != 1 {
		t.Fatalf("%d attempts, stats %+v", len(a.at), s)
	}
}

func TestQueue_BackoffIsJitteredAndBounded(t *testing.T) {
	const maxBackoff = 20 * time.Millisecond
	a := &attempts{errFn: func(i int) error {
		if i <= 12 {
			return Retryable(errors.New("503"), 0)
		}
		return nil
	}}
	runOne(t, a, Options{InitialBackoff: 5 * time.Millisecond, MaxBackoff: maxBackoff})
	g := a.gaps()
	distinct := map[time.Duration]bool{}
	for i, d := range g {
		if d > maxBackoff+50*time.Millisecond { // slack for a loaded machine
			t.Errorf("wait %d = %v, over MaxBackoff %v", i, d, maxBackoff)
		}
		distinct[d.Round(time.Millisecond)] = true
	}
	if len(distinct) < 3 {
		t.Errorf("waits %v show no jitter", g)
	}
}

func TestQueue_RetryAfterIsHonouredAndCapped(t *testing.T) {
	for _, tt := range []struct {
		name     string
		after    time.Duration
		cap      time.Duration
		min, max time.Duration
	}{
		{"honoured", 60 * time.Millisecond, time.Minute, 60 * time.Millisecond, 2 * time.Second},
		{"capped", time.Hour, 40 * time.Millisecond, 40 * time.Millisecond, 2 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := &attempts{errFn: func(i int) error {
				if i == 1 {
					return Retryable(errors.New("429"), tt.after)
				}
				return nil
			}}
			s := runOne(t, a, Options{InitialBackoff: time.Millisecond, MaxRetryAfter: tt.cap})
			g := a.gaps()
			if s.Delivered != 1 || len(g) != 1 || g[0] < tt.min || g[0] > tt.max {
				t.Fatalf("waits %v, stats %+v; want one wait in [%v, %v]", g, s, tt.min, tt.max)
			}
		})
	}
}

func TestQueue_MaxElapsedGivesUpAndCounts(t *testing.T) {
	a := &attempts{errFn: func(int) error { return Retryable(errors.New("503"), 0) }}
	start := time.Now()
	s := runOne(t, a, Options{InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxElapsed: 50 * time.Millisecond})
	if s.Dropped[DropGaveUp] != 1 || s.Delivered != 0 || len(a.at) < 3 {
		t.Fatalf("%d attempts, stats %+v", len(a.at), s)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("gave up after %v", el)
	}
}

// Stats sampled while records are added and sent always balance.
func TestQueue_ConservationConcurrentSafe(t *testing.T) {
	for _, mode := range []string{"memory", "spool"} {
		t.Run(mode, func(t *testing.T) {
			var calls atomic.Int64
			sink := SinkFunc(func(ctx context.Context, b []Record) error {
				switch calls.Add(1) % 5 {
				case 1:
					return Retryable(errors.New("503"), 0)
				case 2:
					return errors.New("400")
				}
				return nil
			})
			o := Options{Name: "cons", QueueSize: 300, BatchSize: 7, FlushInterval: time.Millisecond,
				InitialBackoff: time.Microsecond, MaxBackoff: 10 * time.Microsecond, Log: quiet}
			if mode == "spool" {
				o.SpoolDir = t.TempDir()
				o.SpoolMaxBytes = 8 << 10
				o.SpoolSegmentBytes = 1 << 10
			}
			q, err := New(sink, o)
			if err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			var samples atomic.Int64
			sampled := make(chan struct{})
			go func() {
				defer close(sampled)
				for {
					select {
					case <-stop:
						return
					default:
					}
					if err := balance(q.Stats()); err != nil {
						t.Error(err)
						return
					}
					samples.Add(1)
				}
			}()
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 500 {
						q.Add(Record(fmt.Sprintf("%d-%d", g, i)))
						if rand.N(50) == 0 {
							_ = q.Flush(context.Background())
						}
					}
				}()
			}
			wg.Wait()
			if err := q.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			close(stop)
			<-sampled
			s := q.Stats()
			conserved(t, s)
			if s.Emitted != 2000 || s.Queued != 0 || s.Spooled != 0 {
				t.Fatalf("after Close: %+v", s)
			}
			if samples.Load() < 10 {
				t.Fatalf("only %d samples", samples.Load())
			}
		})
	}
}
