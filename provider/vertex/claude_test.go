package vertex

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

var weatherTool = llmux.Tool{Type: "function", Function: llmux.Function{
	Name:        "get_weather",
	Description: "Get the current weather in a given location",
	Parameters:  json.RawMessage(`{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}`),
}}

func claudeProvider(f *fake) *Provider {
	return New(WithTokenSource(&staticToken{tok: "ya29.test"}), WithProject("p1"), WithLocation("us-east5"), WithBaseURL(f.srv.URL))
}

// TestClaude_RequestBody: the Messages body goes to rawPredict without
// "model", with anthropic_version "vertex-2023-10-16" first, and no
// Anthropic auth or version headers.
func TestClaude_RequestBody(t *testing.T) {
	for name, req := range map[string]*llmux.Request{
		"plain": {Messages: []llmux.Message{llmux.System("Be brief."), llmux.User("Hello")}, MaxTokens: ptr(256), Temperature: ptr(0.5)},
		"tools": {
			Messages:   []llmux.Message{llmux.User("What is the weather like in Boston?")},
			Tools:      []llmux.Tool{weatherTool},
			ToolChoice: &llmux.ToolChoice{Mode: "required"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := serve(t, http.StatusOK, "claude-message.json")
			if _, err := claudeProvider(f).Chat(bg, f.attempt(req, "claude-sonnet-4-5@20250929")); err != nil {
				t.Fatal(err)
			}
			r := last(t, f)
			if want := "/v1/projects/p1/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict"; r.Path != want {
				t.Errorf("path = %s", r.Path)
			}
			providertest.Golden(t, "testdata/golden/claude-"+name+".json", r.Body)
			if !strings.HasPrefix(string(r.Body), `{"anthropic_version":"vertex-2023-10-16",`) || strings.Contains(string(r.Body), `"model":`) {
				t.Errorf("body = %s", r.Body)
			}
			for k, want := range map[string]string{"Authorization": "Bearer ya29.test", "x-api-key": "", "anthropic-version": "", "Content-Type": "application/json"} {
				if got := r.Header.Get(k); got != want {
					t.Errorf("header %s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestClaude_ToolCallAnswer(t *testing.T) {
	f := serve(t, http.StatusOK, "claude-tool-use.json")
	req := &llmux.Request{Messages: []llmux.Message{llmux.User("What is the weather like in Boston?")}, Tools: []llmux.Tool{weatherTool}}
	resp, err := claudeProvider(f).Chat(bg, f.attempt(req, "claude-sonnet-4-5@20250929"))
	if err != nil {
		t.Fatal(err)
	}
	c := resp.Choices[0]
	if c.FinishReason != "tool_calls" || len(c.Message.ToolCalls) != 1 || c.Message.ToolCalls[0].Function.Name != "get_weather" ||
		!json.Valid([]byte(c.Message.ToolCalls[0].Function.Arguments)) {
		t.Fatalf("choice = %+v", c)
	}
}

// TestClaude_Stream: streamRawPredict with "stream":true, Anthropic's SSE
// turned into chunks with usage on the last one.
func TestClaude_Stream(t *testing.T) {
	f := serve(t, http.StatusOK, "claude-stream.sse")
	r, err := claudeProvider(f).ChatStream(bg, f.attempt(hello(), "claude-sonnet-4-5@20250929"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	chunks, err := drain(t, r)
	if err != nil {
		t.Fatal(err)
	}
	req := last(t, f)
	if !strings.HasSuffix(req.Path, "/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict") || req.Query != "" {
		t.Errorf("path = %s?%s", req.Path, req.Query)
	}
	if !strings.Contains(string(req.Body), `"stream":true`) {
		t.Errorf("body = %s", req.Body)
	}
	var text strings.Builder
	var finish string
	var usage *llmux.Usage
	for _, c := range chunks {
		text.WriteString(c.Text())
		if len(c.Choices) > 0 && c.Choices[0].FinishReason != "" {
			finish = c.Choices[0].FinishReason
		}
		if c.Usage != nil {
			usage = c.Usage
		}
	}
	if text.String() != "Hello! How can I help you today?" || finish != "stop" || usage == nil || usage.TotalTokens == 0 {
		t.Errorf("text %q finish %q usage %+v", text.String(), finish, usage)
	}
}

// TestClaude_StreamErrorNamesVertex: an in-band error event is the
// Anthropic codec's error, as Vertex AI's.
func TestClaude_StreamErrorNamesVertex(t *testing.T) {
	f := serve(t, http.StatusOK, "claude-stream-error.sse")
	r, err := claudeProvider(f).ChatStream(bg, f.attempt(hello(), "claude-sonnet-4-5@20250929"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = drain(t, r)
	var e *llmux.Error
	if !errors.As(err, &e) || e.Code != llmux.CodeOverloaded || e.Provider != "vertex_ai" || e.Type != "overloaded_error" {
		t.Fatalf("err = %#v", err)
	}
}

// TestErrors maps Vertex AI's errors, Google-shaped for both model
// families and Anthropic-shaped for Claude models, from recorded bodies.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		file    string
		status  int
		model   string
		code    llmux.Code
		typ     string
		message string
		retry   time.Duration
	}{
		{"google-401-unauthenticated.json", 401, "claude-sonnet-4-5", llmux.CodeAuthentication, "UNAUTHENTICATED", "Request had invalid authentication credentials", 0},
		{"google-403-permission-denied.json", 403, "claude-sonnet-4-5", llmux.CodePermission, "PERMISSION_DENIED", "Permission 'aiplatform.endpoints.predict' denied", 0},
		{"google-404-not-found.json", 404, "claude-nonexistent", llmux.CodeNotFound, "NOT_FOUND", "Publisher Model", 0},
		{"google-429-quota.json", 429, "claude-sonnet-4-5", llmux.CodeRateLimited, "RESOURCE_EXHAUSTED", "Quota exceeded", 7 * time.Second},
		{"google-429-resource-exhausted.json", 429, "claude-sonnet-4-5", llmux.CodeRateLimited, "RESOURCE_EXHAUSTED", "You exceeded your current quota", 7 * time.Second},
		{"google-503-unavailable.json", 503, "claude-sonnet-4-5", llmux.CodeOverloaded, "UNAVAILABLE", "The model is overloaded", 0},
		{"google-400-context.json", 400, "claude-sonnet-4-5", llmux.CodeContextLength, "INVALID_ARGUMENT", "exceeds the maximum number of tokens", 0},
		{"claude-401-authentication.json", 401, "claude-sonnet-4-5", llmux.CodeAuthentication, "authentication_error", "", 0},
		{"claude-400-invalid.json", 400, "claude-sonnet-4-5", llmux.CodeInvalidRequest, "invalid_request_error", "", 0},
		{"claude-429-rate-limit.json", 429, "claude-sonnet-4-5", llmux.CodeRateLimited, "rate_limit_error", "rate limit", 7 * time.Second},
		{"claude-529-overloaded.json", 529, "claude-sonnet-4-5", llmux.CodeOverloaded, "overloaded_error", "Overloaded", 0},
		{"google-401-unauthenticated.json", 401, "gemini-2.5-pro", llmux.CodeAuthentication, "UNAUTHENTICATED", "Request had invalid authentication credentials", 0},
		{"google-403-permission-denied.json", 403, "gemini-2.5-pro", llmux.CodePermission, "PERMISSION_DENIED", "denied", 0},
		{"google-404-not-found.json", 404, "gemini-9", llmux.CodeNotFound, "NOT_FOUND", "Publisher Model", 0},
		{"google-429-quota.json", 429, "gemini-2.5-pro", llmux.CodeRateLimited, "RESOURCE_EXHAUSTED", "Quota exceeded", 7 * time.Second},
		{"google-503-unavailable.json", 503, "gemini-2.5-pro", llmux.CodeOverloaded, "UNAVAILABLE", "overloaded", 0},
		{"google-400-context.json", 400, "gemini-2.5-pro", llmux.CodeContextLength, "INVALID_ARGUMENT", "exceeds the maximum", 0},
	} {
		t.Run(tc.model+"/"+tc.file, func(t *testing.T) {
			f := serve(t, tc.status, "errors/"+tc.file)
			p := claudeProvider(f)
			_, err := p.Chat(bg, f.attempt(hello(), tc.model))
			var e *llmux.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v", err)
			}
			if e.Code != tc.code || e.StatusCode != tc.status || e.Type != tc.typ || e.Provider != "vertex_ai" || !strings.Contains(e.Message, tc.message) {
				t.Errorf("got code %v status %d type %q provider %q message %q", e.Code, e.StatusCode, e.Type, e.Provider, e.Message)
			}
			if tc.retry != 0 && e.RetryAfter != tc.retry {
				t.Errorf("RetryAfter = %v, want %v", e.RetryAfter, tc.retry)
			}
			// Streams fail the same way before their first event.
			_, err = p.ChatStream(bg, f.attempt(hello(), tc.model))
			if llmux.CodeOf(err) != tc.code {
				t.Errorf("stream: err = %v", err)
			}
		})
	}
}
