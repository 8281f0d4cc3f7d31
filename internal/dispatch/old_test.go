package dispatch

import (
	"context"
	"sync"
)

// chanQueue is the buffered-channel queue that Queue replaced, kept only so
// BenchmarkQueue_Producers can run both side by side in one process. Every
// accepted value travels through the channel on its own, and the consumer
// takes the channel's lock once per value.
type chanQueue[T any] struct {
	ch     chan chanMsg[T]
	handle func(T)
	mu     sync.RWMutex // held for reading by senders; Close takes it to close ch
	closed bool
	done   chan struct{}
}

type chanMsg[T any] struct {
	v       T
	barrier chan struct{} // set for flush markers
}

func newChanQueue[T any](size int, handle func(T)) *chanQueue[T] {
	if size < 1 {
		size = 1
	}
	q := &chanQueue[T]{ch: make(chan chanMsg[T], size), handle: handle, done: make(chan struct{})}
	go q.run()
	return q
}

func (q *chanQueue[T]) run() {
	defer close(q.done)
	for m := range q.ch {
		if m.barrier != nil {
			close(m.barrier)
			continue
		}
		q.handle(m.v)
	}
}

func (q *chanQueue[T]) Offer(v T) error {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return ErrClosed
	}
	select {
	case q.ch <- chanMsg[T]{v: v}:
		return nil
	default:
		return ErrFull
	}
}

func (q *chanQueue[T]) Flush(ctx context.Context) error {
	q.mu.RLock()
	if q.closed {
		q.mu.RUnlock()
		return q.wait(ctx)
	}
	b := make(chan struct{})
	select {
	case q.ch <- chanMsg[T]{barrier: b}:
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

func (q *chanQueue[T]) Close(ctx context.Context) error {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.ch)
	}
	q.mu.Unlock()
	return q.wait(ctx)
}

func (q *chanQueue[T]) wait(ctx context.Context) error {
	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
