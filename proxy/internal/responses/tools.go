package responses

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/llmux/llmux"
)

func (d *decoder) tools() error {
	d.echo.tools = json.RawMessage("[]")
	if v := d.get("tools"); v != nil {
		var tools []json.RawMessage
		if err := json.Unmarshal(v, &tools); err != nil {
			return invalid("tools", "want an array of tools")
		}
		for i, raw := range tools {
			t, err := decodeTool(fmt.Sprintf("tools[%d]", i), raw)
			if err != nil {
				return err
			}
			d.req.Tools = append(d.req.Tools, t)
		}
		d.echo.tools = v
	}
	d.echo.toolChoice = json.RawMessage(`"auto"`)
	if v := d.get("tool_choice"); v != nil {
		tc, err := decodeToolChoice(v)
		if err != nil {
			return err
		}
		d.echo.toolChoice = v
		if len(d.req.Tools) > 0 {
			d.req.ToolChoice = tc
		}
	}
	if v := d.get("parallel_tool_calls"); v != nil {
		b, err := asBool(v, "parallel_tool_calls")
		if err != nil {
			return err
		}
		d.echo.parallel = &b
		if len(d.req.Tools) > 0 {
			d.req.ParallelToolCalls = &b
		}
	}
	return nil
}

// builtinTools are the Responses API's hosted tool types, which run on
// OpenAI's side and have no chat equivalent.
var builtinTools = map[string]bool{
	"web_search": true, "web_search_preview": true, "web_search_preview_2025_03_11": true,
	"web_search_2025_08_26": true, "file_search": true, "computer": true, "computer_use": true,
	"computer_use_preview": true, "code_interpreter": true, "image_generation": true, "mcp": true,
	"local_shell": true, "shell": true, "apply_patch": true, "tool_search": true, "namespace": true,
	"programmatic_tool_calling": true,
}

func decodeTool(path string, raw json.RawMessage) (llmux.Tool, error) {
	var t llmux.Tool
	m, err := asObject(raw, path)
	if err != nil {
		return t, err
	}
	typ, err := reqString(nonNull(m["type"]), path+".type")
	if err != nil {
		return t, err
	}
	switch {
	case typ == "function":
	case builtinTools[typ]:
		return t, unsupported(path+".type", "built-in tool %q is not supported by this gateway, which serves every model through the chat API: only function tools are", typ)
	case typ == "custom":
		return t, unsupported(path+".type", "custom (free-form) tools are not supported by this gateway: only function tools are")
	default:
		return t, unsupported(path+".type", "tool type %q is not supported: only function tools are", typ)
	}
	t.Type = "function"
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := nonNull(m[k])
		p := path + "." + k
		switch k {
		case "type":
		case "name":
			if t.Function.Name, err = reqString(v, p); err != nil {
				return t, err
			}
		case "description":
			if v != nil {
				if t.Function.Description, err = asString(v, p); err != nil {
					return t, err
				}
			}
		case "parameters":
			if v != nil {
				if !isObject(v) {
					return t, invalid(p, "want a JSON Schema object")
				}
				t.Function.Parameters = v
			}
		case "strict":
			if v != nil {
				b, err := asBool(v, p)
				if err != nil {
					return t, err
				}
				t.Function.Strict = &b
			}
		case "defer_loading", "output_schema", "allowed_callers":
			// Features of hosted tool search and programmatic tool calling;
			// their defaults are what a chat tool is.
			if v != nil && string(v) != "false" {
				return t, unsupported(p, "not supported by this gateway")
			}
		default:
			if v != nil {
				return t, invalid(p, "unknown member of a function tool")
			}
		}
	}
	if t.Function.Name == "" {
		return t, invalid(path+".name", "required")
	}
	return t, nil
}

func decodeToolChoice(raw json.RawMessage) (*llmux.ToolChoice, error) {
	if raw[0] == '"' {
		s, err := asString(raw, "tool_choice")
		if err != nil {
			return nil, err
		}
		switch s {
		case llmux.ToolChoiceAuto, llmux.ToolChoiceNone, llmux.ToolChoiceRequired:
			return &llmux.ToolChoice{Mode: s}, nil
		}
		return nil, invalid("tool_choice", "want \"auto\", \"none\", \"required\" or an object, not %q", s)
	}
	m, err := asObject(raw, "tool_choice")
	if err != nil {
		return nil, err
	}
	typ, err := reqString(nonNull(m["type"]), "tool_choice.type")
	if err != nil {
		return nil, err
	}
	switch typ {
	case "function":
		name, err := reqString(nonNull(m["name"]), "tool_choice.name")
		if err != nil {
			return nil, err
		}
		return llmux.ToolChoiceFunction(name), nil
	case "allowed_tools":
		return allowedTools(m)
	}
	return nil, unsupported("tool_choice.type", "%q is not supported by this gateway: only function tools are", typ)
}

// allowedTools maps {"type":"allowed_tools","mode","tools":[{"type":
// "function","name"}]} to the chat API's {"type":"allowed_tools",
// "allowed_tools":{"mode","tools":[{"type":"function","function":{"name"}}]}}.
func allowedTools(m map[string]json.RawMessage) (*llmux.ToolChoice, error) {
	mode, err := reqString(nonNull(m["mode"]), "tool_choice.mode")
	if err != nil {
		return nil, err
	}
	if mode != llmux.ToolChoiceAuto && mode != llmux.ToolChoiceRequired {
		return nil, invalid("tool_choice.mode", "want \"auto\" or \"required\", not %q", mode)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(nonNull(m["tools"]), &list); err != nil || list == nil {
		return nil, invalid("tool_choice.tools", "want an array of tools")
	}
	type fn struct {
		Name string `json:"name"`
	}
	type tool struct {
		Type     string `json:"type"`
		Function fn     `json:"function"`
	}
	out := make([]tool, 0, len(list))
	for i, raw := range list {
		p := fmt.Sprintf("tool_choice.tools[%d]", i)
		tm, err := asObject(raw, p)
		if err != nil {
			return nil, err
		}
		typ, err := reqString(nonNull(tm["type"]), p+".type")
		if err != nil {
			return nil, err
		}
		if typ != "function" {
			return nil, unsupported(p+".type", "%q is not supported by this gateway: only function tools are", typ)
		}
		name, err := reqString(nonNull(tm["name"]), p+".name")
		if err != nil {
			return nil, err
		}
		out = append(out, tool{Type: "function", Function: fn{Name: name}})
	}
	raw, err := json.Marshal(map[string]any{"type": "allowed_tools",
		"allowed_tools": map[string]any{"mode": mode, "tools": out}})
	if err != nil {
		return nil, err
	}
	return &llmux.ToolChoice{Raw: raw}, nil
}
