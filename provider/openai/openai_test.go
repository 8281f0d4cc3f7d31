package openai_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/record"
	"github.com/llmux/llmux/provider/openai"
	"github.com/llmux/llmux/provider/providertest"
)

func newProvider(url string, opts ...openai.Option) *openai.Provider {
	return openai.New(append([]openai.Option{openai.WithAPIKey(testKey), openai.WithBaseURL(url + "/v1")}, opts...)...)
}

func checkRequest(t *testing.T, got providertest.Request, path, accept string) {
	t.Helper()
	if got.Method != http.MethodPost || got.Path != path || got.Query != "" {
		t.Errorf("request %s %s?%s, want POST %s", got.Method, got.Path, got.Query, path)
	}
	if h := got.Header.Get("Authorization"); h != "Bearer "+testKey {
		t.Errorf("Authorization = %q", h)
	}
	if h := got.Header.Get("Content-Type"); h != "application/json" {
		t.Errorf("Content-Type = %q", h)
	}
	if h := got.Header.Get("Accept"); h != accept {
		t.Errorf("Accept = %q, want %q", h, accept)
	}
}

func TestChat_SendsGoldenBodyAndDecodesResponse(t *testing.T) {
	body := providertest.Fixture(t, "openai-chat.json")
	srv, c := providertest.Serve(t, http.StatusOK, nil, body)
	p := newProvider(srv.URL)
	req := &llmux.Request{
		Model: "openai/gpt-4o-mini",
		Messages: []llmux.Message{
			llmux.System("You are terse. Answer in <b>bold</b> & plain text."),
			llmux.User("Hello!"),
		},
		Temperature: ptr(0.2),
		MaxTokens:   ptr(64),
		Stop:        []string{"\n\n"},
		Seed:        ptr(7),
		User:        "user-1",
	}
	resp, err := p.Chat(context.Background(), attempt(srv, req, "gpt-4o-mini"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Only(t)
	checkRequest(t, got, "/v1/chat/completions", "application/json")
	providertest.Golden(t, "testdata/golden/chat.json", got.Body)
	if !strings.Contains(string(got.Body), "<b>bold</b> & plain") {
		t.Errorf("HTML characters were escaped: %s", got.Body)
	}

	if resp.Text() != "Hello! How can I assist you today?" {
		t.Errorf("Text() = %q", resp.Text())
	}
	want := llmux.Usage{PromptTokens: 19, CompletionTokens: 10, TotalTokens: 29}
	if !resp.Usage.Equal(want) {
		t.Errorf("Usage = %+v, want %+v", resp.Usage, want)
	}
	if resp.ID != "chatcmpl-CZ2xq7n1bN5yKp0Qd8sVw3LmE4rTu" || resp.Object != "chat.completion" || resp.Created != 1764000000 ||
		resp.Model != "gpt-4o-mini-2024-07-18" || resp.SystemFingerprint != "fp_560af6e559" {
		t.Errorf("header fields: %+v", resp)
	}
	if len(resp.Choices) != 1 || resp.Choices[0].FinishReason != "stop" || resp.Choices[0].Message.Role != llmux.RoleAssistant {
		t.Errorf("Choices = %+v", resp.Choices)
	}
	if string(resp.Raw) != string(body) {
		t.Error("Raw is not the upstream body")
	}
}

func TestChat_Tools(t *testing.T) {
	srv, c := serveFile(t, "openai-chat-tools.json")
	p := newProvider(srv.URL)
	req := &llmux.Request{
		Messages: []llmux.Message{
			llmux.User("What's the weather in Boston?"),
			{Role: llmux.RoleAssistant, ToolCalls: []llmux.ToolCall{{ID: "call_prev", Type: "function",
				Function: llmux.FunctionCall{Name: "get_weather", Arguments: `{"location":"Paris, FR"}`}}}},
			llmux.ToolResult("call_prev", `{"temp_c":21}`),
		},
		Tools: []llmux.Tool{{Type: "function", Function: llmux.Function{
			Name:        "get_weather",
			Description: "Get the current weather in a location",
			Parameters:  json.RawMessage(`{"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}`),
		}}},
		ToolChoice: &llmux.ToolChoice{Mode: "auto"},
	}
	resp, err := p.Chat(context.Background(), attempt(srv, req, "gpt-4o-mini"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Only(t)
	checkRequest(t, got, "/v1/chat/completions", "application/json")
	providertest.Golden(t, "testdata/golden/chat-tools.json", got.Body)
	if !strings.Contains(string(got.Body), `"content":null,"tool_calls"`) {
		t.Errorf("assistant tool-call message should have null content: %s", got.Body)
	}

	ch := resp.Choices[0]
	if ch.FinishReason != "tool_calls" || ch.Message.Content != "" || len(ch.Message.ToolCalls) != 1 {
		t.Fatalf("choice = %+v", ch)
	}
	tc := ch.Message.ToolCalls[0]
	if tc.ID != "call_8xQm2Vn4Kd7Lp1Rz9Tb3Ws6Y" || tc.Type != "function" || tc.Function.Name != "get_weather" ||
		tc.Function.Arguments != `{"location": "Boston, MA"}` {
		t.Errorf("tool call = %+v", tc)
	}
	if resp.Usage.PromptTokens != 82 || resp.Usage.CompletionTokens != 17 {
		t.Errorf("Usage = %+v", resp.Usage)
	}
}

// openStream opens a chat stream of one user message on srv, closed when
// the test ends.
func openStream(t *testing.T, srv *httptest.Server, prompt string) llmux.ChunkReader {
	t.Helper()
	req := &llmux.Request{Messages: []llmux.Message{llmux.User(prompt)}}
	r, err := newProvider(srv.URL).ChatStream(context.Background(), attempt(srv, req, "gpt-4o-mini"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestChatStream_TextAndUsage(t *testing.T) {
	srv, c := serveFile(t, "openai-chat-stream.sse")
	r := openStream(t, srv, "Hello!")
	chunks, err := readAll(t, r)
	if err != io.EOF {
		t.Fatalf("final error = %v, want io.EOF", err)
	}
	got := c.Only(t)
	checkRequest(t, got, "/v1/chat/completions", "text/event-stream")
	providertest.Golden(t, "testdata/golden/chat-stream.json", got.Body)

	if s := text(chunks); s != "Hello! How can I assist you today?" {
		t.Errorf("text = %q", s)
	}
	if len(chunks) != 7 {
		t.Fatalf("%d chunks, want 7", len(chunks))
	}
	if chunks[0].Choices[0].Delta.Role != llmux.RoleAssistant || chunks[0].ID != "chatcmpl-CZ2xr9aQ1kVb7Lp2Nq4sXw8yZt3Ue" {
		t.Errorf("first chunk = %+v", chunks[0])
	}
	if chunks[5].Choices[0].FinishReason != "stop" {
		t.Errorf("finish chunk = %+v", chunks[5])
	}
	last := chunks[6]
	if len(last.Choices) != 0 || last.Usage == nil || last.Usage.PromptTokens != 19 || last.Usage.CompletionTokens != 10 || last.Usage.TotalTokens != 29 {
		t.Errorf("usage chunk = %+v usage %+v", last, last.Usage)
	}
	for _, ch := range chunks[:6] {
		if ch.Usage != nil {
			t.Errorf("chunk %+v has usage", ch)
		}
	}
	if _, err := r.Recv(); err != io.EOF {
		t.Errorf("Recv after the end = %v, want io.EOF", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestChatStream_ToolCallDeltas(t *testing.T) {
	srv, _ := serveFile(t, "openai-chat-tools-stream.sse")
	r := openStream(t, srv, "Weather in Boston and Paris?")
	chunks, err := readAll(t, r)
	if err != io.EOF {
		t.Fatalf("final error = %v", err)
	}
	type call struct{ id, name, args string }
	var calls []call
	var finish string
	var usage *llmux.Usage
	for _, c := range chunks {
		if c.Usage != nil {
			usage = c.Usage
		}
		for _, ch := range c.Choices {
			if ch.FinishReason != "" {
				finish = ch.FinishReason
			}
			for _, tc := range ch.Delta.ToolCalls {
				if tc.Index == nil {
					t.Fatalf("tool-call delta without index: %+v", tc)
				}
				i := *tc.Index
				if i == len(calls) {
					calls = append(calls, call{})
				} else if i > len(calls) {
					t.Fatalf("index %d out of order", i)
				}
				if tc.ID != "" {
					calls[i].id = tc.ID
				}
				if tc.Function.Name != "" {
					calls[i].name = tc.Function.Name
				}
				calls[i].args += tc.Function.Arguments
			}
		}
	}
	want := []call{
		{"call_8xQm2Vn4Kd7Lp1Rz9Tb3Ws6Y", "get_weather", `{"location": "Boston, MA"}`},
		{"call_3Hj7Kq1Wm5Np8Rd2Vs6Tx0Zb", "get_weather", `{"location": "Paris, FR"}`},
	}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("tool calls = %+v, want %+v", calls, want)
	}
	if finish != "tool_calls" {
		t.Errorf("finish reason = %q", finish)
	}
	if usage == nil || usage.PromptTokens != 82 || usage.CompletionTokens != 49 {
		t.Errorf("usage = %+v", usage)
	}
}

func TestChatStream_InBandErrorAfterFirstChunks(t *testing.T) {
	srv, _ := serveFile(t, "openai-chat-stream-error.sse")
	r := openStream(t, srv, "hi")
	chunks, err := readAll(t, r)
	if len(chunks) != 2 || text(chunks) != "Hello" {
		t.Errorf("chunks before the error: %d, text %q", len(chunks), text(chunks))
	}
	e := providertest.AsError(t, err)
	if e.Code != llmux.CodeServer || e.Type != "server_error" || e.Provider != "openai" ||
		e.Message != "The server had an error while processing your request. Sorry about that!" {
		t.Errorf("error = %+v", e)
	}
	if _, err2 := r.Recv(); err2 != err {
		t.Errorf("Recv after the error = %v, want the same error", err2)
	}
}

func TestChatStream_EndedEarlyIsConnectionError(t *testing.T) {
	full := string(providertest.Fixture(t, "openai-chat-stream.sse"))
	cut := full[:strings.Index(full, `" How can I"`)] // mid-event, no finish_reason, no [DONE]
	srv, _ := providertest.Serve(t, http.StatusOK, http.Header{"Content-Type": {"text/event-stream"}}, []byte(cut))
	r := openStream(t, srv, "hi")
	_, err := readAll(t, r)
	e := providertest.AsError(t, err)
	if e.Code != llmux.CodeConnection && e.Code != llmux.CodeBadResponse {
		t.Errorf("code = %v, want connection or bad_response", e.Code)
	}
	if e.Code == llmux.CodeConnection && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("error %v does not wrap io.ErrUnexpectedEOF", err)
	}
}

func TestChatStream_HTTPErrorReturnedBeforeStream(t *testing.T) {
	srv, _ := providertest.Serve(t, http.StatusTooManyRequests, http.Header{"Retry-After": {"20"}}, providertest.Fixture(t, "errors/openai-error-429-rate-limit.json"))
	p := newProvider(srv.URL)
	r, err := p.ChatStream(context.Background(), attempt(srv, &llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, "gpt-4o-mini"))
	if r != nil {
		t.Fatal("reader returned with an error status")
	}
	e := providertest.AsError(t, err)
	if e.Code != llmux.CodeRateLimited || e.RetryAfter != 20*time.Second || e.StatusCode != 429 || e.Type != "rate_limit_exceeded" {
		t.Errorf("error = %+v", e)
	}
}

func TestTextCompletion(t *testing.T) {
	srv, c := serveFile(t, "openai-completions.json")
	p := newProvider(srv.URL)
	req := &llmux.Request{Prompt: "Say this is a test", MaxTokens: ptr(7), Temperature: ptr(0.0)}
	resp, err := p.TextCompletion(context.Background(), attempt(srv, req, "gpt-3.5-turbo-instruct"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Only(t)
	checkRequest(t, got, "/v1/completions", "application/json")
	providertest.Golden(t, "testdata/golden/completions.json", got.Body)
	if resp.Object != "text_completion" || resp.Text() != "\n\nThis is indeed a test" || resp.Choices[0].Text != "\n\nThis is indeed a test" ||
		resp.Choices[0].FinishReason != "length" {
		t.Errorf("response = %+v", resp)
	}
	if !resp.Usage.Equal(llmux.Usage{PromptTokens: 5, CompletionTokens: 7, TotalTokens: 12}) {
		t.Errorf("Usage = %+v", resp.Usage)
	}
}

func TestEmbedding_FloatAndBase64DecodeAlike(t *testing.T) {
	want := []float32{0.0023064255, -0.009327292, 0.015797347, -0.0077780345}
	for _, tc := range []struct{ file, format, golden string }{
		{"openai-embeddings.json", "", "embeddings.json"},
		{"openai-embeddings-base64.json", "base64", "embeddings-base64.json"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			srv, c := serveFile(t, tc.file)
			p := newProvider(srv.URL)
			req := &llmux.Request{Input: []string{"The food was delicious"}, EncodingFormat: tc.format, Dimensions: ptr(4)}
			resp, err := p.Embedding(context.Background(), attempt(srv, req, "text-embedding-3-small"))
			if err != nil {
				t.Fatal(err)
			}
			got := c.Only(t)
			checkRequest(t, got, "/v1/embeddings", "application/json")
			providertest.Golden(t, "testdata/golden/"+tc.golden, got.Body)
			if len(resp.Data) != 1 || !reflect.DeepEqual(resp.Data[0].Vector, want) {
				t.Errorf("Data = %+v, want vector %v", resp.Data, want)
			}
			if resp.Model != "text-embedding-3-small" || resp.Object != "list" || resp.Usage.PromptTokens != 5 || resp.Data[0].Object != "embedding" {
				t.Errorf("response = %+v", resp)
			}
		})
	}
}

func TestChat_HTTPErrors(t *testing.T) {
	for _, tc := range []struct {
		file       string
		status     int
		header     http.Header
		code       llmux.Code
		typ        string
		retryAfter time.Duration
	}{
		{"openai-error-400-context-length.json", 400, nil, llmux.CodeContextLength, "context_length_exceeded", 0},
		{"openai-error-401.json", 401, nil, llmux.CodeAuthentication, "invalid_api_key", 0},
		{"openai-error-404-model.json", 404, nil, llmux.CodeNotFound, "model_not_found", 0},
		{"openai-error-429-rate-limit.json", 429, http.Header{"Retry-After": {"20"}}, llmux.CodeRateLimited, "rate_limit_exceeded", 20 * time.Second},
		{"openai-error-429-quota.json", 429, nil, llmux.CodeQuota, "insufficient_quota", 0},
		{"openai-error-500.json", 500, nil, llmux.CodeServer, "server_error", 0},
		{"openai-error-503.json", 503, nil, llmux.CodeOverloaded, "server_error", 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			srv, _ := providertest.Serve(t, tc.status, tc.header, providertest.Fixture(t, "errors/"+tc.file))
			p := newProvider(srv.URL)
			resp, err := p.Chat(context.Background(), attempt(srv, &llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, "gpt-4o-mini"))
			if resp != nil {
				t.Error("response returned with an error")
			}
			e := providertest.AsError(t, err)
			if e.Code != tc.code || e.Type != tc.typ || e.StatusCode != tc.status || e.RetryAfter != tc.retryAfter || e.Provider != "openai" {
				t.Errorf("error = %+v", e)
			}
		})
	}
}

func TestMissingKey_FailsBeforeAnyRequest(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	t.Setenv("OPENAI_API_BASE", "")
	p := openai.New()
	a := &llmux.Attempt{Request: &llmux.Request{Messages: []llmux.Message{llmux.User("hi")}, Input: []string{"x"}}, Model: "gpt-4o-mini", Number: 1, HTTPClient: providertest.NoNetwork(t)}
	check := func(name string, err error) {
		e := providertest.AsError(t, err)
		if e.Code != llmux.CodeAuthentication || e.Provider != "openai" || e.Message != "missing API key: set OPENAI_API_KEY or openai.WithAPIKey" {
			t.Errorf("%s: error = %+v", name, e)
		}
	}
	_, err := p.Chat(context.Background(), a)
	check("Chat", err)
	_, err = p.ChatStream(context.Background(), a)
	check("ChatStream", err)
	_, err = p.TextCompletion(context.Background(), a)
	check("TextCompletion", err)
	_, err = p.Embedding(context.Background(), a)
	check("Embedding", err)
}

func TestEnvironmentDefaults(t *testing.T) {
	srv, c := serveFile(t, "openai-chat.json")
	t.Setenv("OPENAI_API_KEY", testKey)
	t.Setenv("OPENAI_BASE_URL", srv.URL+"/v1")
	t.Setenv("OPENAI_ORG_ID", "org-1")
	t.Setenv("OPENAI_PROJECT_ID", "proj-1")
	p := openai.New()
	if _, err := p.Chat(context.Background(), attempt(srv, &llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, "gpt-4o-mini")); err != nil {
		t.Fatal(err)
	}
	got := c.Only(t)
	checkRequest(t, got, "/v1/chat/completions", "application/json")
	if got.Header.Get("OpenAI-Organization") != "org-1" || got.Header.Get("OpenAI-Project") != "proj-1" {
		t.Errorf("headers = %v", got.Header)
	}
}

func TestCompatibleServer_NameBaseURLAndHeaders(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-must-not-leak-to-groq-000")
	srv, c := providertest.Serve(t, http.StatusNotFound, nil, providertest.Fixture(t, "errors/openai-error-404-model.json"))
	p := openai.New(openai.WithName("groq"), openai.WithBaseURL(srv.URL+"/openai/v1/"), openai.WithHeader("X-Title", "llmux"))
	if p.Name() != "groq" {
		t.Errorf("Name() = %q", p.Name())
	}
	_, err := p.Chat(context.Background(), attempt(srv, &llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, "llama-3.3-70b-versatile"))
	if e := providertest.AsError(t, err); e.Provider != "groq" || e.Code != llmux.CodeNotFound {
		t.Errorf("error = %+v", e)
	}
	got := c.Only(t)
	if got.Path != "/openai/v1/chat/completions" {
		t.Errorf("path = %q", got.Path)
	}
	if h := got.Header.Get("Authorization"); h != "" {
		t.Errorf("a renamed provider sent Authorization %q (the OpenAI env key must not leak)", h)
	}
	if got.Header.Get("X-Title") != "llmux" {
		t.Errorf("X-Title = %q", got.Header.Get("X-Title"))
	}
	if !strings.Contains(string(got.Body), `"model":"llama-3.3-70b-versatile"`) {
		t.Errorf("body = %s", got.Body)
	}
}

func TestPerRequestOverrides(t *testing.T) {
	srv, c := serveFile(t, "openai-chat.json")
	p := openai.New(openai.WithAPIKey("sk-configured-0000000000"), openai.WithBaseURL("http://127.0.0.1:1/unused"))
	a := attempt(srv, &llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, "gpt-4o-mini")
	a.APIKey = testKey
	a.APIBase = srv.URL + "/v1"
	if _, err := p.Chat(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	checkRequest(t, c.Only(t), "/v1/chat/completions", "application/json")
}

// An upstream that echoes the key, and a transport error that names it,
// never show it to the caller: the client scrubs every key it sent.
func TestKeyNeverInErrors(t *testing.T) {
	const key = "sk-proj-SECRETSECRET0123456789"
	echo := []byte(strings.ReplaceAll(string(providertest.Fixture(t, "errors/openai-error-401.json")), "sk-test", key))
	for _, stream := range []bool{false, true} {
		srv, _ := providertest.Serve(t, http.StatusUnauthorized, nil, echo)
		c, err := llmux.New(llmux.WithProvider(openai.New(openai.WithAPIKey(key), openai.WithBaseURL(srv.URL))))
		if err != nil {
			t.Fatal(err)
		}
		req := &llmux.Request{Model: "openai/gpt-4o-mini", Messages: []llmux.Message{llmux.User("hi")}}
		if stream {
			_, err = c.Stream(context.Background(), req)
		} else {
			_, err = c.Completion(context.Background(), req)
		}
		e := providertest.AsError(t, err)
		if e.Code != llmux.CodeAuthentication {
			t.Errorf("code = %v", e.Code)
		}
		for _, s := range []string{err.Error(), e.Message, string(e.Body), fmt.Sprintf("%+v %#v", e, e)} {
			if strings.Contains(s, key) {
				t.Errorf("key leaked: %s", s)
			}
		}
		_ = c.Close(context.Background())
	}
	// A transport error naming the key.
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, errors.New("dial failed for " + r.Header.Get("Authorization"))
	})}
	c, err := llmux.New(llmux.WithProvider(openai.New(openai.WithAPIKey(key), openai.WithBaseURL("http://127.0.0.1:1"))),
		llmux.WithHTTPClient(hc), llmux.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	_, err = c.Completion(context.Background(), &llmux.Request{Model: "openai/m", Messages: []llmux.Message{llmux.User("hi")}})
	if err == nil || strings.Contains(err.Error(), key) || strings.Contains(fmt.Sprintf("%#v", err), key) ||
		strings.Contains(errors.Unwrap(err).Error(), key) {
		t.Errorf("transport error leaks the key or is nil: %v", err)
	}
}

func TestChat_ErrorObjectIn200(t *testing.T) {
	srv, _ := providertest.Serve(t, http.StatusOK, nil, providertest.Fixture(t, "errors/openai-error-500.json"))
	p := newProvider(srv.URL)
	_, err := p.Chat(context.Background(), attempt(srv, &llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, "m"))
	if e := providertest.AsError(t, err); e.Code != llmux.CodeServer {
		t.Errorf("error = %+v", e)
	}
}

func TestChat_UndecodableBodyIsBadResponse(t *testing.T) {
	srv, _ := providertest.Serve(t, http.StatusOK, nil, []byte("<html>gateway</html>"))
	p := newProvider(srv.URL)
	_, err := p.Chat(context.Background(), attempt(srv, &llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, "m"))
	if e := providertest.AsError(t, err); e.Code != llmux.CodeBadResponse {
		t.Errorf("error = %+v", e)
	}
}

// A 200 body that is not a completion is a bad response: one failure
// event, never a success with no choices.
func TestChat_NotACompletionIsABadResponse(t *testing.T) {
	for _, body := range []string{`null`, `{}`, `{"id":null,"choices":null,"usage":null}`, `{"choices":[]}`,
		`{"id":"msg_1","type":"message","role":"assistant","content":[{"type":"text","text":"hi"}]}`, `[1,2]`, `"text"`} {
		srv, _ := providertest.Serve(t, http.StatusOK, nil, []byte(body))
		rec := &record.Events{}
		c, err := llmux.New(llmux.WithProvider(newProvider(srv.URL)), llmux.WithCallbacks(llmux.Inline(rec)))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Completion(context.Background(), &llmux.Request{Model: "openai/gpt-4o", Messages: []llmux.Message{llmux.User("hi")}})
		if llmux.CodeOf(err) != llmux.CodeBadResponse {
			t.Errorf("%s: err = %v, want bad_response", body, err)
		}
		if got := rec.Types(); got != "pre_api_call,post_api_call,failed_api_call" {
			t.Errorf("%s: events %s", body, got)
		}
		_ = c.Close(context.Background())
	}
}
