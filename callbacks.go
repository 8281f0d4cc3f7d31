package llmux

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
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

// delivery is one event for one logger; ev and chunk are owned by the
// event (shared by the loggers of one emission, never changed).
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
	name     string
	key      any // the logger value when comparable, for dropping duplicates
	pre      PreAPICallLogger
	post     PostAPICallLogger
	stream   StreamLogger
	success  SuccessLogger
	failure  FailureLogger
	flusher  Flusher
	shutdown Shutdowner
	inline   bool
	redact   bool                      // the logger asked for messages and responses redacted
	q        *dispatch.Queue[delivery] // nil when inline
	stats    *counters
	log      *slog.Logger
	closed   *atomic.Bool // the owning registry's
	warned   *atomic.Bool // the owning registry's "events after Close" warning
}

// registry is an immutable set of loggers with one slice per event kind.
type registry struct {
	subs   []*subscriber
	byKind [numKinds][]*subscriber
	closed atomic.Bool
	// warnedClosed is set once the first event after Close was reported.
	warnedClosed atomic.Bool
	// queues this registry owns (per-request registries own none).
	queues []*dispatch.Queue[delivery]
}

// registryConfig says how a registry's loggers are delivered.
type registryConfig struct {
	queueSize int
	log       *slog.Logger
	// For per-request registries: shared carries every background event,
	// counted in sharedStats.
	shared      func() *dispatch.Queue[delivery] // started on first use
	sharedStats *counters
	closed      *atomic.Bool
	warned      *atomic.Bool
	// exclude and exclude2 are registries whose loggers are left out (a
	// request's loggers already registered on the client or globally).
	exclude, exclude2 *registry
}

// newRegistry detects each logger's interfaces and, for a client-level
// registry, starts one queue per background logger.
func newRegistry(loggers []any, cfg registryConfig) (*registry, error) {
	r := &registry{}
	closed, warned := cfg.closed, cfg.warned
	if closed == nil {
		closed, warned = &r.closed, &r.warnedClosed
	}
	var errs []error
	for i, l := range loggers {
		s, err := newSubscriber(l)
		if err != nil {
			errs = append(errs, fmt.Errorf("callback %d (%T): %w", i, l, err))
			continue
		}
		if s.key != nil && (r.find(s.key) != nil || cfg.exclude.find(s.key) != nil || cfg.exclude2.find(s.key) != nil) {
			continue // the same logger registered twice gets each event once
		}
		s.log, s.closed, s.warned = cfg.log, closed, warned
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
		switch {
		case cfg.sharedStats != nil: // per-request: never starts a queue
			s.stats = cfg.sharedStats
			if !s.inline {
				s.q = cfg.shared() // nil after Close, when events are dropped anyway
			}
		case s.inline:
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
		case redactedLogger:
			s.redact = true
			l = w.l
			continue
		}
		break
	}
	if l == nil {
		return nil, errors.New("llmux: nil logger")
	}
	if reflect.TypeOf(l).Comparable() {
		s.key = l
	}
	s.flusher, _ = l.(Flusher)
	s.shutdown, _ = l.(Shutdowner)
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

// find returns the subscriber of the logger value key, or nil.
func (r *registry) find(key any) *subscriber {
	if r == nil {
		return nil
	}
	for _, s := range r.subs {
		if s.key != nil && s.key == key {
			return s
		}
	}
	return nil
}

// send hands one event to the logger: on the caller's goroutine for an
// inline logger, through its queue otherwise (ctx must then be detached
// from cancellation).
func (s *subscriber) send(ctx context.Context, k kind, e *Event, c *Chunk) {
	s.stats.emitted.Add(1)
	if s.closed.Load() {
		s.droppedClosed()
		return
	}
	d := delivery{sub: s, kind: k, ctx: ctx, ev: e, chunk: c}
	if s.q == nil {
		s.deliver(d)
		return
	}
	// Events are handed over lazily: a parked logger goroutine is woken
	// once per dispatch.LazyDelay (200 ms, on a grid every queue shares) or
	// per dispatch.LazyBatch events, not per event: a wake is a
	// cross-thread switch that costs more than a quick logger's work, and
	// one per event per logger dominated a busy gateway's CPU.
	switch err := s.q.OfferLazy(d); err {
	case nil:
	case dispatch.ErrClosed:
		s.droppedClosed()
	default:
		s.stats.droppedFull.Add(1)
		s.warnDrop()
	}
}

// droppedClosed counts an event emitted after Close and reports the first
// such event of the registry once, so a call made after Close is not lost
// silently.
func (s *subscriber) droppedClosed() {
	s.stats.droppedClosed.Add(1)
	if s.warned != nil && s.warned.CompareAndSwap(false, true) {
		s.log.Warn("llmux: an event was emitted after Close and dropped; later ones are counted in Stats().DroppedClosed",
			"logger", s.name)
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
	d.ev.finish()
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

// flush waits until every queued event was delivered, then calls the
// Flush method of each logger that has one.
func (r *registry) flush(ctx context.Context) error {
	if r == nil {
		return nil
	}
	for _, q := range r.queues {
		if err := q.Flush(ctx); err != nil {
			return err
		}
	}
	var errs []error
	for _, s := range r.subs {
		if s.flusher != nil {
			if err := s.call(func() error { return s.flusher.Flush(ctx) }); err != nil {
				errs = append(errs, fmt.Errorf("llmux: flush logger %s: %w", s.name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// close stops accepting events, delivers those queued, stops the queues'
// goroutines, then calls the Shutdown method of each logger that has one
// (Flush for those that only have that).
func (r *registry) close(ctx context.Context) error {
	if r == nil {
		return nil
	}
	again := r.closed.Swap(true)
	var errs []error
	for _, q := range r.queues {
		if err := q.Close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if again {
		return errors.Join(errs...) // loggers were shut down by the first Close
	}
	for _, s := range r.subs {
		var err error
		switch {
		case s.shutdown != nil:
			err = s.call(func() error { return s.shutdown.Shutdown(ctx) })
		case s.flusher != nil:
			err = s.call(func() error { return s.flusher.Flush(ctx) })
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("llmux: shut down logger %s: %w", s.name, err))
		}
	}
	return errors.Join(errs...)
}

// call runs a logger's Flush or Shutdown, turning a panic into an error.
func (s *subscriber) call(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.stats.panics.Add(1)
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return f()
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
