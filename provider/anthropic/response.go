package anthropic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

// message is a Messages API response, or the "message" of a message_start
// event.
type message struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Role       string          `json:"role"`
	Model      string          `json:"model"`
	Content    []responseBlock `json:"content"`
	StopReason string          `json:"stop_reason"`
	Usage      usage           `json:"usage"`
}

// responseBlock is one content block of a response, or the content_block
// of a content_block_start event.
type responseBlock struct {
	Type      string          `json:"type"`
	Text      string          `json:"text"`
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
	Thinking  string          `json:"thinking"`
	Signature string          `json:"signature"`
	Data      string          `json:"data"`
}

// usage is Anthropic's usage object. Pointers tell "absent" from zero, so a
// message_delta only overwrites the counts it carries.
type usage struct {
	InputTokens              *int `json:"input_tokens"`
	OutputTokens             *int `json:"output_tokens"`
	CacheCreationInputTokens *int `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     *int `json:"cache_read_input_tokens"`
}

// update overwrites the counts that u2 carries.
func (u *usage) update(u2 usage) {
	for _, f := range [...]struct{ dst, src **int }{
		{&u.InputTokens, &u2.InputTokens},
		{&u.OutputTokens, &u2.OutputTokens},
		{&u.CacheCreationInputTokens, &u2.CacheCreationInputTokens},
		{&u.CacheReadInputTokens, &u2.CacheReadInputTokens},
	} {
		if *f.src != nil {
			*f.dst = *f.src
		}
	}
}

// toLLMux converts the usage to OpenAI's accounting. Anthropic's
// input_tokens excludes cache reads and cache writes, while OpenAI's
// prompt_tokens includes them, so they are added back:
// https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
func (u usage) toLLMux() llmux.Usage {
	n := func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	cacheRead, cacheWrite := n(u.CacheReadInputTokens), n(u.CacheCreationInputTokens)
	prompt := n(u.InputTokens) + cacheRead + cacheWrite
	completion := n(u.OutputTokens)
	return llmux.Usage{
		PromptTokens:        prompt,
		CompletionTokens:    completion,
		TotalTokens:         prompt + completion,
		CachedTokens:        cacheRead,
		CacheCreationTokens: cacheWrite,
	}
}

// finishReason maps Anthropic's stop_reason to OpenAI's finish_reason.
// Unknown reasons pass through verbatim.
func finishReason(stop string) string {
	switch stop {
	case "end_turn", "stop_sequence", "pause_turn":
		return "stop"
	case "max_tokens", "model_context_window_exceeded":
		return "length"
	case "tool_use":
		return "tool_calls"
	case "refusal":
		return "content_filter"
	}
	return stop
}

// decodeMessage converts a Messages API response body. Anything but a
// message object ("type":"message" with a content array) is
// CodeBadResponse: null, {}, or another API's answer (an OpenAI
// chat.completion) from a misrouted base URL.
//
// Text blocks are joined into Content, tool_use blocks become tool calls,
// and thinking and redacted_thinking blocks become ThinkingBlocks, with
// their signatures and data, their texts joined into ReasoningContent
// (with no separator, as a stream's reasoning deltas join).
func decodeMessage(b []byte) (*llmux.Response, error) {
	var m message
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, provider.BadResponse(providerName, "decode message", err, b)
	}
	if m.Type != "message" {
		return nil, provider.BadResponse(providerName, fmt.Sprintf("response is not a message: type %q", m.Type), nil, b)
	}
	if m.Content == nil {
		return nil, provider.BadResponse(providerName, "message without a content array", nil, b)
	}
	msg := llmux.Message{Role: llmux.RoleAssistant}
	var text, reasoning strings.Builder
	for _, c := range m.Content {
		switch c.Type {
		case "text":
			text.WriteString(c.Text)
		case "thinking":
			reasoning.WriteString(c.Thinking)
			msg.ThinkingBlocks = append(msg.ThinkingBlocks, llmux.ThinkingBlock{Type: "thinking", Thinking: c.Thinking, Signature: c.Signature})
		case "redacted_thinking":
			msg.ThinkingBlocks = append(msg.ThinkingBlocks, llmux.ThinkingBlock{Type: "redacted_thinking", Data: c.Data})
		case "tool_use":
			args := "{}"
			if len(c.Input) > 0 && string(c.Input) != "null" {
				var buf bytes.Buffer
				if err := json.Compact(&buf, c.Input); err == nil {
					args = buf.String()
				}
			}
			msg.ToolCalls = append(msg.ToolCalls, llmux.ToolCall{
				ID: c.ID, Type: "function",
				Function: llmux.FunctionCall{Name: c.Name, Arguments: args},
			})
		}
	}
	msg.Content = text.String()
	msg.ReasoningContent = reasoning.String()
	return &llmux.Response{
		ID:      m.ID,
		Object:  "chat.completion",
		Created: time.Now().Unix(),
		Model:   m.Model,
		Choices: []llmux.Choice{{Index: 0, Message: msg, FinishReason: finishReason(m.StopReason)}},
		Usage:   m.Usage.toLLMux(),
		Raw:     json.RawMessage(b),
	}, nil
}
