package llmux

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"io"
	"strings"
	"time"
)

const mockName = "mock"

// MockDefaultResponse is the mock's answer to a "mock/..." model without
// a [Request.MockResponse].
const MockDefaultResponse = "This is a mock response from llmux."

// MockUsage is the usage every mock response reports, so costs are
// deterministic: gpt-3.5-turbo's mock costs 3.5e-05 USD.
var MockUsage = Usage{PromptTokens: 10, CompletionTokens: 20, TotalTokens: 30}

// mockProvider answers without any network, like LiteLLM's mock_response:
// a full event sequence (pre-API-call, post-API-call, chunks, success) or,
// for an error, pre-API-call then failure.
type mockProvider struct{}

var (
	_ Provider      = mockProvider{}
	_ textCompleter = mockProvider{}
	_ embedder      = mockProvider{}
)

func (mockProvider) Name() string { return mockName }

// mockAnswer returns the mock's text or error for a request. A string
// naming one of LiteLLM's exceptions ("litellm.RateLimitError", as
// LiteLLM's mock_response takes it) is raised as that error.
func mockAnswer(req *Request) (string, error) {
	switch v := req.MockResponse.(type) {
	case string:
		if e := mockException(v); e != nil {
			return "", e
		}
		return v, nil
	case error:
		return "", v
	}
	return MockDefaultResponse, nil
}

// mockException returns the error a mock response names, or nil: the
// exception class with or without "litellm.", with the status LiteLLM
// gives it.
func mockException(s string) *Error {
	name, ok := strings.CutPrefix(s, "litellm.")
	if !ok && !strings.HasSuffix(s, "Error") && s != "Timeout" {
		return nil
	}
	code, ok := CodeForException(name)
	if !ok {
		return nil
	}
	status := code.HTTPStatus()
	if code == CodeTimeout {
		status = 0
	}
	return &Error{Code: code, StatusCode: status, Type: name, Message: "mock " + name + " raised by mock_response"}
}

// mockBegin announces the attempt with the body an OpenAI-compatible server
// would have received.
func mockBegin(ctx context.Context, a *Attempt, path string, body any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := json.Marshal(body)
	if err != nil {
		return &Error{Code: CodeInvalidRequest, Message: "mock: encode request: " + err.Error(), Err: err}
	}
	a.begin(ctx, wireRequest{method: "POST", url: "mock://" + mockName + path, body: b})
	return nil
}

type mockChatBody struct {
	Model    string    `json:"model"`
	Messages []Message `json:"messages,omitempty"`
	Prompt   string    `json:"prompt,omitempty"`
	Input    []string  `json:"input,omitempty"`
	Stream   bool      `json:"stream,omitempty"`
}

func (mockProvider) Chat(ctx context.Context, a *Attempt) (*Response, error) {
	if err := mockBegin(ctx, a, "/chat/completions", mockChatBody{Model: a.Model, Messages: a.Request.Messages}); err != nil {
		return nil, err
	}
	text, err := mockAnswer(a.Request)
	if err != nil {
		return nil, err
	}
	resp := &Response{
		ID: "chatcmpl-mock", Object: "chat.completion", Created: time.Now().Unix(), Model: a.Model,
		Choices: []Choice{{Index: 0, Message: Assistant(text), FinishReason: "stop"}},
		Usage:   MockUsage,
	}
	resp.Raw, _ = json.Marshal(resp)
	(*attemptRecorder)(a).Received(resp.Raw)
	return resp, nil
}

func (mockProvider) TextCompletion(ctx context.Context, a *Attempt) (*Response, error) {
	if err := mockBegin(ctx, a, "/completions", mockChatBody{Model: a.Model, Prompt: a.Request.Prompt}); err != nil {
		return nil, err
	}
	text, err := mockAnswer(a.Request)
	if err != nil {
		return nil, err
	}
	resp := &Response{
		ID: "cmpl-mock", Object: "text_completion", Created: time.Now().Unix(), Model: a.Model,
		Choices: []Choice{{Index: 0, Text: text, FinishReason: "stop"}},
		Usage:   MockUsage,
	}
	resp.Raw, _ = json.Marshal(resp)
	(*attemptRecorder)(a).Received(resp.Raw)
	return resp, nil
}

// mockDims is the length of mock embedding vectors.
const mockDims = 8

func (mockProvider) Embedding(ctx context.Context, a *Attempt) (*EmbeddingResponse, error) {
	if err := mockBegin(ctx, a, "/embeddings", mockChatBody{Model: a.Model, Input: a.Request.Input}); err != nil {
		return nil, err
	}
	if err, ok := a.Request.MockResponse.(error); ok {
		return nil, err
	}
	resp := &EmbeddingResponse{Object: "list", Model: a.Model, Usage: Usage{PromptTokens: 10, TotalTokens: 10}}
	for i, text := range a.Request.Input {
		// A deterministic vector per text: FNV-1a of the text, stepped.
		h := fnv.New64a()
		_, _ = io.WriteString(h, text)
		x := h.Sum64()
		v := make([]float32, mockDims)
		for j := range v {
			x = x*6364136223846793005 + 1442695040888963407
			v[j] = float32(int32(x>>32)) / (1 << 31)
		}
		resp.Data = append(resp.Data, EmbeddingVector{Object: "embedding", Index: i, Vector: v})
	}
	resp.Raw, _ = json.Marshal(resp)
	(*attemptRecorder)(a).Received(resp.Raw)
	return resp, nil
}

func (mockProvider) ChatStream(ctx context.Context, a *Attempt) (ChunkReader, error) {
	if err := mockBegin(ctx, a, "/chat/completions", mockChatBody{Model: a.Model, Messages: a.Request.Messages, Stream: true}); err != nil {
		return nil, err
	}
	text, err := mockAnswer(a.Request)
	if err != nil {
		return nil, err
	}
	(*attemptRecorder)(a).Received(nil)
	return &mockReader{ctx: ctx, model: a.Model, created: time.Now().Unix(), parts: splitWords(text)}, nil
}

// splitWords cuts text before each space, so the parts join back to it.
func splitWords(text string) []string {
	var parts []string
	for text != "" {
		i := strings.IndexByte(text[1:], ' ')
		if i < 0 {
			parts = append(parts, text)
			break
		}
		parts = append(parts, text[:i+1])
		text = text[i+1:]
	}
	return parts
}

// mockReader streams the mock text word by word, then a finish chunk and a
// usage chunk, as OpenAI does with stream_options.include_usage.
type mockReader struct {
	ctx     context.Context
	model   string
	created int64
	parts   []string
	i       int
	closed  bool
}

func (r *mockReader) Recv() (*Chunk, error) {
	if r.closed {
		return nil, io.ErrClosedPipe
	}
	if err := r.ctx.Err(); err != nil {
		return nil, err
	}
	c := &Chunk{ID: "chatcmpl-mock", Object: "chat.completion.chunk", Created: r.created, Model: r.model}
	switch n := len(r.parts); {
	case r.i < n:
		d := Delta{Content: r.parts[r.i]}
		if r.i == 0 {
			d.Role = RoleAssistant
		}
		c.Choices = []ChunkChoice{{Index: 0, Delta: d}}
	case r.i == n:
		c.Choices = []ChunkChoice{{Index: 0, FinishReason: "stop"}}
	case r.i == n+1:
		u := MockUsage
		c.Choices = []ChunkChoice{}
		c.Usage = &u
	default:
		return nil, io.EOF
	}
	r.i++
	return c, nil
}

func (r *mockReader) Close() error {
	r.closed = true
	return nil
}
