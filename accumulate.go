package llmux

import (
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
	id, model, fingerprint string
	created                int64
	choices                []*choiceAcc
	usage                  *Usage
}

type choiceAcc struct {
	role    Role
	content strings.Builder
	text    strings.Builder
	refusal strings.Builder
	tools   []*toolAcc
	finish  string
}

type toolAcc struct {
	id, typ, name string
	args          strings.Builder
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
	if c.Usage != nil {
		u := *c.Usage
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
		if cc.Delta.Role != "" {
			ch.role = cc.Delta.Role
		}
		ch.content.WriteString(cc.Delta.Content)
		ch.text.WriteString(cc.Text)
		ch.refusal.WriteString(cc.Delta.Refusal)
		if cc.FinishReason != "" {
			ch.finish = cc.FinishReason
		}
		for j := range cc.Delta.ToolCalls {
			if err := ch.addTool(&cc.Delta.ToolCalls[j]); err != nil {
				return err
			}
		}
	}
	return nil
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
		Choices: make([]Choice, len(a.choices))}
	for i := range a.choices {
		ch := a.choices[i]
		role := ch.role
		if role == "" {
			role = RoleAssistant
		}
		c := Choice{Index: i, FinishReason: ch.finish, Text: ch.text.String(),
			Message: Message{Role: role, Content: ch.content.String(), Refusal: ch.refusal.String()}}
		for _, t := range ch.tools {
			typ := t.typ
			if typ == "" {
				typ = "function"
			}
			c.Message.ToolCalls = append(c.Message.ToolCalls, ToolCall{ID: t.id, Type: typ,
				Function: FunctionCall{Name: t.name, Arguments: t.args.String()}})
		}
		r.Choices[i] = c
	}
	if a.usage != nil {
		r.Usage = *a.usage
	}
	return r
}
