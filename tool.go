package llmux

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/llmux/llmux/internal/jsonx"
)

// Tool is a function the model may call, in OpenAI's shape. Tools of
// other types ("custom", provider built-ins) keep their members in Extra.
type Tool struct {
	Type     string   `json:"type"` // "function"
	Function Function `json:"function"`
	// CacheControl is a prompt-caching marker for providers that support
	// it (Anthropic).
	CacheControl json.RawMessage            `json:"cache_control,omitempty"`
	Extra        map[string]json.RawMessage `json:"-"`

	seen jsonx.Seen
}

var toolMembers = names("type", "function", "cache_control")

// Function describes a callable function; Parameters is a JSON Schema.
type Function struct {
	Name        string                     `json:"name"`
	Description string                     `json:"description,omitempty"`
	Parameters  json.RawMessage            `json:"parameters,omitempty"`
	Strict      *bool                      `json:"strict,omitempty"`
	Extra       map[string]json.RawMessage `json:"-"`

	seen jsonx.Seen
}

var functionMembers = names("name", "description", "parameters", "strict")

// ToolCall is a call the model made to a [Tool].
type ToolCall struct {
	// Index is the position of the call within a streamed message; it is
	// only meaningful in [Delta.ToolCalls].
	Index    *int                       `json:"index,omitempty"`
	ID       string                     `json:"id,omitempty"`
	Type     string                     `json:"type,omitempty"`
	Function FunctionCall               `json:"function"`
	Extra    map[string]json.RawMessage `json:"-"`

	seen jsonx.Seen
}

var toolCallMembers = names("index", "id", "type", "function")

// FunctionCall names the function called and its JSON-encoded arguments.
type FunctionCall struct {
	Name      string                     `json:"name,omitempty"`
	Arguments string                     `json:"arguments"`
	Extra     map[string]json.RawMessage `json:"-"`

	seen jsonx.Seen
}

var functionCallMembers = names("name", "arguments")

// ToolChoice says which tool the model must call: a Mode ("auto", "none",
// "required"), one Function by name, or any other form as Raw JSON
// (allowed_tools, custom tools, a provider's own shape), sent verbatim.
// When several are set, Raw wins, then Function, then Mode.
type ToolChoice struct {
	Mode     string          `json:"mode,omitempty"`
	Function string          `json:"function,omitempty"`
	Raw      json.RawMessage `json:"raw,omitempty"`
}

// The tool choice modes.
const (
	ToolChoiceAuto     = "auto"
	ToolChoiceNone     = "none"
	ToolChoiceRequired = "required"
)

// ToolChoiceFunction returns a tool choice forcing a call to the function
// named name.
func ToolChoiceFunction(name string) *ToolChoice { return &ToolChoice{Function: name} }

// MarshalJSON encodes the choice in OpenAI's shape: "auto", or
// {"type":"function","function":{"name":...}}, or Raw.
func (t ToolChoice) MarshalJSON() ([]byte, error) { return jsonx.Encode(48, t.encode) }

// UnmarshalJSON accepts a mode string or an object; an object other than
// {"type":"function","function":{"name":...}} is kept in Raw.
func (t *ToolChoice) UnmarshalJSON(b []byte) error {
	*t = ToolChoice{}
	return wrapJSON("tool_choice", jsonx.Decode(b, t.decode))
}

func (t *ToolChoice) encode(e *jsonx.Enc) {
	switch {
	case len(t.Raw) > 0:
		e.Raw(t.Raw)
	case t.Function != "":
		e.Open()
		e.Name("type")
		e.Str("function")
		e.Name("function")
		e.Open()
		e.Name("name")
		e.Str(t.Function)
		e.Close()
		e.Close()
	default:
		e.Str(t.Mode)
	}
}

func (t *ToolChoice) decode(r *jsonx.R) {
	switch r.Kind() {
	case '"':
		var s jsonx.Seen
		t.Mode = r.Str(&s, 0)
	case '{':
		raw := r.Raw()
		t.Raw = raw
		var f struct {
			Type     string `json:"type"`
			Function struct {
				Name string `json:"name"`
			} `json:"function"`
		}
		if json.Unmarshal(raw, &f) == nil && f.Type == "function" && f.Function.Name != "" {
			canon, _ := jsonx.Encode(48, (&ToolChoice{Function: f.Function.Name}).encode)
			if bytes.Equal(canon, raw) {
				t.Raw, t.Function = nil, f.Function.Name
			}
		}
	default:
		r.Errorf("tool_choice: want a string or an object")
		r.Skip()
	}
}

// String returns the choice as its JSON.
func (t *ToolChoice) String() string {
	if t == nil {
		return "<nil>"
	}
	b, err := t.MarshalJSON()
	if err != nil {
		return fmt.Sprintf("<invalid tool_choice: %v>", err)
	}
	return string(b)
}

// MarshalJSON encodes the tool in OpenAI's shape.
func (t Tool) MarshalJSON() ([]byte, error) { return jsonx.Encode(128, t.encode) }

// UnmarshalJSON decodes OpenAI's tool object.
func (t *Tool) UnmarshalJSON(b []byte) error {
	*t = Tool{}
	return wrapJSON("tool", jsonx.Decode(b, t.decode))
}

func (t *Tool) encode(e *jsonx.Enc) {
	e.Open()
	e.WStr(t.seen, 0, "type", t.Type, true)
	if t.seen.Emit(1, !t.Function.isZero(), t.Type == "" || t.Type == "function") {
		e.Name("function")
		t.Function.encode(e)
	}
	e.WRaw("cache_control", t.CacheControl)
	e.Extra(t.Extra, toolMembers)
	e.Close()
}

func (t *Tool) decode(r *jsonx.R) {
	decodeFields(r, &t.seen, &t.Extra, func(name string) bool {
		switch name {
		case "type":
			t.Type = r.Str(&t.seen, 0)
		case "function":
			t.seen.Mark(1, false)
			t.Function.decode(r)
		case "cache_control":
			t.CacheControl = r.Raw()
		default:
			return false
		}
		return true
	})
}

func (f *Function) isZero() bool {
	return f.Name == "" && f.Description == "" && len(f.Parameters) == 0 && f.Strict == nil && len(f.Extra) == 0
}

func (f *Function) encode(e *jsonx.Enc) {
	e.Open()
	e.WStr(f.seen, 0, "name", f.Name, true)
	e.WStr(f.seen, 1, "description", f.Description, false)
	e.WRaw("parameters", f.Parameters)
	e.WBoolPtr(f.seen, 3, "strict", f.Strict)
	e.Extra(f.Extra, functionMembers)
	e.Close()
}

func (f *Function) decode(r *jsonx.R) {
	decodeFields(r, &f.seen, &f.Extra, func(name string) bool {
		switch name {
		case "name":
			f.Name = r.Str(&f.seen, 0)
		case "description":
			f.Description = r.Str(&f.seen, 1)
		case "parameters":
			f.Parameters = r.Raw()
		case "strict":
			f.Strict = r.BoolPtr(&f.seen, 3)
		default:
			return false
		}
		return true
	})
}

// MarshalJSON encodes the call in OpenAI's shape.
func (c ToolCall) MarshalJSON() ([]byte, error) { return jsonx.Encode(96, c.encode) }

// UnmarshalJSON decodes OpenAI's tool call object (or a streamed piece of
// one).
func (c *ToolCall) UnmarshalJSON(b []byte) error {
	*c = ToolCall{}
	return wrapJSON("tool call", jsonx.Decode(b, c.decode))
}

const (
	tcIndex uint = iota
	tcID
	tcType
	tcFunction
)

func (c *ToolCall) encode(e *jsonx.Enc) {
	s := c.seen
	e.Open()
	e.WIntPtr(s, tcIndex, "index", c.Index)
	e.WStr(s, tcID, "id", c.ID, false)
	e.WStr(s, tcType, "type", c.Type, false)
	if s.Emit(tcFunction, true, true) {
		e.Name("function")
		c.Function.encode(e)
	}
	e.Extra(c.Extra, toolCallMembers)
	e.Close()
}

func (c *ToolCall) decode(r *jsonx.R) {
	if !r.Object() {
		r.Errorf("tool call: want an object")
		return
	}
	s := &c.seen
	s.Decoded = true
	for r.More() {
		n := r.Name()
		switch n.String() {
		case "index":
			c.Index = r.IntPtr(s, tcIndex)
		case "id":
			c.ID = r.Str(s, tcID)
		case "type":
			c.Type = r.Str(s, tcType)
		case "function":
			s.Mark(tcFunction, false)
			c.Function.decode(r)
		default:
			r.Extra(&c.Extra, n.String())
		}
	}
	r.End()
}

func (f *FunctionCall) encode(e *jsonx.Enc) {
	e.Open()
	e.WStr(f.seen, 0, "name", f.Name, false)
	e.WStr(f.seen, 1, "arguments", f.Arguments, true)
	e.Extra(f.Extra, functionCallMembers)
	e.Close()
}

func (f *FunctionCall) decode(r *jsonx.R) {
	if !r.Object() {
		return
	}
	f.seen.Decoded = true
	for r.More() {
		n := r.Name()
		switch n.String() {
		case "name":
			f.Name = r.Str(&f.seen, 0)
		case "arguments":
			f.Arguments = r.Str(&f.seen, 1)
		default:
			r.Extra(&f.Extra, n.String())
		}
	}
	r.End()
}

func decodeToolCalls(r *jsonx.R, s *jsonx.Seen, i uint) []ToolCall {
	if !r.Array() {
		s.Mark(i, true)
		return nil
	}
	s.Mark(i, false)
	out := make([]ToolCall, 0, 1)
	for r.More() {
		var c ToolCall
		c.decode(r)
		out = append(out, c)
	}
	r.End()
	return out
}

func decodeTools(r *jsonx.R, s *jsonx.Seen, i uint) []Tool {
	if !r.Array() {
		s.Mark(i, true)
		return nil
	}
	s.Mark(i, false)
	out := []Tool{}
	for r.More() {
		var t Tool
		t.decode(r)
		out = append(out, t)
	}
	r.End()
	return out
}
