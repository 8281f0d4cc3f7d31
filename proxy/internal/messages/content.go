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

// system decodes the system prompt: a string, or an array of text blocks
// (one system message with a text part per block, each keeping its
// cache_control and other members).
func (d *decoder) system(raw json.RawMessage) (llmux.Message, error) {
	switch kind(raw) {
	case '"':
		var s string
		if err := unmarshal(raw, &s); err != nil {
			return llmux.Message{}, invalid("system", "want a string or an array of text blocks")
		}
		return llmux.Message{Role: llmux.RoleSystem, Content: s}, nil
	case '[':
		var blocks []json.RawMessage
		if err := unmarshal(raw, &blocks); err != nil {
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
	if kind(raw) != '[' || unmarshal(raw, &list) != nil {
		return nil, invalid("messages", "want an array of messages")
	}
	out := make([]llmux.Message, 0, len(list))
	for i, m := range list {
		path := fmt.Sprintf("messages[%d]", i)
		var obj map[string]json.RawMessage
		if kind(m) != '{' || unmarshal(m, &obj) != nil {
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
		if unmarshal(raw, &s) == nil {
			return s, nil, true, nil
		}
	case '[':
		if unmarshal(raw, &blocks) == nil {
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
	if kind(raw) != '{' || unmarshal(raw, &obj) != nil {
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
		if unmarshal(obj["source"], &src) == nil {
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
		if unmarshal(raw, &title) != nil || kind(raw) != '"' || title == "" {
			return nativePart("document", obj)
		}
	}
	if onlyMembers(obj, "type", "source", "title", "cache_control") {
		var src map[string]string
		if unmarshal(obj["source"], &src) == nil {
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
		if unmarshal(args, &s) == nil {
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
