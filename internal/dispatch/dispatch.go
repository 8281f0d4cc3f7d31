// Package dispatch is a bounded, single-consumer queue with flush and close
// that honour a context. llmux gives each logger one, so a slow logger
// delays only its own events, never the call that emitted them.
package dispatch

import (
	"context"
	"errors"
	"sync"
)

var (
	// ErrFull is returned by Offer when the queue is at capacity.
	ErrFull = errors.New("dispatch: queue full")
	// ErrClosed is returned by Offer after Close.
	ErrClosed = errors.New("dispatch: queue closed")
)

type msg[T any] struct {
	v       T
	barrier chan struct{} // set for flush markers
}

// Queue delivers values to its handler on one goroutine, in order. It is
// safe for concurrent use.
type Queue[T any] struct {
	ch     chan msg[T]
	handle func(T)
	mu     sync.RWMutex // held for reading by senders; Close takes it to close ch
	closed bool
	done   chan struct{}
}

// New starts a queue holding up to size values (at least 1) and the
// goroutine that hands them to handle. handle must not panic; Close stops
// the goroutine.
func New[T any](size int, handle func(T)) *Queue[T] {
	if size < 1 {
		size = 1
	}
	q := &Queue[T]{ch: make(chan msg[T], size), handle: handle, done: make(chan struct{})}
	go q.run()
	return q
}

func (q *Queue[T]) run() {
	defer close(q.done)
	for m := range q.ch {
		if m.barrier != nil {
			close(m.barrier)
			continue
		}
		q.handle(m.v)
	}
}

// Offer enqueues v without blocking. It returns ErrFull when the queue is
// at capacity and ErrClosed after Close.
func (q *Queue[T]) Offer(v T) error {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return ErrClosed
	}
	select {
	case q.ch <- msg[T]{v: v}:
		return nil
	default:
		return ErrFull
	}
}

// Len returns the number of values waiting.
func (q *Queue[T]) Len() int { return len(q.ch) }

// Flush waits until every value offered before it was handled, or ctx ends.
func (q *Queue[T]) Flush(ctx context.Context) error {
	q.mu.RLock()
	if q.closed {
		q.mu.RUnlock()
		return q.wait(ctx)
	}
	b := make(chan struct{})
	select {
	case q.ch <- msg[T]{barrier: b}:
		q.mu.RUnlock()
	case <-ctx.Done():
		q.mu.RUnlock()
		return ctx.Err()
	}
	select {
	case <-b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting values, then waits until those queued were handled
// and the goroutine exited, or ctx ends (the goroutine then finishes the
// queue on its own). Close is idempotent.
func (q *Queue[T]) Close(ctx context.Context) error {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.ch)
	}
	q.mu.Unlock()
	return q.wait(ctx)
}

func (q *Queue[T]) wait(ctx context.Context) error {
	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
