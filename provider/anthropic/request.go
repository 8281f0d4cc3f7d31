package anthropic

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonobj"
	"github.com/llmux/llmux/provider"
)

// wireMessage is one entry of the Messages API's "messages". Content is a
// string or a []block.
type wireMessage struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

// block is one content block of a request message or of the system
// prompt. Only the fields of its type are set.
type block struct {
	Type string `json:"type"`
	Text string `json:"text,omitempty"`
	// Thinking is a pointer because a thinking block always carries the
	// member, "" when its display was omitted.
	Thinking  *string         `json:"thinking,omitempty"`
	Signature string          `json:"signature,omitempty"`
	Data      string          `json:"data,omitempty"`
	Source    *source         `json:"source,omitempty"`
	Title     string          `json:"title,omitempty"`
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name,omitempty"`
	Input     json.RawMessage `json:"input,omitempty"`
	ToolUseID string          `json:"tool_use_id,omitempty"`
	// Content is a tool_result's content: a non-empty string or []block.
	Content      any             `json:"content,omitempty"`
	CacheControl json.RawMessage `json:"cache_control,omitempty"`

	// extra holds further members of the block (Anthropic's, carried in
	// the Extra of a part, tool call or tool message), written after the
	// members above in key order.
	extra map[string]json.RawMessage
	// native, when set, is the whole block, sent verbatim: a part of one
	// of Anthropic's own block types (see nativeBlock).
	native json.RawMessage
}

// blockMembers are the members block writes itself; extra may not
// replace them.
var blockMembers = []string{"type", "text", "thinking", "signature", "data", "source", "title", "id", "name",
	"input", "tool_use_id", "content", "cache_control"}

// MarshalJSON writes a native block verbatim, and any other block with
// its extra members after its own.
func (b block) MarshalJSON() ([]byte, error) {
	if b.native != nil {
		return b.native, nil
	}
	type plain block // without this method
	out, err := jsonobj.Marshal(plain(b))
	if err != nil || len(b.extra) == 0 {
		return out, err
	}
	keys := make([]string, 0, len(b.extra))
	for k := range b.extra {
		if !slices.Contains(blockMembers, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out = out[:len(out)-1] // the closing brace
	for _, k := range keys {
		var buf bytes.Buffer
		if err := json.Compact(&buf, b.extra[k]); err != nil {
			return nil, invalidParam(k, "%s block: %s is not valid JSON", b.Type, k)
		}
		kb, _ := jsonobj.Marshal(k) // a string always encodes
		out = append(out, ',')
		out = append(out, kb...)
		out = append(out, ':')
		out = append(out, buf.Bytes()...)
	}
	return append(out, '}'), nil
}

// source is the source of an image or document block.
type source struct {
	Type      string `json:"type"` // "base64", "url", "text" or "file"
	MediaType string `json:"media_type,omitempty"`
	Data      string `json:"data,omitempty"`
	URL       string `json:"url,omitempty"`
	FileID    string `json:"file_id,omitempty"`
}

// filesBeta is the anthropic-beta value the Files API needs, sent when a
// message refers to an uploaded file by id:
// https://docs.anthropic.com/en/docs/build-with-claude/files
const filesBeta = "files-api-2025-04-14"

// messagesBody builds the Messages API body. Key order is fixed:
// anthropic_version (WithBodyVersion, in place of model), model,
// messages, system, max_tokens, metadata, stop_sequences, stream,
// temperature, top_p, thinking, tools, tool_choice, service_tier, then the
// parameters sent because the request allows them (AllowedParams), then
// the request's Extra keys sorted (an Extra key that is already present
// replaces it in place).
func (p *Provider) messagesBody(a *llmux.Attempt, msgs []llmux.Message, stream bool) ([]byte, error) {
	r := a.Request
	if r.N != nil && *r.N > 1 {
		return nil, &llmux.Error{Code: llmux.CodeUnsupported, Provider: providerName, Param: "n",
			Message: "the Messages API returns one choice: n > 1 is not supported"}
	}
	system, wire, err := convertMessages(msgs)
	if err != nil {
		return nil, err
	}
	maxTokens, explicit := p.cfg.maxTokens, false
	switch {
	case r.MaxCompletionTokens != nil:
		maxTokens, explicit = *r.MaxCompletionTokens, true
	case r.MaxTokens != nil:
		maxTokens, explicit = *r.MaxTokens, true
	}
	var thinking thinkingConfig
	if r.ReasoningEffort != "" {
		if thinking, maxTokens, err = thinkingFor(r.ReasoningEffort, maxTokens, explicit); err != nil {
			return nil, err
		}
	}
	var tools []json.RawMessage
	if len(r.Tools) > 0 {
		if tools, err = convertTools(r.Tools); err != nil {
			return nil, err
		}
	}
	tc, err := convertToolChoice(r.ToolChoice, r.ParallelToolCalls)
	if err != nil {
		return nil, err
	}
	var tier string
	if raw, ok := r.Extra["service_tier"]; ok {
		if tier, err = serviceTier(raw); err != nil {
			return nil, err
		}
	}
	var o object
	if err := o.SetEach([]field{
		{Key: "anthropic_version", Val: p.cfg.bodyVersion, When: p.cfg.bodyVersion != ""},
		{Key: "model", Val: a.Model, When: p.cfg.bodyVersion == ""},
		{Key: "messages", Val: wire, When: true},
		{Key: "system", Val: system, When: system != nil},
		{Key: "max_tokens", Val: maxTokens, When: true},
		{Key: "metadata", Val: map[string]string{"user_id": r.User}, When: r.User != ""},
		{Key: "stop_sequences", Val: r.Stop, When: len(r.Stop) > 0},
		{Key: "stream", Val: true, When: stream},
		{Key: "temperature", Val: r.Temperature, When: r.Temperature != nil},
		{Key: "top_p", Val: r.TopP, When: r.TopP != nil},
		{Key: "thinking", Val: thinking, When: thinking.Type != ""},
		{Key: "tools", Val: tools, When: len(tools) > 0},
		{Key: "tool_choice", Val: json.RawMessage(tc), When: tc != nil},
		{Key: "service_tier", Val: tier, When: tier != ""},
	}); err != nil {
		return nil, err
	}
	if err := o.SetEach(allowedFields(r, messagesParams)); err != nil {
		return nil, err
	}
	if err := mergeExtra(&o, r.Extra, "service_tier"); err != nil {
		return nil, err
	}
	return o.Bytes(), nil
}

// usesFileIDs reports whether a message refers to an uploaded file by id,
// which needs the Files API beta: a file part with a file_id, or an
// Anthropic block (image, document) whose source is a file.
func usesFileIDs(msgs []llmux.Message) bool {
	for _, m := range msgs {
		for _, p := range m.Parts {
			switch {
			case p.Type == "file" && p.File != nil && p.File.FileID != "" && p.File.FileData == "":
				return true
			case isNativeBlock(p.Type) && len(p.Extra["source"]) > 0:
				var src struct {
					Type string `json:"type"`
				}
				if json.Unmarshal(p.Extra["source"], &src) == nil && src.Type == "file" {
					return true
				}
			}
		}
	}
	return false
}

// convertMessages hoists system and developer messages into the system
// prompt and converts the rest into Anthropic messages: tool calls become
// tool_use blocks, tool results tool_result blocks in a user message,
// thinking blocks lead their assistant message, and consecutive messages
// of the same role are merged, because the API wants user and assistant
// turns to alternate.
//
// The system prompt is one string (the messages' texts joined with "\n"),
// or, when a system message has parts or carries cache_control, an array
// of text blocks keeping each part's marker and extra members (citations)
// on its block. It is nil when there is no system text.
func convertMessages(msgs []llmux.Message) (any, []wireMessage, error) {
	var (
		system   []block
		sysTexts []string
		sysArray bool
	)
	out := make([]wireMessage, 0, len(msgs)) // [] rather than null when empty
	for i, m := range msgs {
		var (
			role    string
			content any
			err     error
		)
		switch m.Role {
		case llmux.RoleSystem, llmux.RoleDeveloper:
			blocks, cached, err := systemBlocks(i, m)
			if err != nil {
				return nil, nil, err
			}
			system = append(system, blocks...)
			sysTexts = append(sysTexts, m.Text())
			sysArray = sysArray || cached || len(m.Parts) > 0
			continue
		case llmux.RoleUser:
			role = "user"
			content, err = userContent(i, m)
		case llmux.RoleAssistant:
			role = "assistant"
			content, err = assistantContent(i, m)
		case llmux.RoleTool:
			role = "user"
			content, err = toolResult(i, m)
		default:
			return nil, nil, invalidRequest("message %d: unsupported role %q", i, m.Role)
		}
		if err != nil {
			return nil, nil, err
		}
		if b, ok := content.([]block); ok && len(b) == 0 {
			content = "" // parts that were all empty text: as no parts
		}
		if n := len(out); n > 0 && out[n-1].Role == role {
			if merged := append(asBlocks(out[n-1].Content), asBlocks(content)...); len(merged) > 0 {
				out[n-1].Content = merged
			}
			continue
		}
		out = append(out, wireMessage{Role: role, Content: content})
	}
	// The API rejects a final (prefill) assistant turn that ends in
	// whitespace.
	if n := len(out); n > 0 && out[n-1].Role == "assistant" {
		switch c := out[n-1].Content.(type) {
		case string:
			out[n-1].Content = strings.TrimRight(c, " \t\r\n")
		case []block:
			if k := len(c) - 1; k >= 0 && c[k].Type == "text" {
				c[k].Text = strings.TrimRight(c[k].Text, " \t\r\n")
			}
		}
	}
	switch {
	case sysArray && len(system) > 0:
		return system, out, nil
	case strings.Join(sysTexts, "") != "":
		return strings.Join(sysTexts, "\n"), out, nil
	}
	return nil, out, nil
}

// systemBlocks returns the text blocks of a system message, one per
// non-empty text part (or one for Content), and whether any carries
// cache_control.
func systemBlocks(i int, m llmux.Message) ([]block, bool, error) {
	cc, err := messageCache(i, m)
	if err != nil {
		return nil, false, err
	}
	cached := cc != nil
	var blocks []block
	if len(m.Parts) == 0 {
		blocks = asBlocks(m.Content)
	} else {
		for j, p := range m.Parts {
			if p.Type != "text" {
				continue
			}
			where := fmt.Sprintf("message %d, content part %d", i, j)
			pcc, err := compactJSON(p.CacheControl, "cache_control", where)
			if err != nil {
				return nil, false, err
			}
			if p.Text == "" {
				if pcc != nil {
					return nil, false, invalidParam("cache_control", "%s: cache_control on an empty text part", where)
				}
				continue
			}
			cached = cached || pcc != nil
			extra, err := extraMembers(p.Extra, where, nil)
			if err != nil {
				return nil, false, err
			}
			blocks = append(blocks, block{Type: "text", Text: p.Text, CacheControl: pcc, extra: extra})
		}
	}
	blocks, err = withCache(i, blocks, cc)
	return blocks, cached, err
}

// messageCache returns the message's cache_control marker, validated.
func messageCache(i int, m llmux.Message) (json.RawMessage, error) {
	return compactJSON(m.CacheControl, "cache_control", fmt.Sprintf("message %d", i))
}

// withCache puts the message's cache_control marker on its last block,
// as LiteLLM does: Anthropic caches the prompt up to and including the
// block that carries it.
func withCache(i int, blocks []block, cc json.RawMessage) ([]block, error) {
	if cc == nil {
		return blocks, nil
	}
	n := len(blocks)
	if n == 0 || blocks[n-1].Type == "thinking" || blocks[n-1].Type == "redacted_thinking" {
		return nil, invalidParam("cache_control", "message %d: cache_control needs a text, image, document or tool block to mark", i)
	}
	blocks[n-1].CacheControl = cc
	return blocks, nil
}

// asBlocks returns content as blocks; a string becomes one text block, or
// none when empty.
func asBlocks(content any) []block {
	switch c := content.(type) {
	case []block:
		return c
	case string:
		if c == "" {
			return nil
		}
		return []block{{Type: "text", Text: c}}
	}
	return nil
}

// userContent is a plain string when it can be, blocks otherwise.
func userContent(i int, m llmux.Message) (any, error) {
	cc, err := messageCache(i, m)
	if err != nil {
		return nil, err
	}
	if len(m.Parts) == 0 && cc == nil {
		return m.Content, nil
	}
	blocks, err := bodyBlocks(i, m)
	if err != nil {
		return nil, err
	}
	return withCache(i, blocks, cc)
}

// assistantContent is a plain string when it can be; otherwise blocks in
// the order the API requires for extended thinking with tool use:
// thinking and redacted_thinking blocks first, then text, then tool_use.
// https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#extended-thinking-with-tool-use
// ReasoningContent alone (an OpenAI-compatible server's reasoning, with no
// signed blocks) is not sent: the API takes only signed thinking.
func assistantContent(i int, m llmux.Message) (any, error) {
	cc, err := messageCache(i, m)
	if err != nil {
		return nil, err
	}
	if len(m.ToolCalls) == 0 && len(m.ThinkingBlocks) == 0 && len(m.Parts) == 0 && cc == nil {
		return m.Content, nil
	}
	blocks, err := thinkingBlocks(i, m.ThinkingBlocks)
	if err != nil {
		return nil, err
	}
	body, err := bodyBlocks(i, m)
	if err != nil {
		return nil, err
	}
	blocks = append(blocks, body...)
	for _, tc := range m.ToolCalls {
		input, err := provider.ToolInput(tc.Function.Arguments)
		if err != nil {
			return nil, invalidRequest("message %d: tool call %q: arguments are not a JSON object", i, tc.ID)
		}
		where := fmt.Sprintf("message %d, tool call %q", i, tc.ID)
		tcc, err := compactJSON(tc.Extra["cache_control"], "cache_control", where)
		if err != nil {
			return nil, err
		}
		extra, err := extraMembers(tc.Extra, where, toolUseMembers)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, block{Type: "tool_use", ID: tc.ID, Name: tc.Function.Name, Input: input, CacheControl: tcc, extra: extra})
	}
	return withCache(i, blocks, cc)
}

// toolUseMembers are the members of a tool call's Extra sent on its
// tool_use block: Anthropic's own (cache_control is set apart). Other
// Extra members, which a tool call another provider answered with may
// carry, are not sent.
var toolUseMembers = []string{"caller"}

// toolResultMembers are the members of a tool message's Extra sent on its
// tool_result block.
var toolResultMembers = []string{"is_error"}

// toolResult converts a tool message to a tool_result block: its content
// is the message's parts as blocks (text, images, documents...), or its
// text; is_error comes from the message's Extra.
func toolResult(i int, m llmux.Message) ([]block, error) {
	cc, err := messageCache(i, m)
	if err != nil {
		return nil, err
	}
	where := fmt.Sprintf("message %d", i)
	extra, err := extraMembers(m.Extra, where, toolResultMembers)
	if err != nil {
		return nil, err
	}
	b := block{Type: "tool_result", ToolUseID: m.ToolCallID, CacheControl: cc, extra: extra}
	switch {
	case len(m.Parts) > 0:
		blocks, err := partBlocks(i, m.Parts)
		if err != nil {
			return nil, err
		}
		if len(blocks) > 0 {
			b.Content = blocks
		}
	case m.Content != "":
		b.Content = m.Content
	}
	return []block{b}, nil
}

// extraMembers returns, validated and compacted, the members of extra
// named in only (all of them when only is nil), or nil when there are
// none.
func extraMembers(extra map[string]json.RawMessage, where string, only []string) (map[string]json.RawMessage, error) {
	var out map[string]json.RawMessage
	for k, v := range extra {
		if only != nil && !slices.Contains(only, k) {
			continue
		}
		c, err := compactJSON(v, k, where)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = make(map[string]json.RawMessage, len(extra))
		}
		out[k] = c
	}
	return out, nil
}

// bodyBlocks returns the blocks of a message's parts, or its Content as
// one text block (none when empty).
func bodyBlocks(i int, m llmux.Message) ([]block, error) {
	if len(m.Parts) == 0 {
		return asBlocks(m.Content), nil
	}
	return partBlocks(i, m.Parts)
}

// thinkingBlocks converts an assistant message's thinking blocks, with
// their signatures and redacted data, verbatim.
func thinkingBlocks(i int, tbs []llmux.ThinkingBlock) ([]block, error) {
	out := make([]block, 0, len(tbs)+2)
	for j, tb := range tbs {
		switch tb.Type {
		case "thinking":
			text := tb.Thinking
			out = append(out, block{Type: "thinking", Thinking: &text, Signature: tb.Signature})
		case "redacted_thinking":
			out = append(out, block{Type: "redacted_thinking", Data: tb.Data})
		default:
			return nil, invalidRequest("message %d: thinking block %d: unsupported type %q", i, j, tb.Type)
		}
	}
	return out, nil
}

// partBlocks converts multi-part content, keeping each part's
// cache_control, and a text part's Extra members (Anthropic's citations).
// Empty text parts are dropped (the API rejects empty text blocks);
// input_audio has no Anthropic equivalent. A part of one of Anthropic's
// own block types is sent as that block (see nativeBlock).
func partBlocks(i int, parts []llmux.ContentPart) ([]block, error) {
	blocks := make([]block, 0, len(parts))
	for j, p := range parts {
		where := fmt.Sprintf("message %d, content part %d", i, j)
		cc, err := compactJSON(p.CacheControl, "cache_control", where)
		if err != nil {
			return nil, err
		}
		var b block
		switch {
		case p.Type == "text":
			if p.Text == "" {
				if cc != nil {
					return nil, invalidParam("cache_control", "%s: cache_control on an empty text part", where)
				}
				continue
			}
			extra, err := extraMembers(p.Extra, where, nil)
			if err != nil {
				return nil, err
			}
			b = block{Type: "text", Text: p.Text, extra: extra}
		case isNativeBlock(p.Type):
			native, err := nativeBlock(where, p, cc)
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, block{Type: p.Type, native: native})
			continue
		case p.Type == "image_url":
			if p.ImageURL == nil {
				return nil, invalidRequest("%s: image_url without url", where)
			}
			src, err := imageFromURL(p.ImageURL.URL)
			if err != nil {
				return nil, err
			}
			b = block{Type: "image", Source: src}
		case p.Type == "file":
			if b, err = fileBlock(where, p.File); err != nil {
				return nil, err
			}
		case p.Type == "input_audio":
			return nil, invalidRequest("%s: input_audio is not supported: the Messages API takes no audio", where)
		default:
			return nil, invalidRequest("%s: unsupported type %q", where, p.Type)
		}
		b.CacheControl = cc
		blocks = append(blocks, b)
	}
	return blocks, nil
}

// imageFromURL maps an OpenAI image URL to an image source: a base64 data
// URL to a base64 source, an http(s) URL to a url source.
func imageFromURL(u string) (*source, error) {
	if strings.HasPrefix(u, "data:") {
		mediaType, data, ok := provider.ParseDataURL(u)
		if !ok {
			return nil, invalidRequest("image data URL must be data:<media type>;base64,<data>")
		}
		return &source{Type: "base64", MediaType: mediaType, Data: data}, nil
	}
	if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		return &source{Type: "url", URL: u}, nil
	}
	return nil, invalidRequest("image URL must be an http(s) or base64 data URL")
}

// fileBlock maps an OpenAI file part: inline data of a PDF to a base64
// document, of plain text to a text document, of an image to an image
// block; an uploaded file's id to a document whose source is that file
// (an Anthropic Files API id; the provider then sends the Files API beta
// header). The filename becomes the document's title.
func fileBlock(where string, f *llmux.File) (block, error) {
	switch {
	case f == nil:
		return block{}, invalidRequest("%s: file part without file", where)
	case f.FileData != "":
		mediaType, data, ok := provider.ParseDataURL(f.FileData)
		if !ok {
			return block{}, invalidRequest("%s: file_data must be data:<media type>;base64,<data>", where)
		}
		switch {
		case mediaType == "application/pdf":
			return block{Type: "document", Source: &source{Type: "base64", MediaType: mediaType, Data: data}, Title: f.Filename}, nil
		case mediaType == "text/plain":
			text, err := base64.StdEncoding.DecodeString(data)
			if err != nil {
				return block{}, invalidRequest("%s: file_data is not valid base64", where)
			}
			return block{Type: "document", Source: &source{Type: "text", MediaType: mediaType, Data: string(text)}, Title: f.Filename}, nil
		case strings.HasPrefix(mediaType, "image/"):
			return block{Type: "image", Source: &source{Type: "base64", MediaType: mediaType, Data: data}}, nil
		}
		return block{}, invalidRequest("%s: file media type %q is not supported (application/pdf, text/plain or an image)", where, mediaType)
	case f.FileID != "":
		return block{Type: "document", Source: &source{Type: "file", FileID: f.FileID}, Title: f.Filename}, nil
	}
	return block{}, invalidRequest("%s: file part needs file_data or file_id", where)
}

// nativeTypes are Anthropic content block types that have no OpenAI part
// (image is Anthropic's own image block, not OpenAI's image_url). Besides
// these, every type ending in "_tool_result" is one (the results of
// server tools: web_search_tool_result, code_execution_tool_result...).
var nativeTypes = []string{"image", "document", "search_result", "server_tool_use", "mcp_tool_use",
	"mcp_tool_result", "container_upload"}

// isNativeBlock reports whether a part type is one of Anthropic's content
// block types rather than an OpenAI part type.
func isNativeBlock(typ string) bool {
	return slices.Contains(nativeTypes, typ) || strings.HasSuffix(typ, "_tool_result")
}

// nativeBlock returns the block a part of an Anthropic block type stands
// for: {"type": Type} with the part's Extra members (source, title,
// citations, tool_use_id, content...) and its cache_control. This is how
// a gateway taking Anthropic's own request format passes documents,
// search results and server tool blocks through losslessly.
func nativeBlock(where string, p llmux.ContentPart, cc json.RawMessage) (json.RawMessage, error) {
	var o object
	o.SetRaw("type", mustMarshal(p.Type))
	keys := make([]string, 0, len(p.Extra))
	for k := range p.Extra {
		if k != "type" && k != "cache_control" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		v, err := compactJSON(p.Extra[k], k, where)
		if err != nil {
			return nil, err
		}
		o.SetRaw(k, v)
	}
	if cc != nil {
		o.SetRaw("cache_control", cc)
	}
	return o.Bytes(), nil
}

// mustMarshal encodes a string.
func mustMarshal(s string) []byte {
	b, _ := jsonobj.Marshal(s) // a string always encodes
	return b
}
