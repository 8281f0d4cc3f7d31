package vertex

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

// FuzzMapGoogleError: any body gives an error with the status kept, a
// message, and no panic.
func FuzzMapGoogleError(f *testing.F) {
	files, _ := filepath.Glob("testdata/errors/*.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(429, b)
	}
	f.Add(500, []byte(`[{"error":{"code":500,"message":"x","status":"INTERNAL"}}]`))
	f.Add(400, []byte(`{"error":null}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			return
		}
		e := mapGoogleError(provider.HTTPError(providerName, status, nil, body))
		if e.StatusCode != status || e.Message == "" || e.Provider != providerName {
			t.Fatalf("%+v", e)
		}
		_ = llmux.CodeOf(e)
	})
}

// TestClaudeError_CopiesTheCodecsError: the Anthropic codec's error is
// not changed; the copy names vertex_ai.
func TestClaudeError_CopiesTheCodecsError(t *testing.T) {
	b, _ := os.ReadFile("testdata/errors/google-429-quota.json")
	orig := provider.HTTPError("anthropic", 429, nil, b)
	got := claudeError(orig).(*llmux.Error)
	if orig.Provider != "anthropic" || orig.Type != "" || got == orig {
		t.Fatalf("codec error changed: %+v", orig)
	}
	if got.Provider != "vertex_ai" || got.Type != "RESOURCE_EXHAUSTED" || got.Code != llmux.CodeRateLimited {
		t.Fatalf("copy = %+v", got)
	}
}
