package llmux

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/llmux/llmux/cost"
)

// Role is the author of a [Message].
type Role string

// The roles of the chat APIs.
const (
	RoleSystem    Role = "system"
	RoleDeveloper Role = "developer"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool"
)

// Message is one chat message in OpenAI's shape. Content holds plain text;
// Parts, when set, holds multi-part content (text and images) and takes
// precedence over Content on the wire.
type Message struct {
	Role       Role          `json:"role"`
	Content    string        `json:"-"`
	Parts      []ContentPart `json:"-"`
	Name       string        `json:"name,omitempty"`
	ToolCalls  []ToolCall    `json:"tool_calls,omitempty"`
	ToolCallID string        `json:"tool_call_id,omitempty"`
	Refusal    string        `json:"refusal,omitempty"`
}

// ContentPart is one part of a multi-part message.
type ContentPart struct {
	Type     string    `json:"type"` // "text" or "image_url"
	Text     string    `json:"text,omitempty"`
	ImageURL *ImageURL `json:"image_url,omitempty"`
}

// ImageURL is an image reference in a [ContentPart].
type ImageURL struct {
	URL    string `json:"url"`
	Detail string `json:"detail,omitempty"`
}

// System returns a system message.
func System(text string) Message { return Message{Role: RoleSystem, Content: text} }

// User returns a user message.
func User(text string) Message { return Message{Role: RoleUser, Content: text} }

// Assistant returns an assistant message.
func Assistant(text string) Message { return Message{Role: RoleAssistant, Content: text} }

// ToolResult returns a tool message answering the tool call with the given id.
func ToolResult(toolCallID, content string) Message {
	return Message{Role: RoleTool, ToolCallID: toolCallID, Content: content}
}

// Text returns the message's text: Content, or the text parts joined.
func (m Message) Text() string {
	if len(m.Parts) == 0 {
		return m.Content
	}
	var b strings.Builder
	for _, p := range m.Parts {
		if p.Type == "text" {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

type messageJSON struct {
	Role       Role            `json:"role"`
	Content    json.RawMessage `json:"content"`
	Name       string          `json:"name,omitempty"`
	ToolCalls  []ToolCall      `json:"tool_calls,omitempty"`
	ToolCallID string          `json:"tool_call_id,omitempty"`
	Refusal    string          `json:"refusal,omitempty"`
}

// MarshalJSON encodes the message in OpenAI's shape: content is a string, an
// array of parts, or null for an assistant message that only calls tools.
func (m Message) MarshalJSON() ([]byte, error) {
	j := messageJSON{Role: m.Role, Name: m.Name, ToolCalls: m.ToolCalls, ToolCallID: m.ToolCallID, Refusal: m.Refusal}
	var err error
	switch {
	case len(m.Parts) > 0:
		j.Content, err = json.Marshal(m.Parts)
	case m.Content == "" && len(m.ToolCalls) > 0:
		j.Content = json.RawMessage("null")
	default:
		j.Content, err = json.Marshal(m.Content)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(j)
}

// UnmarshalJSON accepts content as a string, an array of parts or null.
func (m *Message) UnmarshalJSON(b []byte) error {
	var j messageJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*m = Message{Role: j.Role, Name: j.Name, ToolCalls: j.ToolCalls, ToolCallID: j.ToolCallID, Refusal: j.Refusal}
	c := bytes.TrimSpace(j.Content)
	switch {
	case len(c) == 0 || bytes.Equal(c, []byte("null")):
	case c[0] == '"':
		return json.Unmarshal(c, &m.Content)
	case c[0] == '[':
		return json.Unmarshal(c, &m.Parts)
	default:
		return fmt.Errorf("llmux: message content must be a string, an array or null")
	}
	return nil
}

// Tool is a function the model may call.
type Tool struct {
	Type     string   `json:"type"` // "function"
	Function Function `json:"function"`
}

// Function describes a callable function; Parameters is a JSON Schema.
type Function struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
}

// ToolCall is a call the model made to a [Tool].
type ToolCall struct {
	// Index is the position of the call within a streamed message; it is
	// only meaningful in [Delta.ToolCalls].
	Index    *int         `json:"index,omitempty"`
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type,omitempty"`
	Function FunctionCall `json:"function"`
}

// FunctionCall names the function called and its JSON-encoded arguments.
type FunctionCall struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

// Request is one call: a chat completion ([Client.Completion],
// [Client.Stream]), a text completion ([Client.TextCompletion], which reads
// Prompt) or an embedding ([Client.Embedding], which reads Input).
//
// Pointer fields are optional: nil means "not set, use the provider's
// default", which differs from zero.
type Request struct {
	// Model is "provider/model" (openai/gpt-4o, azure/<deployment>,
	// anthropic/claude-sonnet-4-5) or a bare name resolved through the price
	// table (gpt-4o -> openai).
	Model    string
	Messages []Message
	// Prompt is the text-completion prompt.
	Prompt string
	// Input holds the texts to embed.
	Input []string

	Temperature      *float64
	TopP             *float64
	MaxTokens        *int
	N                *int
	Stop             []string
	PresencePenalty  *float64
	FrequencyPenalty *float64
	Seed             *int
	Tools            []Tool
	// ToolChoice is "auto", "none", "required" or a raw JSON object.
	ToolChoice any
	// ResponseFormat is the raw JSON response_format object.
	ResponseFormat json.RawMessage
	// Dimensions and EncodingFormat ("float" or "base64") apply to embeddings.
	Dimensions     *int
	EncodingFormat string
	// Extra is merged into the provider's request body as top-level keys, so
	// provider-specific parameters are never lost.
	Extra map[string]json.RawMessage

	// User identifies the end user (OpenAI's "user").
	User string
	// Metadata travels with the call into every event; it never reaches
	// the provider.
	Metadata map[string]any
	// Tags are request tags, reported in the standard logging payload.
	Tags []string
	// TraceID groups calls; a new one is generated when empty.
	TraceID string

	// APIBase, APIKey and APIVersion override the provider's settings for
	// this request only.
	APIBase    string
	APIKey     string
	APIVersion string
	// Timeout bounds each attempt up to the response headers; 0 uses the
	// client's (default 10 minutes).
	Timeout time.Duration
	// MaxRetries overrides the client's retry count when not nil.
	MaxRetries *int

	// Callbacks are loggers for this request only, added after the client's.
	Callbacks []any
	// TurnOffMessageLogging hides messages and responses from loggers.
	TurnOffMessageLogging bool
	// MockResponse, a string or an error, makes the call answer without any
	// network: a string is the reply, an error is raised after the
	// pre-API-call event.
	MockResponse any
	// Price overrides the price table for this request.
	Price *cost.Price
	// Cache adjusts caching for this request: skip the lookup, skip the
	// store, a TTL, a maximum age or a key namespace. nil uses the
	// client's defaults. It has no effect on a client without a cache.
	Cache *CacheControl
}

// Response is a chat or text completion in OpenAI's shape.
type Response struct {
	ID                string   `json:"id"`
	Object            string   `json:"object"`
	Created           int64    `json:"created"`
	Model             string   `json:"model"`
	Choices           []Choice `json:"choices"`
	Usage             Usage    `json:"usage"`
	SystemFingerprint string   `json:"system_fingerprint,omitempty"`
	// Raw is the upstream body, untouched (nil for streams, mocks and
	// cache hits).
	Raw json.RawMessage `json:"-"`
	// CacheHit is set when the response came from the client's cache
	// (LiteLLM's _hidden_params["cache_hit"]).
	CacheHit bool `json:"-"`
}

// Choice is one alternative of a [Response].
type Choice struct {
	Index        int             `json:"index"`
	Message      Message         `json:"message"`
	Text         string          `json:"text,omitempty"` // text completions
	FinishReason string          `json:"finish_reason"`
	Logprobs     json.RawMessage `json:"logprobs,omitempty"`
}

// Text returns the first choice's text, or "".
func (r *Response) Text() string {
	if r == nil || len(r.Choices) == 0 {
		return ""
	}
	c := r.Choices[0]
	if c.Text != "" {
		return c.Text
	}
	return c.Message.Text()
}

// Usage counts tokens. PromptTokens includes cached and cache-creation
// tokens; CompletionTokens includes reasoning tokens.
type Usage struct {
	PromptTokens        int
	CompletionTokens    int
	TotalTokens         int
	CachedTokens        int // prompt tokens read from the provider's prompt cache
	CacheCreationTokens int // prompt tokens written to the provider's prompt cache
	ReasoningTokens     int
	// Estimated is set when the provider reported no usage and the tokens
	// were counted with the offline tokenizer.
	Estimated bool
}

type usageJSON struct {
	PromptTokens        int                `json:"prompt_tokens"`
	CompletionTokens    int                `json:"completion_tokens"`
	TotalTokens         int                `json:"total_tokens"`
	PromptDetails       *promptDetails     `json:"prompt_tokens_details,omitempty"`
	CompletionDetails   *completionDetails `json:"completion_tokens_details,omitempty"`
	CacheCreationTokens int                `json:"cache_creation_input_tokens,omitempty"`
	CacheReadTokens     int                `json:"cache_read_input_tokens,omitempty"`
	Estimated           bool               `json:"estimated,omitempty"`
}

type promptDetails struct {
	CachedTokens int `json:"cached_tokens"`
}

type completionDetails struct {
	ReasoningTokens int `json:"reasoning_tokens"`
}

// MarshalJSON encodes the usage in OpenAI's shape, with LiteLLM's
// cache_creation_input_tokens and cache_read_input_tokens when non-zero.
func (u Usage) MarshalJSON() ([]byte, error) {
	j := usageJSON{
		PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.TotalTokens,
		CacheCreationTokens: u.CacheCreationTokens, CacheReadTokens: u.CachedTokens, Estimated: u.Estimated,
	}
	if u.CachedTokens > 0 {
		j.PromptDetails = &promptDetails{CachedTokens: u.CachedTokens}
	}
	if u.ReasoningTokens > 0 {
		j.CompletionDetails = &completionDetails{ReasoningTokens: u.ReasoningTokens}
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes OpenAI's usage shape.
func (u *Usage) UnmarshalJSON(b []byte) error {
	var j usageJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*u = Usage{PromptTokens: j.PromptTokens, CompletionTokens: j.CompletionTokens, TotalTokens: j.TotalTokens,
		CacheCreationTokens: j.CacheCreationTokens, CachedTokens: j.CacheReadTokens, Estimated: j.Estimated}
	if j.PromptDetails != nil && j.PromptDetails.CachedTokens > 0 {
		u.CachedTokens = j.PromptDetails.CachedTokens
	}
	if j.CompletionDetails != nil {
		u.ReasoningTokens = j.CompletionDetails.ReasoningTokens
	}
	return nil
}

// IsZero reports whether no token was counted.
func (u Usage) IsZero() bool {
	return u.PromptTokens == 0 && u.CompletionTokens == 0 && u.TotalTokens == 0
}

// Chunk is one streamed piece of a response, in OpenAI's chunk shape.
type Chunk struct {
	ID                string        `json:"id"`
	Object            string        `json:"object"`
	Created           int64         `json:"created"`
	Model             string        `json:"model"`
	Choices           []ChunkChoice `json:"choices"`
	Usage             *Usage        `json:"usage,omitempty"`
	SystemFingerprint string        `json:"system_fingerprint,omitempty"`
}

// ChunkChoice is the change to one choice carried by a [Chunk].
type ChunkChoice struct {
	Index        int    `json:"index"`
	Delta        Delta  `json:"delta"`
	Text         string `json:"text,omitempty"` // text-completion streams
	FinishReason string `json:"finish_reason,omitempty"`
}

// Delta is the message fragment of a [ChunkChoice].
type Delta struct {
	Role      Role       `json:"role,omitempty"`
	Content   string     `json:"content,omitempty"`
	Refusal   string     `json:"refusal,omitempty"`
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
}

// Text returns the text the chunk adds to the first choice.
func (c *Chunk) Text() string {
	if c == nil || len(c.Choices) == 0 {
		return ""
	}
	if c.Choices[0].Text != "" {
		return c.Choices[0].Text
	}
	return c.Choices[0].Delta.Content
}

// EmbeddingResponse is the result of [Client.Embedding].
type EmbeddingResponse struct {
	Object string            `json:"object"`
	Model  string            `json:"model"`
	Data   []EmbeddingVector `json:"data"`
	Usage  Usage             `json:"usage"`
	Raw    json.RawMessage   `json:"-"`
	// CacheHit is set when the response came from the client's cache.
	CacheHit bool `json:"-"`
}

// EmbeddingVector is one vector of an [EmbeddingResponse]. Providers that answer in base64 are decoded, so
// Vector always holds the floats.
type EmbeddingVector struct {
	Object string    `json:"object"`
	Index  int       `json:"index"`
	Vector []float32 `json:"embedding"`
}

// ErrStreamClosed is the cause of the failure event of a stream the caller
// closed before it ended.
var ErrStreamClosed = errors.New("llmux: stream closed by the caller before it ended")
