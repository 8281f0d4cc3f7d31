package cache

import (
	"context"
	"fmt"
	"testing"
)

// benchKeys returns n keys shaped like the client's ("<namespace>:<hash>").
func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("llmux:%064x", i)
	}
	return keys
}

// benchValue is about the size of an encoded short chat completion. The
// benchmarks store it under many keys; that breaks Set's ownership rule,
// which is harmless here because nothing modifies it.
var benchValue = make([]byte, 1024)

func newBenchMemory(b *testing.B, keys []string, opts ...Option) *Memory {
	b.Helper()
	m, err := NewMemory(opts...)
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range keys {
		if err := m.Set(context.Background(), k, benchValue, 0); err != nil {
			b.Fatal(err)
		}
	}
	return m
}

func BenchmarkMemory_Get(b *testing.B) {
	keys := benchKeys(1000)
	m := newBenchMemory(b, keys)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok, _ := m.Get(ctx, keys[i%len(keys)]); !ok {
			b.Fatal("miss")
		}
		i++
	}
}

func BenchmarkMemory_Set(b *testing.B) {
	ctx := context.Background()
	b.Run("replace", func(b *testing.B) {
		keys := benchKeys(1000)
		m := newBenchMemory(b, keys)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := m.Set(ctx, keys[i%len(keys)], benchValue, 0); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("evict", func(b *testing.B) {
		// Four times more keys than room: every Set adds an entry and
		// evicts the least recently used one.
		keys := benchKeys(4096)
		m := newBenchMemory(b, nil, WithMaxEntries(1024))
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := m.Set(ctx, keys[i%len(keys)], benchValue, 0); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkMemory_GetParallel(b *testing.B) {
	keys := benchKeys(1000)
	m := newBenchMemory(b, keys)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, ok, _ := m.Get(ctx, keys[i%len(keys)]); !ok {
				b.Error("miss")
				return
			}
			i++
		}
	})
}
