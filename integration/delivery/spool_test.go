package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// collector is a sink that records what it got; it fails (retryably)
// while down is set.
type collector struct {
	mu   sync.Mutex
	got  []string
	seen map[string]int
	down atomic.Bool
}

func newCollector() *collector { return &collector{seen: map[string]int{}} }

func (c *collector) Send(ctx context.Context, b []Record) error {
	if c.down.Load() {
		return Retryable(errors.New("sink down"), 0)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range b {
		c.got = append(c.got, string(r))
		c.seen[string(r)]++
	}
	return nil
}

func (c *collector) distinct() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

func conserved(t *testing.T, s Stats) {
	t.Helper()
	if err := balance(s); err != nil {
		t.Fatal(err)
	}
}

func balance(s Stats) error {
	var d uint64
	for _, v := range s.Dropped {
		d += v
	}
	if s.Emitted != s.Delivered+d+s.Queued+s.Spooled {
		return fmt.Errorf("conservation broken: emitted %d != delivered %d + dropped %d + queued %d + spooled %d (%v)",
			s.Emitted, s.Delivered, d, s.Queued, s.Spooled, s.Dropped)
	}
	return nil
}

func spoolOpts(dir string) Options {
	return Options{Name: "spool", SpoolDir: dir, BatchSize: 50, FlushInterval: 5 * time.Millisecond,
		InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, SpoolSegmentBytes: 4 << 10, Log: quiet}
}

func segFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.seg"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSpool_DeliversInOrderAndDeletesSegments(t *testing.T) {
	dir := t.TempDir()
	c := newCollector()
	q, err := New(c, spoolOpts(dir))
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	for i := range n {
		q.Add(Record(fmt.Sprintf("record-%05d", i)))
	}
	if err := q.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(c.got) != n {
		t.Fatalf("got %d records, want %d", len(c.got), n)
	}
	for i, r := range c.got {
		if want := fmt.Sprintf("record-%05d", i); r != want {
			t.Fatalf("record %d = %q, want %q", i, r, want)
		}
	}
	s := q.Stats()
	conserved(t, s)
	if s.Delivered != n || s.Spooled != 0 || s.Queued != 0 || s.SpoolBytes != 0 {
		t.Fatalf("stats %+v", s)
	}
	if f := segFiles(t, dir); len(f) != 0 {
		t.Fatalf("segments left after everything was delivered: %v", f)
	}
}

func TestSpool_RecordsSurviveCloseDeadlineAndAreSentAfterRestart(t *testing.T) {
	dir := t.TempDir()
	c := newCollector()
	c.down.Store(true)
	q, err := New(c, spoolOpts(dir))
	if err != nil {
		t.Fatal(err)
	}
	const n = 500
	for i := range n {
		q.Add(Record(fmt.Sprint(i)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := q.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v, want deadline exceeded", err)
	}
	s := q.Stats()
	conserved(t, s)
	if s.Queued != 0 || s.Spooled != n || s.Delivered != 0 || len(s.Dropped) != 0 {
		t.Fatalf("after Close: %+v, want all %d spooled", s, n)
	}
	if err := q.Flush(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Flush after Close = %v, want ErrClosed", err)
	}
	q.Add(Record("late"))
	if s := q.Stats(); s.Dropped[DropClosed] != 1 || s.Spooled != n {
		t.Fatalf("Add after Close: %+v, want it dropped as closed", s)
	}
	if f := segFiles(t, dir); len(f) == 0 {
		t.Fatal("no segment left for the next start")
	}

	c.down.Store(false)
	q2, err := New(c, spoolOpts(dir))
	if err != nil {
		t.Fatal(err)
	}
	if s := q2.Stats(); s.Emitted != n || s.Spooled+s.Queued+s.Delivered != n {
		t.Fatalf("after restart: %+v", s)
	}
	if err := q2.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := q2.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := c.distinct(); got != n {
		t.Fatalf("delivered %d distinct records after restart, want %d", got, n)
	}
	s = q2.Stats()
	conserved(t, s)
	if s.Delivered != n {
		t.Fatalf("stats %+v", s)
	}
}

func TestSpool_CorruptAndTruncatedRecordsAreSkippedAndCounted(t *testing.T) {
	dir := t.TempDir()
	c := newCollector()
	c.down.Store(true)
	o := spoolOpts(dir)
	o.SpoolSegmentBytes = 1 << 20 // one segment
	q, err := New(c, o)
	if err != nil {
		t.Fatal(err)
	}
	const n = 100
	for i := range n {
		q.Add(Record(fmt.Sprintf("r%03d", i))) // 8+4 bytes each
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_ = q.Close(ctx)

	segs := segFiles(t, dir)
	if len(segs) != 1 {
		t.Fatalf("segments %v", segs)
	}
	b, err := os.ReadFile(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	b[10*12+9] ^= 0xff // payload of record 10
	b[20*12+1] ^= 0x01 // length of record 20
	b = b[:len(b)-5]   // record 99 cut short
	if err := os.WriteFile(segs[0], b, 0o600); err != nil {
		t.Fatal(err)
	}

	c.down.Store(false)
	q2, err := New(c, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := q2.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := q2.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := q2.Stats()
	conserved(t, s)
	if s.Dropped[DropCorrupt] != 3 || s.Delivered != n-3 {
		t.Fatalf("stats %+v, want 3 corrupt and %d delivered", s, n-3)
	}
	for _, bad := range []string{"r010", "r020", "r099"} {
		if c.seen[bad] != 0 {
			t.Errorf("damaged record %s was delivered", bad)
		}
	}
}

func TestSpool_FullRefusesNewRecordsAndCountsThem(t *testing.T) {
	dir := t.TempDir()
	c := newCollector()
	c.down.Store(true)
	o := spoolOpts(dir)
	o.SpoolMaxBytes = 10 * 108 // ten 100-byte records
	o.SpoolSegmentBytes = 1 << 10
	q, err := New(c, o)
	if err != nil {
		t.Fatal(err)
	}
	for range 25 {
		q.Add(Record(strings.Repeat("x", 100)))
	}
	s := q.Stats()
	conserved(t, s)
	if s.Dropped[DropSpoolFull] != 15 || s.Spooled+s.Queued != 10 || s.SpoolBytes > o.SpoolMaxBytes {
		t.Fatalf("stats %+v, want 15 spool_full and 10 kept", s)
	}
	c.down.Store(false)
	if err := q.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	q.Add(Record("after"))
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s = q.Stats()
	conserved(t, s)
	if s.Delivered != 11 {
		t.Fatalf("stats %+v, want 11 delivered once there was room", s)
	}
}

func TestQueue_DropWarningsAreRateLimited(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	lg := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	hung := SinkFunc(func(ctx context.Context, _ []Record) error { <-ctx.Done(); return ctx.Err() })
	q, err := New(hung, Options{Name: "full", QueueSize: 2, BatchSize: 100, Log: lg})
	if err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		q.Add(Record("x"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_ = q.Close(ctx)
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(logs.String(), "records dropped"); n != 1 {
		t.Fatalf("%d drop warnings for 998 drops, want 1:\n%s", n, logs.String())
	}
	if s := q.Stats(); s.Dropped[DropQueueFull] != 998 {
		t.Fatalf("stats %+v", s)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestSpool_TooLargeRecordIsDropped(t *testing.T) {
	q, err := New(newCollector(), spoolOpts(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close(context.Background())
	q.Add(make(Record, MaxRecordBytes+1))
	if s := q.Stats(); s.Dropped[DropTooLarge] != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestSpool_DirectoryHasOneOwner(t *testing.T) {
	dir := t.TempDir()
	q, err := New(newCollector(), spoolOpts(dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(newCollector(), spoolOpts(dir)); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second queue on one spool: err = %v", err)
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	q2, err := New(newCollector(), spoolOpts(dir))
	if err != nil {
		t.Fatalf("after Close the directory is free: %v", err)
	}
	_ = q2.Close(context.Background())
}

// A sink down for a while, then back, loses nothing with a spool.
// LLMUX_LONG=1 makes the outage 60 s (the figure in the note).
func TestSpool_SinkOutageLosesNothing(t *testing.T) {
	outage := 2 * time.Second
	if os.Getenv("LLMUX_LONG") == "1" {
		outage = 60 * time.Second
	}
	dir := t.TempDir()
	c := newCollector()
	c.down.Store(true)
	o := spoolOpts(dir)
	o.InitialBackoff, o.MaxBackoff = 10*time.Millisecond, 200*time.Millisecond
	o.SpoolSegmentBytes = 64 << 10
	q, err := New(c, o)
	if err != nil {
		t.Fatal(err)
	}
	var sent atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // 1000 events/s throughout the outage and after it
		defer wg.Done()
		tk := time.NewTicker(time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tk.C:
				q.Add(Record(fmt.Sprintf("event-%d", sent.Add(1))))
			}
		}
	}()
	time.Sleep(outage)
	c.down.Store(false)
	time.Sleep(outage / 10)
	close(stop)
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := q.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s := q.Stats()
	conserved(t, s)
	lost := sent.Load() - int64(c.distinct())
	t.Logf("outage %v: %d events emitted, %d delivered, %d lost, %v dropped", outage, sent.Load(), c.distinct(), lost, s.Dropped)
	if lost != 0 || len(s.Dropped) != 0 {
		t.Fatalf("lost %d events (stats %+v)", lost, s)
	}
}
