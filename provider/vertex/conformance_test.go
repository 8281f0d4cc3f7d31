package vertex_test

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/oauth2"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
	"github.com/llmux/llmux/provider/vertex"
)

// newVertex is the suite's constructor: the key is the access token (a
// static token source), so the suite checks that the bearer token is
// masked and scrubbed. Without a key, GOOGLE_APPLICATION_CREDENTIALS names
// a file that does not exist: the call must fail before sending.
func newVertex(t *testing.T) func(base, key string) llmux.Provider {
	for _, k := range []string{"VERTEXAI_PROJECT", "VERTEX_PROJECT", "VERTEXAI_LOCATION", "VERTEX_LOCATION",
		"VERTEXAI_CREDENTIALS", "VERTEX_CREDENTIALS", "VERTEXAI_API_BASE", "VERTEX_API_BASE"} {
		t.Setenv(k, "")
	}
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "missing.json"))
	return func(base, key string) llmux.Provider {
		opts := []vertex.Option{vertex.WithBaseURL(base), vertex.WithProject("test-project")}
		if key != "" {
			opts = append(opts, vertex.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: key})))
		}
		return vertex.New(opts...)
	}
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestConformance_Claude(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		New:             newVertex(t),
		Model:           "vertex_ai/claude-sonnet-4-5@20250929",
		Chat:            providertest.Reply{Body: fixture(t, "claude-message.json")},
		Stream:          providertest.Reply{Body: fixture(t, "claude-stream.sse")},
		WantText:        "Hello! How can I help you today?",
		Unauthorized:    providertest.Reply{Status: 401, Body: fixture(t, "errors/google-401-unauthenticated.json")},
		RateLimited:     providertest.Reply{Status: 429, Body: fixture(t, "errors/google-429-quota.json")},
		MissingKeyFails: true,
		StreamError:     providertest.Reply{Body: fixture(t, "claude-stream-error.sse")},
		WantPartial:     "Hello",
		StreamErrorCode: llmux.CodeOverloaded,
	})
}

func TestConformance_Gemini(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		New:             newVertex(t),
		Model:           "vertex_ai/gemini-2.5-pro",
		Chat:            providertest.Reply{Body: fixture(t, "gemini-generate.json")},
		Stream:          providertest.Reply{Body: fixture(t, "gemini-stream.sse")},
		WantText:        "Hello! How can I help you today?",
		Unauthorized:    providertest.Reply{Status: 401, Body: fixture(t, "errors/google-401-unauthenticated.json")},
		RateLimited:     providertest.Reply{Status: 429, Body: fixture(t, "errors/google-429-quota.json")},
		MissingKeyFails: true,
	})
}
