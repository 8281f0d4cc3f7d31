package llmux

// forLog returns the response as loggers may see it: itself, or a copy
// with every text replaced by [RedactedText] when message logging is off.
func (cl *call) forLog(r *Response) *Response {
	if !cl.redact || r == nil {
		return r
	}
	c := *r
	c.Raw = nil
	c.Choices = make([]Choice, len(r.Choices))
	for i, ch := range r.Choices {
		ch.Message = redactMessage(ch.Message)
		if ch.Text != "" {
			ch.Text = RedactedText
		}
		ch.Logprobs = nil
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
	for _, tc := range m.ToolCalls {
		tc.Function.Arguments = RedactedText
		out.ToolCalls = append(out.ToolCalls, tc)
	}
	return out
}

func redactChunk(c *Chunk) *Chunk {
	out := *c
	out.Choices = make([]ChunkChoice, len(c.Choices))
	for i, ch := range c.Choices {
		if ch.Delta.Content != "" {
			ch.Delta.Content = RedactedText
		}
		if ch.Delta.Refusal != "" {
			ch.Delta.Refusal = RedactedText
		}
		if ch.Text != "" {
			ch.Text = RedactedText
		}
		if len(ch.Delta.ToolCalls) > 0 {
			tcs := make([]ToolCall, len(ch.Delta.ToolCalls))
			for j, tc := range ch.Delta.ToolCalls {
				if tc.Function.Arguments != "" {
					tc.Function.Arguments = RedactedText
				}
				tcs[j] = tc
			}
			ch.Delta.ToolCalls = tcs
		}
		out.Choices[i] = ch
	}
	return &out
}
