package cost

import (
	"bytes"
	"testing"
)

func BenchmarkLookup(b *testing.B) {
	tab := Default()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := tab.Lookup("azure", "gpt-4o"); !ok {
			b.Fatal("not found")
		}
	}
}

func BenchmarkCost(b *testing.B) {
	tab := Default()
	u := Usage{PromptTokens: 1200, CachedPromptTokens: 1000, CacheCreationTokens: 100, CompletionTokens: 300}
	for _, bm := range []struct{ name, provider, model string }{
		{"provider-model", "azure", "gpt-4o"},
		{"bare", "anthropic", "claude-sonnet-4-5"},
		{"prefixed", "", "openai/gpt-4o"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tab.Cost(bm.provider, bm.model, u); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDefaultFirstUse measures what the first caller of [Default]
// pays in a fresh process: the table's first use and one lookup.
func BenchmarkDefaultFirstUse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		defaultTable = Table{base: &embedded} // a fresh process's state
		if _, ok := Default().Lookup("", "gpt-3.5-turbo"); !ok {
			b.Fatal("not found")
		}
	}
	defaultTable = Table{base: &embedded}
}

// BenchmarkLoad measures Load of the embedded table's source (what
// Default cost on first use before the table was generated as Go).
func BenchmarkLoad(b *testing.B) {
	js := sourceJSON(b)
	b.SetBytes(int64(len(js)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(bytes.NewReader(js)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRound(b *testing.B) {
	x := 3.5000000000000004e-05
	for b.Loop() {
		x = round(x) + 1e-17
	}
}
