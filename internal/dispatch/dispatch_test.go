package dispatch

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestQueue_DeliversInOrder(t *testing.T) {
	var got []int
	q := New(8, func(v int) { got = append(got, v) })
	for i := 0; i < 5; i++ {
		if err := q.Offer(i); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("got %v, want 0..4 in order", got)
		}
	}
	if len(got) != 5 {
		t.Fatalf("got %d values, want 5", len(got))
	}
}

func TestQueue_FullAndClosed(t *testing.T) {
	release := make(chan struct{})
	q := New(1, func(int) { <-release })
	_ = q.Offer(1) // taken by the handler, which blocks
	deadline := time.Now().Add(2 * time.Second)
	for q.Len() != 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if err := q.Offer(2); err != nil { // fills the buffer
		t.Fatal(err)
	}
	if err := q.Offer(3); !errors.Is(err, ErrFull) {
		t.Fatalf("Offer on a full queue = %v, want ErrFull", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := q.Flush(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Flush with a blocked handler = %v, want deadline exceeded", err)
	}
	close(release)
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := q.Offer(4); !errors.Is(err, ErrClosed) {
		t.Fatalf("Offer after Close = %v, want ErrClosed", err)
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if err := q.Flush(context.Background()); err != nil {
		t.Fatalf("Flush after Close = %v", err)
	}
}

func TestQueue_FlushWaitsForEarlierValues(t *testing.T) {
	var n atomic.Int64
	q := New(100, func(int) { time.Sleep(time.Millisecond); n.Add(1) })
	defer q.Close(context.Background())
	for i := 0; i < 20; i++ {
		_ = q.Offer(i)
	}
	if err := q.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 20 {
		t.Fatalf("handled %d before Flush returned, want 20", n.Load())
	}
}

func TestQueue_ConcurrentSafe(t *testing.T) {
	var n atomic.Int64
	q := New(64, func(int) { n.Add(1) })
	var wg sync.WaitGroup
	var offered, refused atomic.Int64
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				if q.Offer(i) == nil {
					offered.Add(1)
				} else {
					refused.Add(1)
				}
				if i%100 == 0 {
					_ = q.Flush(context.Background())
				}
			}
		}()
	}
	go func() { time.Sleep(time.Millisecond); _ = q.Close(context.Background()) }()
	wg.Wait()
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n.Load() != offered.Load() {
		t.Fatalf("handled %d, offered %d", n.Load(), offered.Load())
	}
	if offered.Load()+refused.Load() != 8000 {
		t.Fatalf("lost offers: %d + %d", offered.Load(), refused.Load())
	}
}

func BenchmarkOffer(b *testing.B) {
	q := New(1<<16, func(int) {})
	defer q.Close(context.Background())
	b.ReportAllocs()
	for b.Loop() {
		for q.Offer(1) != nil {
		}
	}
}
