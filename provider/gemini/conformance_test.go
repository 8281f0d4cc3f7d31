package gemini_test

import (
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/gemini"
	"github.com/llmux/llmux/provider/providertest"
)

func TestConformance(t *testing.T) {
	t.Setenv("GEMINI_API_KEY", "")
	t.Setenv("GOOGLE_API_KEY", "")
	providertest.Run(t, providertest.Harness{
		New: func(base, key string) llmux.Provider {
			return gemini.New(gemini.WithBaseURL(base), gemini.WithAPIKey(key))
		},
		Model:           "gemini/gemini-2.5-flash",
		Chat:            providertest.Reply{Body: string(providertest.Fixture(t, "generate.json"))},
		Stream:          providertest.Reply{Body: string(providertest.Fixture(t, "stream.sse"))},
		WantText:        "Hello! How can I help you today?",
		Unauthorized:    providertest.Reply{Status: 401, Body: string(providertest.Fixture(t, "errors/401-unauthenticated.json"))},
		RateLimited:     providertest.Reply{Status: 429, Body: string(providertest.Fixture(t, "errors/429-resource-exhausted.json"))},
		MissingKeyFails: true,
		StreamError:     providertest.Reply{Body: string(providertest.Fixture(t, "stream-error.sse"))},
		WantPartial:     "Hello",
		StreamErrorCode: llmux.CodeOverloaded,
	})
}
