package bedrock

import (
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

// conformanceHarness is the suite's harness with the provider built by
// newProvider from the suite's base URL and key.
func conformanceHarness(t *testing.T, newProvider func(base, key string) llmux.Provider) providertest.Harness {
	return providertest.Harness{
		New:      newProvider,
		Model:    "bedrock/" + testModel,
		Chat:     providertest.Reply{Body: string(providertest.Fixture(t, "converse.json"))},
		Stream:   providertest.Reply{Body: string(encodeEvents(t, providertest.Fixture(t, "converse-stream.events.jsonl")))},
		WantText: "Hello! How can I help you today?",
		Unauthorized: providertest.Reply{Status: 401, Body: string(providertest.Fixture(t, "errors/403-unrecognized-client.json")),
			Header: map[string]string{"x-amzn-ErrorType": "UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/"}},
		RateLimited: providertest.Reply{Status: 429, Body: string(providertest.Fixture(t, "errors/429-throttling.json")),
			Header: map[string]string{"x-amzn-ErrorType": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"}},
		MissingKeyFails: true,
		StreamError:     providertest.Reply{Body: string(encodeEvents(t, providertest.Fixture(t, "stream-exception.events.jsonl")))},
		WantPartial:     "Hello",
		StreamErrorCode: llmux.CodeServer,
	}
}

// The suite's key is a Bedrock API key, sent as a bearer token.
func TestConformance_APIKey(t *testing.T) {
	isolate(t)
	providertest.Run(t, conformanceHarness(t, func(base, key string) llmux.Provider {
		return New(WithBaseURL(base), WithRegion(testRegion), WithAPIKey(key))
	}))
}

// The suite's key is an access key id, with a secret access key: requests
// are signed with SigV4.
func TestConformance_SigV4(t *testing.T) {
	isolate(t)
	providertest.Run(t, conformanceHarness(t, func(base, key string) llmux.Provider {
		return New(WithBaseURL(base), WithRegion(testRegion), WithStaticCredentials(key, testSecret, testToken))
	}))
}
