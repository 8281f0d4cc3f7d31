package cost

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoad_Errors(t *testing.T) {
	tests := []struct {
		name, js, want string
	}{
		{"price is a string", `{"m": {"input_cost_per_token": "1e-6"}}`,
			`cost: load: model "m": field "input_cost_per_token": want a number, got string`},
		{"provider is a number", `{"ok": {}, "m": {"litellm_provider": 5}}`,
			`cost: load: model "m": field "litellm_provider": want a string, got number`},
		{"negative price", `{"m": {"cache_read_input_token_cost": -1e-6}}`,
			`cost: load: model "m": field "cache_read_input_token_cost": price -1e-06 is negative`},
		{"fractional token limit", `{"m": {"max_input_tokens": 1.5}}`,
			`cost: load: model "m": field "max_input_tokens": 1.5 is not a token count`},
		{"entry not an object", `{"m": 3}`,
			`cost: load: model "m": want a JSON object, got number`},
		{"not an object", `[]`, `cost: load: want "{", got [`},
		{"empty", ``, `cost: load: unexpected end of input, want "{"`},
		{"truncated", `{"m": {"input_cost_per_token": 1e-6}`, `cost: load:`},
		{"bad syntax", `{"m": {"input_cost_per_token": 1e-6,}}`, `cost: load: model "m":`},
		{"trailing data", `{} {}`, `cost: load: data after the top-level object`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := Load(strings.NewReader(tt.js))
			if err == nil {
				t.Fatalf("Load(%s) = %d entries, want error %q", tt.js, tab.Len(), tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Load(%s) error\n got %q\nwant %q", tt.js, err, tt.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	tab := mustLoad(t, `{
		"sample_spec": {"max_input_tokens": "max input tokens, if the provider specifies it", "input_cost_per_token": 0.0},
		"m":         {"litellm_provider": "p", "mode": "chat", "max_input_tokens": 2000000.0, "input_cost_per_token": 1e-6,
		             "output_cost_per_token": 2e-6, "supports_vision": true, "search_context_cost_per_query": {"low": 0.01}},
		"free":      {"litellm_provider": "ollama", "input_cost_per_token": 0, "output_cost_per_token": 0},
		"image":     {"litellm_provider": "openai", "mode": "image_generation", "input_cost_per_image": 0.04},
		"nulls":     {"input_cost_per_token": null, "output_cost_per_token": 1e-6}
	}`)
	if n := tab.Len(); n != 4 {
		t.Errorf("Len = %d, want 4 (sample_spec skipped)", n)
	}
	want := Price{Provider: "p", Mode: "chat", MaxInputTokens: 2_000_000, InputPerToken: 1e-6, OutputPerToken: 2e-6}
	if got, _ := tab.Lookup("", "m"); got != want {
		t.Errorf("m = %+v, want %+v", got, want)
	}
	if p, _ := tab.Lookup("", "free"); p.Unpriced {
		t.Error("free is Unpriced, want priced at 0")
	}
	if p, _ := tab.Lookup("", "image"); !p.Unpriced {
		t.Error("image is priced, want Unpriced")
	}
	if p, _ := tab.Lookup("", "nulls"); p.Unpriced || p.OutputPerToken != 1e-6 {
		t.Errorf("nulls = %+v, want output 1e-6", p)
	}
	if _, err := tab.Cost("", "image", Usage{}); !errors.Is(err, ErrUnknownModel) {
		t.Errorf("Cost(image) error = %v, want ErrUnknownModel", err)
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "prices.json")
	if err := os.WriteFile(good, []byte(`{"m": {"input_cost_per_token": 1e-6}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tab, err := LoadFile(good)
	if err != nil || tab.Len() != 1 {
		t.Fatalf("LoadFile = %v, %v; want 1 entry", tab, err)
	}

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"m": {"mode": 1}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(bad); err == nil || !strings.Contains(err.Error(), `model "m": field "mode"`) ||
		!strings.Contains(err.Error(), bad) {
		t.Errorf("LoadFile(bad) error = %v, want model, field and path", err)
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadFile(missing) error = %v, want fs.ErrNotExist", err)
	}
}
