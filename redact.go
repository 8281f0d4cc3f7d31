package llmux

import "unsafe"

// forLog returns the response as loggers may see it: a deep copy (the
// caller owns the original), with every text replaced by [RedactedText]
// when message logging is off.
func (cl *call) forLog(r *Response) *Response {
	if r == nil {
		return nil
	}
	if cl.redact {
		return redactResponse(r)
	}
	raw := r.Raw
	r.Raw = nil
	c := r.Clone()
	r.Raw = raw
	// The raw body is the original response the event already holds as a
	// string, or the copy the post-API-call event's finisher took: share
	// its bytes rather than copy them again (loggers must not modify what
	// they get; a scrubbed body is a copy).
	switch {
	case sameBytes(cl.ev.OriginalResponse, raw):
		c.Raw = unsafe.Slice(unsafe.StringData(cl.ev.OriginalResponse), len(raw))
	case cl.respFin != nil && sameBytes(cl.respFin.raw, raw):
		c.Raw = cl.secrets.Bytes(unsafe.Slice(unsafe.StringData(cl.respFin.raw), len(raw)))
	default:
		c.Raw = cl.secrets.Bytes(cloneRaw(raw))
	}
	scrubResponse(&cl.secrets, c)
	return c
}

// sameBytes reports whether s holds b's bytes, b not empty.
func sameBytes(s string, b []byte) bool {
	return len(b) > 0 && len(s) == len(b) && s == string(b)
}

// embeddingForLog returns a deep copy of the embedding response, its raw
// body redacted when message logging is off.
func (cl *call) embeddingForLog(r *EmbeddingResponse) *EmbeddingResponse {
	c := r.Clone()
	if cl.redact {
		c.Raw = nil
	}
	return c
}

func redactResponse(r *Response) *Response {
	if r == nil {
		return nil
	}
	c := *r
	c.Raw = nil
	c.Extra = nil
	c.Usage = r.Usage.clone()
	c.Choices = make([]Choice, len(r.Choices))
	for i, ch := range r.Choices {
		ch.Message = redactMessage(ch.Message)
		if ch.Text != "" {
			ch.Text = RedactedText
		}
		ch.Logprobs = nil
		ch.Extra = nil
		c.Choices[i] = ch
	}
	return &c
}

func redactMessage(m Message) Message {
	out := Message{Role: m.Role, Name: m.Name, ToolCallID: m.ToolCallID}
	if m.Content != "" || len(m.Parts) > 0 {
		out.Content = RedactedText
	}
	if m.Refusal != "" {
		out.Refusal = RedactedText
	}
	if m.ReasoningContent != "" || len(m.ThinkingBlocks) > 0 {
		out.ReasoningContent = RedactedText
	}
	for _, tc := range m.ToolCalls {
		tc = tc.clone()
		tc.Function.Arguments = RedactedText
		out.ToolCalls = append(out.ToolCalls, tc)
	}
	return out
}

func redactChunk(c *Chunk) *Chunk {
	out := *c
	out.Raw = nil
	out.Extra = nil
	if c.Usage != nil {
		u := c.Usage.clone()
		out.Usage = &u
	}
	out.Choices = make([]ChunkChoice, len(c.Choices))
	for i, ch := range c.Choices {
		d := Delta{Role: ch.Delta.Role}
		if ch.Delta.Content != "" {
			d.Content = RedactedText
		}
		if ch.Delta.Refusal != "" {
			d.Refusal = RedactedText
		}
		if ch.Delta.ReasoningContent != "" || len(ch.Delta.ThinkingBlocks) > 0 {
			d.ReasoningContent = RedactedText
		}
		for _, tc := range ch.Delta.ToolCalls {
			tc = tc.clone()
			if tc.Function.Arguments != "" {
				tc.Function.Arguments = RedactedText
			}
			d.ToolCalls = append(d.ToolCalls, tc)
		}
		if ch.Text != "" {
			ch.Text = RedactedText
		}
		ch.Delta = d
		ch.Logprobs = nil
		ch.Extra = nil
		out.Choices[i] = ch
	}
	return &out
}

// redactEvent returns a copy of e with messages, inputs, request bodies and
// responses replaced by [RedactedText], for a logger that asked for them
// redacted ([RedactMessages]).
func redactEvent(e *Event) *Event {
	c := *e
	c.fin = e.fin.redacted()
	c.MessagesRedacted = true
	if len(e.Messages) > 0 {
		c.Messages = []Message{{Role: RoleUser, Content: RedactedText}}
	}
	if e.Prompt != "" {
		c.Prompt = RedactedText
	}
	if len(e.Input) > 0 {
		c.Input = []string{RedactedText}
	}
	if c.Attempt.Number > 0 {
		c.Attempt.Input = RedactedText
		c.Attempt.RequestBody = redactedJSON
	}
	if e.OriginalResponse != "" && e.Err == nil && e.Attempt.Err == nil {
		c.OriginalResponse = RedactedText
	}
	c.Response = redactResponse(e.Response)
	if e.CompleteStreamingResponse == e.Response {
		c.CompleteStreamingResponse = c.Response
	} else {
		c.CompleteStreamingResponse = redactResponse(e.CompleteStreamingResponse)
	}
	if e.EmbeddingResponse != nil {
		er := e.EmbeddingResponse.Clone()
		er.Raw = nil
		c.EmbeddingResponse = er
	}
	return &c
}
