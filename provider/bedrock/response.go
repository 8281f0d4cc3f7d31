package bedrock

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

// converseResponse is a Converse answer:
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_ResponseSyntax
type converseResponse struct {
	Output struct {
		Message *struct {
			Role    string          `json:"role"`
			Content []responseBlock `json:"content"`
		} `json:"message"`
	} `json:"output"`
	StopReason string `json:"stopReason"`
	Usage      *usage `json:"usage"`
}

// responseBlock is one content block of an answer.
type responseBlock struct {
	Text    *string `json:"text"`
	ToolUse *struct {
		ToolUseID string          `json:"toolUseId"`
		Name      string          `json:"name"`
		Input     json.RawMessage `json:"input"`
	} `json:"toolUse"`
	ReasoningContent *struct {
		ReasoningText *struct {
			Text      string `json:"text"`
			Signature string `json:"signature"`
		} `json:"reasoningText"`
		RedactedContent string `json:"redactedContent"`
	} `json:"reasoningContent"`
}

// usage is Converse's token usage, of an answer or of a stream's metadata
// event.
type usage struct {
	InputTokens           int `json:"inputTokens"`
	OutputTokens          int `json:"outputTokens"`
	TotalTokens           int `json:"totalTokens"`
	CacheReadInputTokens  int `json:"cacheReadInputTokens"`
	CacheWriteInputTokens int `json:"cacheWriteInputTokens"`
}

// toLLMux converts the usage to OpenAI's accounting. Converse's
// inputTokens, like Anthropic's input_tokens, excludes the tokens read
// from and written to the prompt cache, which OpenAI's prompt_tokens
// includes, so they are added back (as LiteLLM does):
// https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html
func (u usage) toLLMux() llmux.Usage {
	prompt := u.InputTokens + u.CacheReadInputTokens + u.CacheWriteInputTokens
	return llmux.Usage{
		PromptTokens:        prompt,
		CompletionTokens:    u.OutputTokens,
		TotalTokens:         prompt + u.OutputTokens,
		CachedTokens:        u.CacheReadInputTokens,
		CacheCreationTokens: u.CacheWriteInputTokens,
	}
}

// finishReason maps Converse's stopReason to OpenAI's finish_reason.
// Unknown reasons pass through verbatim.
func finishReason(stop string) string {
	switch stop {
	case "end_turn", "stop_sequence":
		return "stop"
	case "max_tokens", "model_context_window_exceeded":
		return "length"
	case "tool_use":
		return "tool_calls"
	case "guardrail_intervened", "content_filtered":
		return "content_filter"
	}
	return stop
}

// newID returns a chat completion id: Converse answers carry none.
func newID() string { return "chatcmpl-" + uuid.NewString() }

// decodeConverse converts a Converse answer of model. Anything without
// output.message.content is CodeBadResponse: null, {}, or another API's
// answer from a misrouted base URL.
//
// Text blocks are joined into Content, toolUse blocks become tool calls
// (their input as the JSON arguments string) but a call of jsonTool, whose
// input is the content (a response_format answer, finishing with "stop"),
// and reasoningContent blocks
// become ThinkingBlocks, with their signatures (redacted ones as
// redacted_thinking with Data), their texts joined into ReasoningContent.
func decodeConverse(b []byte, model string) (*llmux.Response, error) {
	var r converseResponse
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, provider.BadResponse(providerName, "decode response", err, b)
	}
	if r.Output.Message == nil || r.Output.Message.Content == nil {
		return nil, provider.BadResponse(providerName, "response without output.message.content", nil, b)
	}
	msg := llmux.Message{Role: llmux.RoleAssistant}
	var text, reasoning strings.Builder
	jsonAnswer := false
	for _, c := range r.Output.Message.Content {
		switch {
		case c.Text != nil:
			text.WriteString(*c.Text)
		case c.ToolUse != nil && c.ToolUse.Name == jsonTool:
			text.WriteString(arguments(c.ToolUse.Input)) // the response_format answer
			jsonAnswer = true
		case c.ToolUse != nil:
			msg.ToolCalls = append(msg.ToolCalls, llmux.ToolCall{
				ID: c.ToolUse.ToolUseID, Type: "function",
				Function: llmux.FunctionCall{Name: c.ToolUse.Name, Arguments: arguments(c.ToolUse.Input)},
			})
		case c.ReasoningContent != nil && c.ReasoningContent.ReasoningText != nil:
			rt := c.ReasoningContent.ReasoningText
			reasoning.WriteString(rt.Text)
			msg.ThinkingBlocks = append(msg.ThinkingBlocks, llmux.ThinkingBlock{Type: "thinking", Thinking: rt.Text, Signature: rt.Signature})
		case c.ReasoningContent != nil && c.ReasoningContent.RedactedContent != "":
			msg.ThinkingBlocks = append(msg.ThinkingBlocks, llmux.ThinkingBlock{Type: "redacted_thinking", Data: c.ReasoningContent.RedactedContent})
		}
	}
	msg.Content = text.String()
	msg.ReasoningContent = reasoning.String()
	var u llmux.Usage
	if r.Usage != nil {
		u = r.Usage.toLLMux()
	}
	finish := finishReason(r.StopReason)
	if jsonAnswer && finish == "tool_calls" && len(msg.ToolCalls) == 0 {
		finish = "stop"
	}
	return &llmux.Response{
		ID:      newID(),
		Object:  "chat.completion",
		Created: time.Now().Unix(),
		Model:   model,
		Choices: []llmux.Choice{{Index: 0, Message: msg, FinishReason: finish}},
		Usage:   u,
		Raw:     json.RawMessage(b),
	}, nil
}

// arguments returns a tool input as OpenAI's arguments string: compact
// JSON, "{}" when absent.
func arguments(input json.RawMessage) string {
	if len(input) == 0 || string(input) == "null" {
		return "{}"
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, input); err != nil {
		return "{}"
	}
	return buf.String()
}
