package messages

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

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

// nativeTypes are the content block types kept whole, as a part of that
// type with the block's members in Extra, because no OpenAI part stands
// for them; provider/anthropic sends such parts back as the same block.
// Besides these, every type ending in "_tool_result" (the results of
// server tools) is one. image and document are also kept whole when their
// source has no OpenAI equivalent (see imagePart, documentPart).
var nativeTypes = []string{"image", "document", "search_result", "server_tool_use", "mcp_tool_use",
	"mcp_tool_result", "container_upload"}

func isNative(typ string) bool {
	return slices.Contains(nativeTypes, typ) || strings.HasSuffix(typ, "_tool_result")
}

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
	if err := json.Unmarshal(body, &top); err != nil {
		if _, ok := err.(*json.UnmarshalTypeError); ok {
			return nil, invalid("", "request body: want a JSON object")
		}
		return nil, invalid("", "request body is not valid JSON: %v", err)
	}
	if top == nil {
		return nil, invalid("", "request body: want a JSON object")
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

// decoder holds nothing yet: it groups the decoding steps.
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
			if err := json.Unmarshal(raw, &stop); err != nil {
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
			if err := json.Unmarshal(raw, &t); err != nil || kind(raw) != '{' || t.Type == nil {
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
	if err := json.Unmarshal(raw, &m); err != nil {
		return invalid("metadata", "want an object")
	}
	if len(m) == 1 {
		var id string
		if json.Unmarshal(m["user_id"], &id) == nil && id != "" && kind(m["user_id"]) == '"' {
			req.User = id
			return nil
		}
	}
	setExtra(req, "metadata", raw)
	req.AllowedParams = append(req.AllowedParams, "metadata")
	return nil
}

// system decodes the system prompt: a string, or an array of text blocks
// (one system message with a text part per block, each keeping its
// cache_control and other members).
func (d *decoder) system(raw json.RawMessage) (llmux.Message, error) {
	switch kind(raw) {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return llmux.Message{}, invalid("system", "want a string or an array of text blocks")
		}
		return llmux.Message{Role: llmux.RoleSystem, Content: s}, nil
	case '[':
		var blocks []json.RawMessage
		if err := json.Unmarshal(raw, &blocks); err != nil {
			return llmux.Message{}, invalid("system", "want a string or an array of text blocks")
		}
		parts := make([]llmux.ContentPart, 0, len(blocks))
		for j, b := range blocks {
			path := fmt.Sprintf("system[%d]", j)
			obj, typ, err := d.block(b, path)
			if err != nil {
				return llmux.Message{}, err
			}
			if typ != "text" {
				return llmux.Message{}, invalid(path+".type", "want \"text\", got %q", typ)
			}
			p, err := d.textPart(obj, path)
			if err != nil {
				return llmux.Message{}, err
			}
			parts = append(parts, p)
		}
		return llmux.Message{Role: llmux.RoleSystem, Parts: parts}, nil
	}
	return llmux.Message{}, invalid("system", "want a string or an array of text blocks")
}

// messages decodes the conversation. A user turn's tool_result blocks
// become tool messages, in place: the user content before and after them
// stays in user messages, so provider/anthropic, which merges consecutive
// messages of one role, rebuilds the turn in its order.
func (d *decoder) messages(raw json.RawMessage) ([]llmux.Message, error) {
	var list []json.RawMessage
	if kind(raw) != '[' || json.Unmarshal(raw, &list) != nil {
		return nil, invalid("messages", "want an array of messages")
	}
	out := make([]llmux.Message, 0, len(list))
	for i, m := range list {
		path := fmt.Sprintf("messages[%d]", i)
		var obj map[string]json.RawMessage
		if kind(m) != '{' || json.Unmarshal(m, &obj) != nil {
			return nil, invalid(path, "want an object")
		}
		for k := range obj {
			if k != "role" && k != "content" {
				return nil, invalid(path+"."+k, "unknown member (a message has role and content)")
			}
		}
		var role string
		if err := d.str(obj["role"], path+".role", &role); err != nil {
			return nil, err
		}
		content, ok := obj["content"]
		if !ok {
			return nil, invalid(path+".content", "is required")
		}
		var msgs []llmux.Message
		var err error
		switch role {
		case "user":
			msgs, err = d.user(content, path)
		case "assistant":
			var m llmux.Message
			if m, err = d.assistant(content, path); err == nil {
				if n := len(out); n > 0 && out[n-1].Role == llmux.RoleAssistant {
					// Consecutive assistant turns are one turn, as the API
					// takes them; merged here, its blocks keep the order
					// an assistant message has (see assistant).
					out[n-1] = mergeAssistant(out[n-1], m)
					continue
				}
				msgs = []llmux.Message{m}
			}
		default:
			return nil, invalid(path+".role", "want \"user\" or \"assistant\", got %q", role)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, msgs...)
	}
	return out, nil
}

// content returns a message's content: a string (isString) or its blocks.
func (d *decoder) content(raw json.RawMessage, path string) (s string, blocks []json.RawMessage, isString bool, err error) {
	switch kind(raw) {
	case '"':
		if json.Unmarshal(raw, &s) == nil {
			return s, nil, true, nil
		}
	case '[':
		if json.Unmarshal(raw, &blocks) == nil {
			return "", blocks, false, nil
		}
	}
	return "", nil, false, invalid(path, "want a string or an array of content blocks")
}

// user decodes a user turn into a user message and, for its tool_result
// blocks, tool messages.
func (d *decoder) user(raw json.RawMessage, path string) ([]llmux.Message, error) {
	path += ".content"
	s, blocks, isString, err := d.content(raw, path)
	if err != nil {
		return nil, err
	}
	if isString {
		return []llmux.Message{{Role: llmux.RoleUser, Content: s}}, nil
	}
	var (
		out   []llmux.Message
		parts []llmux.ContentPart
	)
	flush := func() {
		if parts != nil {
			out = append(out, llmux.Message{Role: llmux.RoleUser, Parts: parts})
			parts = nil
		}
	}
	for j, b := range blocks {
		bpath := fmt.Sprintf("%s[%d]", path, j)
		obj, typ, err := d.block(b, bpath)
		if err != nil {
			return nil, err
		}
		if typ == "tool_result" {
			m, err := d.toolResult(obj, bpath)
			if err != nil {
				return nil, err
			}
			flush()
			out = append(out, m)
			continue
		}
		p, err := d.part(obj, typ, bpath)
		if err != nil {
			return nil, err
		}
		parts = append(parts, p)
	}
	flush()
	if len(out) == 0 {
		out = append(out, llmux.Message{Role: llmux.RoleUser, Parts: []llmux.ContentPart{}})
	}
	return out, nil
}

// assistant decodes an assistant turn: thinking blocks to ThinkingBlocks,
// tool_use blocks to ToolCalls, the others (text, server tool blocks) to
// parts in their order.
func (d *decoder) assistant(raw json.RawMessage, path string) (llmux.Message, error) {
	path += ".content"
	m := llmux.Message{Role: llmux.RoleAssistant}
	s, blocks, isString, err := d.content(raw, path)
	if err != nil {
		return m, err
	}
	if isString {
		m.Content = s
		return m, nil
	}
	for j, b := range blocks {
		bpath := fmt.Sprintf("%s[%d]", path, j)
		obj, typ, err := d.block(b, bpath)
		if err != nil {
			return m, err
		}
		switch typ {
		case "thinking", "redacted_thinking":
			tb, err := d.thinking(obj, typ, bpath)
			if err != nil {
				return m, err
			}
			m.ThinkingBlocks = append(m.ThinkingBlocks, tb)
		case "tool_use":
			tc, err := d.toolUse(obj, bpath)
			if err != nil {
				return m, err
			}
			m.ToolCalls = append(m.ToolCalls, tc)
		case "tool_result":
			return m, invalid(bpath+".type", "tool_result blocks belong in user messages")
		default:
			p, err := d.part(obj, typ, bpath)
			if err != nil {
				return m, err
			}
			m.Parts = append(m.Parts, p)
		}
	}
	if m.Parts == nil && len(m.ToolCalls) == 0 && len(m.ThinkingBlocks) == 0 {
		m.Parts = []llmux.ContentPart{}
	}
	return m, nil
}

// mergeAssistant returns the assistant message of two consecutive turns:
// the thinking blocks, parts (a string content as a text part) and tool
// calls of a, then of b.
func mergeAssistant(a, b llmux.Message) llmux.Message {
	parts := func(m llmux.Message) []llmux.ContentPart {
		if m.Parts == nil && m.Content != "" {
			return []llmux.ContentPart{{Type: "text", Text: m.Content}}
		}
		return m.Parts
	}
	return llmux.Message{
		Role:           llmux.RoleAssistant,
		Parts:          append(append([]llmux.ContentPart{}, parts(a)...), parts(b)...),
		ToolCalls:      append(a.ToolCalls[:len(a.ToolCalls):len(a.ToolCalls)], b.ToolCalls...),
		ThinkingBlocks: append(a.ThinkingBlocks[:len(a.ThinkingBlocks):len(a.ThinkingBlocks)], b.ThinkingBlocks...),
	}
}

// block decodes a content block's members and its type.
func (d *decoder) block(raw json.RawMessage, path string) (map[string]json.RawMessage, string, error) {
	var obj map[string]json.RawMessage
	if kind(raw) != '{' || json.Unmarshal(raw, &obj) != nil {
		return nil, "", invalid(path, "want a content block object")
	}
	t, ok := obj["type"]
	if !ok {
		return nil, "", invalid(path+".type", "is required")
	}
	var typ string
	if err := d.str(t, path+".type", &typ); err != nil {
		return nil, "", err
	}
	return obj, typ, nil
}

// part decodes a block that becomes a content part: text, image,
// document, or one of Anthropic's own block types.
func (d *decoder) part(obj map[string]json.RawMessage, typ, path string) (llmux.ContentPart, error) {
	switch typ {
	case "text":
		return d.textPart(obj, path)
	case "image":
		return imagePart(obj), nil
	case "document":
		return documentPart(obj), nil
	case "thinking", "redacted_thinking", "tool_use":
		return llmux.ContentPart{}, invalid(path+".type", "%s blocks belong in assistant messages", typ)
	}
	if isNative(typ) {
		return nativePart(typ, obj), nil
	}
	return llmux.ContentPart{}, invalid(path+".type", "unknown block type %q", typ)
}

// textPart decodes a text block; citations and other members go to the
// part's Extra.
func (d *decoder) textPart(obj map[string]json.RawMessage, path string) (llmux.ContentPart, error) {
	p := llmux.ContentPart{Type: "text"}
	raw, ok := obj["text"]
	if !ok {
		return p, invalid(path+".text", "is required")
	}
	if err := d.str(raw, path+".text", &p.Text); err != nil {
		return p, err
	}
	p.CacheControl = obj["cache_control"]
	p.Extra = rest(obj, "type", "text", "cache_control")
	return p, nil
}

// imagePart maps an image block with a base64 source to an image_url part
// with a data URL, and one with an http(s) url source to an image_url
// part with that URL. Any other image block (a file source, more members)
// is kept whole.
func imagePart(obj map[string]json.RawMessage) llmux.ContentPart {
	if onlyMembers(obj, "type", "source", "cache_control") {
		var src map[string]string
		if json.Unmarshal(obj["source"], &src) == nil {
			url := ""
			switch {
			case src["type"] == "base64" && onlyKeys(src, "type", "media_type", "data") && cleanMediaType(src["media_type"]) && src["data"] != "":
				url = "data:" + src["media_type"] + ";base64," + src["data"]
			case src["type"] == "url" && onlyKeys(src, "type", "url") && isHTTP(src["url"]):
				url = src["url"]
			}
			if url != "" {
				return llmux.ContentPart{Type: "image_url", ImageURL: &llmux.ImageURL{URL: url}, CacheControl: obj["cache_control"]}
			}
		}
	}
	return nativePart("image", obj)
}

// documentPart maps a document block to a file part when the file part
// says all of it: a base64 PDF or a plain-text document (as a
// text/plain data URL), or an uploaded file by id, with the title as the
// file name. A document with a url or content source, citations or
// context is kept whole.
func documentPart(obj map[string]json.RawMessage) llmux.ContentPart {
	title := ""
	if raw, ok := obj["title"]; ok {
		// An empty title would not be sent back: keep the block whole.
		if json.Unmarshal(raw, &title) != nil || kind(raw) != '"' || title == "" {
			return nativePart("document", obj)
		}
	}
	if onlyMembers(obj, "type", "source", "title", "cache_control") {
		var src map[string]string
		if json.Unmarshal(obj["source"], &src) == nil {
			var f *llmux.File
			switch {
			case src["type"] == "base64" && onlyKeys(src, "type", "media_type", "data") && src["media_type"] == "application/pdf" && src["data"] != "":
				f = &llmux.File{FileData: "data:application/pdf;base64," + src["data"], Filename: title}
			case src["type"] == "text" && onlyKeys(src, "type", "media_type", "data") && src["media_type"] == "text/plain" && src["data"] != "":
				f = &llmux.File{FileData: "data:text/plain;base64," + base64.StdEncoding.EncodeToString([]byte(src["data"])), Filename: title}
			case src["type"] == "file" && onlyKeys(src, "type", "file_id") && src["file_id"] != "":
				f = &llmux.File{FileID: src["file_id"], Filename: title}
			}
			if f != nil {
				return llmux.ContentPart{Type: "file", File: f, CacheControl: obj["cache_control"]}
			}
		}
	}
	return nativePart("document", obj)
}

// nativePart keeps a block whole: a part of the block's type, its
// cache_control, its other members in Extra.
func nativePart(typ string, obj map[string]json.RawMessage) llmux.ContentPart {
	return llmux.ContentPart{Type: typ, CacheControl: obj["cache_control"], Extra: rest(obj, "type", "cache_control")}
}

// toolResult decodes a tool_result block into a tool message: its content
// (a string, or blocks as parts), its cache_control, and is_error and any
// other member in the message's Extra.
func (d *decoder) toolResult(obj map[string]json.RawMessage, path string) (llmux.Message, error) {
	m := llmux.Message{Role: llmux.RoleTool}
	if err := d.str(obj["tool_use_id"], path+".tool_use_id", &m.ToolCallID); err != nil {
		return m, err
	}
	if m.ToolCallID == "" {
		return m, invalid(path+".tool_use_id", "is required")
	}
	if raw, ok := obj["is_error"]; ok && !isNull(raw) {
		var b bool
		if err := d.bool(raw, path+".is_error", &b); err != nil {
			return m, err
		}
	}
	if raw, ok := obj["content"]; ok && !isNull(raw) {
		cpath := path + ".content"
		s, blocks, isString, err := d.content(raw, cpath)
		if err != nil {
			return m, err
		}
		if isString {
			m.Content = s
		} else {
			m.Parts = make([]llmux.ContentPart, 0, len(blocks))
			for j, b := range blocks {
				bpath := fmt.Sprintf("%s[%d]", cpath, j)
				obj, typ, err := d.block(b, bpath)
				if err != nil {
					return m, err
				}
				if typ == "tool_result" {
					return m, invalid(bpath+".type", "a tool_result cannot hold a tool_result")
				}
				p, err := d.part(obj, typ, bpath)
				if err != nil {
					return m, err
				}
				m.Parts = append(m.Parts, p)
			}
		}
	}
	m.CacheControl = obj["cache_control"]
	m.Extra = rest(obj, "type", "tool_use_id", "content", "cache_control")
	return m, nil
}

// toolUse decodes a tool_use block into a tool call: its input, compacted,
// is the arguments; cache_control and other members go to its Extra.
func (d *decoder) toolUse(obj map[string]json.RawMessage, path string) (llmux.ToolCall, error) {
	tc := llmux.ToolCall{Type: "function"}
	if err := d.str(obj["id"], path+".id", &tc.ID); err != nil {
		return tc, err
	}
	if err := d.str(obj["name"], path+".name", &tc.Function.Name); err != nil {
		return tc, err
	}
	if tc.ID == "" {
		return tc, invalid(path+".id", "is required")
	}
	if tc.Function.Name == "" {
		return tc, invalid(path+".name", "is required")
	}
	if raw, ok := obj["input"]; ok {
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return tc, invalid(path+".input", "is not valid JSON")
		}
		tc.Function.Arguments = buf.String()
	}
	tc.Extra = rest(obj, "type", "id", "name", "input")
	// A tool call whose arguments were not JSON was answered with input
	// {} and its text in "arguments" (see EncodeResponse): the text is
	// the call the model made.
	if args, ok := obj["arguments"]; ok && kind(args) == '"' && (tc.Function.Arguments == "{}" || tc.Function.Arguments == "") {
		var s string
		if json.Unmarshal(args, &s) == nil {
			tc.Function.Arguments = s
			delete(tc.Extra, "arguments")
			if len(tc.Extra) == 0 {
				tc.Extra = nil
			}
		}
	}
	return tc, nil
}

// thinking decodes a thinking or redacted_thinking block.
func (d *decoder) thinking(obj map[string]json.RawMessage, typ, path string) (llmux.ThinkingBlock, error) {
	// The members are the API's to require: provider/anthropic leaves an
	// empty signature or data out.
	tb := llmux.ThinkingBlock{Type: typ}
	if typ == "redacted_thinking" {
		if err := d.optStr(obj, "data", path, &tb.Data); err != nil {
			return tb, err
		}
		tb.Extra = rest(obj, "type", "data")
		return tb, nil
	}
	if err := d.optStr(obj, "thinking", path, &tb.Thinking); err != nil {
		return tb, err
	}
	if err := d.optStr(obj, "signature", path, &tb.Signature); err != nil {
		return tb, err
	}
	tb.Extra = rest(obj, "type", "thinking", "signature")
	return tb, nil
}

// optStr decodes the string member name of obj, if present and not null.
func (d *decoder) optStr(obj map[string]json.RawMessage, name, path string, dst *string) error {
	raw, ok := obj[name]
	if !ok || isNull(raw) {
		return nil
	}
	return d.str(raw, path+"."+name, dst)
}

// tools decodes the tool definitions: client tools (no type, or
// "custom") become function tools; any other type is one of Anthropic's
// server or versioned tools, kept as a tool of that type named by its
// name, with its other members in Extra.
func (d *decoder) tools(raw json.RawMessage) ([]llmux.Tool, error) {
	var list []json.RawMessage
	if kind(raw) != '[' || json.Unmarshal(raw, &list) != nil {
		return nil, invalid("tools", "want an array of tools")
	}
	out := make([]llmux.Tool, 0, len(list))
	for i, t := range list {
		path := fmt.Sprintf("tools[%d]", i)
		var obj map[string]json.RawMessage
		if kind(t) != '{' || json.Unmarshal(t, &obj) != nil {
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
	if kind(raw) != '{' || json.Unmarshal(raw, &tc) != nil || tc.Type == nil {
		return invalid("tool_choice", "want an object with a type (auto, any, tool or none)")
	}
	var obj map[string]json.RawMessage
	_ = json.Unmarshal(raw, &obj) // it decoded above
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

func (d *decoder) str(raw json.RawMessage, path string, dst *string) error {
	if raw == nil {
		return invalid(path, "is required")
	}
	if kind(raw) != '"' || json.Unmarshal(raw, dst) != nil {
		return invalid(path, "want a string")
	}
	return nil
}

func (d *decoder) int(raw json.RawMessage, path string, dst *int) error {
	if kind(raw) != '-' && (kind(raw) < '0' || kind(raw) > '9') || json.Unmarshal(raw, dst) != nil {
		return invalid(path, "want an integer")
	}
	return nil
}

func (d *decoder) float(raw json.RawMessage, path string, dst *float64) error {
	if kind(raw) != '-' && (kind(raw) < '0' || kind(raw) > '9') || json.Unmarshal(raw, dst) != nil {
		return invalid(path, "want a number")
	}
	return nil
}

func (d *decoder) bool(raw json.RawMessage, path string, dst *bool) error {
	if (kind(raw) != 't' && kind(raw) != 'f') || json.Unmarshal(raw, dst) != nil {
		return invalid(path, "want true or false")
	}
	return nil
}

// kind returns the first byte of a JSON value: '{', '[', '"', 't', 'f',
// 'n', or a digit or '-'; 0 for nothing.
func kind(raw json.RawMessage) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func isNull(raw json.RawMessage) bool { return kind(raw) == 'n' }

func nullMember(obj map[string]json.RawMessage, name string) bool {
	raw, ok := obj[name]
	return ok && isNull(raw)
}

// rest returns the members of obj but those named, or nil.
func rest(obj map[string]json.RawMessage, skip ...string) map[string]json.RawMessage {
	var out map[string]json.RawMessage
	for k, v := range obj {
		if slices.Contains(skip, k) {
			continue
		}
		if out == nil {
			out = make(map[string]json.RawMessage, len(obj))
		}
		out[k] = v
	}
	return out
}

// onlyMembers reports whether obj has no member but those named.
func onlyMembers(obj map[string]json.RawMessage, names ...string) bool {
	for k := range obj {
		if !slices.Contains(names, k) {
			return false
		}
	}
	return true
}

func onlyKeys(m map[string]string, names ...string) bool {
	for k := range m {
		if !slices.Contains(names, k) {
			return false
		}
	}
	return len(m) == len(names)
}

// cleanMediaType reports whether a media type survives a data URL: not
// empty, without the comma that ends a data URL's header.
func cleanMediaType(mt string) bool { return mt != "" && !strings.ContainsAny(mt, ",") }

func isHTTP(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

// invalid returns the error of a request member: an *llmux.Error with
// CodeInvalidRequest naming it.
func invalid(path, format string, args ...any) *llmux.Error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return &llmux.Error{Code: llmux.CodeInvalidRequest, Param: path, Message: "messages: " + msg}
}
