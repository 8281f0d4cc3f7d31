package llmux

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"

	"github.com/llmux/llmux/internal/mask"
)

// cacheKeyVersion starts every key's hashed input. Changing what goes into
// a key changes it, so old entries are simply never found again.
const cacheKeyVersion = "llmux-cache-v1"

// CacheKey returns the key under which the answer to req is cached for
// call type ct: the lowercase hex SHA-256 of a canonical encoding of
// everything that changes the answer, prefixed by "<namespace>:" when
// [CacheControl.Namespace] is set. It fails only when req is nil or its
// model names no provider.
//
// The key covers, each only when set: the call type; the provider and
// upstream model the name resolves to (so "gpt-4o" and "openai/gpt-4o"
// share answers); the messages (role, content or parts with their text,
// images, audio and files, name, tool calls, tool call id, refusal,
// reasoning content, thinking blocks, audio reference, and the members
// they keep in Extra); the prompt; the embedding inputs; temperature,
// top_p, max_tokens, n, stop, presence and frequency penalties, seed,
// tools, tool_choice, response_format, max_completion_tokens, logprobs,
// top_logprobs, parallel_tool_calls, reasoning_effort, dimensions,
// encoding_format; every [Request.Extra] key with its value; a per-request
// API base or API version (they pick another server or schema); and a mock
// response. JSON values (tool parameters, response_format, extra) are
// compacted first, so whitespace does not matter but key order does.
//
// It leaves out what does not change the answer: streaming (a streamed
// call and a plain one share an entry), metadata, user, tags, trace id,
// callbacks, the API key, timeouts, retries, prices and message logging.
//
// The encoding is fixed by this package, independent of Go's map order,
// float formatting or JSON library, so keys are stable across processes,
// machines and Go versions; a change to it changes the version tag
// hashed first. The provider need not be registered on c when the model
// is written "provider/model".
func (c *Client) CacheKey(ct CallType, req *Request) (string, error) {
	if req == nil {
		return "", &Error{Code: CodeInvalidRequest, Message: "request is nil"}
	}
	// An unregistered "prefix/" still names a provider and has a key.
	_, name, upstream, err := c.resolve(req, false)
	if name == "" {
		return "", err
	}
	return cacheKey(ct, name, upstream, req), nil
}

// CacheKey returns [Client.CacheKey] of the default client.
func CacheKey(ct CallType, req *Request) (string, error) { return Default().CacheKey(ct, req) }

var keyBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func cacheKey(ct CallType, provider, upstream string, req *Request) string {
	b := keyBufs.Get().(*bytes.Buffer)
	b.Reset()
	w := keyWriter{b}
	w.str("v", cacheKeyVersion)
	w.str("call_type", string(ct))
	w.str("provider", provider)
	w.str("model", upstream)
	if len(req.Messages) > 0 {
		w.count("messages", len(req.Messages))
		for i := range req.Messages {
			w.message(&req.Messages[i])
		}
	}
	w.opt("prompt", req.Prompt)
	if len(req.Input) > 0 {
		w.strs("input", req.Input)
	}
	w.float("temperature", req.Temperature)
	w.float("top_p", req.TopP)
	w.int("max_tokens", req.MaxTokens)
	w.int("n", req.N)
	if len(req.Stop) > 0 {
		w.strs("stop", req.Stop)
	}
	w.float("presence_penalty", req.PresencePenalty)
	w.float("frequency_penalty", req.FrequencyPenalty)
	w.int("seed", req.Seed)
	if len(req.Tools) > 0 {
		w.count("tools", len(req.Tools))
		for _, t := range req.Tools {
			w.str("type", t.Type)
			w.str("name", t.Function.Name)
			w.opt("description", t.Function.Description)
			w.raw("parameters", t.Function.Parameters)
			if t.Function.Strict != nil {
				w.str("strict", fmt.Sprint(*t.Function.Strict))
			}
			w.extra(t.Function.Extra)
			w.extra(t.Extra)
		}
	}
	if tc := req.ToolChoice; tc != nil {
		switch {
		case len(tc.Raw) > 0:
			w.raw("tool_choice", tc.Raw)
		case tc.Function != "":
			j, _ := tc.MarshalJSON()
			w.raw("tool_choice", j)
		default:
			w.str("tool_choice", tc.Mode)
		}
	}
	w.raw("response_format", req.ResponseFormat)
	w.int("max_completion_tokens", req.MaxCompletionTokens)
	w.boolean("logprobs", req.Logprobs)
	w.int("top_logprobs", req.TopLogprobs)
	w.boolean("parallel_tool_calls", req.ParallelToolCalls)
	w.opt("reasoning_effort", req.ReasoningEffort)
	w.int("dimensions", req.Dimensions)
	w.opt("encoding_format", req.EncodingFormat)
	w.extra(req.Extra)
	w.opt("api_base", req.APIBase)
	w.opt("api_version", req.APIVersion)
	if len(req.ProviderParams) > 0 {
		// Where the call goes (vertex_project, aws_region_name...) may
		// change the answer; the credentials do not, and stay out of the
		// key as APIKey does.
		for _, k := range slices.Sorted(maps.Keys(req.ProviderParams)) {
			if !mask.IsSecretName(k) {
				w.opt("provider_params."+k, req.ProviderParams[k])
			}
		}
	}
	switch m := req.MockResponse.(type) {
	case string:
		w.str("mock_response", m)
	case error:
		w.str("mock_error", m.Error())
	}
	sum := sha256.Sum256(b.Bytes())
	keyBufs.Put(b)

	var ns string
	if req.Cache != nil {
		ns = req.Cache.Namespace
	}
	out := make([]byte, 0, len(ns)+1+hex.EncodedLen(len(sum)))
	if ns != "" {
		out = append(out, ns...)
		out = append(out, ':')
	}
	out = hex.AppendEncode(out, sum[:])
	return string(out)
}

// keyWriter writes the canonical encoding: each field is its tag, a zero
// byte, the value's length as 8 big-endian bytes, then the value, so no two
// different requests encode alike.
type keyWriter struct{ b *bytes.Buffer }

func (w keyWriter) field(tag string, n int) {
	w.b.WriteString(tag)
	w.b.WriteByte(0)
	w.u64(uint64(n))
}

func (w keyWriter) str(tag, v string) {
	w.field(tag, len(v))
	w.b.WriteString(v)
}

// opt writes a string field only when it is set.
func (w keyWriter) opt(tag, v string) {
	if v != "" {
		w.str(tag, v)
	}
}

// count writes the number of elements of a list that follows.
func (w keyWriter) count(tag string, n int) { w.field(tag, n) }

func (w keyWriter) u64(v uint64) {
	var l [8]byte
	binary.BigEndian.PutUint64(l[:], v)
	w.b.Write(l[:])
}

func (w keyWriter) strs(tag string, vs []string) {
	w.count(tag, len(vs))
	for _, v := range vs {
		w.str("", v)
	}
}

// float writes the IEEE 754 bits, so 0.7 is 0.7 on every machine.
func (w keyWriter) float(tag string, v *float64) {
	if v != nil {
		w.field(tag, 8)
		w.u64(math.Float64bits(*v))
	}
}

func (w keyWriter) boolean(tag string, v *bool) {
	if v != nil {
		w.str(tag, fmt.Sprint(*v))
	}
}

// extra writes the members a type does not model, in key order; nothing
// when there are none, so keys of requests without them do not change.
func (w keyWriter) extra(m map[string]json.RawMessage) {
	if len(m) == 0 {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.count("extra", len(keys))
	for _, k := range keys {
		w.str("key", k)
		w.raw("value", m[k])
	}
}

func (w keyWriter) int(tag string, v *int) {
	if v != nil {
		w.field(tag, 8)
		w.u64(uint64(int64(*v)))
	}
}

// raw writes compacted JSON; invalid JSON (rejected before any lookup)
// is written as is.
func (w keyWriter) raw(tag string, v []byte) {
	if len(v) == 0 {
		return
	}
	w.b.WriteString(tag)
	w.b.WriteByte(0)
	at := w.b.Len()
	w.u64(0) // the length, patched below
	if err := json.Compact(w.b, v); err != nil {
		w.b.Truncate(at + 8)
		w.b.Write(v)
	}
	binary.BigEndian.PutUint64(w.b.Bytes()[at:], uint64(w.b.Len()-at-8))
}

func (w keyWriter) message(m *Message) {
	w.str("role", string(m.Role))
	if len(m.Parts) > 0 {
		w.count("parts", len(m.Parts))
		for _, p := range m.Parts {
			w.str("type", p.Type)
			w.opt("text", p.Text)
			if p.ImageURL != nil {
				w.str("image_url", p.ImageURL.URL)
				w.opt("detail", p.ImageURL.Detail)
				w.extra(p.ImageURL.Extra)
			}
			if a := p.InputAudio; a != nil {
				w.str("input_audio", a.Data)
				w.opt("format", a.Format)
				w.extra(a.Extra)
			}
			if f := p.File; f != nil {
				w.str("file", f.FileData)
				w.opt("file_id", f.FileID)
				w.opt("filename", f.Filename)
				w.extra(f.Extra)
			}
			w.extra(p.Extra)
		}
	} else {
		w.str("content", m.Content)
	}
	w.opt("name", m.Name)
	if len(m.ToolCalls) > 0 {
		w.count("tool_calls", len(m.ToolCalls))
		for _, tc := range m.ToolCalls {
			w.str("id", tc.ID)
			w.opt("type", tc.Type)
			w.str("name", tc.Function.Name)
			w.str("arguments", tc.Function.Arguments)
		}
	}
	w.opt("tool_call_id", m.ToolCallID)
	w.opt("refusal", m.Refusal)
	w.opt("reasoning_content", m.ReasoningContent)
	if len(m.ThinkingBlocks) > 0 {
		w.count("thinking_blocks", len(m.ThinkingBlocks))
		for _, t := range m.ThinkingBlocks {
			w.str("type", t.Type)
			w.opt("thinking", t.Thinking)
			w.opt("signature", t.Signature)
			w.opt("data", t.Data)
		}
	}
	if m.Audio != nil {
		w.str("audio", m.Audio.ID)
	}
	w.extra(m.Extra)
}
