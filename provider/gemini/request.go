package gemini

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"mime"
	"path"
	"slices"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonobj"
	"github.com/llmux/llmux/provider"
)

// content is one entry of "contents" (or the systemInstruction). Role is
// always set on contents: Vertex AI requires it.
type content struct {
	Role  string `json:"role,omitempty"`
	Parts []part `json:"parts"`
}

// part is one part of a content; only the members of its kind are set.
type part struct {
	Text             string          `json:"text,omitempty"`
	InlineData       *blob           `json:"inlineData,omitempty"`
	FileData         *fileData       `json:"fileData,omitempty"`
	FunctionCall     *functionCall   `json:"functionCall,omitempty"`
	FunctionResponse *functionResult `json:"functionResponse,omitempty"`
	ThoughtSignature string          `json:"thoughtSignature,omitempty"`
}

type blob struct {
	MimeType string `json:"mimeType"`
	Data     string `json:"data"`
}

type fileData struct {
	MimeType string `json:"mimeType,omitempty"`
	FileURI  string `json:"fileUri"`
}

type functionCall struct {
	Name string          `json:"name"`
	Args json.RawMessage `json:"args"`
}

type functionResult struct {
	Name     string          `json:"name"`
	Response json.RawMessage `json:"response"`
}

// chatBody builds the generateContent body (the same for
// streamGenerateContent). Key order is fixed: contents, systemInstruction,
// tools, toolConfig, generationConfig, then the request's Extra keys
// sorted (see [Provider.mergeExtra] for the keys that are mapped).
func (p *Provider) chatBody(a *llmux.Attempt) ([]byte, error) {
	r := a.Request
	system, contents, err := p.convertMessages(r.Messages)
	if err != nil {
		return nil, err
	}
	var tools []json.RawMessage
	if len(r.Tools) > 0 {
		if tools, err = p.convertTools(r.Tools); err != nil {
			return nil, err
		}
	}
	toolConfig, err := p.convertToolChoice(r.ToolChoice)
	if err != nil {
		return nil, err
	}
	gen, err := p.generationConfig(a)
	if err != nil {
		return nil, err
	}
	var o object
	if err := o.SetEach([]field{
		{Key: "contents", Val: contents, When: true},
		{Key: "systemInstruction", Val: system, When: system != nil},
		{Key: "tools", Val: tools, When: len(tools) > 0},
		{Key: "toolConfig", Val: toolConfig, When: toolConfig != nil},
	}); err != nil {
		return nil, err
	}
	if err := p.mergeExtra(&o, gen, r.Extra); err != nil {
		return nil, err
	}
	return o.Bytes(), nil
}

// mergeExtra adds the generation config and the request's Extra keys to
// the body o:
//
//   - "generationConfig" (an object) is merged member by member into the
//     generation config built from the typed parameters, its members
//     winning;
//   - "top_k" becomes generationConfig.topK;
//   - "safety_settings" and "cached_content" (LiteLLM's names) become
//     safetySettings and cachedContent;
//   - any other key is a top-level member of the body as is
//     (safetySettings, cachedContent, labels...), replacing one the codec
//     set.
func (p *Provider) mergeExtra(o *object, gen *object, extra map[string]json.RawMessage) error {
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var top object
	for _, k := range keys {
		v, err := p.compact(extra[k], k, "extra")
		if err != nil {
			return err
		}
		switch k {
		case "generationConfig", "generation_config":
			var members map[string]json.RawMessage
			if err := json.Unmarshal(v, &members); err != nil || members == nil {
				return p.invalidParam(k, "extra %s must be a JSON object", k)
			}
			mk := make([]string, 0, len(members))
			for m := range members {
				mk = append(mk, m)
			}
			slices.Sort(mk)
			for _, m := range mk {
				mv, err := p.compact(members[m], k+"."+m, "extra")
				if err != nil {
					return err
				}
				gen.SetRaw(m, mv)
			}
		case "top_k":
			gen.SetRaw("topK", v)
		case "safety_settings":
			top.SetRaw("safetySettings", v)
		case "cached_content":
			top.SetRaw("cachedContent", v)
		default:
			top.SetRaw(k, v)
		}
	}
	if gen.Len() > 0 {
		o.SetRaw("generationConfig", gen.Bytes())
	}
	for k, v := range top.All() {
		o.SetRaw(k, v)
	}
	return nil
}

// generationConfig maps the typed sampling parameters.
func (p *Provider) generationConfig(a *llmux.Attempt) (*object, error) {
	r := a.Request
	gen := &object{}
	maxTokens := r.MaxCompletionTokens
	if maxTokens == nil {
		maxTokens = r.MaxTokens
	}
	mimeType, schema, err := p.responseFormat(r.ResponseFormat)
	if err != nil {
		return nil, err
	}
	var thinking *thinkingConfig
	if r.ReasoningEffort != "" {
		if thinking, err = p.thinkingFor(a.Model, r.ReasoningEffort); err != nil {
			return nil, err
		}
	}
	var topLogprobs *int
	if r.TopLogprobs != nil {
		topLogprobs = r.TopLogprobs
	}
	if err := gen.SetEach([]field{
		{Key: "temperature", Val: r.Temperature, When: r.Temperature != nil},
		{Key: "topP", Val: r.TopP, When: r.TopP != nil},
		{Key: "maxOutputTokens", Val: maxTokens, When: maxTokens != nil},
		{Key: "stopSequences", Val: r.Stop, When: len(r.Stop) > 0},
		{Key: "candidateCount", Val: r.N, When: r.N != nil},
		{Key: "seed", Val: r.Seed, When: r.Seed != nil},
		{Key: "presencePenalty", Val: r.PresencePenalty, When: r.PresencePenalty != nil},
		{Key: "frequencyPenalty", Val: r.FrequencyPenalty, When: r.FrequencyPenalty != nil},
		{Key: "responseLogprobs", Val: r.Logprobs, When: r.Logprobs != nil},
		{Key: "logprobs", Val: topLogprobs, When: topLogprobs != nil},
		{Key: "responseMimeType", Val: mimeType, When: mimeType != ""},
		{Key: "responseJsonSchema", Val: schema, When: schema != nil},
		{Key: "thinkingConfig", Val: thinking, When: thinking != nil},
	}); err != nil {
		return nil, err
	}
	return gen, nil
}

// responseFormat maps OpenAI's response_format: json_object to the
// application/json MIME type, json_schema to it with the schema as
// responseJsonSchema (which takes JSON Schema as is), text to nothing.
func (p *Provider) responseFormat(raw json.RawMessage) (string, json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return "", nil, nil
	}
	var rf struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Schema json.RawMessage `json:"schema"`
		} `json:"json_schema"`
	}
	if err := json.Unmarshal(raw, &rf); err != nil {
		return "", nil, p.invalidParam("response_format", "response_format must be an object with a type")
	}
	switch rf.Type {
	case "text":
		return "", nil, nil
	case "json_object":
		return "application/json", nil, nil
	case "json_schema":
		if rf.JSONSchema == nil || len(rf.JSONSchema.Schema) == 0 {
			return "application/json", nil, nil
		}
		schema, err := p.compact(rf.JSONSchema.Schema, "response_format", "response_format.json_schema")
		if err != nil {
			return "", nil, err
		}
		return "application/json", schema, nil
	}
	return "", nil, p.invalidParam("response_format", "response_format type %q is not supported (text, json_object or json_schema)", rf.Type)
}

// convertMessages hoists system and developer messages into the
// systemInstruction and converts the rest into contents: assistant turns
// have role "model", tool calls become functionCall parts, tool results
// functionResponse parts of a user turn, and consecutive contents of the
// same role are merged, as the API wants turns to alternate.
func (p *Provider) convertMessages(msgs []llmux.Message) (*content, []content, error) {
	var system *content
	out := make([]content, 0, len(msgs))
	names := map[string]string{} // tool call id -> function name
	for i, m := range msgs {
		var (
			role  string
			parts []part
			err   error
		)
		switch m.Role {
		case llmux.RoleSystem, llmux.RoleDeveloper:
			sp, err := p.userParts(i, m)
			if err != nil {
				return nil, nil, err
			}
			for _, x := range sp {
				if x.Text == "" {
					return nil, nil, p.invalidRequest("message %d: a system message may hold only text", i)
				}
			}
			if len(sp) == 0 {
				continue
			}
			if system == nil {
				system = &content{}
			}
			system.Parts = append(system.Parts, sp...)
			continue
		case llmux.RoleUser:
			role = "user"
			parts, err = p.userParts(i, m)
		case llmux.RoleAssistant:
			role = "model"
			parts, err = p.assistantParts(i, m, names)
		case llmux.RoleTool:
			role = "user"
			parts, err = p.toolResult(i, m, names)
		default:
			return nil, nil, p.invalidRequest("message %d: unsupported role %q", i, m.Role)
		}
		if err != nil {
			return nil, nil, err
		}
		if len(parts) == 0 {
			continue // the API rejects a content without parts
		}
		if n := len(out); n > 0 && out[n-1].Role == role {
			out[n-1].Parts = append(out[n-1].Parts, parts...)
			continue
		}
		out = append(out, content{Role: role, Parts: parts})
	}
	return system, out, nil
}

// userParts converts a message's text and parts. Empty text is dropped.
func (p *Provider) userParts(i int, m llmux.Message) ([]part, error) {
	if len(m.Parts) == 0 {
		if m.Content == "" {
			return nil, nil
		}
		return []part{{Text: m.Content}}, nil
	}
	out := make([]part, 0, len(m.Parts))
	for j, cp := range m.Parts {
		where := fmt.Sprintf("message %d, content part %d", i, j)
		switch cp.Type {
		case "text":
			if cp.Text != "" {
				out = append(out, part{Text: cp.Text})
			}
		case "image_url":
			if cp.ImageURL == nil || cp.ImageURL.URL == "" {
				return nil, p.invalidRequest("%s: image_url without url", where)
			}
			x, err := p.mediaPart(where, cp.ImageURL.URL, formatOf(cp.ImageURL.Extra))
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		case "input_audio":
			if cp.InputAudio == nil || cp.InputAudio.Data == "" {
				return nil, p.invalidRequest("%s: input_audio without data", where)
			}
			out = append(out, part{InlineData: &blob{MimeType: "audio/" + cmp.Or(cp.InputAudio.Format, "wav"), Data: cp.InputAudio.Data}})
		case "file":
			f := cp.File
			switch {
			case f == nil:
				return nil, p.invalidRequest("%s: file part without file", where)
			case f.FileData != "":
				x, err := p.mediaPart(where, f.FileData, formatOf(f.Extra))
				if err != nil {
					return nil, err
				}
				out = append(out, x)
			case f.FileID != "":
				x, err := p.mediaPart(where, f.FileID, formatOf(f.Extra))
				if err != nil {
					return nil, err
				}
				out = append(out, x)
			default:
				return nil, p.invalidRequest("%s: file part needs file_data or file_id", where)
			}
		default:
			return nil, p.invalidRequest("%s: unsupported type %q", where, cp.Type)
		}
	}
	return out, nil
}

// formatOf returns the "format" member LiteLLM lets callers put on an
// image_url or file to give its MIME type.
func formatOf(extra map[string]json.RawMessage) string {
	var s string
	if raw, ok := extra["format"]; ok {
		_ = json.Unmarshal(raw, &s) // not a string: no format
	}
	return s
}

// mediaPart maps a data URL to inlineData, and any other URI (http(s),
// gs://, a Files API URI) to fileData, whose MIME type is format, else the
// one of the URI's extension. The codec fetches nothing.
func (p *Provider) mediaPart(where, u, format string) (part, error) {
	if strings.HasPrefix(u, "data:") {
		mediaType, data, ok := provider.ParseDataURL(u)
		if !ok {
			return part{}, p.invalidRequest("%s: data URL must be data:<media type>;base64,<data>", where)
		}
		return part{InlineData: &blob{MimeType: cmp.Or(format, mediaType), Data: data}}, nil
	}
	if !strings.Contains(u, ":") {
		return part{}, p.invalidRequest("%s: %q is neither a data URL nor a URI", where, u)
	}
	return part{FileData: &fileData{MimeType: cmp.Or(format, mimeOf(u)), FileURI: u}}, nil
}

// mimeOf guesses the MIME type of a URI from its extension; "" when it
// has none known. YouTube links are video/*.
func mimeOf(u string) string {
	clean, _, _ := strings.Cut(u, "?")
	clean, _, _ = strings.Cut(clean, "#")
	if strings.Contains(clean, "youtube.com/") || strings.Contains(clean, "youtu.be/") {
		return "video/*"
	}
	t := mime.TypeByExtension(strings.ToLower(path.Ext(clean)))
	t, _, _ = strings.Cut(t, ";")
	return t
}

// assistantParts converts an assistant message: its text, then a
// functionCall part per tool call, carrying back the call's thought
// signature (see signatureOf). names learns the function of each call id,
// for the tool results that follow.
func (p *Provider) assistantParts(i int, m llmux.Message, names map[string]string) ([]part, error) {
	out, err := p.userParts(i, llmux.Message{Content: m.Content, Parts: m.Parts})
	if err != nil {
		return nil, err
	}
	for _, tc := range m.ToolCalls {
		if tc.Function.Name == "" {
			return nil, p.invalidRequest("message %d: tool call %q without a function name", i, tc.ID)
		}
		args, err := toolArgs(tc.Function.Arguments)
		if err != nil {
			return nil, p.invalidRequest("message %d: tool call %q: arguments are not a JSON object", i, tc.ID)
		}
		if tc.ID != "" {
			names[tc.ID] = tc.Function.Name
		}
		out = append(out, part{FunctionCall: &functionCall{Name: tc.Function.Name, Args: args}, ThoughtSignature: signatureOf(tc)})
	}
	return out, nil
}

// toolArgs parses OpenAI's arguments string into the args object; empty
// arguments are {}.
func toolArgs(args string) (json.RawMessage, error) {
	if strings.TrimSpace(args) == "" {
		return json.RawMessage("{}"), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(args)); err != nil {
		return nil, err
	}
	if buf.Len() == 0 || buf.Bytes()[0] != '{' {
		return nil, fmt.Errorf("not an object")
	}
	return buf.Bytes(), nil
}

// toolResult converts a tool message into a functionResponse part. The
// function's name comes from the message's Name, else from the assistant
// tool call it answers. The response is the content when it is a JSON
// object, else {"content": <text>}.
func (p *Provider) toolResult(i int, m llmux.Message, names map[string]string) ([]part, error) {
	name := cmp.Or(m.Name, names[m.ToolCallID])
	if name == "" {
		return nil, p.invalidRequest("message %d: tool result %q answers no earlier tool call and has no name", i, m.ToolCallID)
	}
	text := m.Content
	if len(m.Parts) > 0 {
		var b strings.Builder
		for _, cp := range m.Parts {
			if cp.Type != "text" {
				return nil, p.invalidRequest("message %d: a tool result may hold only text", i)
			}
			b.WriteString(cp.Text)
		}
		text = b.String()
	}
	var resp json.RawMessage
	trimmed := strings.TrimSpace(text)
	if strings.HasPrefix(trimmed, "{") && json.Valid([]byte(trimmed)) {
		var buf bytes.Buffer
		_ = json.Compact(&buf, []byte(trimmed)) // valid
		resp = buf.Bytes()
	} else {
		b, err := jsonobj.Marshal(map[string]string{"content": text})
		if err != nil {
			return nil, err
		}
		resp = b
	}
	return []part{{FunctionResponse: &functionResult{Name: name, Response: resp}}}, nil
}
