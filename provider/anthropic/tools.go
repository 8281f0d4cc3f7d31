package anthropic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonobj"
)

// toolChoice is the Messages API's tool_choice.
// https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#forcing-tool-use
type toolChoice struct {
	Type                   string `json:"type"`
	Name                   string `json:"name,omitempty"`
	DisableParallelToolUse *bool  `json:"disable_parallel_tool_use,omitempty"`
}

// emptySchema is sent for a function without parameters: the Messages API
// requires input_schema.
var emptySchema = json.RawMessage(`{"type":"object","properties":{}}`)

// convertTools maps OpenAI function tools to Anthropic tools: name,
// description, input_schema and cache_control, then the tool's Extra
// members (Anthropic's own tool members) in key order. A tool of any
// other type but OpenAI's "custom" is one of Anthropic's server or
// versioned tools (web_search_20250305, bash_20250124...), sent as
// {"type", "name"} with its Extra members (max_uses, allowed_domains...)
// and cache_control.
func convertTools(tools []llmux.Tool) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, 0, len(tools))
	for i, t := range tools {
		where := fmt.Sprintf("tool %d", i)
		cc, err := compactJSON(t.CacheControl, "cache_control", where)
		if err != nil {
			return nil, err
		}
		var o object
		switch t.Type {
		case "", "function":
			schema := t.Function.Parameters
			if len(bytes.TrimSpace(schema)) == 0 || bytes.Equal(bytes.TrimSpace(schema), []byte("null")) {
				schema = emptySchema
			}
			if err := o.SetEach([]field{
				{Key: "name", Val: t.Function.Name, When: true},
				{Key: "description", Val: t.Function.Description, When: t.Function.Description != ""},
				{Key: "input_schema", Val: schema, When: true},
				{Key: "cache_control", Val: cc, When: cc != nil},
			}); err != nil {
				return nil, err
			}
		case "custom":
			return nil, invalidParam("tools", "tool %d: unsupported type %q", i, t.Type)
		default:
			if err := o.SetEach([]field{
				{Key: "type", Val: t.Type, When: true},
				{Key: "name", Val: t.Function.Name, When: t.Function.Name != ""},
				{Key: "cache_control", Val: cc, When: cc != nil},
			}); err != nil {
				return nil, err
			}
		}
		extra, err := extraMembers(t.Extra, where, nil)
		if err != nil {
			return nil, err
		}
		for _, k := range sortedKeys(extra) {
			if !o.Has(k) {
				o.SetRaw(k, extra[k])
			}
		}
		out = append(out, o.Bytes())
	}
	return out, nil
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// convertToolChoice maps OpenAI's tool_choice and parallel_tool_calls to
// the Messages API's tool_choice; nil means none is sent.
//
//   - Mode "auto" -> {"type":"auto"}, "required" -> {"type":"any"},
//     "none" -> {"type":"none"}.
//   - Function X -> {"type":"tool","name":X}.
//   - Raw: a JSON string is a mode; an object in Anthropic's shape (type
//     auto, any, tool or none) passes through verbatim; OpenAI's
//     {"type":"function","function":{"name":X}} is converted; any other
//     form (allowed_tools, custom) fails naming tool_choice.
//   - parallel_tool_calls = v adds "disable_parallel_tool_use": !v, on
//     {"type":"auto"} when no tool_choice is set; "none" takes no such
//     flag, so none is added to it.
func convertToolChoice(tc *llmux.ToolChoice, parallel *bool) ([]byte, error) {
	var disable *bool
	if parallel != nil {
		d := !*parallel
		disable = &d
	}
	switch {
	case tc == nil:
		return modeToolChoice("", disable)
	case len(tc.Raw) > 0:
		return rawToolChoice(tc.Raw, disable)
	case tc.Function != "":
		return jsonobj.Marshal(toolChoice{Type: "tool", Name: tc.Function, DisableParallelToolUse: disable})
	}
	return modeToolChoice(tc.Mode, disable)
}

func modeToolChoice(mode string, disable *bool) ([]byte, error) {
	switch mode {
	case "auto":
		return jsonobj.Marshal(toolChoice{Type: "auto", DisableParallelToolUse: disable})
	case "required", "any":
		return jsonobj.Marshal(toolChoice{Type: "any", DisableParallelToolUse: disable})
	case "none":
		return jsonobj.Marshal(toolChoice{Type: "none"})
	case "":
		if disable == nil {
			return nil, nil
		}
		return jsonobj.Marshal(toolChoice{Type: "auto", DisableParallelToolUse: disable})
	}
	return nil, invalidParam("tool_choice", "unsupported tool_choice %q", mode)
}

func rawToolChoice(raw json.RawMessage, disable *bool) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var mode string
		if err := json.Unmarshal(raw, &mode); err != nil {
			return nil, invalidParam("tool_choice", "tool_choice is not valid JSON")
		}
		return modeToolChoice(mode, disable)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, invalidParam("tool_choice", "tool_choice must be a string or a JSON object")
	}
	var typ string
	_ = json.Unmarshal(obj["type"], &typ) // a non-string type is reported below
	switch typ {
	case "function":
		var f struct {
			Function struct {
				Name string `json:"name"`
			} `json:"function"`
		}
		if json.Unmarshal(raw, &f) != nil || f.Function.Name == "" {
			return nil, invalidParam("tool_choice", "tool_choice: function name is required")
		}
		return jsonobj.Marshal(toolChoice{Type: "tool", Name: f.Function.Name, DisableParallelToolUse: disable})
	case "auto", "any", "tool", "none":
		if _, set := obj["disable_parallel_tool_use"]; disable == nil || typ == "none" || set {
			var buf bytes.Buffer
			_ = json.Compact(&buf, raw) // valid: it decoded
			return buf.Bytes(), nil
		}
		obj["disable_parallel_tool_use"] = json.RawMessage(fmt.Sprint(*disable))
		return jsonobj.Marshal(obj)
	}
	return nil, invalidParam("tool_choice", "tool_choice of type %q has no Anthropic equivalent", typ)
}
