// Package dispatch is a bounded, single-consumer queue with flush and close
// that honour a context. llmux gives each background logger one, so a slow
// logger delays only its own events, never the call that emitted them.
//
// Producers call [Queue.Offer], which never blocks: it appends the value to
// a pending batch under a mutex and wakes the consumer goroutine only if it
// is parked. The consumer takes the whole pending batch at once and hands
// it to the handler without taking the lock again, so the cost of a wake and
// of the lock is paid once per batch, not once per value. A logger that
// keeps up with its callers therefore loses no events, even when many
// callers share few cores; events are refused with [ErrFull] only when the
// handler is really slower than the rate at which they arrive. For the
// consumer to get a core when producers are busy, Offer yields the
// processor while the queue is a quarter full or more.
//
// Quick start:
//
//	q := dispatch.New(4096, func(e *Event) { send(e) }) // one consumer goroutine
//	if err := q.Offer(e); err != nil {                    // from any goroutine
//		dropped.Add(1) // ErrFull or ErrClosed
//	}
//	_ = q.Flush(ctx) // everything offered so far has been handled
//	_ = q.Close(ctx) // stop, drain, wait for the goroutine
//
// [NewBatch] hands the handler whole batches instead of single values.
package dispatch
