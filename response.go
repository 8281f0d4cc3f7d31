package llmux

import (
	"encoding/json"

	"github.com/llmux/llmux/internal/jsonx"
)

// Response is a chat or text completion in OpenAI's shape. Its JSON is a
// chat.completion object, or a text_completion object when Object is
// "text_completion" (choices carry text instead of a message). Members it
// does not model (prompt_filter_results, provider extras) are kept in
// Extra; a decoded response is written back as it came.
type Response struct {
	ID                string                     `json:"id"`
	Object            string                     `json:"object"`
	Created           int64                      `json:"created"`
	Model             string                     `json:"model"`
	Choices           []Choice                   `json:"choices"`
	Usage             Usage                      `json:"usage"`
	SystemFingerprint string                     `json:"system_fingerprint,omitempty"`
	ServiceTier       string                     `json:"service_tier,omitempty"`
	Extra             map[string]json.RawMessage `json:"-"`
	// Raw is the upstream body, untouched (nil for streams, mocks and
	// cache hits). It is not part of the JSON.
	Raw json.RawMessage `json:"-"`
	// CacheHit is set when the response came from the client's cache
	// (LiteLLM's _hidden_params["cache_hit"]). It is not part of the JSON.
	CacheHit bool `json:"-"`

	seen jsonx.Seen
}

const (
	rID uint = iota
	rObject
	rCreated
	rModel
	rChoices
	rUsage
	rFingerprint
	rServiceTier
)

var responseMembers = names("id", "object", "created", "model", "choices", "usage", "system_fingerprint", "service_tier")

// Choice is one alternative of a [Response]: Message for chat
// completions, Text for text completions.
type Choice struct {
	Index        int     `json:"index"`
	Message      Message `json:"message"`
	Text         string  `json:"text,omitempty"`
	FinishReason string  `json:"finish_reason"`
	// Logprobs is the raw logprobs object (null when the provider sent
	// null).
	Logprobs json.RawMessage            `json:"logprobs,omitempty"`
	Extra    map[string]json.RawMessage `json:"-"`

	seen jsonx.Seen
}

const (
	cIndex uint = iota
	cMessage
	cText
	cFinish
)

var choiceMembers = names("index", "message", "text", "finish_reason", "logprobs")

// Text returns the first choice's text, or "".
func (r *Response) Text() string {
	if r == nil || len(r.Choices) == 0 {
		return ""
	}
	c := r.Choices[0]
	if c.Text != "" {
		return c.Text
	}
	return c.Message.Text()
}

// isText reports whether the response is a text completion.
func (r *Response) isText() bool { return r.Object == "text_completion" }

// MarshalJSON encodes the response as OpenAI's chat.completion object, or
// its text_completion object when Object is "text_completion".
func (r Response) MarshalJSON() ([]byte, error) { return jsonx.Encode(r.sizeHint(), r.encode) }

// AppendJSON appends the response's JSON ([Response.MarshalJSON]) to b, for
// encoders that reuse a buffer.
func (r *Response) AppendJSON(b []byte) ([]byte, error) {
	e := jsonx.Enc{B: b} // not jsonx.Append: a func value would move e to the heap
	r.encode(&e)
	return e.B, e.Err
}

// sizeHint estimates the encoded size, so encoding grows its buffer once
// or never.
func (r *Response) sizeHint() int {
	n := 384 + 8*len(r.Extra)
	for i := range r.Choices {
		c := &r.Choices[i]
		n += 160 + len(c.Text) + len(c.Logprobs) + len(c.Message.Content) + len(c.Message.ReasoningContent)
		for _, tc := range c.Message.ToolCalls {
			n += 96 + len(tc.Function.Name) + len(tc.Function.Arguments)
		}
	}
	for _, v := range r.Extra {
		n += len(v)
	}
	return n + n/8
}

// UnmarshalJSON decodes a chat.completion or text_completion object.
func (r *Response) UnmarshalJSON(b []byte) error {
	*r = Response{}
	return wrapJSON("response", jsonx.Decode(b, r.decode))
}

func (r *Response) encode(e *jsonx.Enc) {
	s := r.seen
	e.Open()
	e.WStr(s, rID, "id", r.ID, true)
	e.WStr(s, rObject, "object", r.Object, true)
	e.WInt(s, rCreated, "created", r.Created, true)
	e.WStr(s, rModel, "model", r.Model, true)
	if jsonx.Opens(s, rChoices, len(r.Choices), true) {
		e.Name("choices")
		if len(r.Choices) == 0 && s.WasNull(rChoices) {
			e.Null()
		} else {
			e.OpenArray()
			text := r.isText()
			for i := range r.Choices {
				r.Choices[i].encode(e, text)
			}
			e.CloseArray()
		}
	}
	if s.Emit(rUsage, !r.Usage.IsZero(), true) {
		e.Name("usage")
		if r.Usage.IsZero() && s.WasNull(rUsage) {
			e.Null()
		} else {
			r.Usage.encode(e)
		}
	}
	e.WStr(s, rFingerprint, "system_fingerprint", r.SystemFingerprint, false)
	e.WStr(s, rServiceTier, "service_tier", r.ServiceTier, false)
	e.Extra(r.Extra, responseMembers)
	e.Close()
}

func (r *Response) decode(rd *jsonx.R) {
	if !rd.Object() {
		rd.Errorf("response: want an object")
		return
	}
	s := &r.seen
	s.Decoded = true
	for rd.More() {
		n := rd.Name()
		switch n.String() {
		case "id":
			r.ID = rd.Str(s, rID)
		case "object":
			r.Object = rd.Str(s, rObject)
		case "created":
			r.Created = rd.Int(s, rCreated)
		case "model":
			r.Model = rd.Str(s, rModel)
		case "choices":
			if !rd.Array() {
				s.Mark(rChoices, true)
				continue
			}
			s.Mark(rChoices, false)
			r.Choices = make([]Choice, 0, 1)
			for rd.More() {
				r.Choices = append(r.Choices, Choice{})
				r.Choices[len(r.Choices)-1].decode(rd)
			}
			rd.End()
		case "usage":
			if rd.Null() {
				s.Mark(rUsage, true)
				continue
			}
			s.Mark(rUsage, false)
			r.Usage.decode(rd)
		case "system_fingerprint":
			r.SystemFingerprint = rd.Str(s, rFingerprint)
		case "service_tier":
			r.ServiceTier = rd.Str(s, rServiceTier)
		default:
			rd.Extra(&r.Extra, n.String())
		}
	}
	rd.End()
}

// MarshalJSON encodes the choice of a chat completion; a choice with Text
// and no message is encoded as a text-completion choice.
func (c Choice) MarshalJSON() ([]byte, error) {
	text := c.Text != "" && c.Message.isZero()
	return jsonx.Encode(128, func(e *jsonx.Enc) { c.encode(e, text) })
}

// UnmarshalJSON decodes a chat or text completion choice.
func (c *Choice) UnmarshalJSON(b []byte) error {
	*c = Choice{}
	return wrapJSON("choice", jsonx.Decode(b, c.decode))
}

func (c *Choice) encode(e *jsonx.Enc, text bool) {
	s := c.seen
	e.Open()
	e.WInt(s, cIndex, "index", int64(c.Index), true)
	if s.Emit(cMessage, !c.Message.isZero(), !text) {
		e.Name("message")
		c.Message.encode(e)
	}
	e.WStr(s, cText, "text", c.Text, text)
	encFinish(e, s, cFinish, c.FinishReason)
	e.WRaw("logprobs", c.Logprobs)
	e.Extra(c.Extra, choiceMembers)
	e.Close()
}

func (c *Choice) decode(r *jsonx.R) {
	if !r.Object() {
		r.Errorf("choice: want an object")
		return
	}
	s := &c.seen
	s.Decoded = true
	for r.More() {
		n := r.Name()
		switch n.String() {
		case "index":
			c.Index = int(r.Int(s, cIndex))
		case "message":
			if r.Null() {
				s.Mark(cMessage, true)
				continue
			}
			s.Mark(cMessage, false)
			c.Message.decode(r)
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

// isZero reports whether the message is empty (as in a text-completion
// choice).
func (m *Message) isZero() bool {
	return m.Role == "" && m.Content == "" && len(m.Parts) == 0 && m.Name == "" && len(m.ToolCalls) == 0 &&
		m.ToolCallID == "" && m.Refusal == "" && m.ReasoningContent == "" && len(m.ThinkingBlocks) == 0 &&
		m.Audio == nil && len(m.CacheControl) == 0 && len(m.Extra) == 0
}

// encFinish writes finish_reason: its value, or null while unset, as
// OpenAI does; a decoded choice without one stays without one.
func encFinish(e *jsonx.Enc, s jsonx.Seen, i uint, v string) {
	switch {
	case v != "":
		e.Name("finish_reason")
		e.Str(v)
	case s.Decoded && !s.Present.Has(i):
	case s.Decoded && !s.WasNull(i):
		e.Name("finish_reason")
		e.Str("")
	default:
		e.Name("finish_reason")
		e.Null()
	}
}
