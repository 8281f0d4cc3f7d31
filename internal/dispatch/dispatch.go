package dispatch

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

var (
	// ErrFull is returned by [Queue.Offer] when size values have been
	// accepted and not yet handed to the handler (see [Queue]); the value
	// was not accepted and still belongs to the caller.
	ErrFull = errors.New("dispatch: queue full")
	// ErrClosed is returned by [Queue.Offer] once [Queue.Close] has been
	// called; the value was not accepted and still belongs to the caller.
	ErrClosed = errors.New("dispatch: queue closed")
)

const (
	// keepCap is the capacity, in values, up to which the consumer always
	// reuses a batch buffer.
	keepCap = 256
	// leanBatches is how many batches in a row must use less than a
	// quarter of a buffer larger than keepCap before the consumer drops
	// that buffer, so that a burst does not pin a large buffer forever.
	leanBatches = 32
)

// Queue hands the values offered to it to one handler, in the order they
// were accepted, on a goroutine of its own. All methods are safe for
// concurrent use from any goroutine. The handler itself may call
// [Queue.Offer] and [Queue.Len], but must not wait in [Queue.Flush] or
// [Queue.Close]: they would wait for the handler to return until ctx ends.
//
// Capacity counts the values accepted by Offer and not yet handed to the
// handler. The consumer takes all the values waiting at once, as one batch.
// A handler given to [NewBatch] is handed the whole batch at once, so from
// then on none of it counts, and up to size more values can wait while it
// runs. The handler given to [New] is handed the values of the batch one
// by one, and each counts until its turn comes, as with a channel of size:
// the queue then holds at most size values plus the one being handled.
type Queue[T any] struct {
	handleOne   func(T)       // set by New
	handleBatch func([]T)     // set by NewBatch
	size        int           // capacity, in values not yet handed
	yieldAt     int           // values not yet handed from which Offer yields
	lazyBatch   int           // values waiting that wake a parked consumer
	wake        chan struct{} // capacity 1; signalled when parked goes false
	done        chan struct{} // closed when the consumer goroutine returns

	// unhanded is the number of values of the batch being handled that
	// handleOne has not been given yet. The consumer sets it under mu when
	// it takes a batch and decrements it without mu as it goes, so Offer
	// may see it a little high, never too low.
	unhanded atomic.Int64
	// inHandler is set while the consumer is inside the handler, and
	// progress counts the values it handed over; together they tell a
	// consumer that is handling from one that waits for a CPU.
	inHandler atomic.Bool
	progress  atomic.Uint64
	lastSeen  atomic.Uint64 // progress as the last backlogged Offer saw it

	mu      sync.Mutex
	pending []T  // accepted, not yet taken by the consumer
	parked  bool // the consumer waits on wake (values offered lazily may be pending)
	// lazyArmed is set while lazyTimer runs to wake the consumer for values
	// offered lazily. The parked consumer waits on the timer's channel
	// itself: the timer readies it directly, with no goroutine of its own
	// (time.AfterFunc starts one per firing, a second wake per window).
	lazyArmed bool
	lazyTimer *time.Timer
	// lazyPending is set when a value in pending was offered lazily: the
	// consumer then sets lazyTimer itself once the batch is handled.
	lazyPending bool
	offerArms   uint64 // times OfferLazy set lazyTimer (tests)
	closed      bool
	accepted    uint64      // values accepted so far
	handled     uint64      // values of batches the handler has returned from
	flushes     []flushMark // waiting Flush calls, by increasing target
}

// flushMark is a barrier: done is closed once handled reaches target.
type flushMark struct {
	target uint64
	done   chan struct{}
}

// New starts a queue holding up to size values (at least 1) not yet handed
// to handle, and the goroutine that calls handle with each of them, one at
// a time, in the order they were accepted. handle runs only on that
// goroutine and must not panic; it owns each value it is given.
// [Queue.Close] stops the goroutine.
func New[T any](size int, handle func(T)) *Queue[T] {
	return start(size, handle, nil)
}

// NewBatch is like [New], but handle receives each batch the consumer
// takes: one or more values, oldest first, one batch at a time. The slice
// is lent to handle until it returns; the queue then clears and reuses it,
// so handle must copy what it keeps, but it owns the values themselves.
func NewBatch[T any](size int, handle func([]T)) *Queue[T] {
	return start(size, nil, handle)
}

func start[T any](size int, one func(T), batch func([]T)) *Queue[T] {
	size = max(size, 1)
	q := &Queue[T]{
		handleOne:   one,
		handleBatch: batch,
		size:        size,
		yieldAt:     max(size/4, 1),
		lazyBatch:   max(min(LazyBatch, size/4), 1),
		wake:        make(chan struct{}, 1),
		done:        make(chan struct{}),
		lazyTimer:   time.NewTimer(time.Hour),
	}
	q.lazyTimer.Stop()
	go q.run()
	return q
}

// run is the consumer goroutine: it takes the pending values as one batch,
// hands it to the handler outside the lock, and parks when nothing is
// pending. It returns once the queue is closed and drained.
func (q *Queue[T]) run() {
	defer close(q.done)
	var spare []T // the buffer Offer fills next; nil after a shrink
	lean := 0     // batches in a row far below their buffer's capacity
	poll := false // the last batch held values offered lazily
	q.mu.Lock()
	for {
		for len(q.pending) == 0 {
			if q.closed {
				q.mu.Unlock()
				return
			}
			if poll && !q.lazyArmed {
				// Values offered lazily come in runs (a busy caller's
				// events): the consumer sets the timer for the next ones
				// itself before it parks, off the caller's path, so that
				// OfferLazy only appends while the run lasts. A timer that
				// finds nothing ends the run: the consumer then parks
				// without one.
				q.lazyArmed = true
				q.lazyTimer.Reset(lazyWait())
			}
			poll = false
			q.parked = true
			q.mu.Unlock()
			fired := false
			select {
			case <-q.wake:
			case <-q.lazyTimer.C: // values offered lazily waited LazyDelay
				fired = true
			}
			q.mu.Lock()
			q.parked = false
			if fired {
				q.lazyArmed = false
			}
		}
		if q.lazyArmed { // the batch takes the values the timer was for
			q.lazyTimer.Stop()
			q.lazyArmed = false
		}
		poll = q.lazyPending
		q.lazyPending = false
		batch := q.pending
		q.pending = spare[:0]
		if q.handleOne != nil {
			q.unhanded.Store(int64(len(batch)))
		}
		q.mu.Unlock()

		q.inHandler.Store(true)
		if q.handleOne != nil {
			for _, v := range batch {
				q.unhanded.Add(-1)
				q.handleOne(v)
				q.progress.Add(1)
			}
		} else {
			q.handleBatch(batch)
			q.progress.Add(uint64(len(batch)))
		}
		q.inHandler.Store(false)

		n := len(batch)
		clear(batch) // the handler owns the values now; let them be collected
		spare = batch[:0]
		if cap(batch) > keepCap && n < cap(batch)/4 {
			lean++
		} else {
			lean = 0
		}
		if lean >= leanBatches {
			// Offer grows a fresh buffer as needed. lean is not reset, so
			// the other large buffer goes too if the next batch is lean.
			spare = nil
		}

		q.mu.Lock()
		q.handled += uint64(n)
		i := 0
		for i < len(q.flushes) && q.flushes[i].target <= q.handled {
			close(q.flushes[i].done)
			i++
		}
		q.flushes = slices.Delete(q.flushes, 0, i)
	}
}

// Offer enqueues v without blocking and wakes the consumer if it is
// parked. It returns [ErrFull] when size values have not been handed to
// the handler yet (see [Queue] for what counts) and [ErrClosed] after
// [Queue.Close]. v is accepted only if Offer returns nil, and the queue
// then owns it until it hands it to the handler.
//
// When a quarter of the capacity or more is in use, Offer yields the
// processor (runtime.Gosched) before it returns. A backlog means either
// that the handler is slow, and then the yield costs the caller one pass
// through the scheduler, or, far more often, that the consumer is runnable
// but waits for a CPU: the runtime queues a woken goroutine on the waker's
// P, and one preempted mid-batch on the global run queue, behind producers
// that may neither block nor yield for milliseconds. The yield lets it run.
func (q *Queue[T]) Offer(v T) error { return q.offer(v, false) }

// LazyDelay is how long a value given to [Queue.OfferLazy] may wait for
// the consumer to be woken. Longer means fewer wakes and bigger batches:
// on a small machine a wake from idle costs more than the batch it hands
// over (the thread's wake, the scheduler's monitor polling again while a
// processor is busy, the batch handled cold). On the gateway with three
// loggers at 50 rps, CPU per request (gatewaybench's load, side by side,
// two to four rounds of 20 s) was 1,230-1,450 µs with 50 ms timers each
// on its own phase, 1,080-1,150 with 50 ms on a shared grid (lazyWait)
// and 960-970 with 200 ms on it (ref-json: 720). At 500 rps the batches
// are handed over by count ([LazyBatch]) before any timer fires, and the
// three did not differ beyond the run-to-run spread (560-684 µs).
// Earlier, at 500 rps, 50 ms beat 10 ms (393 against 523 µs) and 2 ms
// (450-470). Loggers see events that much later; Flush and Close do not
// wait for it.
const LazyDelay = 200 * time.Millisecond

// lazyDelay is LazyDelay; tests lengthen it.
var lazyDelay = LazyDelay

// lazyAligned makes lazy timers fire on the process-wide grid of
// multiples of lazyDelay; a test that needs a full lazyDelay turns it off.
var lazyAligned = true

// lazyWait is how long a lazy timer set now waits: until the next
// multiple of lazyDelay on the wall clock, at most lazyDelay. Every queue
// of the process (a gateway has one per logger) fires on the same grid,
// so their consumers wake together, once per period, instead of each on
// its own phase (see LazyDelay for what a wake costs).
func lazyWait() time.Duration {
	d := int64(lazyDelay)
	if !lazyAligned || d <= 0 {
		return lazyDelay
	}
	return time.Duration(d - time.Now().UnixNano()%d)
}

// LazyBatch is how many values may wait for a parked consumer: the value
// that makes a batch this large (or a quarter of the capacity, if less)
// wakes it at once, so a lazily fed queue never fills while its consumer
// sleeps, and a busy process handles events in short bursts: at 2000 rps
// on the gateway, batches of 16 instead of 64 took Δp50 from 242 to
// 169-206 µs (a batch of a hundred payloads is milliseconds of one core).
const LazyBatch = 16

// OfferLazy is [Queue.Offer] without waking a parked consumer at once: the
// value is handed over with the next value offered with Offer, within
// [LazyDelay], or once [LazyBatch] values wait, whichever comes first. A
// caller offering several values in quick succession (an LLM call's pre-
// and post-call events, then its success) thus wakes the consumer once,
// not per value: on a small machine a wake is a cross-thread switch that
// costs more than handling a value.
//
// Only the first value of a run sets the timer. After handling a batch
// that held values offered lazily, the consumer sets it again itself
// before it parks, so while values keep coming at least once per
// LazyDelay, OfferLazy only appends under the lock: resetting a timer
// from the caller can cost a wake of the thread waiting in the network
// poller, on the caller's path. The first timer that finds nothing to
// hand over ends the run.
func (q *Queue[T]) OfferLazy(v T) error { return q.offer(v, true) }

func (q *Queue[T]) offer(v T, lazy bool) error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return ErrClosed
	}
	n := len(q.pending) + int(q.unhanded.Load())
	if n >= q.size {
		q.mu.Unlock()
		// The value is lost either way; yield only to a consumer that is
		// not handling at all (woken, or between batches), never to a slow
		// handler.
		if !q.inHandler.Load() {
			runtime.Gosched()
		}
		return ErrFull
	}
	starved := n >= q.yieldAt && q.stalled()
	if l := len(q.pending); l == cap(q.pending) {
		// Grow by doubling, but not past size (give or take the
		// allocator's rounding): pending never holds more than that.
		q.pending = slices.Grow(q.pending, min(max(l, 16), q.size-l))
	}
	q.pending = append(q.pending, v)
	q.accepted++
	q.lazyPending = q.lazyPending || lazy
	switch {
	case q.parked && lazy && len(q.pending) < q.lazyBatch:
		if !q.lazyArmed { // the first value of a run
			q.lazyArmed = true
			q.lazyTimer.Reset(lazyWait())
			q.offerArms++
		}
	case q.parked:
		// Signal before unlocking: a producer descheduled in between (an
		// Unlock that hands the mutex to a starving waiter yields its P)
		// would leave the consumer parked while values pile up, as no one
		// else signals.
		q.parked = false
		q.signal()
	}
	q.mu.Unlock()
	if starved {
		runtime.Gosched()
	}
	return nil
}

// stalled reports whether the consumer made no progress since the last
// backlogged Offer looked: it waits for a CPU (woken, or preempted in the
// middle of a batch) or its handler is slow. Either way a yield costs the
// producer little and, in the first case, lets the consumer run.
func (q *Queue[T]) stalled() bool {
	if !q.inHandler.Load() {
		return true // woken and not running yet, or between batches
	}
	p := q.progress.Load()
	return q.lastSeen.Swap(p) == p
}

// signal wakes the parked consumer. It is called with mu held, by whoever
// set parked to false. A consumer the lazy timer woke may find one signal
// left in the buffer when it parks next, and loop once more; a signal that
// finds the buffer full is not needed.
func (q *Queue[T]) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Len returns the number of values accepted and not yet handed to the
// handler: those that count against the capacity (see [Queue]).
func (q *Queue[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending) + int(q.unhanded.Load())
}

// Flush waits until every value accepted before it was called has been
// handled (the handler returned from its batch), or ctx ends, and then
// returns ctx's error. Values accepted while Flush waits are not waited
// for. After [Queue.Close], Flush waits for the values that are left.
func (q *Queue[T]) Flush(ctx context.Context) error {
	q.mu.Lock()
	if q.handled == q.accepted {
		q.mu.Unlock()
		return nil
	}
	if q.parked && len(q.pending) > 0 { // values offered lazily
		q.parked = false
		q.signal()
	}
	// Flush calls with the same target share one barrier, so there are
	// never more barriers than values outstanding.
	var done chan struct{}
	if n := len(q.flushes); n > 0 && q.flushes[n-1].target == q.accepted {
		done = q.flushes[n-1].done
	} else {
		done = make(chan struct{})
		q.flushes = append(q.flushes, flushMark{target: q.accepted, done: done})
	}
	q.mu.Unlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting values, then waits until those accepted have been
// handled and the consumer goroutine has returned, or ctx ends; then it
// returns ctx's error and the goroutine finishes the queue on its own.
// Close is idempotent: every call waits the same way.
func (q *Queue[T]) Close(ctx context.Context) error {
	q.mu.Lock()
	q.closed = true
	q.lazyTimer.Stop()
	q.lazyArmed = false
	if q.parked {
		q.parked = false
		q.signal()
	}
	q.mu.Unlock()
	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
