package bedrock

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

func TestResponse_Text(t *testing.T) {
	isolate(t)
	f := serveFixture(t, 200, "converse.json")
	resp, err := chatOnce(t, f, f.provider())
	if err != nil {
		t.Fatal(err)
	}
	c := resp.Choices[0]
	if resp.Text() != "Hello! How can I help you today?" || c.FinishReason != "stop" || c.Message.Role != llmux.RoleAssistant {
		t.Fatalf("response %+v", resp)
	}
	if want := (llmux.Usage{PromptTokens: 12, CompletionTokens: 10, TotalTokens: 22}); !cmp.Equal(resp.Usage, want, cmp.AllowUnexported(llmux.Usage{})) {
		t.Errorf("usage = %+v", resp.Usage)
	}
	if !strings.HasPrefix(resp.ID, "chatcmpl-") || resp.Object != "chat.completion" || resp.Model != testModel || resp.Created == 0 {
		t.Errorf("id %q object %q model %q created %d", resp.ID, resp.Object, resp.Model, resp.Created)
	}
	if string(resp.Raw) != string(providertest.Fixture(t, "converse.json")) {
		t.Errorf("Raw is not the body")
	}
}

func TestResponse_ToolUse(t *testing.T) {
	isolate(t)
	f := serveFixture(t, 200, "converse-tool-use.json")
	resp, err := chatOnce(t, f, f.provider())
	if err != nil {
		t.Fatal(err)
	}
	c := resp.Choices[0]
	if c.FinishReason != "tool_calls" || c.Message.Content != "I'll look up the weather." {
		t.Fatalf("choice %+v", c)
	}
	want := []llmux.ToolCall{{ID: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", Type: "function",
		Function: llmux.FunctionCall{Name: "get_weather", Arguments: `{"location":"Boston, MA"}`}}}
	if diff := cmp.Diff(want, c.Message.ToolCalls, cmp.AllowUnexported(llmux.ToolCall{}, llmux.FunctionCall{})); diff != "" {
		t.Errorf("tool calls (-want +got):\n%s", diff)
	}
	if resp.Usage.PromptTokens != 390 || resp.Usage.CompletionTokens != 62 || resp.Usage.TotalTokens != 452 {
		t.Errorf("usage %+v", resp.Usage)
	}
}

// Reasoning blocks become ThinkingBlocks (signed or redacted) and
// ReasoningContent; cache reads and writes count in the prompt tokens.
func TestResponse_ReasoningAndCacheUsage(t *testing.T) {
	body := `{"output":{"message":{"role":"assistant","content":[
		{"reasoningContent":{"reasoningText":{"text":"The user wants a sum.","signature":"EqQBCkYIBxgCKkA"}}},
		{"reasoningContent":{"redactedContent":"EmwKAhgBEgy3va3pzix"}},
		{"text":"2 + 2 = 4."}]}},
		"stopReason":"max_tokens",
		"usage":{"inputTokens":20,"outputTokens":30,"totalTokens":1550,"cacheReadInputTokens":1000,"cacheWriteInputTokens":500},
		"metrics":{"latencyMs":900}}`
	resp, err := decodeConverse([]byte(body), testModel)
	if err != nil {
		t.Fatal(err)
	}
	m := resp.Choices[0].Message
	if m.Content != "2 + 2 = 4." || m.ReasoningContent != "The user wants a sum." || resp.Choices[0].FinishReason != "length" {
		t.Fatalf("message %+v finish %q", m, resp.Choices[0].FinishReason)
	}
	wantBlocks := []llmux.ThinkingBlock{
		{Type: "thinking", Thinking: "The user wants a sum.", Signature: "EqQBCkYIBxgCKkA"},
		{Type: "redacted_thinking", Data: "EmwKAhgBEgy3va3pzix"},
	}
	if diff := cmp.Diff(wantBlocks, m.ThinkingBlocks, cmp.AllowUnexported(llmux.ThinkingBlock{})); diff != "" {
		t.Errorf("thinking blocks (-want +got):\n%s", diff)
	}
	want := llmux.Usage{PromptTokens: 1520, CompletionTokens: 30, TotalTokens: 1550, CachedTokens: 1000, CacheCreationTokens: 500}
	if !cmp.Equal(resp.Usage, want, cmp.AllowUnexported(llmux.Usage{})) {
		t.Errorf("usage = %+v, want %+v", resp.Usage, want)
	}
}

func TestFinishReason(t *testing.T) {
	for in, want := range map[string]string{
		"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "model_context_window_exceeded": "length",
		"tool_use": "tool_calls", "guardrail_intervened": "content_filter", "content_filtered": "content_filter",
		"something_new": "something_new",
	} {
		if got := finishReason(in); got != want {
			t.Errorf("finishReason(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResponse_BadBodies(t *testing.T) {
	for _, body := range []string{`null`, `{}`, `{"output":{}}`, `not json`, `{"id":"chatcmpl-1","object":"chat.completion","choices":[]}`} {
		_, err := decodeConverse([]byte(body), testModel)
		if e := providertest.AsError(t, err); e.Code != llmux.CodeBadResponse {
			t.Errorf("%s: code %v, want bad response", body, e.Code)
		}
	}
}

// A response_format answer comes back as the forced json_tool_call: its
// input is the content, and the finish reason is "stop", not tool_calls.
func TestResponse_ResponseFormatAnswerIsTheContent(t *testing.T) {
	body := `{"output":{"message":{"role":"assistant","content":[
		{"toolUse":{"toolUseId":"tooluse_1","name":"json_tool_call","input":{"city": "Oslo", "country": "Norway"}}}]}},
		"stopReason":"tool_use","usage":{"inputTokens":40,"outputTokens":12,"totalTokens":52}}`
	resp, err := decodeConverse([]byte(body), testModel)
	if err != nil {
		t.Fatal(err)
	}
	c := resp.Choices[0]
	if c.Message.Content != `{"city":"Oslo","country":"Norway"}` || len(c.Message.ToolCalls) != 0 || c.FinishReason != "stop" {
		t.Fatalf("choice %+v", c)
	}
	// With a tool of the caller's called too, that call stays a tool call.
	body = `{"output":{"message":{"role":"assistant","content":[
		{"toolUse":{"toolUseId":"tooluse_2","name":"get_weather","input":{"location":"Oslo"}}}]}},"stopReason":"tool_use"}`
	resp, err = decodeConverse([]byte(body), testModel)
	if err != nil {
		t.Fatal(err)
	}
	if c := resp.Choices[0]; len(c.Message.ToolCalls) != 1 || c.FinishReason != "tool_calls" || c.Message.Content != "" {
		t.Fatalf("choice %+v", c)
	}
}
