package messages

import (
	"encoding/json"
	"testing"
)

// withMember returns the JSON object body with member name set to value.
func withMember(t testing.TB, body []byte, name, value string) []byte {
	t.Helper()
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		t.Fatal(err)
	}
	obj[name] = json.RawMessage(value)
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeRequest_RoundTripThroughAnthropicIsLossless is the gateway's
// key property for an Anthropic backend: a Messages API body decoded into
// an llmux request and sent by provider/anthropic reaches the upstream
// JSON-equal to what the client sent, streamed or not. full.json uses
// every member the package maps: a cached system prompt in blocks; text
// with cache_control and citations; images (base64, url, file);
// documents (PDF, plain text, with context and citations, url, file);
// search results; thinking, redacted thinking, server tool use and
// results; tool_use with and without cache_control; tool results with
// string and block content, is_error and cache_control; a prefill;
// metadata, stop sequences, sampling, top_k, thinking, client and server
// tools, tool_choice with disable_parallel_tool_use, service_tier,
// container and mcp_servers.
func TestDecodeRequest_RoundTripThroughAnthropicIsLossless(t *testing.T) {
	full := fixture(t, "requests/full.json")
	for name, body := range map[string][]byte{
		"full":            full,
		"full streamed":   withMember(t, full, "stream", "true"),
		"simple streamed": fixture(t, "requests/simple.json"),
		"choices":         fixture(t, "requests/choices.json"),
	} {
		t.Run(name, func(t *testing.T) {
			req, err := DecodeRequest(body)
			if err != nil {
				t.Fatal(err)
			}
			u := newUpstream(t, fixture(t, "anthropic-message.json"), fixture(t, "anthropic-message-stream.sse"))
			call(t, u.anthropicClient(t), req)
			if d := jsonDiff(t, u.last(t), body); d != "" {
				t.Errorf("the upstream received a different body (-sent by the client +received):\n%s", d)
			}
		})
	}
}
