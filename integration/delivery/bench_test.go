package delivery

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkAdd measures the cost of Add, the only part of a queue on a
// logger's path, with a sink that acknowledges at once and one that hangs
// forever, in memory and with the spool (with and without fsync). It
// reports the p99 of one Add and the throughput in events/s.
//
//	go test -run XXX -bench Add -count 5 ./integration/delivery
func BenchmarkAdd(b *testing.B) {
	rec := Record(strings.Repeat("x", 300)) // about a small standard payload
	sinks := map[string]Sink{
		"sink=ok": SinkFunc(func(context.Context, []Record) error { return nil }),
		"sink=hung": SinkFunc(func(ctx context.Context, _ []Record) error {
			<-ctx.Done()
			return ctx.Err()
		}),
	}
	for _, mode := range []string{"memory", "spool", "spool+fsync"} {
		for _, sname := range []string{"sink=ok", "sink=hung"} {
			b.Run(mode+"/"+sname, func(b *testing.B) {
				o := Options{Name: "bench", Log: quiet}
				if mode != "memory" {
					o.SpoolDir = b.TempDir()
					o.SpoolMaxBytes = 1 << 30
					o.Fsync = mode == "spool+fsync"
				}
				q, err := New(sinks[sname], o)
				if err != nil {
					b.Fatal(err)
				}
				lat := make([]time.Duration, b.N)
				b.ResetTimer()
				start := time.Now()
				for i := range b.N {
					t0 := time.Now()
					q.Add(rec)
					lat[i] = time.Since(t0)
				}
				el := time.Since(start)
				b.StopTimer()
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
				b.ReportMetric(float64(b.N)/el.Seconds(), "events/s")
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
				_ = q.Close(ctx)
				cancel()
			})
		}
	}
}

// BenchmarkSpoolThroughput measures the spool end to end: records added,
// written, read back and acknowledged by a sink that takes everything,
// in events/s, with and without fsync.
func BenchmarkSpoolThroughput(b *testing.B) {
	rec := Record(strings.Repeat("x", 300))
	for _, fsync := range []bool{false, true} {
		name := "fsync=off"
		if fsync {
			name = "fsync=on"
		}
		b.Run(name, func(b *testing.B) {
			q, err := New(SinkFunc(func(context.Context, []Record) error { return nil }),
				Options{Name: "bench", SpoolDir: b.TempDir(), Fsync: fsync, SpoolMaxBytes: 1 << 30, Log: quiet})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				q.Add(rec)
			}
			if err := q.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
			el := time.Since(start)
			b.StopTimer()
			if s := q.Stats(); s.Delivered != uint64(b.N) {
				b.Fatalf("stats %+v", s)
			}
			b.ReportMetric(float64(b.N)/el.Seconds(), "events/s")
			_ = q.Close(context.Background())
		})
	}
}
