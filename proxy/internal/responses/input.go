package responses

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/llmux/llmux"
)

// converter turns input items into chat messages.
type converter struct {
	msgs []llmux.Message
}

// lastAssistant returns the last message if it is an assistant message.
func (c *converter) lastAssistant() *llmux.Message {
	if n := len(c.msgs); n > 0 && c.msgs[n-1].Role == llmux.RoleAssistant {
		return &c.msgs[n-1]
	}
	return nil
}

func (c *converter) item(path string, raw json.RawMessage) error {
	m, err := asObject(raw, path)
	if err != nil {
		return err
	}
	typ := "message"
	if v := nonNull(m["type"]); v != nil {
		if typ, err = asString(v, path+".type"); err != nil {
			return err
		}
	}
	switch typ {
	case "message":
		return c.message(path, m)
	case "function_call":
		return c.functionCall(path, m)
	case "function_call_output":
		return c.functionOutput(path, m)
	case "reasoning":
		// OpenAI's reasoning state (summary, encrypted content) has no
		// place in a chat request: dropped.
		return nil
	case "item_reference":
		return unsupported(path+".type", "item_reference is not supported: this gateway keeps no stored items; "+
			"send the item itself (with the Vercel AI SDK, leave providerOptions.openai.store unset or false)")
	}
	return unsupported(path+".type", "input item type %q is not supported by this gateway", typ)
}

func (c *converter) message(path string, m map[string]json.RawMessage) error {
	role, err := reqString(nonNull(m["role"]), path+".role")
	if err != nil {
		return err
	}
	switch llmux.Role(role) {
	case llmux.RoleUser, llmux.RoleSystem, llmux.RoleDeveloper, llmux.RoleAssistant:
	default:
		return invalid(path+".role", "want \"user\", \"system\", \"developer\" or \"assistant\", not %q", role)
	}
	msg := llmux.Message{Role: llmux.Role(role)}
	content := nonNull(m["content"])
	switch {
	case content == nil:
		return invalid(path+".content", "required")
	case content[0] == '"':
		if msg.Content, err = asString(content, path+".content"); err != nil {
			return err
		}
	case content[0] == '[':
		var parts []json.RawMessage
		if err := json.Unmarshal(content, &parts); err != nil {
			return invalid(path+".content", "%v", jsonErr(err))
		}
		for j, raw := range parts {
			p, refusal, err := decodePart(fmt.Sprintf("%s.content[%d]", path, j), raw, msg.Role == llmux.RoleAssistant)
			if err != nil {
				return err
			}
			switch {
			case refusal != "":
				msg.Refusal += refusal
			case msg.Role == llmux.RoleAssistant:
				msg.Content += p.Text
			default:
				msg.Parts = append(msg.Parts, p)
			}
		}
		if msg.Role != llmux.RoleAssistant && len(msg.Parts) == 0 {
			msg.Parts = []llmux.ContentPart{{Type: "text"}}
		}
	default:
		return invalid(path+".content", "want a string or an array of content parts")
	}
	// An assistant message after the tool calls of the same turn (no tool
	// output between) joins them.
	if last := c.lastAssistant(); msg.Role == llmux.RoleAssistant && last != nil && len(last.ToolCalls) > 0 &&
		last.Content == "" && last.Refusal == "" {
		last.Content, last.Refusal = msg.Content, msg.Refusal
		return nil
	}
	c.msgs = append(c.msgs, msg)
	return nil
}

// decodePart decodes one content part. An assistant's output_text (and
// input_text) gives its text; a refusal part gives refusal.
func decodePart(path string, raw json.RawMessage, assistant bool) (p llmux.ContentPart, refusal string, err error) {
	m, err := asObject(raw, path)
	if err != nil {
		return p, "", err
	}
	typ, err := reqString(nonNull(m["type"]), path+".type")
	if err != nil {
		return p, "", err
	}
	switch typ {
	case "input_text", "output_text", "text":
		s, err := asString(orEmpty(m["text"]), path+".text")
		return llmux.ContentPart{Type: "text", Text: s}, "", err
	case "refusal":
		if !assistant {
			return p, "", invalid(path+".type", "a refusal part belongs to an assistant message")
		}
		s, err := asString(orEmpty(m["refusal"]), path+".refusal")
		return p, s, err
	}
	if assistant {
		return p, "", invalid(path+".type", "an assistant message takes output_text and refusal parts, not %q", typ)
	}
	switch typ {
	case "input_image":
		return imagePart(path, m)
	case "input_file":
		return filePart(path, m)
	case "input_audio":
		var a struct {
			InputAudio *struct {
				Data   string `json:"data"`
				Format string `json:"format"`
			} `json:"input_audio"`
		}
		if err := json.Unmarshal(raw, &a); err != nil || a.InputAudio == nil || a.InputAudio.Data == "" {
			return p, "", invalid(path+".input_audio", "want an object with data and format")
		}
		return llmux.ContentPart{Type: "input_audio",
			InputAudio: &llmux.InputAudio{Data: a.InputAudio.Data, Format: a.InputAudio.Format}}, "", nil
	}
	return p, "", unsupported(path+".type", "content part type %q is not supported", typ)
}

func imagePart(path string, m map[string]json.RawMessage) (llmux.ContentPart, string, error) {
	var p llmux.ContentPart
	url, err := optString(nonNull(m["image_url"]), path+".image_url")
	if err != nil {
		return p, "", err
	}
	fileID, err := optString(nonNull(m["file_id"]), path+".file_id")
	if err != nil {
		return p, "", err
	}
	detail, err := optString(nonNull(m["detail"]), path+".detail")
	if err != nil {
		return p, "", err
	}
	switch {
	case url != nil:
		p = llmux.ContentPart{Type: "image_url", ImageURL: &llmux.ImageURL{URL: *url}}
		if detail != nil {
			p.ImageURL.Detail = *detail
		}
	case fileID != nil:
		// The chat API names uploaded files in a file part.
		p = llmux.ContentPart{Type: "file", File: &llmux.File{FileID: *fileID}}
	default:
		return p, "", invalid(path, "an input_image needs image_url or file_id")
	}
	return p, "", nil
}

func filePart(path string, m map[string]json.RawMessage) (llmux.ContentPart, string, error) {
	var p llmux.ContentPart
	f := &llmux.File{}
	for _, k := range [...]string{"file_id", "file_data", "filename"} {
		s, err := optString(nonNull(m[k]), path+"."+k)
		if err != nil {
			return p, "", err
		}
		if s == nil {
			continue
		}
		switch k {
		case "file_id":
			f.FileID = *s
		case "file_data":
			f.FileData = *s
		case "filename":
			f.Filename = *s
		}
	}
	if nonNull(m["file_url"]) != nil {
		return p, "", unsupported(path+".file_url", "not supported by the chat API: send file_data or file_id")
	}
	if f.FileID == "" && f.FileData == "" {
		return p, "", invalid(path, "an input_file needs file_data or file_id")
	}
	// Responses takes bare base64 with a filename; the chat API takes a
	// data URL.
	if f.FileData != "" && !strings.HasPrefix(f.FileData, "data:") {
		f.FileData = "data:" + mediaType(f.Filename) + ";base64," + f.FileData
	}
	return llmux.ContentPart{Type: "file", File: f}, "", nil
}

// mediaType guesses a file's media type from its name; PDF is what the
// chat API's file parts are for.
func mediaType(name string) string {
	switch strings.ToLower(name[strings.LastIndexByte(name, '.')+1:]) {
	case "txt":
		return "text/plain"
	case "png":
		return "image/png"
	case "jpg", "jpeg":
		return "image/jpeg"
	}
	return "application/pdf"
}

func (c *converter) functionCall(path string, m map[string]json.RawMessage) error {
	callID, err := reqString(nonNull(m["call_id"]), path+".call_id")
	if err != nil {
		return err
	}
	name, err := reqString(nonNull(m["name"]), path+".name")
	if err != nil {
		return err
	}
	args, err := asString(orEmpty(m["arguments"]), path+".arguments")
	if err != nil {
		return err
	}
	tc := llmux.ToolCall{ID: callID, Type: "function", Function: llmux.FunctionCall{Name: name, Arguments: args}}
	if last := c.lastAssistant(); last != nil {
		last.ToolCalls = append(last.ToolCalls, tc)
		return nil
	}
	c.msgs = append(c.msgs, llmux.Message{Role: llmux.RoleAssistant, ToolCalls: []llmux.ToolCall{tc}})
	return nil
}

func (c *converter) functionOutput(path string, m map[string]json.RawMessage) error {
	callID, err := reqString(nonNull(m["call_id"]), path+".call_id")
	if err != nil {
		return err
	}
	msg := llmux.Message{Role: llmux.RoleTool, ToolCallID: callID}
	out := nonNull(m["output"])
	switch {
	case out == nil:
		return invalid(path+".output", "required")
	case out[0] == '"':
		if msg.Content, err = asString(out, path+".output"); err != nil {
			return err
		}
	case out[0] == '[':
		var parts []json.RawMessage
		if err := json.Unmarshal(out, &parts); err != nil {
			return invalid(path+".output", "%v", jsonErr(err))
		}
		for j, raw := range parts {
			p := fmt.Sprintf("%s.output[%d]", path, j)
			cp, _, err := decodePart(p, raw, false)
			if err != nil {
				return err
			}
			if cp.Type != "text" {
				return unsupported(p+".type", "a tool result in the chat API holds text only")
			}
			msg.Parts = append(msg.Parts, cp)
		}
		if len(msg.Parts) == 0 {
			msg.Parts = []llmux.ContentPart{{Type: "text"}}
		}
	default:
		return invalid(path+".output", "want a string or an array of content parts")
	}
	c.msgs = append(c.msgs, msg)
	return nil
}
