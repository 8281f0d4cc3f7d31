package dispatch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchQueue is what BenchmarkQueue_Producers needs from both queues.
type benchQueue interface {
	Offer(int) error
	Close(context.Context) error
}

// benchImpls are compared side by side, alternating, in one run: "chan" is
// the buffered-channel queue this package used to have (old_test.go),
// "batch" is [Queue], and "batch-noyield" is [Queue] with Offer's yield
// under backlog turned off, to tell the effect of batching from the yield's.
var benchImpls = []struct {
	name string
	new  func(size int, handle func(int)) benchQueue
}{
	{"chan", func(size int, handle func(int)) benchQueue { return newChanQueue(size, handle) }},
	{"batch", func(size int, handle func(int)) benchQueue { return New(size, handle) }},
	{"batch-noyield", func(size int, handle func(int)) benchQueue {
		q := New(size, handle)
		q.yieldAt = math.MaxInt
		return q
	}},
}

// spinWork is the CPU work a "work" producer does between two Offers:
// about 5 µs on the 2-core machine these numbers come from, the order of a
// Completion answered from the in-memory cache.
const spinWork = 2500

var spinSink atomic.Uint64

// spin burns n rounds of xorshift; the result is kept only so the compiler
// cannot drop the loop.
func spin(n int) {
	x := uint64(n) | 1
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	if x == 0 { // never: xorshift does not reach 0 from a non-zero seed
		spinSink.Add(1)
	}
}

// BenchmarkQueue_Producers offers b.N values in total from 1, 8 and 64
// producer goroutines to a queue of 4096 (llmux's default queue size) with
// a no-op handler, for each of benchImpls. ns/op is the wall time per Offer
// until the last Offer returned; %dropped is the share of Offers refused
// with ErrFull. "tight" producers offer in a loop; "work"
// producers spin about 5 µs before each Offer.
func BenchmarkQueue_Producers(b *testing.B) {
	for _, load := range []struct {
		name string
		work int
	}{{"tight", 0}, {"work", spinWork}} {
		for _, producers := range []int{1, 8, 64} {
			for _, impl := range benchImpls {
				name := fmt.Sprintf("load=%s/producers=%d/impl=%s", load.name, producers, impl.name)
				b.Run(name, func(b *testing.B) {
					benchProducers(b, impl.new(4096, func(int) {}), producers, load.work, nil)
				})
			}
		}
	}
}

// BenchmarkQueue_SlowHandler is BenchmarkQueue_Producers with "work"
// producers and a handler that sleeps 50 µs (often more) per value, as a
// logger writing to a slow server would: it is far slower than the
// callers, so any queue drops most values. It shows what Offer's yield
// under backlog costs the producers when yielding cannot help. Once the
// producers are done the handler stops sleeping, so the drain is quick.
func BenchmarkQueue_SlowHandler(b *testing.B) {
	for _, producers := range []int{8, 64} {
		for _, impl := range benchImpls {
			b.Run(fmt.Sprintf("producers=%d/impl=%s", producers, impl.name), func(b *testing.B) {
				var draining atomic.Bool
				q := impl.new(4096, func(int) {
					if !draining.Load() {
						time.Sleep(50 * time.Microsecond)
					}
				})
				benchProducers(b, q, producers, spinWork, func() { draining.Store(true) })
			})
		}
	}
}

// benchProducers runs producers goroutines that share b.N Offers to q,
// spinning work rounds before each, stops the timer, calls beforeClose if
// set, closes q and reports %dropped.
func benchProducers(b *testing.B, q benchQueue, producers, work int, beforeClose func()) {
	var dropped atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for p := range producers {
		n := b.N / producers
		if p < b.N%producers {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var full int64
			for i := range n {
				if work > 0 {
					spin(work)
				}
				switch err := q.Offer(i); {
				case err == nil:
				case errors.Is(err, ErrFull):
					full++
				default:
					b.Error(err)
					return
				}
			}
			dropped.Add(full)
		}()
	}
	wg.Wait()
	b.StopTimer()
	if beforeClose != nil {
		beforeClose()
	}
	if err := q.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(dropped.Load())/float64(b.N)*100, "%dropped")
}

// BenchmarkOffer measures one accepted Offer from a single producer to a
// queue with a no-op handler, retrying while the queue is full, and its
// allocations (none once the buffers have grown).
func BenchmarkOffer(b *testing.B) {
	q := New(1<<16, func(int) {})
	defer q.Close(context.Background())
	b.ReportAllocs()
	for b.Loop() {
		for q.Offer(1) != nil {
		}
	}
}
