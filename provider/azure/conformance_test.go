package azure_test

import (
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/azure"
	"github.com/llmux/llmux/provider/providertest"
)

func TestConformance(t *testing.T) {
	t.Setenv("AZURE_API_KEY", "")
	t.Setenv("AZURE_OPENAI_API_KEY", "")
	providertest.Run(t, providertest.Harness{
		New: func(base, key string) llmux.Provider {
			return azure.New(azure.WithAPIBase(base), azure.WithAPIKey(key))
		},
		Model:           "azure/my-gpt4o-deployment",
		Chat:            providertest.Reply{Body: string(providertest.Fixture(t, "azure-chat.json"))},
		Stream:          providertest.Reply{Body: string(providertest.Fixture(t, "azure-chat-stream.sse"))},
		WantText:        "Hello! How can I assist you today?",
		Unauthorized:    providertest.Reply{Status: 401, Body: string(providertest.Fixture(t, "errors/openai-error-401.json"))},
		RateLimited:     providertest.Reply{Status: 429, Body: string(providertest.Fixture(t, "errors/openai-error-429-rate-limit.json"))},
		MissingKeyFails: true,
	})
}
