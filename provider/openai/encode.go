package openai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/llmux/llmux"
)

// object builds a JSON object with keys in insertion order, so request
// bodies are deterministic and golden files stable.
type object struct {
	keys []string
	vals [][]byte
	err  error
}

// marshal encodes v without HTML escaping (prompts with < > & are sent
// verbatim) and without the encoder's trailing newline.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// set adds or replaces key with the encoding of v.
func (o *object) set(key string, v any) {
	if o.err != nil {
		return
	}
	b, err := marshal(v)
	if err != nil {
		o.err = fmt.Errorf("encode %s: %w", key, err)
		return
	}
	for i, k := range o.keys {
		if k == key {
			o.vals[i] = b
			return
		}
	}
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, b)
}

// merge sets each extra key in sorted order, replacing keys already set.
func (o *object) merge(extra map[string]json.RawMessage) {
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := extra[k]
		if len(bytes.TrimSpace(v)) == 0 {
			v = json.RawMessage("null")
		}
		o.set(k, v)
	}
}

// bytes returns the encoded object.
func (o *object) bytes() ([]byte, error) {
	if o.err != nil {
		return nil, o.err
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(o.vals[i])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// wireMessage is a message on the wire. It mirrors llmux.Message's JSON
// shape but is encoded by our HTML-preserving encoder.
type wireMessage struct {
	Role       llmux.Role       `json:"role"`
	Content    any              `json:"content"`
	Name       string           `json:"name,omitempty"`
	ToolCalls  []llmux.ToolCall `json:"tool_calls,omitempty"`
	ToolCallID string           `json:"tool_call_id,omitempty"`
	Refusal    string           `json:"refusal,omitempty"`
}

func wireMessages(msgs []llmux.Message) []wireMessage {
	out := make([]wireMessage, len(msgs))
	for i, m := range msgs {
		w := wireMessage{Role: m.Role, Name: m.Name, ToolCalls: m.ToolCalls, ToolCallID: m.ToolCallID, Refusal: m.Refusal}
		switch {
		case len(m.Parts) > 0:
			w.Content = m.Parts
		case m.Content == "" && len(m.ToolCalls) > 0:
			w.Content = nil // an assistant message that only calls tools
		default:
			w.Content = m.Content
		}
		out[i] = w
	}
	return out
}

// toolChoice returns the wire value of Request.ToolChoice: a string such as
// "auto" is sent as a JSON string, except a string holding a JSON object,
// which is sent as that object; json.RawMessage and []byte are sent raw;
// anything else is marshalled.
func toolChoice(v any) any {
	switch t := v.(type) {
	case string:
		if s := strings.TrimSpace(t); strings.HasPrefix(s, "{") && json.Valid([]byte(s)) {
			return json.RawMessage(s)
		}
		return t
	case []byte:
		return json.RawMessage(t)
	}
	return v
}

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

// sampling sets the sampling parameters common to chat and text
// completions, in wire order.
func sampling(o *object, r *llmux.Request, maxTokensKey string) {
	if r.Temperature != nil {
		o.set("temperature", *r.Temperature)
	}
	if r.TopP != nil {
		o.set("top_p", *r.TopP)
	}
	if r.MaxTokens != nil {
		o.set(maxTokensKey, *r.MaxTokens)
	}
	if r.N != nil {
		o.set("n", *r.N)
	}
	if len(r.Stop) > 0 {
		o.set("stop", r.Stop)
	}
	if r.PresencePenalty != nil {
		o.set("presence_penalty", *r.PresencePenalty)
	}
	if r.FrequencyPenalty != nil {
		o.set("frequency_penalty", *r.FrequencyPenalty)
	}
	if r.Seed != nil {
		o.set("seed", *r.Seed)
	}
}

func streamOptions(o *object) {
	o.set("stream", true)
	o.set("stream_options", json.RawMessage(`{"include_usage":true}`))
}

// finish ends every body the same way: user when set, the stream options
// when stream is set, then r.Extra, and encodes o.
func finish(o *object, r *llmux.Request, stream bool) ([]byte, error) {
	if r.User != "" {
		o.set("user", r.User)
	}
	if stream {
		streamOptions(o)
	}
	o.merge(r.Extra)
	b, err := o.bytes()
	if err != nil {
		return nil, fmt.Errorf("openai: %w", err)
	}
	return b, nil
}

// EncodeChat returns the Chat Completions body for r sent to model: model,
// messages, then only the parameters r sets (temperature, top_p,
// max_tokens or, for o1/o3/o4/gpt-5 models, max_completion_tokens, n, stop,
// presence_penalty, frequency_penalty, seed, tools, tool_choice,
// response_format, user), then with stream "stream":true and
// "stream_options":{"include_usage":true}, then r.Extra in key order, whose
// keys replace any set before. The key order is fixed, HTML characters are
// not escaped and there is no trailing newline.
func EncodeChat(model string, r *llmux.Request, stream bool) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("openai: nil request")
	}
	var o object
	o.set("model", model)
	o.set("messages", wireMessages(r.Messages))
	maxKey := "max_tokens"
	if usesMaxCompletionTokens(model) {
		maxKey = "max_completion_tokens"
	}
	sampling(&o, r, maxKey)
	if len(r.Tools) > 0 {
		o.set("tools", r.Tools)
	}
	if r.ToolChoice != nil {
		o.set("tool_choice", toolChoice(r.ToolChoice))
	}
	if len(r.ResponseFormat) > 0 {
		o.set("response_format", r.ResponseFormat)
	}
	return finish(&o, r, stream)
}

// EncodeCompletion returns the legacy Completions body for r sent to
// model: model, prompt (r.Prompt), then the sampling parameters r sets
// (temperature, top_p, max_tokens, n, stop, presence_penalty,
// frequency_penalty, seed), user, the stream options when stream is set,
// then r.Extra as in [EncodeChat].
func EncodeCompletion(model string, r *llmux.Request, stream bool) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("openai: nil request")
	}
	var o object
	o.set("model", model)
	o.set("prompt", r.Prompt)
	sampling(&o, r, "max_tokens")
	return finish(&o, r, stream)
}

// EncodeEmbedding returns the Embeddings body for r sent to model: model,
// input (r.Input, always an array), then dimensions, encoding_format and
// user when set, then r.Extra as in [EncodeChat].
func EncodeEmbedding(model string, r *llmux.Request) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("openai: nil request")
	}
	var o object
	o.set("model", model)
	input := r.Input
	if input == nil {
		input = []string{}
	}
	o.set("input", input)
	if r.Dimensions != nil {
		o.set("dimensions", *r.Dimensions)
	}
	if r.EncodingFormat != "" {
		o.set("encoding_format", r.EncodingFormat)
	}
	return finish(&o, r, false)
}
