package dispatch

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// constructors are the two ways of building a queue: with the per-value
// handler of New, and with NewBatch and a handler that loops over a batch.
var constructors = []string{"New", "NewBatch"}

// build makes a queue of size handing values to handle, the way
// constructor (one of constructors) does.
func build[T any](constructor string, size int, handle func(T)) *Queue[T] {
	if constructor == "New" {
		return New(size, handle)
	}
	return NewBatch(size, func(vs []T) {
		for _, v := range vs {
			handle(v)
		}
	})
}

// offerAll offers every value, retrying (after a yield) while the queue is
// full.
func offerAll(t *testing.T, q *Queue[int], vs ...int) {
	t.Helper()
	for _, v := range vs {
		for {
			err := q.Offer(v)
			if err == nil {
				break
			}
			if !errors.Is(err, ErrFull) {
				t.Fatalf("Offer(%d) = %v", v, err)
			}
			runtime.Gosched()
		}
	}
}

// blockedQueue returns a queue built by constructor whose handler, given
// its first value, sends it on started and blocks until release is closed.
// The handler appends every value to *got, which may be read once a Flush
// or Close has returned nil.
func blockedQueue(t *testing.T, constructor string, size int) (q *Queue[int], started <-chan int, release chan struct{}, got *[]int) {
	t.Helper()
	s := make(chan int, 1)
	release = make(chan struct{})
	var vs []int
	q = build(constructor, size, func(v int) {
		if len(vs) == 0 {
			s <- v
			<-release
		}
		vs = append(vs, v)
	})
	return q, s, release, &vs
}

func TestQueue_DeliversInOrder(t *testing.T) {
	for _, c := range constructors {
		for _, size := range []int{1, 3, 64, 4096} {
			t.Run(fmt.Sprintf("%s/size=%d", c, size), func(t *testing.T) {
				var got []int
				q := build(c, size, func(v int) { got = append(got, v) })
				want := make([]int, 1000)
				for i := range want {
					want[i] = i
				}
				offerAll(t, q, want...)
				if err := q.Close(context.Background()); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("handled %d values, not 0..999 in order: %v", len(got), got)
				}
			})
		}
	}
}

func TestQueue_SizeBelowOneMeansOne(t *testing.T) {
	for _, size := range []int{0, -5} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			q, started, release, _ := blockedQueue(t, "New", size)
			offerAll(t, q, 1)
			<-started
			if err := q.Offer(2); err != nil {
				t.Fatalf("first Offer while the handler is busy = %v, want nil", err)
			}
			if err := q.Offer(3); !errors.Is(err, ErrFull) {
				t.Fatalf("second Offer while the handler is busy = %v, want ErrFull", err)
			}
			close(release)
			if err := q.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestQueue_FullExactlyAtCapacity checks that, with the handler busy with
// the only value handed to it, exactly size more values are accepted and
// the next one is refused.
func TestQueue_FullExactlyAtCapacity(t *testing.T) {
	for _, c := range constructors {
		for _, size := range []int{1, 2, 5, 64, 1000} {
			t.Run(fmt.Sprintf("%s/size=%d", c, size), func(t *testing.T) {
				q, started, release, got := blockedQueue(t, c, size)
				offerAll(t, q, -1)
				<-started // the consumer has taken the batch [-1]
				for i := range size {
					if err := q.Offer(i); err != nil {
						t.Fatalf("Offer #%d of %d = %v, want nil", i+1, size, err)
					}
				}
				if n := q.Len(); n != size {
					t.Fatalf("Len = %d, want %d", n, size)
				}
				for range 3 {
					if err := q.Offer(size); !errors.Is(err, ErrFull) {
						t.Fatalf("Offer beyond capacity = %v, want ErrFull", err)
					}
				}
				if n := q.Len(); n != size {
					t.Fatalf("Len after refused offers = %d, want %d", n, size)
				}
				close(release)
				if err := q.Flush(context.Background()); err != nil {
					t.Fatal(err)
				}
				if n := q.Len(); n != 0 {
					t.Fatalf("Len after Flush = %d, want 0", n)
				}
				if err := q.Offer(size); err != nil { // room again
					t.Fatalf("Offer after Flush = %v", err)
				}
				if err := q.Close(context.Background()); err != nil {
					t.Fatal(err)
				}
				want := []int{-1}
				for i := range size + 1 {
					want = append(want, i)
				}
				if !slices.Equal(*got, want) {
					t.Fatalf("handled %v, want %v", *got, want)
				}
			})
		}
	}
}

// TestQueue_CapacityCountsValuesNotYetHanded checks what counts against
// the capacity while the handler is busy with the first value of a full
// batch: for New, the rest of the batch, which has not been handed yet; for
// NewBatch, nothing, as the whole batch was handed at once.
func TestQueue_CapacityCountsValuesNotYetHanded(t *testing.T) {
	const size = 8
	for _, tc := range []struct {
		constructor string
		room        int // values accepted while value 0 is being handled
	}{
		{"New", 1},
		{"NewBatch", size},
	} {
		t.Run(tc.constructor, func(t *testing.T) {
			started := make(chan int)
			release := make(chan struct{})
			q := build(tc.constructor, size, func(v int) {
				if v <= 0 { // -1, then 0: the first value of the next batch
					started <- v
					<-release
				}
			})
			offerAll(t, q, -1)
			<-started
			for i := range size { // the next batch: 0..size-1
				if err := q.Offer(i); err != nil {
					t.Fatalf("Offer(%d) = %v", i, err)
				}
			}
			release <- struct{}{}
			<-started // the consumer took 0..size-1 and is handling 0
			if n, want := q.Len(), size-tc.room; n != want {
				t.Fatalf("Len = %d, want %d", n, want)
			}
			for i := range tc.room {
				if err := q.Offer(size + i); err != nil {
					t.Fatalf("Offer #%d with room for %d = %v", i+1, tc.room, err)
				}
			}
			if err := q.Offer(-2); !errors.Is(err, ErrFull) {
				t.Fatalf("Offer beyond capacity = %v, want ErrFull", err)
			}
			close(release)
			if err := q.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestQueue_NewBatchHandsOverWhatWaits(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	var batches [][]int
	q := NewBatch(8, func(vs []int) {
		if batches == nil {
			close(started)
			<-release
		}
		batches = append(batches, slices.Clone(vs))
	})
	offerAll(t, q, 0)
	<-started
	offerAll(t, q, 1, 2, 3, 4, 5, 6, 7, 8)
	close(release)
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := [][]int{{0}, {1, 2, 3, 4, 5, 6, 7, 8}}
	if !slices.EqualFunc(batches, want, slices.Equal) {
		t.Fatalf("batches %v, want %v", batches, want)
	}
}

// TestQueue_BatchIsClearedAfterHandler checks that the queue keeps no
// reference to values once the handler returned, so a reused buffer does
// not keep old events alive.
func TestQueue_BatchIsClearedAfterHandler(t *testing.T) {
	var kept []*int
	q := NewBatch(8, func(vs []*int) { kept = vs }) // breaks the contract on purpose
	defer q.Close(context.Background())
	one, two := 1, 2
	if err := q.Offer(&one); err != nil {
		t.Fatal(err)
	}
	if err := q.Offer(&two); err != nil {
		t.Fatal(err)
	}
	if err := q.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, p := range kept {
		if p != nil {
			t.Fatalf("batch[%d] still holds %d after the handler returned", i, *p)
		}
	}
}

func TestQueue_OfferAfterCloseIsRefused(t *testing.T) {
	for _, c := range constructors {
		t.Run(c, func(t *testing.T) {
			var n atomic.Int64
			q := build(c, 16, func(int) { n.Add(1) })
			offerAll(t, q, 1, 2, 3)
			if err := q.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n.Load() != 3 {
				t.Fatalf("handled %d before Close returned, want 3", n.Load())
			}
			if err := q.Offer(4); !errors.Is(err, ErrClosed) {
				t.Fatalf("Offer after Close = %v, want ErrClosed", err)
			}
			if err := q.Close(context.Background()); err != nil {
				t.Fatalf("second Close = %v", err)
			}
			if err := q.Flush(context.Background()); err != nil {
				t.Fatalf("Flush after Close = %v", err)
			}
			if n := q.Len(); n != 0 {
				t.Fatalf("Len after Close = %d", n)
			}
		})
	}
}

func TestQueue_HandlerMayOffer(t *testing.T) {
	var q *Queue[int]
	var got []int
	last := make(chan struct{})
	q = New(4, func(v int) {
		got = append(got, v)
		if v == 100 {
			close(last)
			return
		}
		if err := q.Offer(v + 1); err != nil {
			t.Errorf("Offer from the handler = %v", err)
			close(last)
		}
	})
	offerAll(t, q, 0)
	<-last
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got) != 101 || got[100] != 100 {
		t.Fatalf("handled %v, want 0..100", got)
	}
}

// TestQueue_ContextBoundsWaits checks Flush and Close with a ctx that ends
// while the handler is blocked: both return ctx's error, Offer is refused
// from Close on, and once the handler is released the goroutine drains the
// queue and returns on its own (goleak checks it does).
func TestQueue_ContextBoundsWaits(t *testing.T) {
	for _, tc := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"canceled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 5*time.Millisecond)
		}, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, started, release, got := blockedQueue(t, "New", 8)
			offerAll(t, q, 0)
			<-started
			offerAll(t, q, 1, 2)

			ctx, cancel := tc.ctx()
			defer cancel()
			if err := q.Flush(ctx); !errors.Is(err, tc.want) {
				t.Fatalf("Flush with a blocked handler = %v, want %v", err, tc.want)
			}
			ctx, cancel = tc.ctx()
			defer cancel()
			if err := q.Close(ctx); !errors.Is(err, tc.want) {
				t.Fatalf("Close with a blocked handler = %v, want %v", err, tc.want)
			}
			if err := q.Offer(3); !errors.Is(err, ErrClosed) {
				t.Fatalf("Offer after an interrupted Close = %v, want ErrClosed", err)
			}
			close(release)
			<-q.done // the goroutine finishes on its own, without another Close
			if !slices.Equal(*got, []int{0, 1, 2}) {
				t.Fatalf("handled %v, want [0 1 2]", *got)
			}
			if err := q.Close(context.Background()); err != nil {
				t.Fatalf("Close after the goroutine finished = %v", err)
			}
		})
	}
}

// TestQueue_FlushWaitsForEarlierValues has producers offer while flushers
// record, before each Flush, the last value each producer had accepted:
// when Flush returns, the handler must have reached at least those.
func TestQueue_FlushWaitsForEarlierValues(t *testing.T) {
	const producers, perProducer, flushers = 8, 500, 4
	var accepted, handledUpTo [producers]atomic.Int64
	for p := range producers {
		accepted[p].Store(-1)
		handledUpTo[p].Store(-1)
	}
	q := New(64, func(v [2]int) { handledUpTo[v[0]].Store(int64(v[1])) })
	defer q.Close(context.Background())

	var producing, flushing sync.WaitGroup
	for p := range producers {
		producing.Go(func() {
			for i := range perProducer {
				if q.Offer([2]int{p, i}) == nil {
					accepted[p].Store(int64(i))
				} else {
					runtime.Gosched()
				}
			}
		})
	}
	stop := make(chan struct{})
	for range flushers {
		flushing.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				var before [producers]int64
				for p := range producers {
					before[p] = accepted[p].Load()
				}
				if err := q.Flush(context.Background()); err != nil {
					t.Error(err)
					return
				}
				for p := range producers {
					if h := handledUpTo[p].Load(); h < before[p] {
						t.Errorf("producer %d: Flush returned with values up to %d handled, %d accepted before it", p, h, before[p])
						return
					}
				}
			}
		})
	}
	producing.Wait()
	close(stop)
	flushing.Wait()
}

// TestQueue_ConcurrentSafe_OffersFlushesAndCloseRace has many producers
// offer (some values with OfferLazy) while others flush and several goroutines close the queue midway.
// Every accepted value must be handled exactly once, each producer's values
// in the order it offered them, and every Offer must be accounted for as
// accepted, ErrFull or ErrClosed.
func TestQueue_ConcurrentSafe_OffersFlushesAndCloseRace(t *testing.T) {
	for _, c := range constructors {
		t.Run(c, func(t *testing.T) {
			const producers, perProducer, size = 16, 500, 32
			var (
				handled   = make([][]int, producers) // by the consumer only
				accepted  [producers]int64           // by producer p only
				full      atomic.Int64
				closed    atomic.Int64
				offers    atomic.Int64
				wrongSize atomic.Int64
			)
			q := build(c, size, func(v [2]int) { handled[v[0]] = append(handled[v[0]], v[1]) })

			var wg sync.WaitGroup
			for p := range producers {
				wg.Go(func() {
					for i := range perProducer {
						offers.Add(1)
						offer := q.Offer
						if i%3 == 1 { // some values lazily, as the call path does
							offer = q.OfferLazy
						}
						switch err := offer([2]int{p, i}); {
						case err == nil:
							accepted[p]++
						case errors.Is(err, ErrFull):
							full.Add(1)
						case errors.Is(err, ErrClosed):
							closed.Add(1)
						default:
							t.Errorf("Offer = %v", err)
						}
						if n := q.Len(); n > size {
							wrongSize.Add(1)
						}
						if i%50 == p%50 {
							if err := q.Flush(context.Background()); err != nil {
								t.Errorf("Flush = %v", err)
							}
						}
					}
				})
			}
			for range 3 { // racing Close calls, once about a third is offered
				wg.Go(func() {
					for offers.Load() < producers*perProducer/3 {
						runtime.Gosched()
					}
					if err := q.Close(context.Background()); err != nil {
						t.Errorf("Close = %v", err)
					}
				})
			}
			wg.Wait()
			if err := q.Close(context.Background()); err != nil {
				t.Fatal(err)
			}

			var total int64
			for p := range producers {
				total += accepted[p]
				if int64(len(handled[p])) != accepted[p] {
					t.Errorf("producer %d: %d values handled, %d accepted", p, len(handled[p]), accepted[p])
				}
				for i := 1; i < len(handled[p]); i++ {
					if handled[p][i] <= handled[p][i-1] {
						t.Errorf("producer %d: %d handled after %d: out of order or twice", p, handled[p][i], handled[p][i-1])
						break
					}
				}
			}
			if got := total + full.Load() + closed.Load(); got != producers*perProducer {
				t.Errorf("accepted %d + full %d + closed %d = %d, want %d offers", total, full.Load(), closed.Load(), got, producers*perProducer)
			}
			if closed.Load() == 0 {
				t.Log("no Offer saw the queue closed this time")
			}
			if wrongSize.Load() > 0 {
				t.Errorf("Len exceeded the capacity %d times", wrongSize.Load())
			}
		})
	}
}

// TestQueue_BuffersShrinkAfterBurst checks that a burst that filled the
// queue does not pin buffers of its size once batches are small again.
func TestQueue_BuffersShrinkAfterBurst(t *testing.T) {
	const size = 4096
	q, started, release, _ := blockedQueue(t, "New", size)
	defer q.Close(context.Background())
	offerAll(t, q, 0)
	<-started
	for i := range size {
		offerAll(t, q, i)
	}
	pendingCap := func() int {
		q.mu.Lock()
		defer q.mu.Unlock()
		return cap(q.pending)
	}
	if c := pendingCap(); c < size {
		t.Fatalf("cap(pending) = %d after a burst of %d", c, size)
	}
	close(release)
	// Two buffers alternate; each needs a run of lean batches to be dropped.
	for i := range 4 * leanBatches {
		offerAll(t, q, i)
		if err := q.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if c := pendingCap(); c > keepCap {
		t.Fatalf("cap(pending) = %d after %d single-value batches, want <= %d", c, 4*leanBatches, keepCap)
	}
}

// TestQueue_OfferLazy_DeliveredWithoutAnotherOffer checks that a value
// offered lazily to a parked consumer is handled although nothing else is
// offered: the timer wakes the consumer.
func TestQueue_OfferLazy_DeliveredWithoutAnotherOffer(t *testing.T) {
	for _, c := range constructors {
		t.Run(c, func(t *testing.T) {
			got := make(chan int, 10)
			q := build(c, 8, func(v int) { got <- v })
			defer q.Close(context.Background())
			for i := range 3 { // each time the consumer is (usually) parked again
				if err := q.OfferLazy(i); err != nil {
					t.Fatal(err)
				}
				select {
				case v := <-got:
					if v != i {
						t.Fatalf("handled %d, want %d", v, i)
					}
				case <-time.After(10 * time.Second): // LazyDelay is 200 ms; this only bounds a hang
					t.Fatalf("value %d offered lazily was not handled", i)
				}
			}
		})
	}
}

// TestQueue_OfferLazy_HandedOverWithNextOffer checks that values offered
// lazily and then one offered with Offer are handled in order, and that
// Flush and Close hand over values offered lazily.
func TestQueue_OfferLazy_HandedOverWithNextOffer(t *testing.T) {
	for _, c := range constructors {
		t.Run(c, func(t *testing.T) {
			var got []int
			q := build(c, 8, func(v int) { got = append(got, v) })
			for _, v := range []int{0, 1} {
				if err := q.OfferLazy(v); err != nil {
					t.Fatal(err)
				}
			}
			offerAll(t, q, 2)
			if err := q.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, []int{0, 1, 2}) {
				t.Fatalf("after Flush: handled %v, want [0 1 2]", got)
			}
			if err := q.OfferLazy(3); err != nil {
				t.Fatal(err)
			}
			if err := q.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, []int{0, 1, 2, 3}) {
				t.Fatalf("Flush after OfferLazy: handled %v, want [0 1 2 3]", got)
			}
			if err := q.OfferLazy(4); err != nil {
				t.Fatal(err)
			}
			if err := q.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
				t.Fatalf("Close after OfferLazy: handled %v, want [0 1 2 3 4]", got)
			}
			if err := q.OfferLazy(5); !errors.Is(err, ErrClosed) {
				t.Fatalf("OfferLazy after Close = %v, want ErrClosed", err)
			}
		})
	}
}

// TestQueue_OfferLazy_FullAtCapacity checks that values offered lazily
// count against the capacity like any other.
func TestQueue_OfferLazy_FullAtCapacity(t *testing.T) {
	q, started, release, _ := blockedQueue(t, "New", 2)
	offerAll(t, q, 0)
	<-started
	for _, v := range []int{1, 2} {
		if err := q.OfferLazy(v); err != nil {
			t.Fatalf("OfferLazy(%d) with room = %v", v, err)
		}
	}
	if err := q.OfferLazy(3); !errors.Is(err, ErrFull) {
		t.Fatalf("OfferLazy past capacity = %v, want ErrFull", err)
	}
	close(release)
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestQueue_OfferLazy_RunSetsTimerOnce checks that in a run of values
// offered lazily only the first sets the timer from the caller: after each
// batch the consumer sets it itself before it parks. A timer that finds
// nothing ends the run, and the next value offered lazily sets it again.
func TestQueue_OfferLazy_RunSetsTimerOnce(t *testing.T) {
	defer func(d time.Duration, a bool) { lazyDelay, lazyAligned = d, a }(lazyDelay, lazyAligned)
	// Long enough that the run cannot end while the test offers: a full
	// second, not the rest of one.
	lazyDelay, lazyAligned = time.Second, false
	for _, c := range constructors {
		t.Run(c, func(t *testing.T) {
			var mu sync.Mutex
			var got []int
			q := build(c, 8, func(v int) { mu.Lock(); got = append(got, v); mu.Unlock() })
			defer q.Close(context.Background())
			state := func() (parked, armed bool, arms uint64) {
				q.mu.Lock()
				defer q.mu.Unlock()
				return q.parked, q.lazyArmed, q.offerArms
			}
			waitState := func(what string, ok func(parked, armed bool) bool) {
				t.Helper()
				for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
					if p, a, _ := state(); ok(p, a) {
						return
					}
					if time.Now().After(deadline) {
						t.Fatalf("consumer never %s", what)
					}
				}
			}
			waitState("parked", func(p, a bool) bool { return p && !a })
			for i := range 3 {
				if err := q.OfferLazy(i); err != nil {
					t.Fatal(err)
				}
				if _, _, arms := state(); arms != 1 {
					t.Fatalf("after %d values offered lazily in a run, OfferLazy set the timer %d times, want 1", i+1, arms)
				}
				if err := q.Flush(context.Background()); err != nil { // hands the value over now
					t.Fatal(err)
				}
				waitState("parked with its own timer set", func(p, a bool) bool { return p && a })
			}
			waitState("parked without a timer once the run ended", func(p, a bool) bool { return p && !a })
			if err := q.OfferLazy(3); err != nil {
				t.Fatal(err)
			}
			if _, _, arms := state(); arms != 2 {
				t.Fatalf("the first value offered lazily after the run ended: timer set %d times in all, want 2", arms)
			}
			if err := q.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if !slices.Equal(got, []int{0, 1, 2, 3}) {
				t.Fatalf("handled %v, want [0 1 2 3]", got)
			}
		})
	}
}
