package gemini

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonobj"
)

// convertTools maps OpenAI function tools to one Gemini tool holding their
// functionDeclarations (name, description, and the parameters as
// parametersJsonSchema, which takes JSON Schema as is, so no schema
// rewriting is needed; omitted for a function without parameters). A tool
// that is not a function, such as {"googleSearch": {}} or {"codeExecution":
// {}} decoded from a request body, is sent as its members, one Gemini tool
// each.
func (p *Provider) convertTools(tools []llmux.Tool) ([]json.RawMessage, error) {
	var decls []json.RawMessage
	var others []json.RawMessage
	for i, t := range tools {
		where := fmt.Sprintf("tool %d", i)
		switch {
		case (t.Type == "" || t.Type == "function") && t.Function.Name != "":
			var o object
			schema := bytes.TrimSpace(t.Function.Parameters)
			hasSchema := len(schema) > 0 && !bytes.Equal(schema, []byte("null"))
			if hasSchema {
				c, err := p.compact(schema, "tools", where+": parameters")
				if err != nil {
					return nil, err
				}
				schema = c
			}
			if err := o.SetEach([]field{
				{Key: "name", Val: t.Function.Name, When: true},
				{Key: "description", Val: t.Function.Description, When: t.Function.Description != ""},
				{Key: "parametersJsonSchema", Val: json.RawMessage(schema), When: hasSchema},
			}); err != nil {
				return nil, err
			}
			decls = append(decls, o.Bytes())
		case t.Type == "" && len(t.Extra) > 0:
			var o object
			keys := make([]string, 0, len(t.Extra))
			for k := range t.Extra {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				c, err := p.compact(t.Extra[k], "tools", where+": "+k)
				if err != nil {
					return nil, err
				}
				o.SetRaw(k, c)
			}
			others = append(others, o.Bytes())
		case t.Type == "" || t.Type == "function":
			return nil, p.invalidParam("tools", "%s: function without a name", where)
		default:
			return nil, p.invalidParam("tools", "%s: unsupported type %q", where, t.Type)
		}
	}
	var out []json.RawMessage
	if len(decls) > 0 {
		b, err := jsonobj.Marshal(map[string][]json.RawMessage{"functionDeclarations": decls})
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return append(out, others...), nil
}

// functionCallingConfig is toolConfig.functionCallingConfig:
// https://ai.google.dev/gemini-api/docs/function-calling#function_calling_modes
type functionCallingConfig struct {
	Mode                 string   `json:"mode"`
	AllowedFunctionNames []string `json:"allowedFunctionNames,omitempty"`
}

type toolConfig struct {
	FunctionCallingConfig functionCallingConfig `json:"functionCallingConfig"`
}

// convertToolChoice maps OpenAI's tool_choice to toolConfig: "auto" to
// AUTO, "none" to NONE, "required" to ANY, a function to ANY restricted to
// it; nil when unset. A raw choice may be a mode string, OpenAI's
// {"type":"function","function":{"name":X}}, or Gemini's own
// {"functionCallingConfig": {...}}, sent as is.
func (p *Provider) convertToolChoice(tc *llmux.ToolChoice) (any, error) {
	switch {
	case tc == nil:
		return nil, nil
	case len(tc.Raw) > 0:
		return p.rawToolChoice(tc.Raw)
	case tc.Function != "":
		return toolConfig{functionCallingConfig{Mode: "ANY", AllowedFunctionNames: []string{tc.Function}}}, nil
	}
	return p.modeToolChoice(tc.Mode)
}

func (p *Provider) modeToolChoice(mode string) (any, error) {
	switch mode {
	case "":
		return nil, nil
	case "auto":
		return toolConfig{functionCallingConfig{Mode: "AUTO"}}, nil
	case "none":
		return toolConfig{functionCallingConfig{Mode: "NONE"}}, nil
	case "required", "any":
		return toolConfig{functionCallingConfig{Mode: "ANY"}}, nil
	}
	return nil, p.invalidParam("tool_choice", "unsupported tool_choice %q", mode)
}

func (p *Provider) rawToolChoice(raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var mode string
		if err := json.Unmarshal(raw, &mode); err != nil {
			return nil, p.invalidParam("tool_choice", "tool_choice is not valid JSON")
		}
		return p.modeToolChoice(mode)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, p.invalidParam("tool_choice", "tool_choice must be a string or a JSON object")
	}
	if _, ok := obj["functionCallingConfig"]; ok {
		return p.compact(raw, "tool_choice", "tool_choice")
	}
	var f struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if json.Unmarshal(raw, &f) != nil || f.Type != "function" || f.Function.Name == "" {
		return nil, p.invalidParam("tool_choice", "tool_choice object must name a function")
	}
	return toolConfig{functionCallingConfig{Mode: "ANY", AllowedFunctionNames: []string{f.Function.Name}}}, nil
}

// thinkingConfig is generationConfig.thinkingConfig:
// https://ai.google.dev/gemini-api/docs/thinking
type thinkingConfig struct {
	IncludeThoughts bool   `json:"includeThoughts"`
	ThinkingBudget  *int   `json:"thinkingBudget,omitempty"`
	ThinkingLevel   string `json:"thinkingLevel,omitempty"`
}

// Thinking budgets of reasoning_effort, LiteLLM's
// (DEFAULT_REASONING_EFFORT_*_THINKING_BUDGET), with xhigh doubling high.
var thinkingBudgets = map[string]int{"low": 1024, "medium": 2048, "high": 4096, "xhigh": 8192}

// thinkingFor maps reasoning_effort to a thinkingConfig that asks for the
// thoughts (so they come back as reasoning_content):
//
//   - Gemini 3 models take a thinkingLevel: minimal and low give "low",
//     medium, high and xhigh give "high"; none is refused (they cannot
//     turn thinking off).
//   - Earlier models take a thinkingBudget: low 1024, medium 2048, high
//     4096, xhigh 8192, minimal the model's smallest (512 for flash-lite,
//     128 otherwise), none 0 (thinking off, which 2.5 Pro refuses).
func (p *Provider) thinkingFor(model, effort string) (*thinkingConfig, error) {
	m := strings.ToLower(model)
	if strings.Contains(m, "gemini-3") {
		switch effort {
		case "minimal", "low":
			return &thinkingConfig{IncludeThoughts: true, ThinkingLevel: "low"}, nil
		case "medium", "high", "xhigh":
			return &thinkingConfig{IncludeThoughts: true, ThinkingLevel: "high"}, nil
		}
		return nil, p.invalidParam("reasoning_effort", "reasoning_effort %q is not supported by %s (minimal, low, medium, high, xhigh)", effort, model)
	}
	var budget int
	switch effort {
	case "none":
		return &thinkingConfig{IncludeThoughts: false, ThinkingBudget: new(int)}, nil
	case "minimal":
		budget = 128
		if strings.Contains(m, "flash-lite") {
			budget = 512
		}
	default:
		b, ok := thinkingBudgets[effort]
		if !ok {
			return nil, p.invalidParam("reasoning_effort", "reasoning_effort %q is not one of none, minimal, low, medium, high, xhigh", effort)
		}
		budget = b
	}
	return &thinkingConfig{IncludeThoughts: true, ThinkingBudget: &budget}, nil
}

// signatureKey is where a tool call keeps its Gemini thought signature:
// provider_specific_fields.thought_signature, as LiteLLM puts it.
const signatureKey = "provider_specific_fields"

// thoughtSeparator joins a tool call id and its thought signature in
// LiteLLM's ids ("call_abc__thought__<signature>"), which clients that
// drop unknown members still send back.
const thoughtSeparator = "__thought__"

// signatureOf returns the thought signature a tool call carries back to
// Gemini: its provider_specific_fields.thought_signature, else the part of
// its id after "__thought__".
func signatureOf(tc llmux.ToolCall) string {
	if raw, ok := tc.Extra[signatureKey]; ok {
		var f struct {
			Sig string `json:"thought_signature"`
		}
		if json.Unmarshal(raw, &f) == nil && f.Sig != "" {
			return f.Sig
		}
	}
	if _, sig, ok := strings.Cut(tc.ID, thoughtSeparator); ok {
		return sig
	}
	return ""
}
