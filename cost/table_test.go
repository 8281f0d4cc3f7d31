package cost

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustLoad(t *testing.T, js string) *Table {
	t.Helper()
	tab, err := Load(strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// entries returns the entries of t by name.
func entries(t *Table) map[string]Price {
	m := make(map[string]Price)
	for name, p := range t.All() {
		m[name] = p
	}
	return m
}

func TestLookup_Order(t *testing.T) {
	tab := mustLoad(t, `{
		"gpt-4o":                       {"litellm_provider": "openai", "input_cost_per_token": 1},
		"azure/gpt-4o":                 {"litellm_provider": "azure", "input_cost_per_token": 2},
		"gemini/gemini-2.5-flash":      {"litellm_provider": "gemini", "input_cost_per_token": 3},
		"gemini-2.5-flash":             {"litellm_provider": "vertex_ai-language-models", "input_cost_per_token": 4},
		"openrouter/anthropic/claude":  {"litellm_provider": "openrouter", "input_cost_per_token": 5},
		"bedrock/us-east-1/m":          {"litellm_provider": "bedrock", "input_cost_per_token": 6}
	}`)
	tests := []struct {
		provider, model string
		want            float64 // InputPerToken identifies the entry; 0 for not found
	}{
		{"azure", "gpt-4o", 2},        // "provider/model" first
		{"openai", "gpt-4o", 1},       // no "openai/gpt-4o": bare name
		{"", "gpt-4o", 1},             // bare name
		{"", "azure/gpt-4o", 2},       // prefixed name as given
		{"openai", "azure/gpt-4o", 2}, // ... even with another provider
		{"", "openai/gpt-4o", 1},      // prefix stripped when no such key
		{"azure", "openai/gpt-4o", 1}, // ditto
		{"gemini", "gemini-2.5-flash", 3},
		{"", "gemini-2.5-flash", 4},
		{"vertex_ai", "gemini-2.5-flash", 4},
		{"openrouter", "anthropic/claude", 5},
		{"bedrock", "us-east-1/m", 6},
		{"", "bedrock/us-east-1/m", 6},
		{"azure", "gpt-4o-mini", 0},
		{"", "", 0},
		{"", "/gpt-4o", 0},
	}
	for _, tt := range tests {
		p, ok := tab.Lookup(tt.provider, tt.model)
		if ok != (tt.want != 0) || p.InputPerToken != tt.want {
			t.Errorf("Lookup(%q, %q) = %v, %v; want input %v", tt.provider, tt.model, p.InputPerToken, ok, tt.want)
		}
	}
}

func TestProviderOf(t *testing.T) {
	tests := []struct {
		model, want string
	}{
		{"gpt-4o", "openai"},
		{"gpt-3.5-turbo", "openai"},
		{"claude-sonnet-4-5", "anthropic"},
		{"azure/gpt-4o", "azure"},
		{"openai/gpt-4o", "openai"},
		{"gemini/gemini-2.5-flash", "gemini"},
		{"dall-e-3", "openai"}, // unpriced per token, but its provider is known
		{"no-such-model", ""},
	}
	for _, tt := range tests {
		got, ok := ProviderOf(tt.model)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("ProviderOf(%q) = %q, %v; want %q", tt.model, got, ok, tt.want)
		}
	}
}

func TestDefault(t *testing.T) {
	tab := Default()
	if tab != Default() {
		t.Error("Default returns a different table on each call")
	}
	if n := tab.Len(); n != 2668 {
		t.Errorf("Len = %d, want 2668 (LiteLLM's models without sample_spec)", n)
	}
	if _, ok := tab.Lookup("", sampleSpec); ok {
		t.Error("sample_spec is in the table")
	}
	tests := []struct {
		provider, model string
		want            Price
	}{
		{"anthropic", "claude-sonnet-4-5", Price{
			Provider: "anthropic", Mode: "chat", MaxInputTokens: 200000, MaxOutputTokens: 64000,
			InputPerToken: 3e-06, OutputPerToken: 1.5e-05, CacheReadPerToken: 3e-07, CacheCreationPerToken: 3.75e-06,
			InputPerTokenAbove200k: 6e-06, OutputPerTokenAbove200k: 2.25e-05,
			CacheReadPerTokenAbove200k: 6e-07, CacheCreationPerTokenAbove200k: 7.5e-06,
		}},
		{"azure", "gpt-4o", Price{
			Provider: "azure", Mode: "chat", MaxInputTokens: 128000, MaxOutputTokens: 16384,
			InputPerToken: 2.5e-06, OutputPerToken: 1e-05, CacheReadPerToken: 1.25e-06,
		}},
		{"xai", "grok-4-1-fast", Price{}}, // max_input_tokens is 2000000.0 in the source; checked below
	}
	for _, tt := range tests {
		got, ok := tab.Lookup(tt.provider, tt.model)
		if !ok {
			t.Errorf("Lookup(%q, %q) not found", tt.provider, tt.model)
			continue
		}
		if tt.want == (Price{}) {
			if got.MaxInputTokens != 2_000_000 {
				t.Errorf("Lookup(%q, %q).MaxInputTokens = %d, want 2000000", tt.provider, tt.model, got.MaxInputTokens)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("Lookup(%q, %q)\n got %+v\nwant %+v", tt.provider, tt.model, got, tt.want)
		}
	}
}

func TestRegister_Overrides(t *testing.T) {
	tab := Default().Clone()
	tab.Register("gpt-4o", Price{Provider: "openai", InputPerToken: 1e-06, OutputPerToken: 1e-06})
	tab.Register("custom/my-model", Price{Provider: "custom", InputPerToken: 2e-06})

	b, err := tab.Cost("openai", "gpt-4o", Usage{PromptTokens: 10, CompletionTokens: 10})
	if err != nil {
		t.Fatal(err)
	}
	if b.Total != 2e-05 {
		t.Errorf("registered gpt-4o Total = %v, want 2e-05", b.Total)
	}
	if b, err := tab.Cost("custom", "my-model", Usage{PromptTokens: 10}); err != nil || b.Total != 2e-05 {
		t.Errorf("custom/my-model = %+v, %v; want Total 2e-05", b, err)
	}
	// A hand-built Price with zero prices is free, not unknown.
	tab.Register("local-llama", Price{Provider: "ollama"})
	if b, err := tab.Cost("", "local-llama", Usage{PromptTokens: 10}); err != nil || b.Total != 0 {
		t.Errorf("local-llama = %+v, %v; want 0, nil", b, err)
	}
	// The clone leaves the shared table alone.
	if p, _ := Default().Lookup("openai", "gpt-4o"); p.InputPerToken != 2.5e-06 {
		t.Errorf("Default gpt-4o input = %v after registering on a clone, want 2.5e-06", p.InputPerToken)
	}
}

func TestMerge_NewerWins(t *testing.T) {
	base := mustLoad(t, `{"a": {"input_cost_per_token": 1}, "b": {"input_cost_per_token": 1}}`)
	newer := mustLoad(t, `{"b": {"input_cost_per_token": 2}, "c": {"input_cost_per_token": 2}}`)
	base.Merge(newer)
	base.Merge(base) // no-op, no deadlock
	base.Merge(nil)
	got := map[string]float64{}
	for name, p := range base.All() {
		got[name] = p.InputPerToken
	}
	want := map[string]float64{"a": 1, "b": 2, "c": 2}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("merged = %v, want %v", got, want)
	}
}

func TestTable_ConcurrentSafe(t *testing.T) {
	tab := Default().Clone()
	other := mustLoad(t, `{"gpt-4o": {"input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06}}`)
	u := Usage{PromptTokens: 100, CompletionTokens: 10}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				switch (i + j) % 5 {
				case 0:
					tab.Register(fmt.Sprintf("m-%d-%d", i, j), Price{InputPerToken: 1e-06})
				case 1:
					if _, err := tab.Cost("openai", "gpt-4o", u); err != nil {
						t.Error(err)
					}
				case 2:
					tab.ProviderOf("claude-sonnet-4-5")
				case 3:
					tab.Merge(other)
				case 4:
					for range tab.All() {
						break
					}
					tab.Len()
				}
			}
		})
	}
	wg.Wait()
}

// TestTable_OverBase covers a table whose entries start as read-only
// generated data (Default and its clones): changes shadow that data, and
// Len, All, Merge and Clone see one entry per key.
func TestTable_OverBase(t *testing.T) {
	n := Default().Len()
	tab := Default().Clone()
	over := Price{Provider: "openai", InputPerToken: 1e-06}
	tab.Register("gpt-4o", over) // shadows an embedded entry
	tab.Register("my-model", over)
	orig, _ := Default().Lookup("", "azure/gpt-4o")
	tab.Register("azure/gpt-4o", orig) // the same price as the embedded one
	if got := tab.Len(); got != n+1 {
		t.Errorf("Len = %d, want %d", got, n+1)
	}
	if p, _ := tab.Lookup("azure", "gpt-4o"); p != orig {
		t.Errorf("azure/gpt-4o = %+v, want %+v", p, orig)
	}
	if p, _ := tab.Lookup("openai", "gpt-4o"); p != over {
		t.Errorf("registered gpt-4o = %+v, want %+v", p, over)
	}
	if p, _ := Default().Lookup("openai", "gpt-4o"); p == over {
		t.Error("registering on a clone changed Default")
	}

	seen := map[string]int{}
	for name := range tab.All() {
		seen[name]++
	}
	if len(seen) != n+1 {
		t.Errorf("All yields %d names, want %d", len(seen), n+1)
	}
	for name, k := range seen {
		if k != 1 {
			t.Errorf("All yields %q %d times", name, k)
		}
	}
	if p := entries(tab)["gpt-4o"]; p != over {
		t.Errorf("All gives gpt-4o = %+v, want the registered %+v", p, over)
	}

	// Merging Default back restores its prices and keeps the new model.
	tab.Merge(Default())
	if p, _ := tab.Lookup("openai", "gpt-4o"); p.InputPerToken != 2.5e-06 {
		t.Errorf("gpt-4o input after merging Default = %v, want 2.5e-06", p.InputPerToken)
	}
	if got := tab.Len(); got != n+1 {
		t.Errorf("Len after merging Default = %d, want %d", got, n+1)
	}

	// A table without a base gets a copy of every entry.
	plain := New()
	plain.Merge(tab)
	if diff := cmp.Diff(entries(tab), entries(plain)); diff != "" {
		t.Errorf("New().Merge(tab) differs from tab (-tab +merged):\n%s", diff)
	}
	if plain.Len() != n+1 {
		t.Errorf("New().Merge(tab).Len() = %d, want %d", plain.Len(), n+1)
	}

	// A clone of a clone is independent of both.
	c := tab.Clone()
	c.Register("my-model", Price{InputPerToken: 5})
	if p, _ := tab.Lookup("", "my-model"); p != over {
		t.Errorf("registering on a clone changed its source: my-model = %+v", p)
	}
}

func TestTable_DuplicateRegisterCountsOnce(t *testing.T) {
	tab := New()
	tab.Register("m", Price{InputPerToken: 1})
	tab.Register("m", Price{InputPerToken: 2})
	tab.Register("p/m", Price{InputPerToken: 3})
	if got := tab.Len(); got != 2 {
		t.Errorf("Len = %d, want 2", got)
	}
}
