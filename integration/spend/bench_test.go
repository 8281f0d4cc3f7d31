package spend

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/llmux/llmux/internal/pgtest"
)

// BenchmarkInsert inserts batches of 100 rows, one transaction each, as
// the logger does; rows/s is the figure.
func BenchmarkInsert(b *testing.B) {
	for _, db := range []struct {
		name string
		dsn  func(b *testing.B) string
	}{
		{"sqlite", func(b *testing.B) string { return filepath.Join(b.TempDir(), "spend.db") }},
		{"postgres", func(b *testing.B) string { return pgtest.Schema(b) }},
	} {
		b.Run(db.name, func(b *testing.B) {
			ctx := context.Background()
			s, err := OpenStore(ctx, db.dsn(b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			_, proto := events()
			batch := make([]Row, 100)
			n := 0
			b.ResetTimer()
			for b.Loop() {
				for i := range batch {
					batch[i] = proto[i%len(proto)]
					batch[i].ID = fmt.Sprintf("bench-%d", n)
					n++
				}
				if err := s.Insert(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
