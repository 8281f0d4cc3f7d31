package llmux

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Bounds on what upstream indices may make the accumulator grow to.
const (
	maxChoices   = 128
	maxToolCalls = 128
)

// accumulator builds the complete response of a stream from its chunks. It
// refuses impossible sequences (an index that skips ahead) with
// CodeBadResponse instead of guessing.
type accumulator struct {
	id, model, fingerprint, tier string
	created                      int64
	choices                      []*choiceAcc
	usage                        *Usage
}

type choiceAcc struct {
	role      Role
	content   strings.Builder
	text      strings.Builder
	refusal   strings.Builder
	reasoning strings.Builder
	tools     []*toolAcc
	thinking  []*thinkingAcc
	// sawThinking is set when the stream sent thinking-block pieces.
	sawThinking bool
	audio       *audioAcc
	logprobs    logprobsAcc
	extra       map[string]json.RawMessage
	finish      string
}

type toolAcc struct {
	id, typ, name string
	args          strings.Builder
}

// thinkingAcc is one thinking block being streamed: open until its
// signature arrives.
type thinkingAcc struct {
	typ, signature, data string
	thinking             strings.Builder
	open                 bool
}

type audioAcc struct {
	id               string
	expiresAt        int64
	data, transcript strings.Builder
}

// logprobsAcc joins the "content" and "refusal" token lists of streamed
// logprobs objects.
type logprobsAcc struct {
	content, refusal []json.RawMessage
	seen             bool
}

func badSequence(format string, args ...any) error {
	return &Error{Code: CodeBadResponse, Message: "stream: " + fmt.Sprintf(format, args...)}
}

func (a *accumulator) add(c *Chunk) error {
	if a.id == "" {
		a.id = c.ID
	}
	if c.Model != "" {
		a.model = c.Model
	}
	if a.created == 0 {
		a.created = c.Created
	}
	if c.SystemFingerprint != "" {
		a.fingerprint = c.SystemFingerprint
	}
	if c.ServiceTier != "" {
		a.tier = c.ServiceTier
	}
	if c.Usage != nil {
		u := c.Usage.clone()
		a.usage = &u
	}
	for i := range c.Choices {
		cc := &c.Choices[i]
		if cc.Index < 0 || cc.Index > len(a.choices) || cc.Index >= maxChoices {
			return badSequence("choice index %d out of order (have %d)", cc.Index, len(a.choices))
		}
		if cc.Index == len(a.choices) {
			a.choices = append(a.choices, &choiceAcc{})
		}
		ch := a.choices[cc.Index]
		d := &cc.Delta
		if d.Role != "" {
			ch.role = d.Role
		}
		ch.content.WriteString(d.Content)
		ch.text.WriteString(cc.Text)
		ch.refusal.WriteString(d.Refusal)
		ch.addReasoning(d)
		if au := d.Audio; au != nil {
			if ch.audio == nil {
				ch.audio = &audioAcc{}
			}
			if au.ID != "" {
				ch.audio.id = au.ID
			}
			if au.ExpiresAt != 0 {
				ch.audio.expiresAt = au.ExpiresAt
			}
			ch.audio.data.WriteString(au.Data)
			ch.audio.transcript.WriteString(au.Transcript)
		}
		if len(cc.Logprobs) > 0 {
			if err := ch.logprobs.add(cc.Logprobs); err != nil {
				return err
			}
		}
		for k, v := range cc.Extra {
			if ch.extra == nil {
				ch.extra = make(map[string]json.RawMessage, len(cc.Extra))
			}
			ch.extra[k] = cloneRaw(v)
		}
		if cc.FinishReason != "" {
			ch.finish = cc.FinishReason
		}
		for j := range d.ToolCalls {
			if err := ch.addTool(&d.ToolCalls[j]); err != nil {
				return err
			}
		}
	}
	return nil
}

// addReasoning takes a delta's reasoning: its text, and the pieces of
// thinking blocks. Text opens a thinking block when none is open (and goes
// into it); a piece's signature closes the open block; a redacted block is
// whole. A piece repeating the text of the same delta (as LiteLLM's chunks
// do) adds nothing more. Blocks are kept only when the stream sent pieces,
// so servers that stream reasoning_content alone (DeepSeek, vLLM) get no
// invented blocks.
func (ch *choiceAcc) addReasoning(d *Delta) {
	if r := d.ReasoningContent; r != "" {
		ch.reasoning.WriteString(r)
		t := ch.openThinking()
		if t == nil && len(ch.thinking) < maxToolCalls {
			t = &thinkingAcc{typ: "thinking", open: true}
			ch.thinking = append(ch.thinking, t)
		}
		if t != nil {
			t.thinking.WriteString(r)
		}
	}
	for _, p := range d.ThinkingBlocks {
		ch.sawThinking = true
		text := p.Thinking
		if d.ReasoningContent != "" {
			text = ""
		}
		t := ch.openThinking()
		switch {
		case p.Type == "redacted_thinking":
			if t != nil {
				t.open = false
			}
			ch.thinking = append(ch.thinking, &thinkingAcc{typ: p.Type, data: p.Data})
		case t != nil:
			t.thinking.WriteString(text)
			if p.Signature != "" {
				t.signature = p.Signature
				t.open = false
			}
		case text == "" && p.Signature == "":
		case len(ch.thinking) < maxToolCalls:
			t = &thinkingAcc{typ: "thinking", signature: p.Signature, open: p.Signature == ""}
			t.thinking.WriteString(text)
			ch.thinking = append(ch.thinking, t)
		}
	}
}

// openThinking returns the thinking block still streaming, if any.
func (ch *choiceAcc) openThinking() *thinkingAcc {
	if n := len(ch.thinking); n > 0 && ch.thinking[n-1].open {
		return ch.thinking[n-1]
	}
	return nil
}

func (l *logprobsAcc) add(raw json.RawMessage) error {
	var lp struct {
		Content []json.RawMessage `json:"content"`
		Refusal []json.RawMessage `json:"refusal"`
	}
	if string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, &lp); err != nil {
		return badSequence("logprobs: %v", err)
	}
	l.seen = true
	if lp.Content != nil && l.content == nil {
		l.content = []json.RawMessage{}
	}
	if lp.Refusal != nil && l.refusal == nil {
		l.refusal = []json.RawMessage{}
	}
	l.content = append(l.content, lp.Content...)
	l.refusal = append(l.refusal, lp.Refusal...)
	return nil
}

func (l *logprobsAcc) raw() json.RawMessage {
	if !l.seen {
		return nil
	}
	b, _ := json.Marshal(struct {
		Content []json.RawMessage `json:"content"`
		Refusal []json.RawMessage `json:"refusal"`
	}{l.content, l.refusal})
	return b
}

func (ch *choiceAcc) addTool(tc *ToolCall) error {
	idx := len(ch.tools) - 1
	switch {
	case tc.Index != nil:
		idx = *tc.Index
	case tc.ID != "" || idx < 0:
		idx = len(ch.tools)
	}
	if idx < 0 || idx > len(ch.tools) || idx >= maxToolCalls {
		return badSequence("tool call index %d out of order (have %d)", idx, len(ch.tools))
	}
	if idx == len(ch.tools) {
		ch.tools = append(ch.tools, &toolAcc{})
	}
	t := ch.tools[idx]
	if tc.ID != "" {
		t.id = tc.ID
	}
	if tc.Type != "" {
		t.typ = tc.Type
	}
	if tc.Function.Name != "" {
		t.name = tc.Function.Name
	}
	t.args.WriteString(tc.Function.Arguments)
	return nil
}

// response returns the accumulated response; object is "chat.completion"
// or "text_completion".
func (a *accumulator) response(object string) *Response {
	r := &Response{ID: a.id, Object: object, Created: a.created, Model: a.model, SystemFingerprint: a.fingerprint,
		ServiceTier: a.tier, Choices: make([]Choice, len(a.choices))}
	for i := range a.choices {
		ch := a.choices[i]
		role := ch.role
		if role == "" {
			role = RoleAssistant
		}
		c := Choice{Index: i, FinishReason: ch.finish, Text: ch.text.String(), Logprobs: ch.logprobs.raw(), Extra: ch.extra}
		if object != "text_completion" {
			c.Message = Message{Role: role, Content: ch.content.String(), Refusal: ch.refusal.String(),
				ReasoningContent: ch.reasoning.String()}
		}
		for _, t := range ch.tools {
			typ := t.typ
			if typ == "" {
				typ = "function"
			}
			c.Message.ToolCalls = append(c.Message.ToolCalls, ToolCall{ID: t.id, Type: typ,
				Function: FunctionCall{Name: t.name, Arguments: t.args.String()}})
		}
		if ch.sawThinking {
			for _, t := range ch.thinking {
				c.Message.ThinkingBlocks = append(c.Message.ThinkingBlocks,
					ThinkingBlock{Type: t.typ, Thinking: t.thinking.String(), Signature: t.signature, Data: t.data})
			}
			if c.Message.ReasoningContent == "" {
				var b strings.Builder
				for _, t := range ch.thinking {
					b.WriteString(t.thinking.String())
				}
				c.Message.ReasoningContent = b.String()
			}
		}
		if au := ch.audio; au != nil {
			c.Message.Audio = &Audio{ID: au.id, ExpiresAt: au.expiresAt, Data: au.data.String(), Transcript: au.transcript.String()}
		}
		r.Choices[i] = c
	}
	if a.usage != nil {
		r.Usage = *a.usage
	}
	return r
}
