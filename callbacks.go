package llmux

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/llmux/llmux/internal/dispatch"
)

// kind indexes the event kinds in a registry.
type kind uint8

const (
	kindPre kind = iota
	kindPost
	kindStream
	kindSuccess
	kindFailure
	numKinds
)

var kindTypes = [numKinds]EventType{EventPreAPICall, EventPostAPICall, EventStream, EventSuccess, EventFailure}

// LoggerStats accounts for one logger's events: Emitted = Delivered +
// DroppedQueueFull + DroppedClosed + Queued at any moment after the
// counters were read together (Queued is derived).
type LoggerStats struct {
	Name      string
	Emitted   uint64 // events handed to the logger
	Delivered uint64 // logger methods that returned (or panicked)
	Queued    uint64 // waiting in the logger's queue
	// DroppedQueueFull counts events dropped because the logger's queue
	// was full (the logger is slower than the traffic).
	DroppedQueueFull uint64
	// DroppedClosed counts events emitted after Close.
	DroppedClosed uint64
	Panics        uint64 // deliveries that panicked (also counted as delivered)
}

// Dropped returns all dropped events.
func (s LoggerStats) Dropped() uint64 { return s.DroppedQueueFull + s.DroppedClosed }

type counters struct {
	emitted, delivered, droppedFull, droppedClosed, panics atomic.Uint64
	lastWarn                                               atomic.Int64 // unix nanos of the last drop warning
}

func (c *counters) stats(name string) LoggerStats {
	// Read delivered and drops before emitted, so Queued is never negative.
	s := LoggerStats{
		Name:             name,
		Delivered:        c.delivered.Load(),
		DroppedQueueFull: c.droppedFull.Load(),
		DroppedClosed:    c.droppedClosed.Load(),
		Panics:           c.panics.Load(),
	}
	s.Emitted = c.emitted.Load()
	if done := s.Delivered + s.Dropped(); s.Emitted > done {
		s.Queued = s.Emitted - done
	}
	return s
}

// delivery is one event for one logger.
type delivery struct {
	sub   *subscriber
	kind  kind
	ctx   context.Context
	ev    *Event
	chunk *Chunk
}

func handle(d delivery) { d.sub.deliver(d) }

// subscriber is one registered logger with its interfaces detected once.
type subscriber struct {
	name    string
	pre     PreAPICallLogger
	post    PostAPICallLogger
	stream  StreamLogger
	success SuccessLogger
	failure FailureLogger
	inline  bool
	q       *dispatch.Queue[delivery] // nil when inline
	stats   *counters
	log     *slog.Logger
	closed  *atomic.Bool // the owning registry's
}

// registry is an immutable set of loggers with one slice per event kind.
type registry struct {
	subs   []*subscriber
	byKind [numKinds][]*subscriber
	closed atomic.Bool
	// queues this registry owns (per-request registries own none).
	queues []*dispatch.Queue[delivery]
}

// registryConfig says how a registry's loggers are delivered.
type registryConfig struct {
	queueSize int
	log       *slog.Logger
	// For per-request registries: shared carries every background event,
	// counted in sharedStats.
	shared      *dispatch.Queue[delivery]
	sharedStats *counters
	closed      *atomic.Bool
}

// newRegistry detects each logger's interfaces and, for a client-level
// registry, starts one queue per background logger.
func newRegistry(loggers []any, cfg registryConfig) (*registry, error) {
	r := &registry{}
	closed := cfg.closed
	if closed == nil {
		closed = &r.closed
	}
	var errs []error
	for i, l := range loggers {
		s, err := newSubscriber(l)
		if err != nil {
			errs = append(errs, fmt.Errorf("callback %d (%T): %w", i, l, err))
			continue
		}
		s.log, s.closed = cfg.log, closed
		r.subs = append(r.subs, s)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, s := range r.subs {
		if s.pre != nil {
			r.byKind[kindPre] = append(r.byKind[kindPre], s)
		}
		if s.post != nil {
			r.byKind[kindPost] = append(r.byKind[kindPost], s)
		}
		if s.stream != nil {
			r.byKind[kindStream] = append(r.byKind[kindStream], s)
		}
		if s.success != nil {
			r.byKind[kindSuccess] = append(r.byKind[kindSuccess], s)
		}
		if s.failure != nil {
			r.byKind[kindFailure] = append(r.byKind[kindFailure], s)
		}
		background := s.stream != nil || s.success != nil || s.failure != nil
		switch {
		case cfg.sharedStats != nil: // per-request: never starts a queue
			s.stats = cfg.sharedStats
			if !s.inline && background {
				s.q = cfg.shared // nil after Close, when events are dropped anyway
			}
		case s.inline || !background:
		default:
			s.q = dispatch.New(cfg.queueSize, handle)
			r.queues = append(r.queues, s.q)
		}
		if s.stats == nil {
			s.stats = new(counters)
		}
	}
	return r, nil
}

func newSubscriber(l any) (*subscriber, error) {
	s := &subscriber{}
	for {
		switch w := l.(type) {
		case inlineLogger:
			s.inline = true
			l = w.l
			continue
		case namedLogger:
			s.name = w.name
			l = w.l
			continue
		}
		break
	}
	if l == nil {
		return nil, errors.New("llmux: nil logger")
	}
	s.pre, _ = l.(PreAPICallLogger)
	s.post, _ = l.(PostAPICallLogger)
	s.stream, _ = l.(StreamLogger)
	s.success, _ = l.(SuccessLogger)
	s.failure, _ = l.(FailureLogger)
	if s.pre == nil && s.post == nil && s.stream == nil && s.success == nil && s.failure == nil {
		return nil, ErrNotALogger
	}
	if s.name == "" {
		if n, ok := l.(Named); ok {
			s.name = n.Name()
		} else {
			s.name = fmt.Sprintf("%T", l)
		}
	}
	return s, nil
}

// has reports whether any logger subscribes to k.
func (r *registry) has(k kind) bool { return r != nil && len(r.byKind[k]) > 0 }

// send hands one event to the logger: inline for pre/post and inline
// loggers, through its queue otherwise. ctx must already be detached from
// cancellation for background kinds.
func (s *subscriber) send(ctx context.Context, k kind, e *Event, c *Chunk) {
	s.stats.emitted.Add(1)
	if s.closed.Load() {
		s.stats.droppedClosed.Add(1)
		return
	}
	d := delivery{sub: s, kind: k, ctx: ctx, ev: e, chunk: c}
	if s.q == nil || k <= kindPost {
		s.deliver(d)
		return
	}
	switch err := s.q.Offer(d); err {
	case nil:
	case dispatch.ErrClosed:
		s.stats.droppedClosed.Add(1)
	default:
		s.stats.droppedFull.Add(1)
		s.warnDrop()
	}
}

// warnDrop logs a dropped event at most once every 10 seconds per logger.
func (s *subscriber) warnDrop() {
	now := time.Now().UnixNano()
	last := s.stats.lastWarn.Load()
	if now-last < int64(10*time.Second) || !s.stats.lastWarn.CompareAndSwap(last, now) {
		return
	}
	s.log.Warn("llmux: logger queue full, events dropped", "logger", s.name, "dropped_total", s.stats.droppedFull.Load())
}

func (s *subscriber) deliver(d delivery) {
	defer func() {
		s.stats.delivered.Add(1)
		if p := recover(); p != nil {
			s.stats.panics.Add(1)
			s.log.Error("llmux: logger panicked", "logger", s.name, "event", string(kindTypes[d.kind]), "call_id", d.ev.CallID, "panic", fmt.Sprint(p))
		}
	}()
	switch d.kind {
	case kindPre:
		s.pre.LogPreAPICall(d.ctx, d.ev)
	case kindPost:
		s.post.LogPostAPICall(d.ctx, d.ev)
	case kindStream:
		s.stream.LogStreamEvent(d.ctx, d.ev, d.chunk)
	case kindSuccess:
		s.success.LogSuccessEvent(d.ctx, d.ev)
	case kindFailure:
		s.failure.LogFailureEvent(d.ctx, d.ev)
	}
}

func (r *registry) flush(ctx context.Context) error {
	if r == nil {
		return nil
	}
	for _, q := range r.queues {
		if err := q.Flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (r *registry) close(ctx context.Context) error {
	if r == nil {
		return nil
	}
	r.closed.Store(true)
	var errs []error
	for _, q := range r.queues {
		if err := q.Close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (r *registry) stats() []LoggerStats {
	if r == nil {
		return nil
	}
	out := make([]LoggerStats, 0, len(r.subs))
	for _, s := range r.subs {
		out = append(out, s.stats.stats(s.name))
	}
	return out
}
