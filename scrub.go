package llmux

import "github.com/llmux/llmux/internal/mask"

// Scrubbing replaces every secret the call knows by its mask, by value,
// wherever it shows: an upstream that echoes a key in a header with an
// innocent name, an error body, an in-band stream error or an answer, a
// key in a URL or a message. Each function returns its argument when
// nothing holds a secret, else a new value; it never changes what it was
// given unless that is the call's own copy (noted).

func messageHas(s *mask.Secrets, m *Message) bool {
	if s.Contains(m.Content) || s.Contains(m.Refusal) || s.Contains(m.ReasoningContent) {
		return true
	}
	for _, p := range m.Parts {
		if s.Contains(p.Text) {
			return true
		}
	}
	for _, tc := range m.ToolCalls {
		if s.Contains(tc.Function.Arguments) {
			return true
		}
	}
	return false
}

// scrubMessage scrubs m in place: m must be the call's own copy.
func scrubMessage(s *mask.Secrets, m *Message) {
	if s.Len() == 0 {
		return
	}
	m.Content = s.String(m.Content)
	m.Refusal = s.String(m.Refusal)
	m.ReasoningContent = s.String(m.ReasoningContent)
	for i := range m.Parts {
		m.Parts[i].Text = s.String(m.Parts[i].Text)
	}
	for i := range m.ToolCalls {
		m.ToolCalls[i].Function.Arguments = s.String(m.ToolCalls[i].Function.Arguments)
	}
}

func metaHas(s *mask.Secrets, v any, depth int) bool {
	if depth > maxMetaDepth {
		return false
	}
	switch x := v.(type) {
	case string:
		return s.Contains(x)
	case map[string]any:
		for _, e := range x {
			if metaHas(s, e, depth+1) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if metaHas(s, e, depth+1) {
				return true
			}
		}
	case map[string]string:
		for _, e := range x {
			if s.Contains(e) {
				return true
			}
		}
	case []string:
		for _, e := range x {
			if s.Contains(e) {
				return true
			}
		}
	}
	return false
}

// scrubMeta scrubs the strings of the call's own copy of metadata, in
// place.
func scrubMeta(s *mask.Secrets, v any, depth int) any {
	if depth > maxMetaDepth {
		return v
	}
	switch x := v.(type) {
	case string:
		return s.String(x)
	case map[string]any:
		for k, e := range x {
			x[k] = scrubMeta(s, e, depth+1)
		}
	case []any:
		for i, e := range x {
			x[i] = scrubMeta(s, e, depth+1)
		}
	case map[string]string:
		for k, e := range x {
			x[k] = s.String(e)
		}
	case []string:
		for i, e := range x {
			x[i] = s.String(e)
		}
	}
	return v
}

// scrubResponse scrubs r in place: r must be the call's own copy.
func scrubResponse(s *mask.Secrets, r *Response) {
	if s.Len() == 0 || r == nil {
		return
	}
	for i := range r.Choices {
		scrubMessage(s, &r.Choices[i].Message)
		r.Choices[i].Text = s.String(r.Choices[i].Text)
	}
}

// scrubChunk returns c, or a scrubbed copy of it.
func scrubChunk(s *mask.Secrets, c *Chunk) *Chunk {
	if s.Len() == 0 {
		return c
	}
	has := s.Contains(string(c.Raw))
	for _, ch := range c.Choices {
		has = has || s.Contains(ch.Text) || s.Contains(ch.Delta.Content) || s.Contains(ch.Delta.Refusal) || s.Contains(ch.Delta.ReasoningContent)
		for _, tc := range ch.Delta.ToolCalls {
			has = has || s.Contains(tc.Function.Arguments)
		}
	}
	if !has {
		return c
	}
	out := c.Clone()
	out.Raw = s.Bytes(out.Raw)
	for i := range out.Choices {
		ch := &out.Choices[i]
		ch.Text = s.String(ch.Text)
		ch.Delta.Content = s.String(ch.Delta.Content)
		ch.Delta.Refusal = s.String(ch.Delta.Refusal)
		ch.Delta.ReasoningContent = s.String(ch.Delta.ReasoningContent)
		for j := range ch.Delta.ToolCalls {
			ch.Delta.ToolCalls[j].Function.Arguments = s.String(ch.Delta.ToolCalls[j].Function.Arguments)
		}
	}
	return out
}

// scrubError scrubs e in place (e must be the call's own copy) and returns
// it. A cause whose text holds a secret is wrapped, so its Error() is
// scrubbed while errors.Is and errors.As still reach it.
func scrubError(s *mask.Secrets, e *Error) *Error {
	if s.Len() == 0 {
		return e
	}
	e.Message = s.String(e.Message)
	e.Type = s.String(e.Type)
	e.Param = s.String(e.Param)
	e.Body = s.Bytes(e.Body)
	if e.Err != nil {
		if msg := e.Err.Error(); s.Contains(msg) {
			e.Err = &scrubbedError{msg: s.String(msg), err: e.Err}
		}
	}
	return e
}

// scrubbedError shows a cause's text without the secrets it held and
// unwraps to the cause.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }

func (e *scrubbedError) Unwrap() error { return e.err }

// GoString keeps %#v from printing the cause's fields.
func (e *scrubbedError) GoString() string { return "&llmux.scrubbedError{" + e.msg + "}" }
