package messages

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonobj"
)

// stopReason maps an OpenAI finish reason to Anthropic's stop_reason:
// stop -> end_turn, length -> max_tokens, tool_calls (and the legacy
// function_call) -> tool_use, content_filter -> refusal; Anthropic's own
// reasons pass. A missing, unknown or "stop" finish reason is end_turn, or
// tool_use when the answer calls tools: Anthropic clients run tools only
// on tool_use, and some OpenAI-compatible servers answer "stop" with tool
// calls.
func stopReason(finish string, toolCalls bool) string {
	switch finish {
	case "length":
		return "max_tokens"
	case "tool_calls", "function_call", "tool_use":
		return "tool_use"
	case "content_filter", "refusal":
		return "refusal"
	case "max_tokens", "stop_sequence", "pause_turn", "model_context_window_exceeded":
		return finish
	}
	if toolCalls {
		return "tool_use"
	}
	return "end_turn"
}

// finishOf is provider/anthropic's mapping of a stop_reason to a finish
// reason, which tells whether a native stop reason still describes a
// finish reason (see nativeStop).
func finishOf(stop string) string {
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

// wireUsage is Anthropic's usage object. Anthropic's input_tokens leaves
// out cache reads and writes, which OpenAI's prompt_tokens includes.
type wireUsage struct {
	InputTokens              int `json:"input_tokens"`
	CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int `json:"cache_read_input_tokens"`
	OutputTokens             int `json:"output_tokens"`
}

func usageOf(u llmux.Usage) wireUsage {
	return wireUsage{
		InputTokens:              max(u.PromptTokens-u.CachedTokens-u.CacheCreationTokens, 0),
		CacheCreationInputTokens: u.CacheCreationTokens,
		CacheReadInputTokens:     u.CachedTokens,
		OutputTokens:             u.CompletionTokens,
	}
}

// nativeUsage is an Anthropic usage object as it came, each count
// optional.
type nativeUsage struct {
	InputTokens              *int `json:"input_tokens"`
	CacheCreationInputTokens *int `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     *int `json:"cache_read_input_tokens"`
	OutputTokens             *int `json:"output_tokens"`
}

// overlay returns u with the counts v carries.
func (u nativeUsage) overlay(v nativeUsage) nativeUsage {
	for _, f := range [...]struct{ dst, src **int }{
		{&u.InputTokens, &v.InputTokens},
		{&u.CacheCreationInputTokens, &v.CacheCreationInputTokens},
		{&u.CacheReadInputTokens, &v.CacheReadInputTokens},
		{&u.OutputTokens, &v.OutputTokens},
	} {
		if *f.src != nil {
			*f.dst = *f.src
		}
	}
	return u
}

// is reports whether the counts are those of w (a missing count is 0).
func (u nativeUsage) is(w wireUsage) bool {
	n := func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	return n(u.InputTokens) == w.InputTokens && n(u.CacheCreationInputTokens) == w.CacheCreationInputTokens &&
		n(u.CacheReadInputTokens) == w.CacheReadInputTokens && n(u.OutputTokens) == w.OutputTokens
}

// messageID returns the id of the Anthropic message answering a
// completion with the given id: the id itself when it is already a
// message id (msg_...), else "msg_" and the id, or a random one when
// there is none.
func messageID(id string) string {
	switch {
	case strings.HasPrefix(id, "msg_"):
		return id
	case id != "":
		return "msg_" + id
	}
	return "msg_" + randomID()
}

// toolUseID returns a tool call's id, or a new one when it has none:
// clients answer a tool_use with its id.
func toolUseID(id string) string {
	if id != "" {
		return id
	}
	return "toolu_" + randomID()
}

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomID returns 24 random base-62 characters, the length of
// Anthropic's ids.
func randomID() string {
	var b [24]byte
	_, _ = rand.Read(b[:]) // never fails
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b[:])
}

// toolInput returns the input object of a tool_use from OpenAI's
// arguments string: the arguments compacted when they are JSON (an object,
// as Anthropic's input always is, or any other value, passed as it is),
// {} when empty. Arguments that are not JSON (a model that broke off, a
// server that does not check) become {}, and ok is false: the caller
// keeps the text beside the input (see [EncodeResponse]).
func toolInput(args string) (input json.RawMessage, ok bool) {
	if strings.TrimSpace(args) == "" {
		return json.RawMessage("{}"), true
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(args)); err != nil {
		return json.RawMessage("{}"), false
	}
	return buf.Bytes(), true
}

// marshal encodes v like json.Marshal but leaves <, > and & unescaped.
var marshal = jsonobj.Marshal
