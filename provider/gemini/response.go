package gemini

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonobj"
	"github.com/llmux/llmux/provider"
)

// generateResponse is a GenerateContentResponse, the whole answer or one
// event of a stream:
// https://ai.google.dev/api/generate-content#generatecontentresponse
type generateResponse struct {
	Candidates     []candidate     `json:"candidates"`
	PromptFeedback *promptFeedback `json:"promptFeedback"`
	UsageMetadata  *usageMetadata  `json:"usageMetadata"`
	ModelVersion   string          `json:"modelVersion"`
	ResponseID     string          `json:"responseId"`
	// Error is set on an in-band stream error.
	Error json.RawMessage `json:"error"`
}

type candidate struct {
	Content *struct {
		Role  string         `json:"role"`
		Parts []responsePart `json:"parts"`
	} `json:"content"`
	FinishReason   string          `json:"finishReason"`
	FinishMessage  string          `json:"finishMessage"`
	Index          int             `json:"index"`
	LogprobsResult json.RawMessage `json:"logprobsResult"`
	// Metadata the OpenAI shape has no place for, kept in the choice's
	// Extra under Gemini's names.
	SafetyRatings     json.RawMessage `json:"safetyRatings"`
	CitationMetadata  json.RawMessage `json:"citationMetadata"`
	GroundingMetadata json.RawMessage `json:"groundingMetadata"`
	URLContextMeta    json.RawMessage `json:"urlContextMetadata"`
}

// extra returns the candidate's members kept in its choice's Extra:
// logprobsResult, safetyRatings, citationMetadata, groundingMetadata and
// urlContextMetadata, as Gemini sent them; nil when there are none.
func (c *candidate) extra() map[string]json.RawMessage {
	var m map[string]json.RawMessage
	for _, f := range [...]struct {
		name string
		v    json.RawMessage
	}{
		{"logprobsResult", c.LogprobsResult},
		{"safetyRatings", c.SafetyRatings},
		{"citationMetadata", c.CitationMetadata},
		{"groundingMetadata", c.GroundingMetadata},
		{"urlContextMetadata", c.URLContextMeta},
	} {
		if len(f.v) == 0 || string(f.v) == "null" {
			continue
		}
		if m == nil {
			m = map[string]json.RawMessage{}
		}
		m[f.name] = append(json.RawMessage(nil), f.v...)
	}
	return m
}

type responsePart struct {
	Text         *string `json:"text"`
	Thought      bool    `json:"thought"`
	FunctionCall *struct {
		ID   string          `json:"id"`
		Name string          `json:"name"`
		Args json.RawMessage `json:"args"`
	} `json:"functionCall"`
	ThoughtSignature string `json:"thoughtSignature"`
}

type promptFeedback struct {
	BlockReason        string `json:"blockReason"`
	BlockReasonMessage string `json:"blockReasonMessage"`
}

// usageMetadata is Gemini's token accounting:
// https://ai.google.dev/api/generate-content#UsageMetadata
type usageMetadata struct {
	PromptTokenCount        int `json:"promptTokenCount"`
	CandidatesTokenCount    int `json:"candidatesTokenCount"`
	CachedContentTokenCount int `json:"cachedContentTokenCount"`
	ThoughtsTokenCount      int `json:"thoughtsTokenCount"`
	ToolUsePromptTokenCount int `json:"toolUsePromptTokenCount"`
	TotalTokenCount         int `json:"totalTokenCount"`
}

// toLLMux converts the usage to OpenAI's accounting: the prompt counts the
// tool-use prompt too (both are input, and promptTokenCount already
// includes the cached tokens), the completion counts the thoughts
// (reasoning tokens, as OpenAI counts them in completion_tokens).
func (u *usageMetadata) toLLMux() llmux.Usage {
	if u == nil {
		return llmux.Usage{}
	}
	prompt := u.PromptTokenCount + u.ToolUsePromptTokenCount
	completion := u.CandidatesTokenCount + u.ThoughtsTokenCount
	total := u.TotalTokenCount
	if total == 0 {
		total = prompt + completion
	}
	return llmux.Usage{
		PromptTokens:     prompt,
		CompletionTokens: completion,
		TotalTokens:      total,
		CachedTokens:     u.CachedContentTokenCount,
		ReasoningTokens:  u.ThoughtsTokenCount,
	}
}

// finishReason maps Gemini's finishReason to OpenAI's finish_reason:
// https://ai.google.dev/api/generate-content#FinishReason. Unknown
// reasons pass through lowercased.
func finishReason(r string) string {
	switch r {
	case "":
		return ""
	case "STOP", "FINISH_REASON_UNSPECIFIED":
		return "stop"
	case "MAX_TOKENS":
		return "length"
	case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
		"IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION":
		return "content_filter"
	case "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS":
		// The model failed to produce a valid call: LiteLLM reports these
		// as a stop with no tool call.
		return "stop"
	}
	return strings.ToLower(r)
}

// blocked returns the content-filter error of a response whose prompt was
// blocked: promptFeedback.blockReason with no candidates.
func (p *Provider) blocked(g *generateResponse, body []byte) error {
	if len(g.Candidates) > 0 || g.PromptFeedback == nil || g.PromptFeedback.BlockReason == "" {
		return nil
	}
	msg := "prompt blocked: " + g.PromptFeedback.BlockReason
	if g.PromptFeedback.BlockReasonMessage != "" {
		msg += ": " + g.PromptFeedback.BlockReasonMessage
	}
	e := &llmux.Error{Code: llmux.CodeContentFiltered, Provider: p.cfg.name, StatusCode: 200,
		Type: g.PromptFeedback.BlockReason, Message: msg}
	if len(body) > 4<<10 {
		body = body[:4<<10]
	}
	e.Body = append([]byte(nil), body...)
	return e
}

// decodeGenerate converts a generateContent response body. Each
// candidate is a choice (by its index): text parts joined into Content,
// thought parts into ReasoningContent, functionCall parts into tool calls
// with generated ids and their args as a JSON string. A finish of STOP
// with tool calls is "tool_calls". A candidate stopped for SAFETY (or
// another filter) without content is a choice with empty content and
// finish_reason "content_filter", as LiteLLM returns it; a blocked prompt
// (no candidates, promptFeedback.blockReason) is a CodeContentFiltered
// error.
func (p *Provider) decodeGenerate(model string, b []byte) (*llmux.Response, error) {
	var g generateResponse
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, provider.BadResponse(p.cfg.name, "decode response", err, b)
	}
	if len(g.Error) > 0 && string(g.Error) != "null" {
		return nil, p.mapError(0, nil, b)
	}
	if err := p.blocked(&g, b); err != nil {
		return nil, err
	}
	if g.Candidates == nil {
		return nil, provider.BadResponse(p.cfg.name, "response without candidates", nil, b)
	}
	resp := &llmux.Response{
		ID:      responseID(g.ResponseID),
		Object:  "chat.completion",
		Created: time.Now().Unix(),
		Model:   cmpModel(g.ModelVersion, model),
		Choices: make([]llmux.Choice, 0, len(g.Candidates)),
		Usage:   g.UsageMetadata.toLLMux(),
		Raw:     json.RawMessage(b),
	}
	for i := range g.Candidates {
		c := &g.Candidates[i]
		msg := llmux.Message{Role: llmux.RoleAssistant}
		var text, reasoning strings.Builder
		if c.Content != nil {
			for _, pt := range c.Content.Parts {
				switch {
				case pt.FunctionCall != nil:
					msg.ToolCalls = append(msg.ToolCalls, toolCall(pt.FunctionCall.Name, pt.FunctionCall.Args, pt.ThoughtSignature, nil))
				case pt.Text != nil && pt.Thought:
					reasoning.WriteString(*pt.Text)
				case pt.Text != nil:
					text.WriteString(*pt.Text)
				}
			}
		}
		msg.Content = text.String()
		msg.ReasoningContent = reasoning.String()
		finish := finishReason(c.FinishReason)
		if len(msg.ToolCalls) > 0 && finish == "stop" {
			finish = "tool_calls"
		}
		resp.Choices = append(resp.Choices, llmux.Choice{Index: c.Index, Message: msg, FinishReason: finish, Extra: c.extra()})
	}
	return resp, nil
}

// toolCall builds the OpenAI tool call of a functionCall part. Its id is
// generated (the Gemini API gives none); a thought signature is kept in
// provider_specific_fields.thought_signature and in the id after
// "__thought__", so it goes back to Gemini with the call (Gemini 3 wants
// it) even through clients that drop unknown members. index is set for
// stream deltas.
func toolCall(name string, args json.RawMessage, sig string, index *int) llmux.ToolCall {
	a := "{}"
	if len(args) > 0 && string(args) != "null" {
		var buf bytes.Buffer
		if err := json.Compact(&buf, args); err == nil {
			a = buf.String()
		}
	}
	tc := llmux.ToolCall{Index: index, ID: newID("call_"), Type: "function", Function: llmux.FunctionCall{Name: name, Arguments: a}}
	if sig != "" {
		tc.ID += thoughtSeparator + sig
		b, _ := jsonobj.Marshal(map[string]string{"thought_signature": sig}) // a string map always encodes
		tc.Extra = map[string]json.RawMessage{signatureKey: b}
	}
	return tc
}

// newID returns prefix and 24 random hex digits.
func newID(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return prefix + hex.EncodeToString(b[:])
}

// responseID is the response's id: Gemini's responseId, else a new one.
func responseID(id string) string {
	if id != "" {
		return id
	}
	return newID("chatcmpl-")
}

func cmpModel(version, model string) string {
	if version != "" {
		return version
	}
	return model
}
