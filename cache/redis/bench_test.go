package redis

import (
	"bytes"
	"context"
	"testing"
)

func BenchmarkCache_GetHit(b *testing.B) {
	c, _ := newTestCache(b, Options{})
	mustSet(b, c, "k", bytes.Repeat([]byte("x"), 1<<10), 0)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := c.Get(ctx, "k"); err != nil || !ok {
			b.Fatalf("Get: %v, %v", ok, err)
		}
	}
}

func BenchmarkCache_Set(b *testing.B) {
	c, _ := newTestCache(b, Options{})
	value := bytes.Repeat([]byte("x"), 1<<10)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Set(ctx, "k", value, 0); err != nil {
			b.Fatalf("Set: %v", err)
		}
	}
}
