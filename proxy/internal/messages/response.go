package messages

import (
	"encoding/json"
	"fmt"

	"github.com/llmux/llmux"
)

// wireMessage is the Messages API's message object, its members in
// Anthropic's order.
type wireMessage struct {
	ID           string            `json:"id"`
	Type         string            `json:"type"`
	Role         string            `json:"role"`
	Model        string            `json:"model"`
	Content      []json.RawMessage `json:"content"`
	StopReason   *string           `json:"stop_reason"`
	StopSequence *string           `json:"stop_sequence"`
	Usage        json.RawMessage   `json:"usage"`
}

// The content blocks of an answer, their members in Anthropic's order.
type (
	textBlock struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	thinkingBlock struct {
		Type      string `json:"type"`
		Thinking  string `json:"thinking"`
		Signature string `json:"signature"`
	}
	redactedBlock struct {
		Type string `json:"type"`
		Data string `json:"data"`
	}
	toolUseBlock struct {
		Type  string          `json:"type"`
		ID    string          `json:"id"`
		Name  string          `json:"name"`
		Input json.RawMessage `json:"input"`
		// Arguments keeps arguments that are not JSON (see toolInput).
		Arguments string `json:"arguments,omitempty"`
	}
)

// EncodeResponse writes resp, a chat completion, as a Messages API message
// object answering a client that asked for model (resp.Model when model
// is empty). Only the first choice is written: the Messages API has one.
//
// The message's id is resp.ID when it is already a message id (msg_...),
// else "msg_" and resp.ID. Its content is, in order, the thinking blocks
// (ThinkingBlocks with their signatures; else ReasoningContent as one
// thinking block with an empty signature), the text (each text part, or
// Content, or else Refusal), and a tool_use block per tool call, whose
// input is the arguments as JSON: empty arguments are {}, and arguments
// that are not JSON are {} too, with their text kept in the block's
// "arguments" member ([DecodeRequest] reads it back). stop_reason maps the
// finish reason (stop -> end_turn, length -> max_tokens, tool_calls ->
// tool_use, content_filter -> refusal; tool_use whenever the answer calls
// tools and the reason says nothing else). usage has input_tokens (prompt
// tokens less cache reads and writes), cache_creation_input_tokens,
// cache_read_input_tokens and output_tokens.
//
// When resp.Raw is an Anthropic message that resp still says (the same
// text, thinking blocks and tool calls, a stop reason and usage that map
// to resp's), what the OpenAI shape cannot carry is taken from it: its
// content blocks verbatim (citations, server tool blocks, several text
// blocks), stop_reason (stop_sequence, pause_turn) with stop_sequence,
// its usage object (cache_creation, server_tool_use, service_tier) and its
// other members (container). So an Anthropic upstream's answer reaches an
// Anthropic client as it was sent, but for the model.
func EncodeResponse(resp *llmux.Response, model string) ([]byte, error) {
	if resp == nil || len(resp.Choices) == 0 {
		return nil, &llmux.Error{Code: llmux.CodeBadResponse, Message: "messages: the response has no choice"}
	}
	ch := &resp.Choices[0]
	m := &ch.Message
	if model == "" {
		model = resp.Model
	}
	content, err := contentBlocks(m)
	if err != nil {
		return nil, err
	}
	usage, err := marshal(usageOf(resp.Usage))
	if err != nil {
		return nil, fmt.Errorf("messages: encode usage: %w", err)
	}
	stop := stopReason(ch.FinishReason, len(m.ToolCalls) > 0)
	out := wireMessage{ID: messageID(resp.ID), Type: "message", Role: "assistant", Model: model,
		Content: content, StopReason: &stop, Usage: usage}
	var extra map[string]json.RawMessage
	if n := nativeOf(resp.Raw); n != nil {
		if n.StopReason != "" && finishOf(n.StopReason) == ch.FinishReason {
			out.StopReason, out.StopSequence = &n.StopReason, n.StopSequence
		}
		if n.usage != nil && n.usage.is(usageOf(resp.Usage)) {
			out.Usage = n.Usage
		}
		if n.says(m) {
			out.Content, extra = n.Content, n.extra
		}
	}
	b, err := marshal(out)
	if err != nil {
		return nil, fmt.Errorf("messages: encode message: %w", err)
	}
	return withMembers(b, extra)
}

// contentBlocks returns the content blocks of an answer.
func contentBlocks(m *llmux.Message) ([]json.RawMessage, error) {
	var blocks []any
	for _, tb := range m.ThinkingBlocks {
		if tb.Type == "redacted_thinking" {
			blocks = append(blocks, redactedBlock{Type: "redacted_thinking", Data: tb.Data})
			continue
		}
		blocks = append(blocks, thinkingBlock{Type: "thinking", Thinking: tb.Thinking, Signature: tb.Signature})
	}
	if len(m.ThinkingBlocks) == 0 && m.ReasoningContent != "" {
		blocks = append(blocks, thinkingBlock{Type: "thinking", Thinking: m.ReasoningContent})
	}
	texts := 0
	for _, p := range m.Parts {
		if p.Type == "text" && p.Text != "" {
			blocks = append(blocks, textBlock{Type: "text", Text: p.Text})
			texts++
		}
	}
	switch {
	case texts > 0:
	case m.Content != "":
		blocks = append(blocks, textBlock{Type: "text", Text: m.Content})
	case m.Refusal != "":
		blocks = append(blocks, textBlock{Type: "text", Text: m.Refusal})
	}
	for _, tc := range m.ToolCalls {
		b := toolUseBlock{Type: "tool_use", ID: toolUseID(tc.ID), Name: tc.Function.Name}
		var ok bool
		if b.Input, ok = toolInput(tc.Function.Arguments); !ok {
			b.Arguments = tc.Function.Arguments
		}
		blocks = append(blocks, b)
	}
	out := make([]json.RawMessage, 0, len(blocks))
	for _, b := range blocks {
		raw, err := marshal(b)
		if err != nil {
			return nil, fmt.Errorf("messages: encode content block: %w", err)
		}
		out = append(out, raw)
	}
	return out, nil
}

// withMembers appends the members of extra, in key order, to the JSON
// object b.
func withMembers(b []byte, extra map[string]json.RawMessage) ([]byte, error) {
	if len(extra) == 0 {
		return b, nil
	}
	b = b[:len(b)-1] // the closing brace
	for _, k := range sortedKeys(extra) {
		kb, err := marshal(k)
		if err != nil {
			return nil, err
		}
		b = append(b, ',')
		b = append(b, kb...)
		b = append(b, ':')
		b = append(b, extra[k]...)
	}
	return append(b, '}'), nil
}
