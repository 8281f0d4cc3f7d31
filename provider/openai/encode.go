package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/llmux/llmux"
)

// usesMaxCompletionTokens reports whether the model is a reasoning model
// that rejects max_tokens and wants max_completion_tokens instead.
// https://platform.openai.com/docs/api-reference/chat/create#chat-create-max_tokens
func usesMaxCompletionTokens(model string) bool {
	m := strings.ToLower(model)
	for _, p := range [...]string{"o1", "o3", "o4", "gpt-5"} {
		if strings.HasPrefix(m, p) {
			return true
		}
	}
	return false
}

// usageOnly is stream_options as the official clients send it (and as
// the gateway's decoder leaves it, compacted). It is shared by every
// request includeUsage answers it to, so it is clipped: an append to it
// copies rather than writes into it.
var usageOnly = slices.Clip([]byte(`{"include_usage":true}`))

// includeUsage returns stream_options with include_usage set to true,
// keeping the caller's other options, so the last chunk carries the usage
// that cost is computed from.
func includeUsage(opts json.RawMessage) (json.RawMessage, error) {
	if bytes.Equal(opts, usageOnly) {
		return opts, nil // as clients send it: nothing to change or re-encode
	}
	if len(bytes.TrimSpace(opts)) == 0 || bytes.Equal(bytes.TrimSpace(opts), []byte("null")) {
		return usageOnly, nil // only ever encoded, never changed
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(opts, &m); err != nil {
		return nil, fmt.Errorf("stream_options: %w", err)
	}
	m["include_usage"] = json.RawMessage("true")
	return json.Marshal(m)
}

func encode(r *llmux.Request) ([]byte, error) {
	b, err := r.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("openai: encode request: %w", err)
	}
	return b, nil
}

// EncodeChat returns the Chat Completions body for r sent to model: r's
// JSON (see [llmux.Request]: model, messages, then the parameters r sets,
// every member a decoded body had, then r.Extra in key order) with model
// set to the upstream name, "stream":true and stream_options with
// include_usage when stream is set, and, for o1/o3/o4/gpt-5 models,
// max_tokens sent as max_completion_tokens. The prompt, input, dimensions
// and encoding_format of other calls are not sent. HTML characters are not
// escaped and there is no trailing newline.
func EncodeChat(model string, r *llmux.Request, stream bool) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("openai: nil request")
	}
	c := *r
	c.Model = model
	c.Prompt, c.Input, c.Dimensions, c.EncodingFormat = "", nil, nil, ""
	if usesMaxCompletionTokens(model) && c.MaxTokens != nil && c.MaxCompletionTokens == nil {
		c.MaxCompletionTokens, c.MaxTokens = c.MaxTokens, nil
	}
	if err := streamMembers(&c, stream); err != nil {
		return nil, err
	}
	return encode(&c)
}

func streamMembers(c *llmux.Request, stream bool) error {
	c.Stream = stream
	if !stream {
		c.StreamOptions = nil
		return nil
	}
	opts, err := includeUsage(c.StreamOptions)
	if err != nil {
		return fmt.Errorf("openai: %w", err)
	}
	c.StreamOptions = opts
	return nil
}

// EncodeCompletion returns the legacy Completions body for r sent to
// model: model, prompt (r.Prompt), the sampling parameters r sets, user,
// the stream members when stream is set, then r.Extra, as [EncodeChat]
// writes them. Chat-only members (messages, tools, tool_choice,
// response_format) and embedding members are not sent.
func EncodeCompletion(model string, r *llmux.Request, stream bool) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("openai: nil request")
	}
	c := *r
	c.Model = model
	c.Messages, c.Input, c.Dimensions, c.EncodingFormat = nil, nil, nil, ""
	c.Tools, c.ToolChoice, c.ParallelToolCalls, c.ResponseFormat = nil, nil, nil, nil
	if err := streamMembers(&c, stream); err != nil {
		return nil, err
	}
	return encode(&c)
}

// EncodeEmbedding returns the Embeddings body for r sent to model: model,
// input (r.Input: an array, or one string when a decoded body had one),
// then dimensions, encoding_format and user when set, then r.Extra.
// Members of chat and text completions are not sent.
func EncodeEmbedding(model string, r *llmux.Request) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("openai: nil request")
	}
	c := *r
	c.Model = model
	c.Messages, c.Prompt, c.Tools, c.ToolChoice, c.ParallelToolCalls, c.ResponseFormat = nil, "", nil, nil, nil, nil
	c.Stream, c.StreamOptions = false, nil
	if c.Input == nil {
		c.Input = []string{}
	}
	return encode(&c)
}
