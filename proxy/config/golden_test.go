package config

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmux/llmux/internal/mask"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testEnv is the environment the golden configs are loaded with. The values
// are planted secrets: no golden file may contain one.
var testEnv = map[string]string{
	"AZURE_API_KEY_EU":   "azure-eu-secret-0123456789abcdef",
	"AZURE_API_KEY_CA":   "azure-ca-secret-0123456789abcdef",
	"AZURE_API_KEY":      "azure-secret-0123456789abcdef",
	"AZURE_API_BASE":     "https://example.openai.azure.com",
	"OPENAI_API_KEY":     "sk-openai-secret-0123456789abcdef",
	"OPENAI_ORG_ID":      "org-from-env",
	"ANTHROPIC_API_KEY":  "sk-ant-secret-0123456789abcdef",
	"REDIS_HOST":         "redis.internal",
	"REDIS_PORT":         "6380",
	"REDIS_PASSWORD":     "redis-secret-0123456789",
	"LITELLM_MASTER_KEY": "sk-master-secret-0123456789abcdef",
}

func lookupTestEnv(name string) (string, bool) {
	v, ok := testEnv[name]
	return v, ok
}

// testCallbacks are the logger names the golden configs are validated
// against, as the proxy would pass them.
var testCallbacks = []string{"otel", "prometheus", "webhook", "file", "sql"}

// golden is what a golden file holds for one YAML file.
type golden struct {
	LoadErrors     []string   `json:"load_errors,omitempty"`
	ValidateErrors []string   `json:"validate_errors,omitempty"`
	Warnings       []Warning  `json:"warnings,omitempty"`
	Config         *Config    `json:"config,omitempty"`
	Effective      *effective `json:"effective,omitempty"`
}

// effective is what the proxy reads through Config's methods.
type effective struct {
	Fallbacks              []Fallback `json:"fallbacks"`
	ContextWindowFallbacks []Fallback `json:"context_window_fallbacks"`
	NumRetries             *int       `json:"num_retries"`
	Timeout                string     `json:"timeout"`
	Callbacks              []string   `json:"callbacks"`
	ModelNames             []string   `json:"model_names"`
}

// errorLines splits a joined error into its messages.
func errorLines(err error) []string {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, errorLines(e)...)
		}
		return out
	}
	return []string{err.Error()}
}

func loadGolden(t *testing.T, path string) golden {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	c, err := Load(data, WithFileName(filepath.Base(path)), WithLookupEnv(lookupTestEnv))
	if err != nil {
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("Load error %v is not a *config.Error", err)
		}
		g.LoadErrors = errorLines(err)
		return g
	}
	g.Config, g.Warnings = c, c.Warnings
	g.ValidateErrors = errorLines(c.Validate(WithCallbackNames(testCallbacks...)))
	n, ok := c.NumRetries()
	e := &effective{
		Fallbacks:              c.Fallbacks(),
		ContextWindowFallbacks: c.ContextWindowFallbacks(),
		Timeout:                c.Timeout().String(),
		Callbacks:              c.CallbackNames(),
		ModelNames:             c.ModelNames(),
	}
	if ok {
		e.NumRetries = &n
	}
	g.Effective = e
	return g
}

// TestGolden loads each testdata/*.yaml and compares the normalized result
// (config, what the proxy reads through its methods, warnings, or the error
// messages with their lines) with testdata/*.golden.json. Regenerate with
// go test ./proxy/config -update and review the diff.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			got, err := json.MarshalIndent(loadGolden(t, path), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			for name, v := range testEnv {
				if mask.IsSecretName(name) && strings.Contains(string(got), v) {
					t.Errorf("golden output contains the value of %s", name)
				}
			}
			gpath := strings.TrimSuffix(path, ".yaml") + ".golden.json"
			if *update {
				if err := os.WriteFile(gpath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(gpath)
			if err != nil {
				t.Fatalf("%v (run go test ./proxy/config -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s differs from %s (-want +got):\n%s", path, gpath, diff)
			}
		})
	}
}

// TestGolden_ErrorFilesFail makes sure every err_*.yaml fails to load or to
// validate, and every other file loads and validates.
func TestGolden_ErrorFilesFail(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, path := range files {
		g := loadGolden(t, path)
		failed := len(g.LoadErrors)+len(g.ValidateErrors) > 0
		if want := strings.HasPrefix(filepath.Base(path), "err_"); failed != want {
			t.Errorf("%s: failed = %v, want %v: %v %v", path, failed, want, g.LoadErrors, g.ValidateErrors)
		}
	}
}
