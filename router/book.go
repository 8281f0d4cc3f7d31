package router

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// book is the router's view of its state: the shared State when there is
// one and it answers, else the local Memory. Its methods never fail and
// never wait longer than the state timeout.
//
// Writes always go to the local state too, so that when the shared one
// fails the local one holds at least this router's own recent usage,
// failures and cooldowns.
type book struct {
	shared  State // nil: local only
	local   *Memory
	timeout time.Duration
	log     *slog.Logger

	downUntil atomic.Int64 // unix nanoseconds; 0: the shared state is up
	probing   atomic.Bool  // one call is trying the shared state again
	errs      atomic.Int64 // errors since the last log line
	lastLog   atomic.Int64 // unix nanoseconds of the last log line
}

func newBook(cfg *config) *book {
	b := &book{timeout: cfg.stateTimeout, log: cfg.log}
	switch s := cfg.state.(type) {
	case nil:
		b.local = NewMemory()
	case *Memory:
		b.local = s // in process: nothing to guard
	default:
		b.shared, b.local = s, NewMemory()
	}
	return b
}

// use reports whether to ask the shared state now, and whether this call
// is the probe after an outage.
func (b *book) use() (ok, probe bool) {
	if b.shared == nil {
		return false, false
	}
	du := b.downUntil.Load()
	if du == 0 {
		return true, false
	}
	if time.Now().UnixNano() < du || !b.probing.CompareAndSwap(false, true) {
		return false, false
	}
	return true, true
}

// done records the outcome of one operation on the shared state and
// reports whether it succeeded.
func (b *book) done(ctx context.Context, op string, err error, probe bool) bool {
	if probe {
		defer b.probing.Store(false)
	}
	if err == nil {
		if probe && b.downUntil.Swap(0) != 0 {
			b.log.Info("router: shared state answers again", "state", stateName(b.shared))
		}
		return true
	}
	if ctx.Err() != nil {
		// The caller gave up: no verdict on the state.
		return false
	}
	now := time.Now()
	b.downUntil.Store(now.Add(stateRetryInterval).UnixNano())
	n := b.errs.Add(1)
	last := b.lastLog.Load()
	if now.UnixNano()-last >= int64(stateLogInterval) && b.lastLog.CompareAndSwap(last, now.UnixNano()) {
		b.errs.Add(-n)
		b.log.Warn("router: shared state unavailable, using this process's state", "state", stateName(b.shared),
			"op", op, "err", err, "errors", n, "retry_in", stateRetryInterval)
	}
	return false
}

// bounded returns ctx limited by the state timeout.
func (b *book) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, b.timeout)
}

func (b *book) load(ctx context.Context, ids []string, now time.Time, out []Status) {
	if ok, probe := b.use(); ok {
		c, cancel := b.bounded(ctx)
		err := b.shared.Load(c, ids, now, out)
		cancel()
		if b.done(ctx, "load", err, probe) {
			return
		}
	}
	_ = b.local.Load(ctx, ids, now, out)
}

func (b *book) addUsage(ctx context.Context, id string, now time.Time, requests, tokens int64) {
	_ = b.local.AddUsage(ctx, id, now, requests, tokens)
	if ok, probe := b.use(); ok {
		c, cancel := b.bounded(ctx)
		err := b.shared.AddUsage(c, id, now, requests, tokens)
		cancel()
		b.done(ctx, "add usage", err, probe)
	}
}

func (b *book) addFailure(ctx context.Context, id string, now time.Time) int64 {
	n, _ := b.local.AddFailure(ctx, id, now)
	if ok, probe := b.use(); ok {
		c, cancel := b.bounded(ctx)
		sn, err := b.shared.AddFailure(c, id, now)
		cancel()
		if b.done(ctx, "add failure", err, probe) {
			return sn
		}
	}
	return n
}

func (b *book) cooldown(ctx context.Context, id string, now, until time.Time) {
	_ = b.local.Cooldown(ctx, id, now, until)
	if ok, probe := b.use(); ok {
		c, cancel := b.bounded(ctx)
		err := b.shared.Cooldown(c, id, now, until)
		cancel()
		b.done(ctx, "cooldown", err, probe)
	}
}

// stateName describes a state for logs: its String method if it has one
// (router/redis's shows the address, never a password), else its type.
func stateName(s State) string {
	if st, ok := s.(interface{ String() string }); ok {
		return st.String()
	}
	return fmt.Sprintf("%T", s)
}
