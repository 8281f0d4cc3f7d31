package cost

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestCost_NoFloatNoise(t *testing.T) {
	// 10 × 5e-07 + 20 × 1.5e-06 is 3.5000000000000004e-05 in float64.
	b, err := Of("openai", "gpt-3.5-turbo", Usage{PromptTokens: 10, CompletionTokens: 20})
	if err != nil {
		t.Fatal(err)
	}
	if got := strconv.FormatFloat(b.Total, 'g', -1, 64); got != "3.5e-05" {
		t.Errorf("Total = %s, want 3.5e-05", got)
	}
	if got := fmt.Sprint(b.Total); got != "3.5e-05" {
		t.Errorf("fmt.Sprint(Total) = %s, want 3.5e-05", got)
	}
	if b.Input != 5e-06 || b.Output != 3e-05 {
		t.Errorf("parts = %+v, want Input 5e-06, Output 3e-05", b)
	}
}

func TestCost(t *testing.T) {
	tests := []struct {
		name            string
		provider, model string
		u               Usage
		want            Breakdown
	}{
		{
			name: "anthropic cache read and creation", provider: "anthropic", model: "claude-sonnet-4-5",
			// 100 uncached + 1000 cache reads + 100 cache writes.
			u: Usage{PromptTokens: 1200, CachedPromptTokens: 1000, CacheCreationTokens: 100, CompletionTokens: 300},
			want: Breakdown{Input: 3e-04, CacheRead: 3e-04, CacheCreation: 3.75e-04, Output: 4.5e-03,
				Total: 5.475e-03},
		},
		{
			name: "openai cached tokens", provider: "openai", model: "gpt-4o",
			u:    Usage{PromptTokens: 1000, CachedPromptTokens: 400, CompletionTokens: 100},
			want: Breakdown{Input: 1.5e-03, CacheRead: 5e-04, Output: 1e-03, Total: 3e-03},
		},
		{
			name: "reasoning price", provider: "dashscope", model: "qwen-turbo",
			// input 5e-08, output 2e-07, reasoning 5e-07
			u:    Usage{PromptTokens: 100, CompletionTokens: 50, ReasoningTokens: 30},
			want: Breakdown{Input: 5e-06, Output: 4e-06, Reasoning: 1.5e-05, Total: 2.4e-05},
		},
		{
			name: "reasoning at output price", provider: "openai", model: "gpt-4o",
			u:    Usage{PromptTokens: 0, CompletionTokens: 100, ReasoningTokens: 40},
			want: Breakdown{Output: 6e-04, Reasoning: 4e-04, Total: 1e-03},
		},
		{
			name: "above 200k", provider: "anthropic", model: "claude-sonnet-4-5",
			// input 6e-06, output 2.25e-05, cache read 6e-07, cache creation 7.5e-06
			u: Usage{PromptTokens: 250_000, CachedPromptTokens: 40_000, CacheCreationTokens: 10_000, CompletionTokens: 1000},
			want: Breakdown{Input: 1.2, CacheRead: 0.024, CacheCreation: 0.075, Output: 0.0225,
				Total: 1.3215},
		},
		{
			name: "exactly 200k is base price", provider: "anthropic", model: "claude-sonnet-4-5",
			u:    Usage{PromptTokens: 200_000},
			want: Breakdown{Input: 0.6, Total: 0.6},
		},
		{
			name: "above 128k", provider: "vertex_ai", model: "gemini-1.5-flash",
			// input 1e-06, output 6e-07 above 128k
			u:    Usage{PromptTokens: 130_000, CompletionTokens: 10},
			want: Breakdown{Input: 0.13, Output: 6e-06, Total: 0.130006},
		},
		{
			name: "embedding bills input only", provider: "openai", model: "text-embedding-3-small",
			u:    Usage{PromptTokens: 1000, CompletionTokens: 5},
			want: Breakdown{Input: 2e-05, Total: 2e-05},
		},
		{
			name: "zero usage", provider: "openai", model: "gpt-4o",
			want: Breakdown{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Of(tt.provider, tt.model, tt.u)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Of(%q, %q, %+v)\n got %+v\nwant %+v", tt.provider, tt.model, tt.u, got, tt.want)
			}
		})
	}
}

func TestPriceCost_CacheFallsBackToInput(t *testing.T) {
	p := Price{InputPerToken: 1e-06, OutputPerToken: 2e-06}
	got, err := p.Cost(Usage{PromptTokens: 100, CachedPromptTokens: 30, CacheCreationTokens: 20, CompletionTokens: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := Breakdown{Input: 5e-05, CacheRead: 3e-05, CacheCreation: 2e-05, Output: 2e-05, Total: 1.2e-04}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestCost_UnknownModel(t *testing.T) {
	tests := []struct {
		provider, model string
		wantMsg         string
	}{
		{"openai", "no-such-model", `cost: no price for model "openai/no-such-model": not in the table`},
		{"", "no-such-model", `cost: no price for model "no-such-model": not in the table`},
		{"openai", "dall-e-3", `cost: no price for model "openai/dall-e-3": not billed per token`},
	}
	for _, tt := range tests {
		b, err := Of(tt.provider, tt.model, Usage{PromptTokens: 10})
		if !errors.Is(err, ErrUnknownModel) {
			t.Errorf("Of(%q, %q) error = %v, want ErrUnknownModel", tt.provider, tt.model, err)
			continue
		}
		if err.Error() != tt.wantMsg {
			t.Errorf("Of(%q, %q) error = %q, want %q", tt.provider, tt.model, err, tt.wantMsg)
		}
		if b != (Breakdown{}) {
			t.Errorf("Of(%q, %q) = %+v with error, want zero", tt.provider, tt.model, b)
		}
	}
}

func TestCost_InvalidUsage(t *testing.T) {
	for _, u := range []Usage{
		{PromptTokens: -1},
		{PromptTokens: 10, CachedPromptTokens: 8, CacheCreationTokens: 5}, // Anthropic usage not normalised
		{CompletionTokens: 10, ReasoningTokens: 11},
	} {
		if _, err := Of("openai", "gpt-4o", u); !errors.Is(err, ErrInvalidUsage) {
			t.Errorf("Of(%+v) error = %v, want ErrInvalidUsage", u, err)
		}
	}
}

func TestCost_ZeroAllocs(t *testing.T) {
	tab := Default()
	u := Usage{PromptTokens: 1200, CachedPromptTokens: 1000, CompletionTokens: 300}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := tab.Cost("azure", "gpt-4o", u); err != nil {
			t.Fatal(err)
		}
		if _, err := tab.Cost("", "openai/gpt-4o", u); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Cost allocates %v times per run, want 0", allocs)
	}
}

func TestRound(t *testing.T) {
	viaStrconv := func(x float64) float64 {
		f, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', digits, 64), 64)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	edge := []float64{
		0, math.Copysign(0, -1), 1, -1, 3.5000000000000004e-05, 0.1 + 0.2, 999999999999.5, 99999999999.95,
		1e-11, 9.9999999999995e-12, 1e12, 1e22, 1e300, 5e-324, math.MaxFloat64, -2.5e-07,
		0.1234567890125, 0.1234567890135, // ties in decimal, not in binary
	}
	for _, x := range edge {
		if got, want := round(x), viaStrconv(x); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("round(%v) = %v, want %v", x, got, want)
		}
	}
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := round(x); strconv.FormatFloat(got, 'g', -1, 64) != strconv.FormatFloat(x, 'g', -1, 64) {
			t.Errorf("round(%v) = %v", x, got)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		// Typical costs: a price of 1e-9..1e-4 times 0..2e6 tokens, summed.
		x := float64(r.IntN(2_000_000)) * math.Pow(10, -4-5*r.Float64())
		x += float64(r.IntN(2_000_000)) * math.Pow(10, -4-5*r.Float64())
		if got, want := round(x), viaStrconv(x); got != want {
			t.Fatalf("round(%v) = %v, want %v", x, got, want)
		}
		// Arbitrary bit patterns.
		y := math.Float64frombits(r.Uint64())
		if got, want := round(y), viaStrconv(y); got != want && !math.IsNaN(y) {
			t.Fatalf("round(%v) = %v, want %v", y, got, want)
		}
		// Exact decimal ties at the 13th digit.
		z := (float64(r.Int64N(1e12)) + 0.5) / 1e13
		if got, want := round(z), viaStrconv(z); got != want {
			t.Fatalf("round(%v) = %v, want %v", z, got, want)
		}
	}
}

func TestBreakdown_JSON(t *testing.T) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s", mustJSON(t, Breakdown{Input: 1e-06, Total: 1e-06}))
	want := `{"input_cost":0.000001,"cache_read_cost":0,"cache_creation_cost":0,"output_cost":0,"reasoning_cost":0,"total_cost":0.000001}`
	if sb.String() != want {
		t.Errorf("JSON = %s, want %s", sb.String(), want)
	}
}
