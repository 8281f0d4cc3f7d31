package llmux

import (
	"encoding/json"
	"maps"
)

// Deep copies, so that events own what they report: the caller may change
// or reuse anything it passed in or got back, and loggers never see it.
// Strings are immutable and shared; slices, maps, pointers and raw JSON
// bytes are copied.

func cloneRaw(b json.RawMessage) json.RawMessage {
	if b == nil {
		return nil
	}
	return append(json.RawMessage(nil), b...)
}

func cloneExtra(m map[string]json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		return nil
	}
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		out[k] = cloneRaw(v)
	}
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func (m Message) clone() Message {
	m.Parts = cloneSlice(m.Parts, ContentPart.clone)
	m.ToolCalls = cloneSlice(m.ToolCalls, ToolCall.clone)
	m.ThinkingBlocks = cloneSlice(m.ThinkingBlocks, ThinkingBlock.clone)
	if m.Audio != nil {
		a := *m.Audio
		a.Extra = cloneExtra(a.Extra)
		m.Audio = &a
	}
	m.CacheControl = cloneRaw(m.CacheControl)
	m.Extra = cloneExtra(m.Extra)
	return m
}

func (p ContentPart) clone() ContentPart {
	if p.ImageURL != nil {
		u := *p.ImageURL
		u.Extra = cloneExtra(u.Extra)
		p.ImageURL = &u
	}
	if p.InputAudio != nil {
		a := *p.InputAudio
		a.Extra = cloneExtra(a.Extra)
		p.InputAudio = &a
	}
	if p.File != nil {
		f := *p.File
		f.Extra = cloneExtra(f.Extra)
		p.File = &f
	}
	p.CacheControl = cloneRaw(p.CacheControl)
	p.Extra = cloneExtra(p.Extra)
	return p
}

func (t ThinkingBlock) clone() ThinkingBlock {
	t.Extra = cloneExtra(t.Extra)
	return t
}

func (c ToolCall) clone() ToolCall {
	c.Index = clonePtr(c.Index)
	c.Function.Extra = cloneExtra(c.Function.Extra)
	c.Extra = cloneExtra(c.Extra)
	return c
}

func (t Tool) clone() Tool {
	t.Function.Parameters = cloneRaw(t.Function.Parameters)
	t.Function.Strict = clonePtr(t.Function.Strict)
	t.Function.Extra = cloneExtra(t.Function.Extra)
	t.CacheControl = cloneRaw(t.CacheControl)
	t.Extra = cloneExtra(t.Extra)
	return t
}

func (u Usage) clone() Usage {
	u.Extra = cloneExtra(u.Extra)
	u.PromptDetailsExtra = cloneExtra(u.PromptDetailsExtra)
	u.CompletionDetailsExtra = cloneExtra(u.CompletionDetailsExtra)
	return u
}

func cloneSlice[T any](s []T, clone func(T) T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = clone(v)
	}
	return out
}

// Clone returns a deep copy of the response.
func (r *Response) Clone() *Response {
	if r == nil {
		return nil
	}
	c := *r
	c.Choices = cloneSlice(r.Choices, func(ch Choice) Choice {
		ch.Message = ch.Message.clone()
		ch.Logprobs = cloneRaw(ch.Logprobs)
		ch.Extra = cloneExtra(ch.Extra)
		return ch
	})
	c.Usage = r.Usage.clone()
	c.Extra = cloneExtra(r.Extra)
	c.Raw = cloneRaw(r.Raw)
	return &c
}

// Clone returns a deep copy of the chunk.
func (c *Chunk) Clone() *Chunk {
	if c == nil {
		return nil
	}
	out := *c
	out.Choices = cloneSlice(c.Choices, func(ch ChunkChoice) ChunkChoice {
		d := &ch.Delta
		d.ToolCalls = cloneSlice(d.ToolCalls, ToolCall.clone)
		d.ThinkingBlocks = cloneSlice(d.ThinkingBlocks, ThinkingBlock.clone)
		if d.Audio != nil {
			a := *d.Audio
			a.Extra = cloneExtra(a.Extra)
			d.Audio = &a
		}
		d.Extra = cloneExtra(d.Extra)
		ch.Logprobs = cloneRaw(ch.Logprobs)
		ch.Extra = cloneExtra(ch.Extra)
		return ch
	})
	if c.Usage != nil {
		u := c.Usage.clone()
		out.Usage = &u
	}
	out.Extra = cloneExtra(c.Extra)
	out.Raw = cloneRaw(c.Raw)
	return &out
}

// Clone returns a deep copy of the response.
func (r *EmbeddingResponse) Clone() *EmbeddingResponse {
	if r == nil {
		return nil
	}
	c := *r
	c.Data = cloneSlice(r.Data, func(v EmbeddingVector) EmbeddingVector {
		v.Vector = append([]float32(nil), v.Vector...)
		v.Extra = cloneExtra(v.Extra)
		return v
	})
	c.Usage = r.Usage.clone()
	c.Extra = cloneExtra(r.Extra)
	c.Raw = cloneRaw(r.Raw)
	return &c
}

// Clone returns a deep copy of the request: its messages, tools and every
// other slice, map and pointer. Values inside Metadata other than maps and
// slices of the JSON kinds are shared; Callbacks and Middleware are shared
// (they are the caller's loggers and functions).
func (r *Request) Clone() *Request {
	if r == nil {
		return nil
	}
	c := *r
	c.Messages = cloneSlice(r.Messages, Message.clone)
	c.Input = append([]string(nil), r.Input...)
	if r.Input == nil {
		c.Input = nil
	}
	c.Stop = cloneStrings(r.Stop)
	c.Tools = cloneSlice(r.Tools, Tool.clone)
	if r.ToolChoice != nil {
		tc := *r.ToolChoice
		tc.Raw = cloneRaw(tc.Raw)
		c.ToolChoice = &tc
	}
	c.Temperature, c.TopP, c.PresencePenalty, c.FrequencyPenalty = clonePtr(r.Temperature), clonePtr(r.TopP), clonePtr(r.PresencePenalty), clonePtr(r.FrequencyPenalty)
	c.MaxTokens, c.MaxCompletionTokens, c.N, c.Seed = clonePtr(r.MaxTokens), clonePtr(r.MaxCompletionTokens), clonePtr(r.N), clonePtr(r.Seed)
	c.TopLogprobs, c.Dimensions, c.MaxRetries = clonePtr(r.TopLogprobs), clonePtr(r.Dimensions), clonePtr(r.MaxRetries)
	c.Logprobs, c.ParallelToolCalls = clonePtr(r.Logprobs), clonePtr(r.ParallelToolCalls)
	c.TurnOffMessageLogging, c.DropParams = clonePtr(r.TurnOffMessageLogging), clonePtr(r.DropParams)
	c.ResponseFormat, c.StreamOptions = cloneRaw(r.ResponseFormat), cloneRaw(r.StreamOptions)
	c.Extra = cloneExtra(r.Extra)
	c.Metadata = copyMeta(r.Metadata)
	c.Tags = cloneStrings(r.Tags)
	c.AllowedParams = cloneStrings(r.AllowedParams)
	c.ProviderParams = maps.Clone(r.ProviderParams)
	c.Price = clonePtr(r.Price)
	c.Cache = clonePtr(r.Cache)
	c.Route = clonePtr(r.Route)
	return &c
}

func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}

// copyMeta deep-copies metadata: maps and slices of the JSON kinds
// (map[string]any, []any, map[string]string, []string) are copied at every
// level; other values (structs, pointers) are shared, and callers that put
// them in metadata must not change them during the call.
func copyMeta(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyMetaValue(v, 0)
	}
	return out
}

// maxMetaDepth bounds the copy of self-containing metadata; deeper values
// are shared.
const maxMetaDepth = 32

func copyMetaValue(v any, depth int) any {
	if depth >= maxMetaDepth {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = copyMetaValue(e, depth+1)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyMetaValue(e, depth+1)
		}
		return out
	case map[string]string:
		return maps.Clone(x)
	case []string:
		return append([]string(nil), x...)
	case json.RawMessage:
		return cloneRaw(x)
	}
	return v
}
