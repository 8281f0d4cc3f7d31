package messages

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/llmux/llmux"
)

// native is an Anthropic message as an Anthropic upstream sent it
// (Response.Raw): what the OpenAI shape of the answer cannot carry is read
// from it, as long as the answer still says what it says (see
// [EncodeResponse]).
type native struct {
	Content      []json.RawMessage
	StopReason   string
	StopSequence *string
	Usage        json.RawMessage
	usage        *nativeUsage
	// extra holds the members other than those of wireMessage
	// (container...), compacted.
	extra map[string]json.RawMessage
}

// nativeOf returns raw as an Anthropic message, or nil when it is not one.
func nativeOf(raw json.RawMessage) *native {
	if kind(raw) != '{' {
		return nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil
	}
	var typ string
	if json.Unmarshal(obj["type"], &typ) != nil || typ != "message" {
		return nil
	}
	n := &native{}
	if json.Unmarshal(obj["content"], &n.Content) != nil || n.Content == nil {
		return nil
	}
	_ = json.Unmarshal(obj["stop_reason"], &n.StopReason)
	_ = json.Unmarshal(obj["stop_sequence"], &n.StopSequence)
	if u, ok := obj["usage"]; ok && kind(u) == '{' {
		var nu nativeUsage
		if json.Unmarshal(u, &nu) == nil {
			n.Usage, n.usage = u, &nu
		}
	}
	for k, v := range obj {
		switch k {
		case "id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage":
			continue
		}
		var buf bytes.Buffer
		if json.Compact(&buf, v) != nil {
			return nil
		}
		if n.extra == nil {
			n.extra = make(map[string]json.RawMessage)
		}
		n.extra[k] = buf.Bytes()
	}
	return n
}

// says reports whether m says what the native content does, as
// provider/anthropic reads it: the text blocks joined, the thinking and
// redacted_thinking blocks, the tool_use blocks.
func (n *native) says(m *llmux.Message) bool {
	var (
		text     strings.Builder
		thinking []llmux.ThinkingBlock
		calls    []llmux.ToolCall
	)
	for _, raw := range n.Content {
		var b struct {
			Type      string          `json:"type"`
			Text      string          `json:"text"`
			Thinking  string          `json:"thinking"`
			Signature string          `json:"signature"`
			Data      string          `json:"data"`
			ID        string          `json:"id"`
			Name      string          `json:"name"`
			Input     json.RawMessage `json:"input"`
		}
		if json.Unmarshal(raw, &b) != nil {
			return false
		}
		switch b.Type {
		case "text":
			text.WriteString(b.Text)
		case "thinking":
			thinking = append(thinking, llmux.ThinkingBlock{Type: b.Type, Thinking: b.Thinking, Signature: b.Signature})
		case "redacted_thinking":
			thinking = append(thinking, llmux.ThinkingBlock{Type: b.Type, Data: b.Data})
		case "tool_use":
			args := "{}"
			if len(b.Input) > 0 && !isNull(b.Input) {
				var buf bytes.Buffer
				if json.Compact(&buf, b.Input) == nil {
					args = buf.String()
				}
			}
			calls = append(calls, llmux.ToolCall{ID: b.ID, Function: llmux.FunctionCall{Name: b.Name, Arguments: args}})
		}
	}
	sameThinking := func(a, b llmux.ThinkingBlock) bool {
		return a.Type == b.Type && a.Thinking == b.Thinking && a.Signature == b.Signature && a.Data == b.Data
	}
	sameCall := func(a, b llmux.ToolCall) bool {
		return a.ID == b.ID && a.Function.Name == b.Function.Name && a.Function.Arguments == b.Function.Arguments
	}
	return m.Text() == text.String() && m.Refusal == "" &&
		slices.EqualFunc(m.ThinkingBlocks, thinking, sameThinking) && slices.EqualFunc(m.ToolCalls, calls, sameCall)
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
