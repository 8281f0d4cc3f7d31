package anthropic_test

import (
	"os"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/anthropic"
	"github.com/llmux/llmux/provider/providertest"
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestConformance(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "")
	providertest.Run(t, providertest.Harness{
		New: func(base, key string) llmux.Provider {
			return anthropic.New(anthropic.WithBaseURL(base), anthropic.WithAPIKey(key))
		},
		Model:           "anthropic/claude-sonnet-4-5",
		Chat:            providertest.Reply{Body: fixture(t, "message.json")},
		Stream:          providertest.Reply{Body: fixture(t, "message-stream.sse")},
		WantText:        "Hello! How can I help you today?",
		Unauthorized:    providertest.Reply{Status: 401, Body: fixture(t, "errors/401-authentication.json")},
		RateLimited:     providertest.Reply{Status: 429, Body: fixture(t, "errors/429-rate-limit.json")},
		MissingKeyFails: true,
	})
}
