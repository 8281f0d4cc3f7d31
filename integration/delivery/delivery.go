package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Record is one encoded event, owned by the queue once added.
type Record []byte

// Sink sends batches of records to one system.
//
// The queue calls Send from its one goroutine, never concurrently, with
// batches of at most [Options.BatchSize] records that Send must not
// modify or keep after it returns. A nil error means the sink acknowledged
// every record of the batch. An error wrapped with [Retryable] means the
// whole batch may be sent again later (429, 5xx, network errors); any
// other error is permanent and the batch is dropped and counted. Send
// honours ctx: it is cancelled when [Queue.Close]'s context ends.
type Sink interface {
	Send(ctx context.Context, batch []Record) error
}

// SinkFunc adapts a function to [Sink].
type SinkFunc func(ctx context.Context, batch []Record) error

// Send calls f.
func (f SinkFunc) Send(ctx context.Context, batch []Record) error { return f(ctx, batch) }

// RetryableError marks a failed send that may succeed later.
type RetryableError struct {
	Err error
	// After is how long the sink asked us to wait (Retry-After), 0 when
	// it did not say.
	After time.Duration
}

func (e *RetryableError) Error() string { return "retryable: " + e.Err.Error() }
func (e *RetryableError) Unwrap() error { return e.Err }

// Retryable marks err as worth retrying, after at least after (0: the
// queue's backoff decides).
func Retryable(err error, after time.Duration) error {
	if err == nil {
		return nil
	}
	return &RetryableError{Err: err, After: after}
}

// Drop reasons counted in [Stats.Dropped].
const (
	DropQueueFull = "queue_full"  // Add found the memory queue full
	DropClosed    = "closed"      // Add after Close, or Close's context ended first
	DropPermanent = "permanent"   // the sink refused the batch for good
	DropGaveUp    = "gave_up"     // retried for MaxElapsed without success
	DropSpoolFull = "spool_full"  // Add found the disk spool at SpoolMaxBytes
	DropCorrupt   = "corrupt"     // a spooled record failed its checksum or was cut short
	DropSpoolErr  = "spool_error" // writing the record to the spool failed (disk full, I/O error)
	DropTooLarge  = "too_large"   // a record over MaxRecordBytes, with a spool
)

// Options configure a [Queue]. Zero values take the defaults documented
// on each field.
type Options struct {
	// Name names the queue in [All], metrics and warnings; required.
	Name string
	// QueueSize caps the records held in memory (default 10000). Add
	// drops and counts what does not fit. Unused with a spool, where
	// SpoolMaxBytes is the cap and memory holds one batch.
	QueueSize int
	// BatchSize caps the records per Send (default 100).
	BatchSize int
	// FlushInterval is how long a record may wait for its batch to fill
	// (default 1 s).
	FlushInterval time.Duration
	// InitialBackoff and MaxBackoff bound the wait between retries
	// (defaults 500 ms and 30 s); each wait is a random duration up to
	// the current backoff, which doubles per failure.
	InitialBackoff, MaxBackoff time.Duration
	// MaxRetryAfter caps a sink's Retry-After (default 60 s).
	MaxRetryAfter time.Duration
	// MaxElapsed is how long one batch is retried before it is dropped
	// as DropGaveUp (default 5 min).
	MaxElapsed time.Duration
	// Log receives warnings (default slog.Default()).
	Log *slog.Logger

	// SpoolDir, when set, turns on the disk spool: [Queue.Add] appends
	// each record to a checksummed log in this directory (created with
	// mode 0700, owned by one queue at a time) before it counts as
	// accepted, the sender reads from there, and a record is deleted only
	// once the sink acknowledged it (or it was dropped and counted). A
	// queue opened on a directory that holds records sends them: events
	// spooled before a crash are sent after the restart. Delivery is then
	// at least once: a batch the sink took just before a crash is sent
	// again. Each queue needs its own directory (see [FromEnv]).
	// Empty: memory only, and what is queued when the process dies is lost.
	SpoolDir string
	// SpoolMaxBytes caps the spool's size on disk (default 256 MiB). The
	// drop policy: when a record does not fit, Add refuses it and counts
	// it as [DropSpoolFull]; what is already spooled is kept (oldest
	// first is what the sink gets).
	SpoolMaxBytes int64
	// SpoolSegmentBytes is the size at which the spool starts a new
	// segment file (default SpoolMaxBytes/8, at most 16 MiB). Disk space
	// is freed a whole segment at a time.
	SpoolSegmentBytes int64
	// Fsync (spool only) makes Add sync the spool to disk before it returns, so an
	// accepted record survives a power loss, not only a crash of the
	// process (which the page cache already survives). It costs a disk
	// flush per record.
	Fsync bool
}

func (o *Options) defaults() error {
	if o.Name == "" {
		return errors.New("delivery: Options.Name is empty")
	}
	for _, f := range []struct {
		name string
		v    *int
		def  int
	}{{"QueueSize", &o.QueueSize, 10000}, {"BatchSize", &o.BatchSize, 100}} {
		if *f.v < 0 {
			return fmt.Errorf("delivery: Options.%s is negative (%d)", f.name, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	for _, f := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"FlushInterval", &o.FlushInterval, time.Second},
		{"InitialBackoff", &o.InitialBackoff, 500 * time.Millisecond},
		{"MaxBackoff", &o.MaxBackoff, 30 * time.Second},
		{"MaxRetryAfter", &o.MaxRetryAfter, time.Minute},
		{"MaxElapsed", &o.MaxElapsed, 5 * time.Minute},
	} {
		if *f.v < 0 {
			return fmt.Errorf("delivery: Options.%s is negative (%v)", f.name, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.SpoolMaxBytes < 0 || o.SpoolSegmentBytes < 0 {
		return errors.New("delivery: Options.SpoolMaxBytes or SpoolSegmentBytes is negative")
	}
	if o.SpoolMaxBytes == 0 {
		o.SpoolMaxBytes = 256 << 20
	}
	if o.SpoolSegmentBytes == 0 {
		o.SpoolSegmentBytes = min(max(o.SpoolMaxBytes/8, 4<<10), 16<<20)
	}
	return nil
}

// Stats are a queue's counters at one moment.
type Stats struct {
	Name      string
	Emitted   uint64            // records given to Add
	Delivered uint64            // records the sink acknowledged
	Dropped   map[string]uint64 // records dropped, by reason (Drop*)
	Queued    uint64            // records in memory, waiting or being sent
	Spooled   uint64            // records on disk only, waiting to be read by the sender
	// SpoolBytes is the spool's size on disk (0 without a spool).
	SpoolBytes int64
}

// Queue batches records and sends them to a [Sink]. It is safe for
// concurrent use.
type Queue struct {
	sink Sink
	o    Options
	sp   *spool // nil without Options.SpoolDir

	mu        sync.Mutex
	buf       []Record // waiting, not yet taken by the sender
	inflight  int      // records taken by the sender, not yet settled
	closed    bool
	emitted   uint64
	delivered uint64
	dropped   map[string]uint64
	spooled   uint64          // records in the spool not yet taken by the sender
	stopped   bool            // the sender goroutine ended
	flushReq  []chan struct{} // Flush callers waiting for the next settle of everything before them

	wake      chan struct{} // a record arrived or a flush was asked
	stop      chan struct{} // Close began
	sendCtx   context.Context
	cancel    context.CancelFunc
	done      chan struct{} // the sender goroutine ended
	closeErr  error
	closeOnce sync.Once
	lastWarn  atomic.Int64 // unix nanoseconds of the last drop warning
}

// New starts a queue sending to sink; [Queue.Close] stops it. With
// [Options.SpoolDir] it first opens the spool and counts what an earlier
// process left there as emitted and spooled (valid records, sent first)
// or dropped as [DropCorrupt] (damaged ones, one per damaged region).
func New(sink Sink, o Options) (*Queue, error) {
	if sink == nil {
		return nil, errors.New("delivery: nil Sink")
	}
	if err := o.defaults(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	q := &Queue{
		sink: sink, o: o,
		dropped: map[string]uint64{},
		wake:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		sendCtx: ctx, cancel: cancel,
		done: make(chan struct{}),
	}
	if o.SpoolDir != "" {
		sp, valid, corrupt, err := openSpool(o.SpoolDir, o.SpoolMaxBytes, o.SpoolSegmentBytes, o.Fsync)
		if err != nil {
			cancel()
			return nil, err
		}
		q.sp = sp
		q.emitted = uint64(valid + corrupt)
		q.spooled = uint64(valid)
		if corrupt > 0 {
			q.dropped[DropCorrupt] = uint64(corrupt)
			o.Log.Warn("delivery: skipped corrupt spool records", "queue", o.Name, "regions", corrupt)
		}
		if valid > 0 {
			q.wake <- struct{}{}
		}
	}
	register(q)
	go q.run()
	return q, nil
}

// Name is the queue's name.
func (q *Queue) Name() string { return q.o.Name }

// Add queues r for sending and takes ownership of it. It never blocks: a
// full queue or a closed one drops r and counts it. With a spool, Add
// writes r to disk (and syncs it with [Options.Fsync]) before it returns:
// it waits for the disk, never for the sink.
func (q *Queue) Add(r Record) {
	if q.sp != nil {
		q.addSpool(r)
		return
	}
	q.mu.Lock()
	q.emitted++
	switch {
	case q.closed:
		q.dropped[DropClosed]++
		q.mu.Unlock()
		return
	case len(q.buf)+q.inflight >= q.o.QueueSize:
		q.dropped[DropQueueFull]++
		q.mu.Unlock()
		q.warnDrop(DropQueueFull)
		return
	}
	q.buf = append(q.buf, r)
	full := len(q.buf) >= q.o.BatchSize
	q.mu.Unlock()
	if full {
		q.poke()
	}
}

func (q *Queue) addSpool(r Record) {
	drop := func(reason string) {
		q.mu.Lock()
		q.emitted++
		q.dropped[reason]++
		q.mu.Unlock()
	}
	if len(r) > MaxRecordBytes {
		drop(DropTooLarge)
		return
	}
	var closed, full bool
	err := q.sp.append(r, func() {
		q.mu.Lock()
		q.emitted++
		q.spooled++
		closed = q.closed
		full = q.spooled >= uint64(q.o.BatchSize)
		q.mu.Unlock()
	})
	switch {
	case errors.Is(err, errSpoolClosed):
		drop(DropClosed)
	case errors.Is(err, errSpoolFull):
		drop(DropSpoolFull)
		q.warnDrop(DropSpoolFull)
	case err != nil:
		drop(DropSpoolErr)
		q.o.Log.Warn("delivery: spool write failed, record dropped", "queue", q.o.Name, "err", err)
	case full && !closed:
		q.poke()
	}
}

// warnDrop reports drops at Add, at most once per 10 s per queue: a sink
// that is down for long must not flood the log with one line per event.
func (q *Queue) warnDrop(reason string) {
	now := time.Now().UnixNano()
	last := q.lastWarn.Load()
	if now-last < int64(10*time.Second) || !q.lastWarn.CompareAndSwap(last, now) {
		return
	}
	s := q.Stats()
	q.o.Log.Warn("delivery: records dropped", "queue", q.o.Name, "reason", reason, "dropped_total", s.Dropped[reason])
}

func (q *Queue) poke() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Stats returns the queue's counters.
func (q *Queue) Stats() Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	d := make(map[string]uint64, len(q.dropped))
	for k, v := range q.dropped {
		d[k] = v
	}
	st := Stats{Name: q.o.Name, Emitted: q.emitted, Delivered: q.delivered, Dropped: d,
		Queued: uint64(len(q.buf) + q.inflight), Spooled: q.spooled}
	if q.sp != nil {
		st.SpoolBytes = q.sp.bytes.Load()
	}
	return st
}

// ErrClosed is returned by [Queue.Flush] on a closed queue that still
// holds spooled records.
var ErrClosed = errors.New("delivery: queue closed")

// Flush sends everything added before it and returns when each record was
// delivered or dropped, or when ctx ends.
func (q *Queue) Flush(ctx context.Context) error {
	ch := make(chan struct{})
	q.mu.Lock()
	if q.idle() {
		q.mu.Unlock()
		return nil
	}
	if q.stopped {
		q.mu.Unlock()
		return ErrClosed
	}
	q.flushReq = append(q.flushReq, ch)
	q.mu.Unlock()
	q.poke()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close sends what is queued and stops the queue. When ctx ends first,
// the send in progress is cancelled and what is left is dropped as
// DropClosed (counted) — except with a spool, where what is left stays on
// disk and in Stats.Spooled, for the next queue opened on the directory.
// Either way Queued is 0 once Close returns. Later Adds are dropped as
// DropClosed. Close is idempotent.
func (q *Queue) Close(ctx context.Context) error {
	q.mu.Lock()
	first := !q.closed
	q.closed = true
	q.mu.Unlock()
	if first {
		close(q.stop)
	}
	select {
	case <-q.done:
	case <-ctx.Done():
		q.cancel()
		<-q.done
		q.closeErr = ctx.Err()
	}
	unregister(q)
	q.cancel()
	q.closeOnce.Do(func() {
		if q.sp != nil {
			q.sp.close()
		}
	})
	return q.closeErr
}

// run is the sender goroutine.
func (q *Queue) run() {
	defer close(q.done)
	t := time.NewTimer(q.o.FlushInterval)
	defer t.Stop()
	for {
		stopping := false
		select {
		case <-q.wake:
		case <-t.C:
		case <-q.stop:
			stopping = true
		}
		if q.sp != nil {
			q.drainSpool(stopping)
		} else {
			q.drain(stopping)
		}
		if stopping {
			q.mu.Lock()
			q.stopped = true
			for _, ch := range q.flushReq {
				close(ch)
			}
			q.flushReq = nil
			q.mu.Unlock()
			return
		}
		t.Reset(q.o.FlushInterval)
	}
}

// drain sends every waiting record, batch by batch. When the send context
// is cancelled (Close's deadline), what is left is dropped.
func (q *Queue) drain(stopping bool) {
	for {
		q.mu.Lock()
		if q.sendCtx.Err() != nil && len(q.buf) > 0 {
			q.dropped[DropClosed] += uint64(len(q.buf))
			q.buf = nil
		}
		if len(q.buf) == 0 {
			q.releaseFlushes()
			q.mu.Unlock()
			return
		}
		n := min(len(q.buf), q.o.BatchSize)
		batch := q.buf[:n:n]
		q.buf = q.buf[n:]
		q.inflight = n
		q.mu.Unlock()

		reason := q.send(batch, stopping)

		q.settle(n, reason)
	}
}

// settle counts a sent batch of n records as delivered (reason "") or
// dropped for reason, and clears the in-flight count.
func (q *Queue) settle(n int, reason string) {
	q.mu.Lock()
	q.inflight = 0
	if reason == "" {
		q.delivered += uint64(n)
	} else {
		q.dropped[reason] += uint64(n)
	}
	q.mu.Unlock()
}

// drainSpool sends every spooled record, batch by batch, acknowledging
// each settled batch in the spool. When the send context is cancelled
// (Close's deadline), the batch in flight goes back to the spool.
func (q *Queue) drainSpool(stopping bool) {
	for q.sendCtx.Err() == nil {
		batch, end, missing, err := q.sp.read(q.o.BatchSize)
		n := len(batch)
		q.mu.Lock()
		lost := min(uint64(missing), q.spooled-uint64(n))
		q.spooled -= uint64(n) + lost
		if lost > 0 {
			q.dropped[DropCorrupt] += lost
		}
		q.inflight = n
		q.mu.Unlock()
		if err != nil {
			q.o.Log.Warn("delivery: spool read failed", "queue", q.o.Name, "err", err)
		}
		if n == 0 {
			if lost > 0 {
				q.ackSpool(end)
			}
			break
		}
		reason := q.send(batch, stopping)
		if reason != "" && q.sendCtx.Err() != nil {
			q.sp.rewind()
			q.mu.Lock()
			q.inflight = 0
			q.spooled += uint64(n)
			q.mu.Unlock()
			break
		}
		q.ackSpool(end)
		q.settle(n, reason)
		if err != nil {
			break
		}
	}
	q.mu.Lock()
	q.releaseFlushes()
	q.mu.Unlock()
}

func (q *Queue) ackSpool(end spoolPos) {
	if err := q.sp.ack(end); err != nil {
		q.o.Log.Warn("delivery: spool ack failed (records may be sent twice)", "queue", q.o.Name, "err", err)
	}
}

// idle reports whether nothing is waiting, spooled or in flight; q.mu is
// held.
func (q *Queue) idle() bool { return len(q.buf) == 0 && q.inflight == 0 && q.spooled == 0 }

// releaseFlushes wakes Flush callers once nothing is waiting or in flight;
// q.mu is held.
func (q *Queue) releaseFlushes() {
	if !q.idle() {
		return
	}
	for _, ch := range q.flushReq {
		close(ch)
	}
	q.flushReq = nil
}

// send delivers one batch, retrying what may succeed later, and returns
// the drop reason, "" when delivered.
func (q *Queue) send(batch []Record, stopping bool) string {
	start := time.Now()
	backoff := q.o.InitialBackoff
	for attempt := 1; ; attempt++ {
		err := q.sink.Send(q.sendCtx, batch)
		if err == nil {
			return ""
		}
		var re *RetryableError
		if !errors.As(err, &re) {
			q.o.Log.Warn("delivery: sink refused a batch", "queue", q.o.Name, "records", len(batch), "err", err)
			return DropPermanent
		}
		wait := rand.N(backoff) + 1
		if re.After > 0 {
			wait = min(re.After, q.o.MaxRetryAfter)
		}
		backoff = min(backoff*2, q.o.MaxBackoff)
		if time.Since(start)+wait > q.o.MaxElapsed {
			q.o.Log.Warn("delivery: gave up on a batch", "queue", q.o.Name, "records", len(batch), "attempts", attempt, "err", err)
			return DropGaveUp
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-q.sendCtx.Done():
			t.Stop()
			return DropClosed
		}
	}
}

var (
	regMu  sync.Mutex
	queues = map[*Queue]struct{}{}
)

func register(q *Queue) {
	regMu.Lock()
	queues[q] = struct{}{}
	regMu.Unlock()
}

func unregister(q *Queue) {
	regMu.Lock()
	delete(queues, q)
	regMu.Unlock()
}

// All returns the statistics of every open queue in the process, for
// metrics.
func All() []Stats {
	regMu.Lock()
	qs := make([]*Queue, 0, len(queues))
	for q := range queues {
		qs = append(qs, q)
	}
	regMu.Unlock()
	out := make([]Stats, 0, len(qs))
	for _, q := range qs {
		out = append(out, q.Stats())
	}
	return out
}
