package openai_test

import (
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/openai"
	"github.com/llmux/llmux/provider/providertest"
)

func TestConformance(t *testing.T) {
	providertest.Run(t, providertest.Harness{
		New: func(base, key string) llmux.Provider {
			return openai.New(openai.WithBaseURL(base), openai.WithAPIKey(key))
		},
		Model:           "openai/gpt-4o-mini",
		Chat:            providertest.Reply{Body: string(providertest.Fixture(t, "openai-chat.json"))},
		Stream:          providertest.Reply{Body: string(providertest.Fixture(t, "openai-chat-stream.sse"))},
		WantText:        "Hello! How can I assist you today?",
		Unauthorized:    providertest.Reply{Status: 401, Body: string(providertest.Fixture(t, "errors/openai-error-401.json"))},
		RateLimited:     providertest.Reply{Status: 429, Body: string(providertest.Fixture(t, "errors/openai-error-429-rate-limit.json"))},
		StreamError:     providertest.Reply{Body: string(providertest.Fixture(t, "openai-chat-stream-error.sse"))},
		WantPartial:     "Hello",
		StreamErrorCode: llmux.CodeServer,
	})
}
