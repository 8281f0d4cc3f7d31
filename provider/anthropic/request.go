package anthropic

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/llmux/llmux"
)

// wireMessage is one entry of the Messages API's "messages". Content is a
// string or a []block.
type wireMessage struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

// block is one content block of a request message. Only the fields of its
// type are set.
type block struct {
	Type      string          `json:"type"`
	Text      string          `json:"text,omitempty"`
	Source    *imageSource    `json:"source,omitempty"`
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name,omitempty"`
	Input     json.RawMessage `json:"input,omitempty"`
	ToolUseID string          `json:"tool_use_id,omitempty"`
	Content   string          `json:"content,omitempty"`
}

type imageSource struct {
	Type      string `json:"type"` // "base64" or "url"
	MediaType string `json:"media_type,omitempty"`
	Data      string `json:"data,omitempty"`
	URL       string `json:"url,omitempty"`
}

type wireTool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema"`
}

type toolChoice struct {
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
}

// emptySchema is sent for a function without parameters: the Messages API
// requires input_schema.
var emptySchema = json.RawMessage(`{"type":"object","properties":{}}`)

// messagesBody builds the Messages API body. Key order is fixed: model,
// messages, system, max_tokens, metadata, stop_sequences, stream,
// temperature, top_p, tools, tool_choice, then the request's Extra keys
// sorted (an Extra key that is already present replaces it in place).
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
	maxTokens := p.cfg.maxTokens
	if r.MaxTokens != nil {
		maxTokens = *r.MaxTokens
	}
	var o object
	if err := o.setEach([]field{
		{"model", a.Model, true},
		{"messages", wire, true},
		{"system", system, system != ""},
		{"max_tokens", maxTokens, true},
		{"metadata", map[string]string{"user_id": r.User}, r.User != ""},
		{"stop_sequences", r.Stop, len(r.Stop) > 0},
		{"stream", true, stream},
		{"temperature", r.Temperature, r.Temperature != nil},
		{"top_p", r.TopP, r.TopP != nil},
	}); err != nil {
		return nil, err
	}
	if len(r.Tools) > 0 {
		tools, err := convertTools(r.Tools)
		if err != nil {
			return nil, err
		}
		if err := o.set("tools", tools); err != nil {
			return nil, err
		}
	}
	if r.ToolChoice != nil {
		tc, err := convertToolChoice(r.ToolChoice)
		if err != nil {
			return nil, err
		}
		if tc != nil {
			if err := o.setRawJSON("tool_choice", tc); err != nil {
				return nil, err
			}
		}
	}
	if err := o.merge(r.Extra); err != nil {
		return nil, err
	}
	return o.bytes(), nil
}

// setRawJSON sets key to raw JSON, compacted.
func (o *object) setRawJSON(key string, raw []byte) error {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return invalidRequest("%s is not valid JSON", key)
	}
	o.setRaw(key, buf.Bytes())
	return nil
}

// convertMessages hoists system and developer messages into one system
// string (joined with "\n") and converts the rest into Anthropic messages:
// tool calls become tool_use blocks, tool results tool_result blocks in a
// user message, and consecutive messages of the same role are merged,
// because the API wants user and assistant turns to alternate.
func convertMessages(msgs []llmux.Message) (string, []wireMessage, error) {
	var (
		system []string
		out    []wireMessage
	)
	for i, m := range msgs {
		var (
			role    string
			content any
			err     error
		)
		switch m.Role {
		case llmux.RoleSystem, llmux.RoleDeveloper:
			system = append(system, m.Text())
			continue
		case llmux.RoleUser:
			role = "user"
			content, err = userContent(m)
		case llmux.RoleAssistant:
			role = "assistant"
			content, err = assistantContent(m)
		case llmux.RoleTool:
			role = "user"
			content = []block{{Type: "tool_result", ToolUseID: m.ToolCallID, Content: m.Text()}}
		default:
			return "", nil, invalidRequest("message %d: unsupported role %q", i, m.Role)
		}
		if err != nil {
			return "", nil, err
		}
		if n := len(out); n > 0 && out[n-1].Role == role {
			out[n-1].Content = append(asBlocks(out[n-1].Content), asBlocks(content)...)
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
	return strings.Join(system, "\n"), out, nil
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

func userContent(m llmux.Message) (any, error) {
	if len(m.Parts) == 0 {
		return m.Content, nil
	}
	return partBlocks(m.Parts)
}

func assistantContent(m llmux.Message) (any, error) {
	if len(m.ToolCalls) == 0 {
		if len(m.Parts) == 0 {
			return m.Content, nil
		}
		return partBlocks(m.Parts)
	}
	blocks := asBlocks(m.Text())
	for _, tc := range m.ToolCalls {
		input, err := toolInput(tc.Function.Arguments)
		if err != nil {
			return nil, invalidRequest("tool call %q: arguments are not valid JSON", tc.ID)
		}
		blocks = append(blocks, block{Type: "tool_use", ID: tc.ID, Name: tc.Function.Name, Input: input})
	}
	return blocks, nil
}

// toolInput parses the OpenAI arguments string into the tool_use input
// object; empty arguments are {}.
func toolInput(args string) (json.RawMessage, error) {
	if strings.TrimSpace(args) == "" {
		return json.RawMessage("{}"), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(args)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// partBlocks converts multi-part content. Empty text parts are dropped (the
// API rejects empty text blocks).
func partBlocks(parts []llmux.ContentPart) ([]block, error) {
	blocks := make([]block, 0, len(parts))
	for i, p := range parts {
		switch p.Type {
		case "text":
			if p.Text != "" {
				blocks = append(blocks, block{Type: "text", Text: p.Text})
			}
		case "image_url":
			if p.ImageURL == nil {
				return nil, invalidRequest("content part %d: image_url without url", i)
			}
			src, err := imageFromURL(p.ImageURL.URL)
			if err != nil {
				return nil, err
			}
			blocks = append(blocks, block{Type: "image", Source: src})
		default:
			return nil, invalidRequest("content part %d: unsupported type %q", i, p.Type)
		}
	}
	return blocks, nil
}

// imageFromURL maps an OpenAI image URL to an image source: a base64 data
// URL to a base64 source, an http(s) URL to a url source.
func imageFromURL(u string) (*imageSource, error) {
	if rest, ok := strings.CutPrefix(u, "data:"); ok {
		meta, data, ok := strings.Cut(rest, ",")
		mediaType, isBase64 := strings.CutSuffix(meta, ";base64")
		if !ok || !isBase64 || mediaType == "" {
			return nil, invalidRequest("image data URL must be data:<media type>;base64,<data>")
		}
		return &imageSource{Type: "base64", MediaType: mediaType, Data: data}, nil
	}
	if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		return &imageSource{Type: "url", URL: u}, nil
	}
	return nil, invalidRequest("image URL must be an http(s) or base64 data URL")
}

func convertTools(tools []llmux.Tool) ([]wireTool, error) {
	out := make([]wireTool, 0, len(tools))
	for i, t := range tools {
		if t.Type != "" && t.Type != "function" {
			return nil, invalidRequest("tool %d: unsupported type %q", i, t.Type)
		}
		schema := t.Function.Parameters
		if len(bytes.TrimSpace(schema)) == 0 || bytes.Equal(bytes.TrimSpace(schema), []byte("null")) {
			schema = emptySchema
		}
		out = append(out, wireTool{Name: t.Function.Name, Description: t.Function.Description, InputSchema: schema})
	}
	return out, nil
}

// convertToolChoice maps OpenAI's tool_choice: "auto" -> {"type":"auto"},
// "required" -> {"type":"any"}, "none" -> {"type":"none"},
// {"type":"function","function":{"name":X}} -> {"type":"tool","name":X}.
// An object already in Anthropic's shape passes through.
func convertToolChoice(v any) ([]byte, error) {
	var raw []byte
	switch c := v.(type) {
	case string:
		switch c {
		case "auto", "none":
			return marshal(toolChoice{Type: c})
		case "required", "any":
			return marshal(toolChoice{Type: "any"})
		case "":
			return nil, nil
		}
		return nil, invalidRequest("unsupported tool_choice %q", c)
	case json.RawMessage:
		raw = c
	case []byte:
		raw = c
	default:
		var err error
		if raw, err = marshal(c); err != nil {
			return nil, invalidRequest("tool_choice cannot be encoded: %v", err)
		}
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, invalidRequest("tool_choice is not valid JSON")
		}
		return convertToolChoice(s)
	}
	var tc struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if err := json.Unmarshal(raw, &tc); err != nil {
		return nil, invalidRequest("tool_choice is not valid JSON")
	}
	if tc.Type == "function" {
		if tc.Function.Name == "" {
			return nil, invalidRequest("tool_choice: function name is required")
		}
		return marshal(toolChoice{Type: "tool", Name: tc.Function.Name})
	}
	return raw, nil
}
