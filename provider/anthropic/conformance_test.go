package anthropic_test

import (
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/anthropic"
	"github.com/llmux/llmux/provider/providertest"
)

func TestConformance(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "")
	providertest.Run(t, providertest.Harness{
		New: func(base, key string) llmux.Provider {
			return anthropic.New(anthropic.WithBaseURL(base), anthropic.WithAPIKey(key))
		},
		Model:           "anthropic/claude-sonnet-4-5",
		Chat:            providertest.Reply{Body: string(providertest.Fixture(t, "message.json"))},
		Stream:          providertest.Reply{Body: string(providertest.Fixture(t, "message-stream.sse"))},
		WantText:        "Hello! How can I help you today?",
		Unauthorized:    providertest.Reply{Status: 401, Body: string(providertest.Fixture(t, "errors/401-authentication.json"))},
		RateLimited:     providertest.Reply{Status: 429, Body: string(providertest.Fixture(t, "errors/429-rate-limit.json"))},
		MissingKeyFails: true,
		StreamError:     providertest.Reply{Body: string(providertest.Fixture(t, "stream-error.sse"))},
		WantPartial:     "Hello",
		StreamErrorCode: llmux.CodeOverloaded,
	})
}
