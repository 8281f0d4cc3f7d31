package delivery

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestQueue_RetriesThenDeliversEveryRecord(t *testing.T) {
	var mu sync.Mutex
	var got []string
	fails := 2
	sink := SinkFunc(func(ctx context.Context, b []Record) error {
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			return Retryable(errors.New("503"), time.Millisecond)
		}
		for _, r := range b {
			got = append(got, string(r))
		}
		return nil
	})
	q, err := New(sink, Options{Name: "t", BatchSize: 3, FlushInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		q.Add(Record{byte('a' + i)})
	}
	if err := q.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 {
		t.Fatalf("delivered %d records, want 10: %v", len(got), got)
	}
	s := q.Stats()
	if s.Emitted != 10 || s.Delivered != 10 || s.Queued != 0 || len(s.Dropped) != 0 {
		t.Fatalf("stats %+v", s)
	}
	q.Add(Record("late"))
	if s := q.Stats(); s.Dropped[DropClosed] != 1 || s.Emitted != 11 {
		t.Fatalf("after close: %+v", s)
	}
}

func TestQueue_CloseDeadlineDropsAndCounts(t *testing.T) {
	sink := SinkFunc(func(ctx context.Context, b []Record) error {
		<-ctx.Done()
		return Retryable(ctx.Err(), 0)
	})
	q, err := New(sink, Options{Name: "hang", BatchSize: 2, FlushInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		q.Add(Record("x"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := q.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v", err)
	}
	s := q.Stats()
	var dropped uint64
	for _, v := range s.Dropped {
		dropped += v
	}
	if s.Emitted != s.Delivered+dropped+s.Queued+s.Spooled || s.Queued != 0 || dropped != 5 {
		t.Fatalf("conservation broken: %+v", s)
	}
}
