package tokenizer

import (
	"strings"
	"sync"
	"testing"
)

func TestCount(t *testing.T) {
	tests := []struct {
		model, text string
		want        int
	}{
		{"gpt-3.5-turbo", "hello world", 2},
		{"gpt-4", "hello world", 2},
		{"gpt-4o", "hello world", 2},
		{"gpt-4", "", 0},
		{"gpt-4o", "", 0},
		{"claude-sonnet-4-5", "", 0},
		// cl100k_base counts from OpenAI's cookbook, "How to count tokens
		// with tiktoken".
		{"gpt-4", "tiktoken is great!", 6},
		{"gpt-3.5-turbo", "antidisestablishmentarianism", 6},
		{"gpt-4", "お誕生日おめでとう", 9},
		{"claude-sonnet-4-5", "tiktoken is great!", 6}, // cl100k_base estimate
	}
	for _, tt := range tests {
		if got := Count(tt.model, tt.text); got != tt.want {
			t.Errorf("Count(%q, %q) = %d, want %d", tt.model, tt.text, got, tt.want)
		}
	}
}

func TestEncodingFor(t *testing.T) {
	tests := []struct {
		model string
		want  Encoding
	}{
		{"gpt-4o", O200kBase},
		{"gpt-4o-mini-2024-07-18", O200kBase},
		{"openai/gpt-4o", O200kBase},
		{"azure/gpt-4.1-nano", O200kBase},
		{"gpt-5", O200kBase},
		{"gpt-5-mini", O200kBase},
		{"o1", O200kBase},
		{"o3-mini", O200kBase},
		{"o4-mini", O200kBase},
		{"chatgpt-4o-latest", O200kBase},
		{"ft:gpt-4o-mini:org::abc", O200kBase},
		{"gpt-4", Cl100kBase},
		{"gpt-4-turbo", Cl100kBase},
		{"gpt-3.5-turbo", Cl100kBase},
		{"text-embedding-3-small", Cl100kBase},
		{"claude-sonnet-4-5", Cl100kBase},
		{"anthropic/claude-sonnet-4-5", Cl100kBase},
		{"gemini-2.5-flash", Cl100kBase},
		{"o100-custom", Cl100kBase},
		{"", Cl100kBase},
	}
	for _, tt := range tests {
		if got := EncodingFor(tt.model); got != tt.want {
			t.Errorf("EncodingFor(%q) = %s, want %s", tt.model, got, tt.want)
		}
	}
}

func TestCountEncoding_UnknownFallsBack(t *testing.T) {
	if got := CountEncoding("p50k_base", "hello world"); got != 2 {
		t.Errorf("CountEncoding(p50k_base) = %d, want 2 (cl100k_base)", got)
	}
}

func TestCount_InvalidUTF8(t *testing.T) {
	if got := Count("gpt-4o", "abc\xff\xfe"); got <= 0 {
		t.Errorf("Count(invalid UTF-8) = %d, want > 0", got)
	}
}

func TestCount_ConcurrentSafe(t *testing.T) {
	texts := []string{"hello world", "tiktoken is great!", strings.Repeat("lorem ipsum dolor sit amet ", 50)}
	models := []string{"gpt-4", "gpt-4o", "claude-sonnet-4-5"}
	want := make(map[[2]string]int)
	for _, m := range models {
		for _, s := range texts {
			want[[2]string{m, s}] = Count(m, s)
		}
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				m, s := models[(i+j)%len(models)], texts[j%len(texts)]
				if got := Count(m, s); got != want[[2]string{m, s}] {
					t.Errorf("Count(%q) = %d concurrently, want %d", m, got, want[[2]string{m, s}])
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkCount(b *testing.B) {
	text := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 20) // ~200 tokens
	for _, model := range []string{"gpt-4", "gpt-4o"} {
		Count(model, "warm up") // build the codec outside the timer
		b.Run(model, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				Count(model, text)
			}
		})
	}
}
