package bedrock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonobj"
	"github.com/llmux/llmux/provider"
)

// converseRequest is the body of Converse and ConverseStream:
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
// Members are written in this order.
type converseRequest struct {
	Messages                          []wireMessage              `json:"messages"`
	System                            []contentBlock             `json:"system,omitempty"`
	InferenceConfig                   *inferenceConfig           `json:"inferenceConfig,omitempty"`
	ToolConfig                        *toolConfig                `json:"toolConfig,omitempty"`
	GuardrailConfig                   json.RawMessage            `json:"guardrailConfig,omitempty"`
	AdditionalModelRequestFields      map[string]json.RawMessage `json:"additionalModelRequestFields,omitempty"`
	AdditionalModelResponseFieldPaths json.RawMessage            `json:"additionalModelResponseFieldPaths,omitempty"`
	PerformanceConfig                 json.RawMessage            `json:"performanceConfig,omitempty"`
	PromptVariables                   json.RawMessage            `json:"promptVariables,omitempty"`
	RequestMetadata                   json.RawMessage            `json:"requestMetadata,omitempty"`
	ServiceTier                       json.RawMessage            `json:"serviceTier,omitempty"`
}

type wireMessage struct {
	Role    string         `json:"role"`
	Content []contentBlock `json:"content"`
}

// contentBlock is one Converse content block (a union: one member set), of
// a message or of the system prompt.
type contentBlock struct {
	Text             *string          `json:"text,omitempty"`
	Image            *imageBlock      `json:"image,omitempty"`
	Document         *documentBlock   `json:"document,omitempty"`
	ToolUse          *toolUseBlock    `json:"toolUse,omitempty"`
	ToolResult       *toolResultBlock `json:"toolResult,omitempty"`
	ReasoningContent *reasoningBlock  `json:"reasoningContent,omitempty"`
	CachePoint       *cachePoint      `json:"cachePoint,omitempty"`
}

type imageBlock struct {
	Format string      `json:"format"`
	Source mediaSource `json:"source"`
}

type documentBlock struct {
	Format string      `json:"format"`
	Name   string      `json:"name"`
	Source mediaSource `json:"source"`
}

// mediaSource holds base64 bytes or an S3 location.
type mediaSource struct {
	Bytes      string      `json:"bytes,omitempty"`
	S3Location *s3Location `json:"s3Location,omitempty"`
}

type s3Location struct {
	URI string `json:"uri"`
}

type toolUseBlock struct {
	ToolUseID string          `json:"toolUseId"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
}

type toolResultBlock struct {
	ToolUseID string         `json:"toolUseId"`
	Content   []contentBlock `json:"content"`
	Status    string         `json:"status,omitempty"`
}

// reasoningBlock is a reasoningContent block: signed text, or redacted
// (encrypted) content.
type reasoningBlock struct {
	ReasoningText   *reasoningText `json:"reasoningText,omitempty"`
	RedactedContent string         `json:"redactedContent,omitempty"`
}

type reasoningText struct {
	Text      string `json:"text"`
	Signature string `json:"signature,omitempty"`
}

type cachePoint struct {
	Type string `json:"type"`
}

type inferenceConfig struct {
	MaxTokens     *int     `json:"maxTokens,omitempty"`
	Temperature   *float64 `json:"temperature,omitempty"`
	TopP          *float64 `json:"topP,omitempty"`
	StopSequences []string `json:"stopSequences,omitempty"`
}

type toolConfig struct {
	Tools      []toolEntry     `json:"tools"`
	ToolChoice json.RawMessage `json:"toolChoice,omitempty"`
}

// toolEntry is a tool, or a cache point after the tools before it.
type toolEntry struct {
	ToolSpec   *toolSpec   `json:"toolSpec,omitempty"`
	CachePoint *cachePoint `json:"cachePoint,omitempty"`
}

type toolSpec struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema inputSchema     `json:"inputSchema"`
	Strict      json.RawMessage `json:"strict,omitempty"`
}

type inputSchema struct {
	JSON json.RawMessage `json:"json"`
}

// converseBody builds the Converse body of a request to model.
func converseBody(r *llmux.Request, model string) ([]byte, error) {
	if r.N != nil && *r.N > 1 {
		return nil, &llmux.Error{Code: llmux.CodeUnsupported, Provider: providerName, Param: "n",
			Message: "Converse returns one choice: n > 1 is not supported"}
	}
	system, msgs, err := convertMessages(r.Messages)
	if err != nil {
		return nil, err
	}
	body := converseRequest{Messages: msgs, System: system}

	ic := inferenceConfig{Temperature: r.Temperature, TopP: r.TopP, StopSequences: r.Stop}
	switch {
	case r.MaxCompletionTokens != nil:
		ic.MaxTokens = r.MaxCompletionTokens
	case r.MaxTokens != nil:
		ic.MaxTokens = r.MaxTokens
	}
	extraFields := map[string]json.RawMessage{}
	if r.ReasoningEffort != "" && r.ReasoningEffort != "none" {
		thinking, maxTokens, err := thinkingFor(r.ReasoningEffort, ic.MaxTokens)
		if err != nil {
			return nil, err
		}
		extraFields["thinking"] = thinking
		ic.MaxTokens = &maxTokens
	}
	if ic.MaxTokens != nil || ic.Temperature != nil || ic.TopP != nil || len(ic.StopSequences) > 0 {
		body.InferenceConfig = &ic
	}

	if len(r.Tools) > 0 {
		tc, err := convertTools(r.Tools, r.ToolChoice)
		if err != nil {
			return nil, err
		}
		body.ToolConfig = tc
	} else if r.ToolChoice != nil && r.ToolChoice.Mode != llmux.ToolChoiceNone && r.ToolChoice.Mode != llmux.ToolChoiceAuto {
		return nil, invalidParam("tool_choice", "tool_choice needs tools")
	}
	if err := applyResponseFormat(&body, r.ResponseFormat); err != nil {
		return nil, err
	}

	if err := applyExtra(&body, r.Extra, extraFields, model); err != nil {
		return nil, err
	}
	if len(extraFields) > 0 {
		body.AdditionalModelRequestFields = extraFields
	}
	return marshal(body)
}

// jsonTool is the tool a response_format becomes: Converse has no JSON
// mode, so the model is made to call a tool whose input schema is the
// wanted one, and the call's input is the answer's content (LiteLLM's
// way, with LiteLLM's tool name).
const jsonTool = "json_tool_call"

// applyResponseFormat turns a json_object or json_schema response_format
// into jsonTool, forced unless the request has tools of its own (then the
// model may answer with either). "text" asks for nothing.
func applyResponseFormat(body *converseRequest, raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var rf struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name        string          `json:"name"`
			Description string          `json:"description"`
			Schema      json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	}
	if err := json.Unmarshal(raw, &rf); err != nil {
		return invalidParam("response_format", "response_format: %v", err)
	}
	schema := json.RawMessage(`{"type":"object"}`)
	desc := "Respond with a JSON object."
	switch rf.Type {
	case "text":
		return nil
	case "json_object":
	case "json_schema":
		if rf.JSONSchema == nil || len(rf.JSONSchema.Schema) == 0 || string(rf.JSONSchema.Schema) == "null" {
			return invalidParam("response_format", "response_format: json_schema needs json_schema.schema")
		}
		var err error
		if schema, err = compactJSON(rf.JSONSchema.Schema, "response_format"); err != nil {
			return err
		}
		if rf.JSONSchema.Description != "" {
			desc = rf.JSONSchema.Description
		}
	default:
		return invalidParam("response_format", "response_format: type %q is not one of text, json_object, json_schema", rf.Type)
	}
	spec := toolEntry{ToolSpec: &toolSpec{Name: jsonTool, Description: desc, InputSchema: inputSchema{JSON: schema}}}
	if body.ToolConfig == nil {
		body.ToolConfig = &toolConfig{ToolChoice: json.RawMessage(`{"tool":{"name":"` + jsonTool + `"}}`)}
	}
	body.ToolConfig.Tools = append(body.ToolConfig.Tools, spec)
	return nil
}

// applyExtra sends the request's Extra keys: Converse's own top-level
// members as they are, top_k where the model family takes it, and any
// other key into additionalModelRequestFields (the model's native request
// fields), as LiteLLM does. An explicit additionalModelRequestFields
// object is merged with the fields mapped from parameters; its members
// win.
func applyExtra(body *converseRequest, extra map[string]json.RawMessage, fields map[string]json.RawMessage, model string) error {
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v, err := compactJSON(extra[k], k)
		if err != nil {
			return err
		}
		switch k {
		case "guardrailConfig":
			body.GuardrailConfig = v
		case "additionalModelResponseFieldPaths":
			body.AdditionalModelResponseFieldPaths = v
		case "performanceConfig":
			body.PerformanceConfig = v
		case "promptVariables":
			body.PromptVariables = v
		case "requestMetadata":
			body.RequestMetadata = v
		case "serviceTier":
			body.ServiceTier = v
		case "additionalModelRequestFields":
			var m map[string]json.RawMessage
			if err := json.Unmarshal(v, &m); err != nil || m == nil {
				return invalidParam(k, "additionalModelRequestFields must be a JSON object")
			}
			for mk, mv := range m {
				fields[mk] = mv
			}
		case "top_k":
			if strings.Contains(model, "amazon.nova") {
				// Nova takes topK in its own inferenceConfig:
				// https://docs.aws.amazon.com/nova/latest/userguide/using-converse-api.html
				// An explicit additionalModelRequestFields.inferenceConfig
				// is kept: topK joins it, unless it sets its own.
				ic := map[string]json.RawMessage{}
				if prev, ok := fields["inferenceConfig"]; ok {
					if err := json.Unmarshal(prev, &ic); err != nil || ic == nil {
						return invalidParam("additionalModelRequestFields", "additionalModelRequestFields.inferenceConfig must be a JSON object")
					}
				}
				if _, set := ic["topK"]; !set {
					ic["topK"] = v
				}
				b, err := marshal(ic)
				if err != nil {
					return err
				}
				fields["inferenceConfig"] = b
			} else {
				fields["top_k"] = v
			}
		default:
			if _, set := fields[k]; !set {
				fields[k] = v
			}
		}
	}
	return nil
}

// Thinking budgets of reasoning_effort for Claude models, as LiteLLM maps
// them (the Anthropic provider uses the same).
var thinkingBudgets = map[string]int{"minimal": 1024, "low": 1024, "medium": 2048, "high": 4096, "xhigh": 8192}

// defaultAnswerTokens is the room added for the answer on top of the
// thinking budget when the request sets no max_tokens.
const defaultAnswerTokens = 4096

// thinkingFor returns the additionalModelRequestFields "thinking" member
// of a Claude model for reasoning_effort, and maxTokens to send, which
// must exceed the budget.
func thinkingFor(effort string, maxTokens *int) (json.RawMessage, int, error) {
	budget, ok := thinkingBudgets[effort]
	if !ok {
		return nil, 0, invalidParam("reasoning_effort", "reasoning_effort %q is not one of none, minimal, low, medium, high, xhigh", effort)
	}
	n := budget + defaultAnswerTokens
	if maxTokens != nil {
		n = *maxTokens
		if n <= budget {
			budget = n - 1
			if budget < 1024 {
				return nil, 0, invalidParam("reasoning_effort", "reasoning_effort %q needs max_tokens above 1024 (the smallest thinking budget), got %d", effort, n)
			}
		}
	}
	return json.RawMessage(fmt.Sprintf(`{"type":"enabled","budget_tokens":%d}`, budget)), n, nil
}

// convertTools maps OpenAI function tools to toolSpecs, a tool's
// cache_control to a cache point after it, and tool_choice: "auto" to
// auto, "required" to any, a function to tool. "none" has no Converse
// equivalent. A raw tool choice is sent verbatim (Converse's own shape).
func convertTools(tools []llmux.Tool, choice *llmux.ToolChoice) (*toolConfig, error) {
	tc := &toolConfig{Tools: make([]toolEntry, 0, len(tools))}
	for i, t := range tools {
		if t.Type != "" && t.Type != "function" {
			return nil, invalidParam("tools", "tool %d: type %q is not supported (only function tools)", i, t.Type)
		}
		if t.Function.Name == "" {
			return nil, invalidParam("tools", "tool %d: function without a name", i)
		}
		schema := json.RawMessage(`{"type":"object","properties":{}}`)
		if len(t.Function.Parameters) > 0 && string(t.Function.Parameters) != "null" {
			var err error
			if schema, err = compactJSON(t.Function.Parameters, "tools"); err != nil {
				return nil, err
			}
		}
		tc.Tools = append(tc.Tools, toolEntry{ToolSpec: &toolSpec{Name: t.Function.Name, Description: t.Function.Description, InputSchema: inputSchema{JSON: schema}}})
		if len(t.CacheControl) > 0 {
			tc.Tools = append(tc.Tools, toolEntry{CachePoint: &cachePoint{Type: "default"}})
		}
	}
	if choice == nil {
		return tc, nil
	}
	switch {
	case len(choice.Raw) > 0:
		raw, err := compactJSON(choice.Raw, "tool_choice")
		if err != nil {
			return nil, err
		}
		tc.ToolChoice = raw
	case choice.Function != "":
		name, _ := marshal(choice.Function)
		tc.ToolChoice = json.RawMessage(`{"tool":{"name":` + string(name) + `}}`)
	case choice.Mode == llmux.ToolChoiceAuto:
		tc.ToolChoice = json.RawMessage(`{"auto":{}}`)
	case choice.Mode == llmux.ToolChoiceRequired:
		tc.ToolChoice = json.RawMessage(`{"any":{}}`)
	case choice.Mode == llmux.ToolChoiceNone:
		return nil, invalidParam("tool_choice", `tool_choice "none" is not supported by Converse: send no tools instead`)
	case choice.Mode != "":
		return nil, invalidParam("tool_choice", "tool_choice %q is not one of auto, required or a function", choice.Mode)
	}
	return tc, nil
}

// convertMessages hoists system and developer messages into the system
// blocks and converts the rest to Converse messages: tool calls become
// toolUse blocks, tool results toolResult blocks in a user message,
// reasoning (signed thinking blocks) leads its assistant message, and
// consecutive messages of the same role are merged, because Converse wants
// user and assistant turns to alternate. A message's cache_control becomes
// a cache point after its blocks.
func convertMessages(msgs []llmux.Message) ([]contentBlock, []wireMessage, error) {
	var system []contentBlock
	out := make([]wireMessage, 0, len(msgs))
	for i, m := range msgs {
		var (
			role   string
			blocks []contentBlock
			err    error
		)
		switch m.Role {
		case llmux.RoleSystem, llmux.RoleDeveloper:
			if blocks, err = partBlocks(i, m, true); err != nil {
				return nil, nil, err
			}
			system = append(system, withCachePoint(blocks, m.CacheControl)...)
			continue
		case llmux.RoleUser:
			role = "user"
			blocks, err = partBlocks(i, m, false)
		case llmux.RoleAssistant:
			role = "assistant"
			blocks, err = assistantBlocks(i, m)
		case llmux.RoleTool:
			role = "user"
			blocks, err = toolResult(i, m)
		default:
			return nil, nil, invalidRequest("message %d: unsupported role %q", i, m.Role)
		}
		if err != nil {
			return nil, nil, err
		}
		blocks = withCachePoint(blocks, m.CacheControl)
		if len(blocks) == 0 {
			continue // Converse rejects empty content
		}
		if n := len(out); n > 0 && out[n-1].Role == role {
			out[n-1].Content = append(out[n-1].Content, blocks...)
			continue
		}
		out = append(out, wireMessage{Role: role, Content: blocks})
	}
	// Like Anthropic's API, Converse rejects a final (prefill) assistant
	// turn that ends in whitespace.
	if n := len(out); n > 0 && out[n-1].Role == "assistant" {
		c := out[n-1].Content
		if k := len(c) - 1; c[k].Text != nil {
			switch t := strings.TrimRight(*c[k].Text, " \t\r\n"); {
			case t != "":
				c[k].Text = &t
			case k > 0:
				out[n-1].Content = c[:k]
			default:
				out = out[:n-1]
			}
		}
	}
	return system, out, nil
}

// withCachePoint appends a cache point to non-empty blocks when the
// message carries cache_control.
func withCachePoint(blocks []contentBlock, cc json.RawMessage) []contentBlock {
	if len(cc) == 0 || len(blocks) == 0 {
		return blocks
	}
	return append(blocks, contentBlock{CachePoint: &cachePoint{Type: "default"}})
}

func textBlock(s string) contentBlock { return contentBlock{Text: &s} }

// partBlocks returns the blocks of a message's text or parts. Empty texts
// are dropped (Converse rejects empty text blocks). System messages take
// text only.
func partBlocks(i int, m llmux.Message, textOnly bool) ([]contentBlock, error) {
	if len(m.Parts) == 0 {
		if m.Content == "" {
			return nil, nil
		}
		return []contentBlock{textBlock(m.Content)}, nil
	}
	blocks := make([]contentBlock, 0, len(m.Parts))
	for j, p := range m.Parts {
		where := fmt.Sprintf("message %d, content part %d", i, j)
		var b contentBlock
		switch {
		case p.Type == "text":
			if p.Text == "" {
				continue
			}
			b = textBlock(p.Text)
		case textOnly:
			return nil, invalidRequest("%s: a system message takes text only, not %q", where, p.Type)
		case p.Type == "image_url":
			if p.ImageURL == nil {
				return nil, invalidRequest("%s: image_url without url", where)
			}
			img, err := imageFromURL(where, p.ImageURL.URL)
			if err != nil {
				return nil, err
			}
			b = contentBlock{Image: img}
		case p.Type == "file":
			var err error
			if b, err = fileBlock(where, j, p.File); err != nil {
				return nil, err
			}
		default:
			return nil, invalidRequest("%s: unsupported type %q", where, p.Type)
		}
		blocks = append(blocks, b)
		if len(p.CacheControl) > 0 {
			blocks = append(blocks, contentBlock{CachePoint: &cachePoint{Type: "default"}})
		}
	}
	return blocks, nil
}

// imageFormats maps image media types to Converse image formats.
var imageFormats = map[string]string{"image/png": "png", "image/jpeg": "jpeg", "image/jpg": "jpeg", "image/gif": "gif", "image/webp": "webp"}

// documentFormats maps document media types to Converse document formats.
var documentFormats = map[string]string{
	"application/pdf": "pdf", "text/csv": "csv", "application/msword": "doc",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
	"application/vnd.ms-excel": "xls",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
	"text/html": "html", "text/plain": "txt", "text/markdown": "md",
}

// imageFromURL maps an OpenAI image URL: a base64 data URL to bytes, an
// s3:// URL to an S3 location. Converse cannot fetch http(s) URLs.
func imageFromURL(where, u string) (*imageBlock, error) {
	switch {
	case strings.HasPrefix(u, "data:"):
		mediaType, data, ok := dataURL(u)
		if !ok {
			return nil, invalidRequest("%s: image data URL must be data:<media type>;base64,<data>", where)
		}
		format, ok := imageFormats[mediaType]
		if !ok {
			return nil, invalidRequest("%s: image media type %q is not supported (png, jpeg, gif or webp)", where, mediaType)
		}
		return &imageBlock{Format: format, Source: mediaSource{Bytes: data}}, nil
	case strings.HasPrefix(u, "s3://"):
		format := imageFormats["image/"+strings.ToLower(u[strings.LastIndexByte(u, '.')+1:])]
		if format == "" {
			return nil, invalidRequest("%s: the image format of %q is not known from its extension (png, jpeg, jpg, gif or webp)", where, u)
		}
		return &imageBlock{Format: format, Source: mediaSource{S3Location: &s3Location{URI: u}}}, nil
	}
	return nil, invalidRequest("%s: Converse takes images as base64 data URLs or s3:// URLs, not %q", where, provider.Truncate(u, 40))
}

// fileBlock maps an OpenAI file part with inline data: an image to an image
// block, a document type (pdf, csv, doc(x), xls(x), html, txt, md) to a
// document named after the filename. Uploaded file ids do not exist on
// Bedrock.
func fileBlock(where string, j int, f *llmux.File) (contentBlock, error) {
	if f == nil || f.FileData == "" {
		return contentBlock{}, invalidRequest("%s: a file part needs file_data (Bedrock has no file ids)", where)
	}
	mediaType, data, ok := dataURL(f.FileData)
	if !ok {
		return contentBlock{}, invalidRequest("%s: file_data must be data:<media type>;base64,<data>", where)
	}
	if format, ok := imageFormats[mediaType]; ok {
		return contentBlock{Image: &imageBlock{Format: format, Source: mediaSource{Bytes: data}}}, nil
	}
	format, ok := documentFormats[mediaType]
	if !ok {
		return contentBlock{}, invalidRequest("%s: file media type %q is not supported", where, mediaType)
	}
	return contentBlock{Document: &documentBlock{Format: format, Name: documentName(f.Filename, j), Source: mediaSource{Bytes: data}}}, nil
}

// documentName makes a Converse document name from a filename: only
// letters, digits, spaces, hyphens, parentheses and square brackets, no
// consecutive spaces; "document-<n>" when nothing is left.
func documentName(filename string, j int) string {
	if i := strings.LastIndexByte(filename, '.'); i > 0 {
		filename = filename[:i]
	}
	var b strings.Builder
	space := false
	for _, c := range filename {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-()[]", c)
		switch {
		case ok:
			b.WriteRune(c)
			space = false
		case !space && b.Len() > 0:
			b.WriteByte(' ')
			space = true
		}
	}
	name := strings.TrimSpace(b.String())
	if name == "" {
		name = fmt.Sprintf("document-%d", j)
	}
	return name
}

// dataURL is [provider.ParseDataURL] with the media type lowercased.
func dataURL(u string) (mediaType, data string, ok bool) {
	mediaType, data, ok = provider.ParseDataURL(u)
	return strings.ToLower(mediaType), data, ok
}

// assistantBlocks returns an assistant message's blocks: its signed
// thinking blocks as reasoningContent first, then its text, then its tool
// calls as toolUse blocks.
func assistantBlocks(i int, m llmux.Message) ([]contentBlock, error) {
	var blocks []contentBlock
	for j, tb := range m.ThinkingBlocks {
		switch tb.Type {
		case "thinking":
			blocks = append(blocks, contentBlock{ReasoningContent: &reasoningBlock{ReasoningText: &reasoningText{Text: tb.Thinking, Signature: tb.Signature}}})
		case "redacted_thinking":
			blocks = append(blocks, contentBlock{ReasoningContent: &reasoningBlock{RedactedContent: tb.Data}})
		default:
			return nil, invalidRequest("message %d: thinking block %d: unsupported type %q", i, j, tb.Type)
		}
	}
	body, err := partBlocks(i, m, false)
	if err != nil {
		return nil, err
	}
	blocks = append(blocks, body...)
	for _, tc := range m.ToolCalls {
		input, err := provider.ToolInput(tc.Function.Arguments)
		if err != nil {
			return nil, invalidRequest("message %d: tool call %q: arguments are not a JSON object", i, tc.ID)
		}
		blocks = append(blocks, contentBlock{ToolUse: &toolUseBlock{ToolUseID: tc.ID, Name: tc.Function.Name, Input: input}})
	}
	return blocks, nil
}

// toolResult converts a tool message to a toolResult block: its parts
// (text, images, documents) or its text; "is_error": true in the
// message's Extra sets status "error".
func toolResult(i int, m llmux.Message) ([]contentBlock, error) {
	b := toolResultBlock{ToolUseID: m.ToolCallID}
	if m.ToolCallID == "" {
		return nil, invalidRequest("message %d: tool message without tool_call_id", i)
	}
	if string(m.Extra["is_error"]) == "true" {
		b.Status = "error"
	}
	content, err := partBlocks(i, m, false)
	if err != nil {
		return nil, err
	}
	if len(content) == 0 {
		content = []contentBlock{textBlock("")}
	}
	b.Content = content
	return []contentBlock{{ToolResult: &b}}, nil
}

// marshal encodes v without HTML escaping ([jsonobj.Marshal]); a value
// that cannot encode is an invalid request.
func marshal(v any) ([]byte, error) {
	b, err := jsonobj.Marshal(v)
	if err != nil {
		return nil, &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: providerName, Message: "encode request: " + err.Error(), Err: err}
	}
	return b, nil
}

// compactJSON validates and compacts a raw JSON member of the request.
func compactJSON(raw json.RawMessage, param string) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, invalidParam(param, "%s is not valid JSON", param)
	}
	return buf.Bytes(), nil
}

func invalidRequest(format string, args ...any) *llmux.Error {
	return &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: providerName, Message: fmt.Sprintf(format, args...)}
}

// invalidParam is invalidRequest naming the parameter at fault.
func invalidParam(param, format string, args ...any) *llmux.Error {
	e := invalidRequest(format, args...)
	e.Param = param
	return e
}
