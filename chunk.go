package llmux

import (
	"encoding/json"

	"github.com/llmux/llmux/internal/jsonx"
)

// Chunk is one streamed piece of a response, in OpenAI's chunk shape
// (chat.completion.chunk, or text_completion for text-completion streams).
// Chunks with neither choices nor usage (Azure's prompt_filter_results
// chunk) are chunks too. Members it does not model (obfuscation, provider
// extras) are kept in Extra; a decoded chunk is written back as it came.
type Chunk struct {
	ID                string                     `json:"id"`
	Object            string                     `json:"object"`
	Created           int64                      `json:"created"`
	Model             string                     `json:"model"`
	Choices           []ChunkChoice              `json:"choices"`
	Usage             *Usage                     `json:"usage,omitempty"`
	SystemFingerprint string                     `json:"system_fingerprint,omitempty"`
	ServiceTier       string                     `json:"service_tier,omitempty"`
	Extra             map[string]json.RawMessage `json:"-"`
	// Raw is the upstream event's data, untouched (nil for chunks made by
	// llmux: mocks, cache replays, translated streams). It is not part of
	// the JSON.
	Raw json.RawMessage `json:"-"`

	seen jsonx.Seen
}

var chunkMembers = names("id", "object", "created", "model", "choices", "usage", "system_fingerprint", "service_tier")

// ChunkChoice is the change to one choice carried by a [Chunk].
type ChunkChoice struct {
	Index        int    `json:"index"`
	Delta        Delta  `json:"delta"`
	Text         string `json:"text,omitempty"` // text-completion streams
	FinishReason string `json:"finish_reason"`
	// Logprobs is the raw logprobs object of this piece.
	Logprobs json.RawMessage            `json:"logprobs,omitempty"`
	Extra    map[string]json.RawMessage `json:"-"`

	seen jsonx.Seen
}

var chunkChoiceMembers = names("index", "delta", "text", "finish_reason", "logprobs")

// Delta is the message fragment of a [ChunkChoice].
type Delta struct {
	Role             Role       `json:"role,omitempty"`
	Content          string     `json:"content,omitempty"`
	Refusal          string     `json:"refusal,omitempty"`
	ToolCalls        []ToolCall `json:"tool_calls,omitempty"`
	ReasoningContent string     `json:"reasoning_content,omitempty"`
	// ThinkingBlocks carry the pieces of Anthropic's thinking blocks: their
	// signatures and redacted data (the text comes in ReasoningContent).
	ThinkingBlocks []ThinkingBlock            `json:"thinking_blocks,omitempty"`
	Audio          *Audio                     `json:"audio,omitempty"`
	Extra          map[string]json.RawMessage `json:"-"`

	seen jsonx.Seen
}

const (
	dRole uint = iota
	dContent
	dRefusal
	dToolCalls
	dReasoning
	dThinking
	dAudio
)

var deltaMembers = names("role", "content", "refusal", "tool_calls", "reasoning_content", "thinking_blocks", "audio")

// Text returns the text the chunk adds to the first choice.
func (c *Chunk) Text() string {
	if c == nil || len(c.Choices) == 0 {
		return ""
	}
	if c.Choices[0].Text != "" {
		return c.Choices[0].Text
	}
	return c.Choices[0].Delta.Content
}

// MarshalJSON encodes the chunk in OpenAI's shape.
func (c Chunk) MarshalJSON() ([]byte, error) { return jsonx.Encode(192, c.encode) }

// UnmarshalJSON decodes a chunk. Its Raw is left nil: a provider's reader
// sets it.
func (c *Chunk) UnmarshalJSON(b []byte) error {
	*c = Chunk{}
	return wrapJSON("chunk", jsonx.Decode(b, c.decode))
}

func (c *Chunk) encode(e *jsonx.Enc) {
	s := c.seen
	e.Open()
	e.WStr(s, rID, "id", c.ID, true)
	e.WStr(s, rObject, "object", c.Object, true)
	e.WInt(s, rCreated, "created", c.Created, true)
	e.WStr(s, rModel, "model", c.Model, true)
	if jsonx.Opens(s, rChoices, len(c.Choices), true) {
		e.Name("choices")
		if len(c.Choices) == 0 && s.WasNull(rChoices) {
			e.Null()
		} else {
			text := c.Object == "text_completion"
			e.OpenArray()
			for i := range c.Choices {
				c.Choices[i].encode(e, text)
			}
			e.CloseArray()
		}
	}
	switch {
	case c.Usage != nil:
		e.Name("usage")
		c.Usage.encode(e)
	case s.WasNull(rUsage):
		e.Name("usage")
		e.Null()
	}
	e.WStr(s, rFingerprint, "system_fingerprint", c.SystemFingerprint, false)
	e.WStr(s, rServiceTier, "service_tier", c.ServiceTier, false)
	e.Extra(c.Extra, chunkMembers)
	e.Close()
}

func (c *Chunk) decode(r *jsonx.R) {
	if !r.Object() {
		r.Errorf("chunk: want an object")
		return
	}
	s := &c.seen
	s.Decoded = true
	for r.More() {
		n := r.Name()
		switch n.String() {
		case "id":
			c.ID = r.Str(s, rID)
		case "object":
			c.Object = r.Str(s, rObject)
		case "created":
			c.Created = r.Int(s, rCreated)
		case "model":
			c.Model = r.Str(s, rModel)
		case "choices":
			if !r.Array() {
				s.Mark(rChoices, true)
				continue
			}
			s.Mark(rChoices, false)
			c.Choices = make([]ChunkChoice, 0, 1)
			for r.More() {
				c.Choices = append(c.Choices, ChunkChoice{})
				c.Choices[len(c.Choices)-1].decode(r)
			}
			r.End()
		case "usage":
			if r.Null() {
				s.Mark(rUsage, true)
				continue
			}
			s.Mark(rUsage, false)
			c.Usage = new(Usage)
			c.Usage.decode(r)
		case "system_fingerprint":
			c.SystemFingerprint = r.Str(s, rFingerprint)
		case "service_tier":
			c.ServiceTier = r.Str(s, rServiceTier)
		default:
			r.Extra(&c.Extra, n.String())
		}
	}
	r.End()
}

func (c *ChunkChoice) encode(e *jsonx.Enc, text bool) {
	s := c.seen
	e.Open()
	e.WInt(s, cIndex, "index", int64(c.Index), true)
	if s.Emit(cMessage, !c.Delta.isZero(), !text) {
		e.Name("delta")
		c.Delta.encode(e)
	}
	e.WStr(s, cText, "text", c.Text, text)
	encFinish(e, s, cFinish, c.FinishReason)
	e.WRaw("logprobs", c.Logprobs)
	e.Extra(c.Extra, chunkChoiceMembers)
	e.Close()
}

func (c *ChunkChoice) decode(r *jsonx.R) {
	if !r.Object() {
		r.Errorf("chunk choice: want an object")
		return
	}
	s := &c.seen
	s.Decoded = true
	for r.More() {
		n := r.Name()
		switch n.String() {
		case "index":
			c.Index = int(r.Int(s, cIndex))
		case "delta":
			if r.Null() {
				s.Mark(cMessage, true)
				continue
			}
			s.Mark(cMessage, false)
			c.Delta.decode(r)
		case "text":
			c.Text = r.Str(s, cText)
		case "finish_reason":
			c.FinishReason = r.Str(s, cFinish)
		case "logprobs":
			c.Logprobs = r.Raw()
		default:
			r.Extra(&c.Extra, n.String())
		}
	}
	r.End()
}

func (d *Delta) isZero() bool {
	return d.Role == "" && d.Content == "" && d.Refusal == "" && len(d.ToolCalls) == 0 && d.ReasoningContent == "" &&
		len(d.ThinkingBlocks) == 0 && d.Audio == nil && len(d.Extra) == 0
}

// MarshalJSON encodes the delta in OpenAI's shape.
func (d Delta) MarshalJSON() ([]byte, error) { return jsonx.Encode(64, d.encode) }

// UnmarshalJSON decodes a delta.
func (d *Delta) UnmarshalJSON(b []byte) error {
	*d = Delta{}
	return wrapJSON("delta", jsonx.Decode(b, d.decode))
}

func (d *Delta) encode(e *jsonx.Enc) {
	s := d.seen
	e.Open()
	e.WStr(s, dRole, "role", string(d.Role), false)
	e.WStr(s, dContent, "content", d.Content, false)
	e.WStr(s, dRefusal, "refusal", d.Refusal, false)
	if jsonx.Opens(s, dToolCalls, len(d.ToolCalls), false) {
		e.Name("tool_calls")
		if len(d.ToolCalls) == 0 && s.WasNull(dToolCalls) {
			e.Null()
		} else {
			e.OpenArray()
			for i := range d.ToolCalls {
				d.ToolCalls[i].encode(e)
			}
			e.CloseArray()
		}
	}
	e.WStr(s, dReasoning, "reasoning_content", d.ReasoningContent, false)
	encThinking(e, s, dThinking, d.ThinkingBlocks)
	encAudio(e, s, dAudio, d.Audio)
	e.Extra(d.Extra, deltaMembers)
	e.Close()
}

func (d *Delta) decode(r *jsonx.R) {
	if !r.Object() {
		return
	}
	s := &d.seen
	s.Decoded = true
	for r.More() {
		n := r.Name()
		switch n.String() {
		case "role":
			d.Role = Role(r.Str(s, dRole))
		case "content":
			d.Content = r.Str(s, dContent)
		case "refusal":
			d.Refusal = r.Str(s, dRefusal)
		case "tool_calls":
			d.ToolCalls = decodeToolCalls(r, s, dToolCalls)
		case "reasoning_content":
			d.ReasoningContent = r.Str(s, dReasoning)
		case "thinking_blocks":
			d.ThinkingBlocks = decodeThinking(r, s, dThinking)
		case "audio":
			d.Audio = decodeAudio(r, s, dAudio)
		default:
			r.Extra(&d.Extra, n.String())
		}
	}
	r.End()
}
