package anthropic

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/sse"
	"github.com/llmux/llmux/provider"
)

// The turn markers of the legacy Text Completions API.
const (
	humanPrompt = "\n\nHuman: "
	aiPrompt    = "\n\nAssistant: "
)

// promptFromMessages builds a legacy prompt from chat messages the way
// LiteLLM does (litellm_core_utils/prompt_templates/factory.py):
//
//   - claude-2.1 (claude_2_1_pt): system text is placed as plain text,
//     before any "\n\nHuman:" turn, as Anthropic documents for 2.1 system
//     prompts; an assistant message right after a system message gets an
//     empty human turn before it.
//   - claude-2, claude-2.0 and claude-instant (anthropic_pt): a system
//     message becomes a human turn "<admin>text</admin>"; a leading
//     assistant message gets a human turn before it.
//
// Users are "\n\nHuman: text", assistants "\n\nAssistant: text", and the
// prompt ends with "\n\nAssistant: " unless the last message is an
// assistant one (a prefill). Tool results become human turns.
func promptFromMessages(model string, msgs []llmux.Message) (string, error) {
	if len(msgs) == 0 {
		return "", invalidRequest("messages must not be empty")
	}
	v21 := strings.HasPrefix(model, "claude-2.1")
	var b strings.Builder
	last := llmux.Role("")
	for i, m := range msgs {
		role := m.Role
		switch role {
		case llmux.RoleDeveloper:
			role = llmux.RoleSystem
		case llmux.RoleTool:
			role = llmux.RoleUser
		case llmux.RoleSystem, llmux.RoleUser, llmux.RoleAssistant:
		default:
			return "", invalidRequest("message %d: unsupported role %q", i, m.Role)
		}
		text := m.Text()
		switch role {
		case llmux.RoleUser:
			b.WriteString(humanPrompt)
			b.WriteString(text)
		case llmux.RoleSystem:
			if v21 {
				b.WriteString(text)
			} else {
				b.WriteString(humanPrompt)
				b.WriteString("<admin>")
				b.WriteString(text)
				b.WriteString("</admin>")
			}
		case llmux.RoleAssistant:
			if (v21 && last == llmux.RoleSystem) || (!v21 && i == 0) {
				b.WriteString(humanPrompt)
			}
			b.WriteString(aiPrompt)
			b.WriteString(text)
		}
		last = role
	}
	if last != llmux.RoleAssistant {
		b.WriteString(aiPrompt)
	}
	return b.String(), nil
}

// wrapPrompt makes a raw text-completion prompt a valid legacy prompt.
func wrapPrompt(p string) string {
	if strings.HasPrefix(p, "\n\nHuman:") {
		return p
	}
	return humanPrompt + p + aiPrompt
}

// completeBody builds the /v1/complete body: model, prompt,
// max_tokens_to_sample (max_completion_tokens, else max_tokens, else
// [DefaultMaxTokensToSample]), then stop_sequences, temperature, top_p,
// metadata and stream when set, then the parameters sent because the
// request allows them (AllowedParams), then the request's Extra keys
// sorted.
func completeBody(a *llmux.Attempt, prompt string, stream bool) ([]byte, error) {
	r := a.Request
	if r.N != nil && *r.N > 1 {
		return nil, &llmux.Error{Code: llmux.CodeUnsupported, Provider: providerName, Param: "n",
			Message: "the Text Completions API returns one completion: n > 1 is not supported"}
	}
	maxTokens := DefaultMaxTokensToSample
	switch {
	case r.MaxCompletionTokens != nil:
		maxTokens = *r.MaxCompletionTokens
	case r.MaxTokens != nil:
		maxTokens = *r.MaxTokens
	}
	var o object
	if err := o.SetEach([]field{
		{Key: "model", Val: a.Model, When: true},
		{Key: "prompt", Val: prompt, When: true},
		{Key: "max_tokens_to_sample", Val: maxTokens, When: true},
		{Key: "stop_sequences", Val: r.Stop, When: len(r.Stop) > 0},
		{Key: "temperature", Val: r.Temperature, When: r.Temperature != nil},
		{Key: "top_p", Val: r.TopP, When: r.TopP != nil},
		{Key: "metadata", Val: map[string]string{"user_id": r.User}, When: r.User != ""},
		{Key: "stream", Val: true, When: stream},
	}); err != nil {
		return nil, err
	}
	if err := o.SetEach(allowedFields(r, completeParams)); err != nil {
		return nil, err
	}
	if err := mergeExtra(&o, r.Extra); err != nil {
		return nil, err
	}
	return o.Bytes(), nil
}

// completion is a /v1/complete response or a "completion" stream event.
type completion struct {
	Type       string  `json:"type"`
	ID         string  `json:"id"`
	Completion *string `json:"completion"`
	StopReason *string `json:"stop_reason"`
	Model      string  `json:"model"`
}

// text returns the completion text, "" when absent.
func (c *completion) text() string {
	if c.Completion == nil {
		return ""
	}
	return *c.Completion
}

func legacyFinishReason(stop *string) string {
	if stop == nil {
		return ""
	}
	return finishReason(*stop)
}

// decodeCompletion converts a /v1/complete body. Anything but a
// completion object ("type":"completion", which the API always sends, and
// a "completion" string) is CodeBadResponse:
// https://docs.anthropic.com/en/api/complete
// The legacy API reports no usage; Usage stays zero and the client
// estimates it.
func decodeCompletion(b []byte) (*llmux.Response, error) {
	var c completion
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, provider.BadResponse(providerName, "decode completion", err, b)
	}
	if c.Type != "completion" {
		return nil, provider.BadResponse(providerName, fmt.Sprintf("response is not a completion: type %q", c.Type), nil, b)
	}
	if c.Completion == nil {
		return nil, provider.BadResponse(providerName, "completion without a completion string", nil, b)
	}
	return &llmux.Response{
		ID:      c.ID,
		Object:  "chat.completion",
		Created: time.Now().Unix(),
		Model:   c.Model,
		Choices: []llmux.Choice{{
			Index:        0,
			Message:      llmux.Message{Role: llmux.RoleAssistant, Content: c.text()},
			FinishReason: legacyFinishReason(c.StopReason),
		}},
		Raw: json.RawMessage(b),
	}, nil
}

// completeStream decodes a /v1/complete stream: "completion" events, pings
// and errors; the body's end ends the stream.
type completeStream struct {
	stream
	created  int64
	roleSent bool
}

func newCompleteStream(body io.ReadCloser) *completeStream {
	s := &completeStream{created: time.Now().Unix()}
	s.body = body
	s.dec = sse.NewDecoder(body, 0)
	s.handle = s.event
	s.eofEnds = true
	return s
}

func (s *completeStream) event(name string, data []byte) (*llmux.Chunk, error) {
	switch name {
	case "completion":
	case "error":
		return nil, mapError(0, nil, data)
	default:
		return nil, nil // ping and unknown events
	}
	var c completion
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, provider.BadResponse(providerName, "decode completion event", err, data)
	}
	finish := legacyFinishReason(c.StopReason)
	if c.text() == "" && finish == "" && s.roleSent {
		return nil, nil
	}
	d := llmux.Delta{Content: c.text()}
	if !s.roleSent {
		d.Role = llmux.RoleAssistant
		s.roleSent = true
	}
	return &llmux.Chunk{
		ID: c.ID, Object: "chat.completion.chunk", Created: s.created, Model: c.Model,
		Choices: []llmux.ChunkChoice{{Index: 0, Delta: d, FinishReason: finish}},
	}, nil
}
