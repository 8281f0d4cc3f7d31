package messages

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/llmux/llmux"
)

// requestMembers are the members of llmux's OpenAI-shaped request body.
// A Messages API body member of the same name that the Messages API does
// not have (seed, n, user...) cannot travel in Request.Extra, which may not
// name them: it is refused, as Anthropic refuses unknown members.
var requestMembers = []string{"model", "messages", "prompt", "input", "temperature", "top_p", "max_tokens",
	"max_completion_tokens", "n", "stop", "presence_penalty", "frequency_penalty", "seed", "logprobs",
	"top_logprobs", "tools", "tool_choice", "parallel_tool_calls", "response_format", "reasoning_effort",
	"dimensions", "encoding_format", "user", "stream", "stream_options"}

// DecodeRequest decodes the body of a Messages API request
// (POST /v1/messages) into an llmux chat request. The package
// documentation lists what each member becomes.
//
// An error is an *llmux.Error with CodeInvalidRequest whose Param is the
// path of the member at fault and whose message names it
// ("messages: messages[2].content[0].type: unknown block type \"foo\""),
// which [EncodeError] answers with a 400 invalid_request_error.
//
// The request's AllowedParams is set to ["metadata"] when the body's
// metadata is not one user_id (see the package documentation); no other
// call option is set.
func DecodeRequest(body []byte) (*llmux.Request, error) {
	var top map[string]json.RawMessage
	if kind(body) != '{' {
		if json.Valid(body) {
			return nil, invalid("", "request body: want a JSON object")
		}
		return nil, invalid("", "request body is not valid JSON")
	}
	if err := unmarshal(body, &top); err != nil {
		return nil, invalid("", "request body is not valid JSON: %v", err)
	}
	req := &llmux.Request{}
	var d decoder

	raw, ok := top["model"]
	if !ok {
		return nil, invalid("model", "is required")
	}
	if err := d.str(raw, "model", &req.Model); err != nil {
		return nil, err
	}
	if raw, ok := top["system"]; ok && !isNull(raw) {
		sys, err := d.system(raw)
		if err != nil {
			return nil, err
		}
		req.Messages = append(req.Messages, sys)
	}
	raw, ok = top["messages"]
	if !ok {
		return nil, invalid("messages", "is required")
	}
	msgs, err := d.messages(raw)
	if err != nil {
		return nil, err
	}
	req.Messages = append(req.Messages, msgs...)

	names := make([]string, 0, len(top))
	for k := range top {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		raw := top[name]
		if err := d.member(req, name, raw); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// decoder groups the decoding steps; it has no state.
type decoder struct{}

// member decodes one top-level member other than model, system and
// messages.
func (d *decoder) member(req *llmux.Request, name string, raw json.RawMessage) error {
	null := isNull(raw)
	switch name {
	case "model", "system", "messages":
	case "max_tokens":
		if !null {
			var n int
			if err := d.int(raw, name, &n); err != nil {
				return err
			}
			req.MaxTokens = &n
		}
	case "temperature", "top_p":
		if !null {
			var f float64
			if err := d.float(raw, name, &f); err != nil {
				return err
			}
			if name == "temperature" {
				req.Temperature = &f
			} else {
				req.TopP = &f
			}
		}
	case "stream":
		if !null {
			if err := d.bool(raw, name, &req.Stream); err != nil {
				return err
			}
		}
	case "stop_sequences":
		if !null {
			var stop []string
			if err := unmarshal(raw, &stop); err != nil {
				return invalid(name, "want an array of strings")
			}
			if len(stop) > 0 {
				req.Stop = stop
			}
		}
	case "metadata":
		if !null {
			if err := d.metadata(req, raw); err != nil {
				return err
			}
		}
	case "tools":
		if !null {
			tools, err := d.tools(raw)
			if err != nil {
				return err
			}
			req.Tools = tools
		}
	case "tool_choice":
		if !null {
			if err := d.toolChoice(req, raw); err != nil {
				return err
			}
		}
	case "top_k":
		if !null {
			var n int
			if err := d.int(raw, name, &n); err != nil {
				return err
			}
		}
		setExtra(req, name, raw)
	case "thinking":
		if !null {
			var t struct {
				Type *string `json:"type"`
			}
			if err := unmarshal(raw, &t); err != nil || kind(raw) != '{' || t.Type == nil {
				return invalid(name, "want an object with a string type (enabled, disabled...)")
			}
		}
		setExtra(req, name, raw)
	case "service_tier":
		if !null {
			var s string
			if err := d.str(raw, name, &s); err != nil {
				return err
			}
		}
		setExtra(req, name, raw)
	default:
		if slices.Contains(requestMembers, name) {
			return invalid(name, "not a Messages API parameter")
		}
		// container, mcp_servers, context_management, output_config...:
		// Anthropic's own, sent as they came.
		setExtra(req, name, raw)
	}
	return nil
}

// metadata maps {"user_id": "..."} to User. Any other metadata (more
// members, no or an empty user_id) goes verbatim to Extra and is allowed
// through the client's check, which otherwise refuses OpenAI's metadata
// for Anthropic.
func (d *decoder) metadata(req *llmux.Request, raw json.RawMessage) error {
	if kind(raw) != '{' {
		return invalid("metadata", "want an object")
	}
	var m map[string]json.RawMessage
	if err := unmarshal(raw, &m); err != nil {
		return invalid("metadata", "want an object")
	}
	if len(m) == 1 {
		var id string
		if unmarshal(m["user_id"], &id) == nil && id != "" && kind(m["user_id"]) == '"' {
			req.User = id
			return nil
		}
	}
	setExtra(req, "metadata", raw)
	req.AllowedParams = append(req.AllowedParams, "metadata")
	return nil
}

// tools decodes the tool definitions: client tools (no type, or
// "custom") become function tools; any other type is one of Anthropic's
// server or versioned tools, kept as a tool of that type named by its
// name, with its other members in Extra.
func (d *decoder) tools(raw json.RawMessage) ([]llmux.Tool, error) {
	var list []json.RawMessage
	if kind(raw) != '[' || unmarshal(raw, &list) != nil {
		return nil, invalid("tools", "want an array of tools")
	}
	out := make([]llmux.Tool, 0, len(list))
	for i, t := range list {
		path := fmt.Sprintf("tools[%d]", i)
		var obj map[string]json.RawMessage
		if kind(t) != '{' || unmarshal(t, &obj) != nil {
			return nil, invalid(path, "want an object")
		}
		var typ, name string
		if raw, ok := obj["type"]; ok && !isNull(raw) {
			if err := d.str(raw, path+".type", &typ); err != nil {
				return nil, err
			}
		}
		if err := d.str(obj["name"], path+".name", &name); err != nil {
			return nil, err
		}
		if name == "" {
			return nil, invalid(path+".name", "is required")
		}
		tool := llmux.Tool{CacheControl: obj["cache_control"]}
		if typ == "" || typ == "custom" {
			tool.Type = "function"
			tool.Function.Name = name
			if raw, ok := obj["description"]; ok && !isNull(raw) {
				if err := d.str(raw, path+".description", &tool.Function.Description); err != nil {
					return nil, err
				}
			}
			if raw, ok := obj["input_schema"]; ok {
				if kind(raw) != '{' {
					return nil, invalid(path+".input_schema", "want a JSON Schema object")
				}
				tool.Function.Parameters = raw
			}
			tool.Extra = rest(obj, "type", "name", "description", "input_schema", "cache_control")
		} else {
			tool.Type = typ
			tool.Function.Name = name
			tool.Extra = rest(obj, "type", "name", "cache_control")
		}
		out = append(out, tool)
	}
	return out, nil
}

// toolChoice maps {"type": auto|any|tool|none, "name",
// "disable_parallel_tool_use"} to ToolChoice and ParallelToolCalls, which
// every provider understands; a tool_choice with anything more is kept
// verbatim in ToolChoice.Raw, which provider/anthropic sends as it is.
func (d *decoder) toolChoice(req *llmux.Request, raw json.RawMessage) error {
	var tc struct {
		Type    *string `json:"type"`
		Name    *string `json:"name"`
		Disable *bool   `json:"disable_parallel_tool_use"`
	}
	if kind(raw) != '{' || unmarshal(raw, &tc) != nil || tc.Type == nil {
		return invalid("tool_choice", "want an object with a type (auto, any, tool or none)")
	}
	var obj map[string]json.RawMessage
	_ = unmarshal(raw, &obj) // it decoded above
	allowed := []string{"type", "disable_parallel_tool_use"}
	if *tc.Type == "tool" {
		allowed = append(allowed, "name")
	}
	canonical := onlyMembers(obj, allowed...) && (tc.Disable == nil || *tc.Type != "none") &&
		(*tc.Type != "tool" || (tc.Name != nil && *tc.Name != "")) && !nullMember(obj, "name") && !nullMember(obj, "disable_parallel_tool_use")
	switch *tc.Type {
	case "auto", "any", "none", "tool":
	default:
		canonical = false
	}
	if !canonical {
		req.ToolChoice = &llmux.ToolChoice{Raw: raw}
		return nil
	}
	switch *tc.Type {
	case "auto":
		req.ToolChoice = &llmux.ToolChoice{Mode: llmux.ToolChoiceAuto}
	case "any":
		req.ToolChoice = &llmux.ToolChoice{Mode: llmux.ToolChoiceRequired}
	case "none":
		req.ToolChoice = &llmux.ToolChoice{Mode: llmux.ToolChoiceNone}
	case "tool":
		req.ToolChoice = llmux.ToolChoiceFunction(*tc.Name)
	}
	if tc.Disable != nil {
		req.ParallelToolCalls = llmux.Ptr(!*tc.Disable)
	}
	return nil
}

// setExtra sets a body member sent as it came.
func setExtra(req *llmux.Request, name string, raw json.RawMessage) {
	if req.Extra == nil {
		req.Extra = make(map[string]json.RawMessage)
	}
	req.Extra[name] = raw
}
