package clients

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/openai/openai-go/v3/shared"
)

// openai-go against the gateway's OpenAI endpoints.

func chatParams(model, prompt string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    model,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)},
	}
}

var weatherTool = openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
	Name:        "get_weather",
	Description: openai.String("Get the current weather in a given location"),
	Parameters: shared.FunctionParameters{
		"type":       "object",
		"properties": map[string]any{"location": map[string]any{"type": "string"}},
		"required":   []string{"location"},
	},
})

// fixtureJSON decodes a fixture into v.
func fixtureJSON(t *testing.T, name string, v any) {
	t.Helper()
	if err := json.Unmarshal(fixture(name), v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// sseJSON returns the JSON of each data event of an SSE fixture, [DONE]
// left out.
func sseJSON(name string) [][]byte {
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(fixture(name)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if d, ok := bytes.CutPrefix(sc.Bytes(), []byte("data: ")); ok && string(d) != "[DONE]" {
			out = append(out, bytes.Clone(d))
		}
	}
	return out
}

// chatStreamText is the text a chat stream fixture spells out.
func chatStreamText(t *testing.T, name string) string {
	t.Helper()
	var b strings.Builder
	for _, d := range sseJSON(name) {
		var c openai.ChatCompletionChunk
		if err := json.Unmarshal(d, &c); err != nil {
			t.Fatal(err)
		}
		for _, ch := range c.Choices {
			b.WriteString(ch.Delta.Content)
		}
	}
	return b.String()
}

func TestOpenAI_Chat(t *testing.T) {
	var want openai.ChatCompletion
	fixtureJSON(t, "openai-chat.json", &want)
	id := gw.requestID(t, "success")
	var hr *http.Response
	c := openaiClient(gw)
	got, err := c.Chat.Completions.New(ctx(t), chatParams("gpt-4o-mini", "Hi 👋 "+id), option.WithHeader("X-Request-Id", id),
		option.WithResponseInto(&hr))
	if err != nil {
		t.Fatal(err)
	}
	if g := hr.Header.Get("X-Request-Id"); g != id {
		t.Errorf("x-request-id: got %q, want the client's %q", g, id)
	}
	if got.ID != want.ID || got.Model != want.Model || got.Created != want.Created {
		t.Errorf("id, model, created: got %q %q %d, want %q %q %d", got.ID, got.Model, got.Created, want.ID, want.Model, want.Created)
	}
	if len(got.Choices) != 1 {
		t.Fatalf("choices: %d", len(got.Choices))
	}
	if g, w := got.Choices[0].Message.Content, want.Choices[0].Message.Content; g != w {
		t.Errorf("content: got %q, want %q", g, w)
	}
	if got.Choices[0].FinishReason != "stop" {
		t.Errorf("finish_reason: %q", got.Choices[0].FinishReason)
	}
	if got.Usage.PromptTokens != want.Usage.PromptTokens || got.Usage.CompletionTokens != want.Usage.CompletionTokens ||
		got.Usage.TotalTokens != want.Usage.TotalTokens {
		t.Errorf("usage: got %+v, want %+v", got.Usage, want.Usage)
	}
	if !got.Usage.PromptTokensDetails.JSON.CachedTokens.Valid() || !got.Usage.CompletionTokensDetails.JSON.ReasoningTokens.Valid() {
		t.Errorf("usage details lost: %s", got.Usage.RawJSON())
	}
	if fp := systemFingerprint(got.RawJSON()); fp != "fp_560af6e559" || got.ServiceTier != want.ServiceTier {
		t.Errorf("system_fingerprint, service_tier: got %q %q, want %q %q", fp, got.ServiceTier, "fp_560af6e559", want.ServiceTier)
	}
}

// systemFingerprint reads system_fingerprint from a raw answer or chunk
// (openai-go marks the field deprecated; the gateway passes it through).
func systemFingerprint(raw string) string {
	var v struct {
		SystemFingerprint string `json:"system_fingerprint"`
	}
	_ = json.Unmarshal([]byte(raw), &v)
	return v.SystemFingerprint
}

// streamChat reads a chat stream into the SDK's accumulator and returns it
// with the chunks.
func streamChat(t *testing.T, c openai.Client, p openai.ChatCompletionNewParams, id string) (openai.ChatCompletionAccumulator, []openai.ChatCompletionChunk, []openai.FinishedChatCompletionToolCall) {
	t.Helper()
	s := c.Chat.Completions.NewStreaming(ctx(t), p, option.WithHeader("X-Request-Id", id))
	defer s.Close()
	var acc openai.ChatCompletionAccumulator
	var chunks []openai.ChatCompletionChunk
	var tools []openai.FinishedChatCompletionToolCall
	for s.Next() {
		ch := s.Current()
		chunks = append(chunks, ch)
		if !acc.AddChunk(ch) {
			t.Errorf("the accumulator refused chunk %d: %s", len(chunks), ch.RawJSON())
		}
		if tc, ok := acc.JustFinishedToolCall(); ok {
			tools = append(tools, tc)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return acc, chunks, tools
}

func TestOpenAI_ChatStream(t *testing.T) {
	c := openaiClient(gw)
	want := chatStreamText(t, "openai-chat-stream.sse")
	t.Run("include_usage", func(t *testing.T) {
		id := gw.requestID(t, "success")
		p := chatParams("gpt-4o-mini", "Hi, stream "+id)
		p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		acc, chunks, _ := streamChat(t, c, p, id)
		if len(acc.Choices) != 1 || acc.Choices[0].Message.Content != want {
			t.Fatalf("accumulated: %+v, want text %q", acc.Choices, want)
		}
		if acc.Choices[0].FinishReason != "stop" {
			t.Errorf("finish_reason: %q", acc.Choices[0].FinishReason)
		}
		usage := 0
		for _, ch := range chunks {
			if len(ch.Choices) == 0 && ch.Usage.TotalTokens > 0 {
				usage++
			}
		}
		if usage != 1 || acc.Usage.PromptTokens != 19 || acc.Usage.CompletionTokens != 10 || acc.Usage.TotalTokens != 29 {
			t.Errorf("usage chunks: %d, accumulated usage %+v; want one chunk with 19+10=29", usage, acc.Usage)
		}
		for i, ch := range chunks {
			if fp := systemFingerprint(ch.RawJSON()); fp != "fp_560af6e559" {
				t.Errorf("chunk %d: system_fingerprint %q", i, fp)
			}
		}
	})
	t.Run("no usage unless asked", func(t *testing.T) {
		id := gw.requestID(t, "success")
		acc, chunks, _ := streamChat(t, c, chatParams("gpt-4o-mini", "Hi, stream "+id), id)
		if acc.Choices[0].Message.Content != want {
			t.Fatalf("text: got %q, want %q", acc.Choices[0].Message.Content, want)
		}
		for i, ch := range chunks {
			if ch.Usage.TotalTokens != 0 || len(ch.Choices) == 0 {
				t.Errorf("chunk %d carries usage the client did not ask for: %s", i, ch.RawJSON())
			}
		}
	})
}

func TestOpenAI_Tools(t *testing.T) {
	c := openaiClient(gw)
	t.Run("non-stream", func(t *testing.T) {
		id := gw.requestID(t, "success")
		p := chatParams("gpt-4o-mini", "What's the weather in Boston? "+id)
		p.Tools = []openai.ChatCompletionToolUnionParam{weatherTool}
		got, err := c.Chat.Completions.New(ctx(t), p, option.WithHeader("X-Request-Id", id))
		if err != nil {
			t.Fatal(err)
		}
		ch := got.Choices[0]
		if ch.FinishReason != "tool_calls" || len(ch.Message.ToolCalls) != 1 {
			t.Fatalf("finish_reason %q, tool calls %+v", ch.FinishReason, ch.Message.ToolCalls)
		}
		tc := ch.Message.ToolCalls[0]
		var args struct{ Location string }
		if err := json.Unmarshal([]byte(tc.Function.Arguments), &args); err != nil {
			t.Fatalf("arguments %q: %v", tc.Function.Arguments, err)
		}
		if tc.ID != "call_8xQm2Vn4Kd7Lp1Rz9Tb3Ws6Y" || tc.Type != "function" || tc.Function.Name != "get_weather" || args.Location != "Boston, MA" {
			t.Errorf("tool call: %+v", tc)
		}
	})
	t.Run("stream", func(t *testing.T) {
		id := gw.requestID(t, "success")
		p := chatParams("gpt-4o-mini", "What's the weather in Boston and Paris? "+id)
		p.Tools = []openai.ChatCompletionToolUnionParam{weatherTool}
		p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		acc, _, finished := streamChat(t, c, p, id)
		want := []string{`{"location": "Boston, MA"}`, `{"location": "Paris, FR"}`}
		calls := acc.Choices[0].Message.ToolCalls
		if len(calls) != len(want) || acc.Choices[0].FinishReason != "tool_calls" {
			t.Fatalf("tool calls: %+v, finish_reason %q", calls, acc.Choices[0].FinishReason)
		}
		for i, w := range want {
			if calls[i].Function.Name != "get_weather" || calls[i].Function.Arguments != w {
				t.Errorf("tool call %d: %+v, want arguments %s", i, calls[i], w)
			}
		}
		if len(finished) != len(want) {
			t.Errorf("JustFinishedToolCall reported %d calls, want %d", len(finished), len(want))
		}
		if acc.Usage.TotalTokens != 131 {
			t.Errorf("usage: %+v", acc.Usage)
		}
	})
}

func TestOpenAI_Embeddings(t *testing.T) {
	var want struct {
		Data []struct{ Embedding []float32 }
	}
	fixtureJSON(t, "openai-embeddings.json", &want)
	c := openaiClient(gw)
	for _, tc := range []struct {
		name   string
		format openai.EmbeddingNewParamsEncodingFormat
	}{{"SDK default", ""}, {"float", openai.EmbeddingNewParamsEncodingFormatFloat}, {"base64", openai.EmbeddingNewParamsEncodingFormatBase64}} {
		t.Run(tc.name, func(t *testing.T) {
			id := gw.requestID(t, "success")
			got, err := c.Embeddings.New(ctx(t), openai.EmbeddingNewParams{
				Model:          "text-embedding-3-small",
				Input:          openai.EmbeddingNewParamsInputUnion{OfString: openai.String("The food was delicious " + id)},
				EncodingFormat: tc.format,
			}, option.WithHeader("X-Request-Id", id))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Data) != 1 {
				t.Fatalf("data: %+v", got.Data)
			}
			v := got.Data[0].Embedding
			if len(v) != len(want.Data[0].Embedding) {
				t.Fatalf("vector: got %v, want %v", v, want.Data[0].Embedding)
			}
			for i, w := range want.Data[0].Embedding {
				if float32(v[i]) != w {
					t.Errorf("vector[%d]: got %v, want %v", i, v[i], w)
				}
			}
			if got.Model != "text-embedding-3-small" || got.Usage.PromptTokens != 5 {
				t.Errorf("model %q, usage %+v", got.Model, got.Usage)
			}
		})
	}
}

func TestOpenAI_Completions(t *testing.T) {
	c := openaiClient(gw)
	p := func(id string) openai.CompletionNewParams {
		return openai.CompletionNewParams{
			Model:     "gpt-3.5-turbo-instruct",
			Prompt:    openai.CompletionNewParamsPromptUnion{OfString: openai.String("Say this is a test " + id)},
			MaxTokens: openai.Int(7),
		}
	}
	t.Run("non-stream", func(t *testing.T) {
		id := gw.requestID(t, "success")
		got, err := c.Completions.New(ctx(t), p(id), option.WithHeader("X-Request-Id", id))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Choices) != 1 || got.Choices[0].Text != "\n\nThis is indeed a test" || got.Choices[0].FinishReason != "length" {
			t.Errorf("choices: %+v", got.Choices)
		}
		if got.ID != "cmpl-CZ2xuLeg4Qm8Ns1Vb5Kd7Rw2Yt9Lp" || got.Usage.TotalTokens != 12 {
			t.Errorf("id %q, usage %+v", got.ID, got.Usage)
		}
	})
	t.Run("stream", func(t *testing.T) {
		id := gw.requestID(t, "success")
		s := c.Completions.NewStreaming(ctx(t), p(id), option.WithHeader("X-Request-Id", id))
		defer s.Close()
		var text strings.Builder
		finish := ""
		for s.Next() {
			for _, ch := range s.Current().Choices {
				text.WriteString(ch.Text)
				if ch.FinishReason != "" {
					finish = string(ch.FinishReason)
				}
			}
		}
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
		if text.String() != "\n\nThis is indeed a test" || finish != "length" {
			t.Errorf("text %q, finish_reason %q", text.String(), finish)
		}
	})
}

func TestOpenAI_Models(t *testing.T) {
	id := gw.requestID(t, "none")
	c := openaiClient(gw)
	page, err := c.Models.List(ctx(t), option.WithHeader("X-Request-Id", id))
	if err != nil {
		t.Fatal(err)
	}
	if page.Object != "list" {
		t.Errorf("object: %q", page.Object)
	}
	// The embedded defaults serve any name the SDK resolves, so the list
	// may be empty; a config's model_list fills it.
	for _, m := range page.Data {
		if m.ID == "" || m.Object != "model" {
			t.Errorf("model: %+v", m)
		}
	}
}

func TestOpenAI_RateLimited(t *testing.T) {
	var want struct{ Error openai.Error }
	fixtureJSON(t, "openai-error-429-rate-limit.json", &want)
	id := gw.requestID(t, "failure")
	c := openaiClient(gw)
	_, err := c.Chat.Completions.New(ctx(t), chatParams("openai/"+modelRateLimited, "Hi "+id), option.WithHeader("X-Request-Id", id))
	var e *openai.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *openai.Error, got %T %v", err, err)
	}
	if e.StatusCode != http.StatusTooManyRequests {
		t.Errorf("status: %d", e.StatusCode)
	}
	if e.Message != want.Error.Message {
		t.Errorf("message:\n got %q\nwant %q", e.Message, want.Error.Message)
	}
	if e.Code != want.Error.Code || e.Type != want.Error.Type {
		t.Errorf("code, type: got %q %q, want %q %q", e.Code, e.Type, want.Error.Code, want.Error.Type)
	}
	if e.Response.Header.Get("Retry-After") == "" {
		t.Errorf("no Retry-After on the 429: %v", e.Response.Header)
	}
	if n := len(fakes.received(id)); n != 3 {
		t.Errorf("upstream saw %d requests, want 3 (the gateway retries a 429 twice)", n)
	}
}

func TestOpenAI_ClientErrors(t *testing.T) {
	c := openaiClient(gw)
	for _, tc := range []struct {
		name   string
		params openai.ChatCompletionNewParams
		status int
		param  string
	}{
		{"unknown model is a 404", chatParams("no-such-model", "Hi"), http.StatusNotFound, "model"},
		{"no messages is a 400 naming the field", openai.ChatCompletionNewParams{Model: "gpt-4o-mini", Messages: []openai.ChatCompletionMessageParamUnion{}},
			http.StatusBadRequest, "messages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := gw.requestID(t, "failure")
			_, err := c.Chat.Completions.New(ctx(t), tc.params, option.WithHeader("X-Request-Id", id))
			var e *openai.Error
			if !errors.As(err, &e) || e.StatusCode != tc.status || e.Param != tc.param || e.Message == "" {
				t.Fatalf("want *openai.Error %d naming %q, got %T %v", tc.status, tc.param, err, err)
			}
		})
	}
}

func TestOpenAI_StreamErrors(t *testing.T) {
	c := openaiClient(gw)
	t.Run("429 before the first chunk", func(t *testing.T) {
		id := gw.requestID(t, "failure")
		s := c.Chat.Completions.NewStreaming(ctx(t), chatParams("openai/"+modelRateLimited, "Hi "+id), option.WithHeader("X-Request-Id", id))
		defer s.Close()
		if s.Next() {
			t.Fatalf("a chunk: %s", s.Current().RawJSON())
		}
		var e *openai.Error
		if !errors.As(s.Err(), &e) || e.StatusCode != http.StatusTooManyRequests || e.Code != "rate_limit_exceeded" {
			t.Fatalf("want *openai.Error 429 rate_limit_exceeded, got %T %v", s.Err(), s.Err())
		}
	})
	t.Run("upstream error after the first chunk", func(t *testing.T) {
		id := gw.requestID(t, "failure")
		s := c.Chat.Completions.NewStreaming(ctx(t), chatParams("openai/"+modelStreamError, "Hi "+id), option.WithHeader("X-Request-Id", id))
		defer s.Close()
		var text strings.Builder
		for s.Next() {
			for _, ch := range s.Current().Choices {
				text.WriteString(ch.Delta.Content)
			}
		}
		var e *ssestream.StreamError
		if !errors.As(s.Err(), &e) || !strings.Contains(e.Message, "The server had an error while processing your request") {
			t.Fatalf("want the in-band error as *ssestream.StreamError, got %T %v", s.Err(), s.Err())
		}
		if text.String() != "Hello" {
			t.Errorf("text before the error: %q", text.String())
		}
	})
}

func TestOpenAI_StreamCancel(t *testing.T) {
	id := gw.requestID(t, "failure")
	c := openaiClient(gw)
	cctx, cancel := context.WithCancel(ctx(t))
	defer cancel()
	s := c.Chat.Completions.NewStreaming(cctx, chatParams("openai/"+modelSlowStream, "Hi, cancel me "+id), option.WithHeader("X-Request-Id", id))
	if !s.Next() {
		t.Fatalf("no first chunk: %v", s.Err())
	}
	cancel()
	for s.Next() {
	}
	if err := s.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("stream error after cancel: %v", err)
	}
	s.Close()
	deadline := time.Now().Add(5 * time.Second)
	for fakes.slowOutcome(id) != "cancelled" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if o := fakes.slowOutcome(id); o != "cancelled" {
		t.Errorf("upstream stream after the client hung up: %q, want cancelled", o)
	}
	healthy(t, gw)
	id2 := gw.requestID(t, "success")
	if _, err := c.Chat.Completions.New(ctx(t), chatParams("gpt-4o-mini", "Still there? "+id2), option.WithHeader("X-Request-Id", id2)); err != nil {
		t.Errorf("a call after the cancelled stream: %v", err)
	}
}
