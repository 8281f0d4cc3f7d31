package anthropic

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

func TestChat_PlainMessage(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	req := &llmux.Request{Model: "anthropic/claude-sonnet-4-5", Messages: []llmux.Message{llmux.User("Hello, Claude")}}
	resp, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5"))
	if err != nil {
		t.Fatal(err)
	}
	r := f.Only(t)
	checkRequest(t, r, "/v1/messages")
	providertest.Golden(t, "testdata/golden/plain.json", r.Body)

	if resp.ID != "msg_01XFDUDYJgAACzvnptvVoYEL" || resp.Object != "chat.completion" || resp.Model != "claude-sonnet-4-5-20250929" {
		t.Errorf("id/object/model = %q %q %q", resp.ID, resp.Object, resp.Model)
	}
	if resp.Created == 0 {
		t.Error("Created not set")
	}
	if len(resp.Choices) != 1 {
		t.Fatalf("choices = %d", len(resp.Choices))
	}
	c := resp.Choices[0]
	if c.Message.Role != llmux.RoleAssistant || c.Message.Content != "Hello! How can I help you today?" || c.FinishReason != "stop" {
		t.Errorf("choice = %+v", c)
	}
	want := llmux.Usage{PromptTokens: 12, CompletionTokens: 12, TotalTokens: 24}
	if !resp.Usage.Equal(want) {
		t.Errorf("usage = %+v, want %+v", resp.Usage, want)
	}
	if string(resp.Raw) != string(providertest.Fixture(t, "message.json")) {
		t.Error("Raw is not the upstream body")
	}
}

func TestChat_UsageAddsCacheTokensToPrompt(t *testing.T) {
	f := serve(t, http.StatusOK, "message-cache.json")
	req := &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}}
	resp, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5"))
	if err != nil {
		t.Fatal(err)
	}
	// input_tokens 10 excludes the 100 cache reads and 50 cache writes.
	want := llmux.Usage{PromptTokens: 160, CompletionTokens: 7, TotalTokens: 167, CachedTokens: 100, CacheCreationTokens: 50}
	if !resp.Usage.Equal(want) {
		t.Errorf("usage = %+v, want %+v", resp.Usage, want)
	}
	if got := resp.Choices[0].FinishReason; got != "length" {
		t.Errorf("finish = %q, want length", got)
	}
}

func TestChat_SystemHoistedAndParams(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	req := &llmux.Request{
		Messages: []llmux.Message{
			llmux.System("You are terse."),
			{Role: llmux.RoleDeveloper, Content: "Answer in English & <French>."},
			llmux.User("Hi"),
			llmux.User("Are you there?"),
			{Role: llmux.RoleUser, Parts: []llmux.ContentPart{
				{Type: "text", Text: "What is in these images?"},
				{Type: "image_url", ImageURL: &llmux.ImageURL{URL: "data:image/png;base64,iVBORw0KGgo="}},
				{Type: "image_url", ImageURL: &llmux.ImageURL{URL: "https://example.com/cat.jpg"}},
			}},
			llmux.Assistant("Yes: "),
		},
		MaxTokens:   ptr(100),
		Temperature: ptr(0.2),
		TopP:        ptr(0.9),
		Stop:        []string{"\n\nHuman:"},
		User:        "user-42",
		Extra:       map[string]json.RawMessage{"top_k": json.RawMessage(`5`), "thinking": json.RawMessage(`{ "type": "disabled" }`)},
	}
	if _, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5")); err != nil {
		t.Fatal(err)
	}
	r := f.Only(t)
	providertest.Golden(t, "testdata/golden/system-params.json", r.Body)
	var body struct {
		System   string            `json:"system"`
		Messages []json.RawMessage `json:"messages"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.System != "You are terse.\nAnswer in English & <French>." {
		t.Errorf("system = %q", body.System)
	}
	if len(body.Messages) != 2 {
		t.Errorf("messages = %d, want 2 (user turns merged, then the assistant prefill)", len(body.Messages))
	}
}

func TestChat_DefaultMaxTokensOption(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	req := &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}}
	if _, err := f.provider(WithDefaultMaxTokens(1024), WithHeader("anthropic-beta", "foo-2025-01-01")).Chat(bg, f.attempt(req, "claude-sonnet-4-5")); err != nil {
		t.Fatal(err)
	}
	r := f.Only(t)
	if want := `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Hi"}],"max_tokens":1024}`; string(r.Body) != want {
		t.Errorf("body = %s, want %s", r.Body, want)
	}
	if got := r.Header.Get("anthropic-beta"); got != "foo-2025-01-01" {
		t.Errorf("anthropic-beta = %q", got)
	}
}

var weatherTool = llmux.Tool{Type: "function", Function: llmux.Function{
	Name:        "get_weather",
	Description: "Get the current weather in a given location",
	Parameters:  json.RawMessage(`{"type":"object","properties":{"location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"}},"required":["location"]}`),
}}

func TestChat_ToolsRequestAndResponse(t *testing.T) {
	f := serve(t, http.StatusOK, "tool-use.json")
	req := &llmux.Request{
		Messages:   []llmux.Message{llmux.User("What is the weather like in Boston?")},
		Tools:      []llmux.Tool{weatherTool, {Type: "function", Function: llmux.Function{Name: "now"}}},
		ToolChoice: &llmux.ToolChoice{Mode: "required"},
	}
	resp, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5"))
	if err != nil {
		t.Fatal(err)
	}
	providertest.Golden(t, "testdata/golden/tools.json", f.Only(t).Body)
	c := resp.Choices[0]
	if c.FinishReason != "tool_calls" || c.Message.Content != "I'll check the weather in Boston." {
		t.Errorf("choice = %+v", c)
	}
	if len(c.Message.ToolCalls) != 1 {
		t.Fatalf("tool calls = %+v", c.Message.ToolCalls)
	}
	tc := c.Message.ToolCalls[0]
	if tc.ID != "toolu_01T1x1fJ34qAmk2tNTrN7Up6" || tc.Type != "function" || tc.Function.Name != "get_weather" || tc.Function.Arguments != `{"location":"Boston, MA"}` {
		t.Errorf("tool call = %+v", tc)
	}
	if want := (llmux.Usage{PromptTokens: 384, CompletionTokens: 58, TotalTokens: 442}); !resp.Usage.Equal(want) {
		t.Errorf("usage = %+v", resp.Usage)
	}
}

func TestChat_ToolResultRoundTrip(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	req := &llmux.Request{
		Messages: []llmux.Message{
			llmux.User("Weather in Boston and Paris?"),
			{Role: llmux.RoleAssistant, Content: "I'll check both.", ToolCalls: []llmux.ToolCall{
				{ID: "toolu_01A", Type: "function", Function: llmux.FunctionCall{Name: "get_weather", Arguments: `{"location": "Boston, MA"}`}},
				{ID: "toolu_01B", Type: "function", Function: llmux.FunctionCall{Name: "get_weather", Arguments: `{"location":"Paris"}`}},
			}},
			llmux.ToolResult("toolu_01A", "15 degrees"),
			llmux.ToolResult("toolu_01B", "18 degrees"),
			llmux.User("Thanks"),
		},
		Tools:      []llmux.Tool{weatherTool},
		ToolChoice: llmux.ToolChoiceFunction("get_weather"),
	}
	if _, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5")); err != nil {
		t.Fatal(err)
	}
	body := f.Only(t).Body
	providertest.Golden(t, "testdata/golden/tool-result.json", body)
	want := `"messages":[{"role":"user","content":"Weather in Boston and Paris?"},` +
		`{"role":"assistant","content":[{"type":"text","text":"I'll check both."},` +
		`{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"location":"Boston, MA"}},` +
		`{"type":"tool_use","id":"toolu_01B","name":"get_weather","input":{"location":"Paris"}}]},` +
		`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"15 degrees"},` +
		`{"type":"tool_result","tool_use_id":"toolu_01B","content":"18 degrees"},{"type":"text","text":"Thanks"}]}]`
	if !strings.Contains(string(body), want) {
		t.Errorf("body = %s\nwant messages %s", body, want)
	}
	if !strings.Contains(string(body), `"tool_choice":{"type":"tool","name":"get_weather"}`) {
		t.Errorf("tool_choice not mapped: %s", body)
	}
}

func TestChat_InvalidToolArgumentsRejectedBeforeSend(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	req := &llmux.Request{Messages: []llmux.Message{
		{Role: llmux.RoleAssistant, ToolCalls: []llmux.ToolCall{{ID: "t1", Function: llmux.FunctionCall{Name: "f", Arguments: "{oops"}}}},
	}}
	_, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5"))
	if e := providertest.AsError(t, err); e.Code != llmux.CodeInvalidRequest {
		t.Errorf("code = %v", e.Code)
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestConvertToolChoice(t *testing.T) {
	raw := func(s string) *llmux.ToolChoice { return &llmux.ToolChoice{Raw: json.RawMessage(s)} }
	for _, tc := range []struct {
		name     string
		in       *llmux.ToolChoice
		parallel *bool
		want     string
	}{
		{"unset", nil, nil, ""},
		{"empty", &llmux.ToolChoice{}, nil, ""},
		{"auto", &llmux.ToolChoice{Mode: "auto"}, nil, `{"type":"auto"}`},
		{"required is any", &llmux.ToolChoice{Mode: "required"}, nil, `{"type":"any"}`},
		{"none", &llmux.ToolChoice{Mode: "none"}, nil, `{"type":"none"}`},
		{"function", llmux.ToolChoiceFunction("get_weather"), nil, `{"type":"tool","name":"get_weather"}`},
		{"raw mode string", raw(`"auto"`), nil, `{"type":"auto"}`},
		{"raw openai function", raw(`{"type":"function","function":{"name":"get_weather"}}`), nil, `{"type":"tool","name":"get_weather"}`},
		{"raw anthropic passes verbatim", raw(`{ "type": "any", "disable_parallel_tool_use": true }`), nil, `{"type":"any","disable_parallel_tool_use":true}`},
		{"raw anthropic tool", raw(`{"type":"tool","name":"x"}`), nil, `{"type":"tool","name":"x"}`},
		{"parallel alone is auto", nil, ptr(false), `{"type":"auto","disable_parallel_tool_use":true}`},
		{"parallel true", nil, ptr(true), `{"type":"auto","disable_parallel_tool_use":false}`},
		{"parallel with required", &llmux.ToolChoice{Mode: "required"}, ptr(false), `{"type":"any","disable_parallel_tool_use":true}`},
		{"parallel with function", llmux.ToolChoiceFunction("f"), ptr(false), `{"type":"tool","name":"f","disable_parallel_tool_use":true}`},
		{"parallel with none is not sent", &llmux.ToolChoice{Mode: "none"}, ptr(false), `{"type":"none"}`},
		{"parallel added to raw anthropic", raw(`{"type":"tool","name":"x"}`), ptr(false), `{"disable_parallel_tool_use":true,"name":"x","type":"tool"}`},
		{"raw flag wins over parallel", raw(`{"type":"auto","disable_parallel_tool_use":false}`), ptr(false), `{"type":"auto","disable_parallel_tool_use":false}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := convertToolChoice(tc.in, tc.parallel)
			if err != nil || string(got) != tc.want {
				t.Errorf("convertToolChoice = %s, %v; want %s", got, err, tc.want)
			}
		})
	}
	for name, in := range map[string]*llmux.ToolChoice{
		"unknown mode":          {Mode: "sometimes"},
		"raw unknown mode":      raw(`"sometimes"`),
		"openai allowed_tools":  raw(`{"type":"allowed_tools","allowed_tools":{"mode":"auto","tools":[]}}`),
		"openai custom":         raw(`{"type":"custom","custom":{"name":"x"}}`),
		"function without name": raw(`{"type":"function","function":{}}`),
		"not an object":         raw(`[1]`),
		"not json":              raw(`{oops`),
	} {
		_, err := convertToolChoice(in, nil)
		if e := providertest.AsError(t, err); e.Code != llmux.CodeInvalidRequest || e.Param != "tool_choice" || e.Provider != "anthropic" {
			t.Errorf("%s: error = %+v", name, e)
		}
	}
}

func TestChat_MissingKeySendsNothing(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "")
	f := serve(t, http.StatusOK, "message.json")
	p := New(WithBaseURL(f.srv.URL))
	req := &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}}
	for name, call := range map[string]func() error{
		"chat":   func() error { _, err := p.Chat(bg, f.attempt(req, "claude-sonnet-4-5")); return err },
		"stream": func() error { _, err := p.ChatStream(bg, f.attempt(req, "claude-sonnet-4-5")); return err },
		"legacy": func() error { _, err := p.Chat(bg, f.attempt(req, "claude-2")); return err },
		"text": func() error {
			_, err := p.TextCompletion(bg, f.attempt(&llmux.Request{Prompt: "Hi"}, "claude-2"))
			return err
		},
	} {
		e := providertest.AsError(t, call())
		want := llmux.Error{Code: llmux.CodeAuthentication, Provider: "anthropic", Message: "missing API key: set ANTHROPIC_API_KEY or anthropic.WithAPIKey"}
		if e.Code != want.Code || e.Provider != want.Provider || e.Message != want.Message {
			t.Errorf("%s: error = %+v", name, e)
		}
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("%d requests sent without a key", n)
	}
}

func TestNew_EnvironmentAndOverrides(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	t.Setenv("ANTHROPIC_API_KEY", testKey)
	t.Setenv("ANTHROPIC_API_BASE", f.srv.URL+"/v1/messages")
	p := New()
	if p.Name() != "anthropic" {
		t.Errorf("Name = %q", p.Name())
	}
	req := &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}}
	if _, err := p.Chat(bg, f.attempt(req, "claude-sonnet-4-5")); err != nil {
		t.Fatal(err)
	}
	checkRequest(t, f.Only(t), "/v1/messages")

	// Per-request settings override the configured ones.
	f2 := serve(t, http.StatusOK, "message.json")
	a := f2.attempt(req, "claude-sonnet-4-5")
	a.APIKey, a.APIBase, a.APIVersion = "sk-ant-other", f2.srv.URL+"/", "2099-01-01"
	if _, err := p.Chat(bg, a); err != nil {
		t.Fatal(err)
	}
	r := f2.Only(t)
	if r.Header.Get("x-api-key") != "sk-ant-other" || r.Header.Get("anthropic-version") != "2099-01-01" || r.Path != "/v1/messages" {
		t.Errorf("override not applied: %s %v", r.Path, r.Header)
	}
}

func TestChat_LegacyBodyExact(t *testing.T) {
	f := serve(t, http.StatusOK, "complete.json")
	req := &llmux.Request{Model: "anthropic/claude-2", Messages: []llmux.Message{llmux.User("Hi 👋 - i'm openai")}}
	resp, err := f.provider().Chat(bg, f.attempt(req, "claude-2"))
	if err != nil {
		t.Fatal(err)
	}
	r := f.Only(t)
	checkRequest(t, r, "/v1/complete")
	want := "{\"model\":\"claude-2\",\"prompt\":\"\\n\\nHuman: Hi 👋 - i'm openai\\n\\nAssistant: \",\"max_tokens_to_sample\":256}"
	if string(r.Body) != want {
		t.Errorf("body =\n%s\nwant\n%s", r.Body, want)
	}
	c := resp.Choices[0]
	if c.Message.Content != " Hello! My name is Claude. How can I help you today?" || c.FinishReason != "stop" || c.Message.Role != llmux.RoleAssistant {
		t.Errorf("choice = %+v", c)
	}
	if resp.ID != "compl_01CKm8rQiA5Gq3mYjK3XyWeB" || resp.Model != "claude-2.1" || resp.Object != "chat.completion" {
		t.Errorf("resp = %+v", resp)
	}
	if !resp.Usage.IsZero() {
		t.Errorf("usage = %+v, want zero (the legacy API reports none)", resp.Usage)
	}
}

func TestChat_LegacyParams(t *testing.T) {
	f := serve(t, http.StatusOK, "complete.json")
	req := &llmux.Request{
		Messages:    []llmux.Message{llmux.System("Be kind."), llmux.User("Hi")},
		MaxTokens:   ptr(50),
		Stop:        []string{"\n\nHuman:"},
		Temperature: ptr(0.5),
		TopP:        ptr(1.0),
	}
	if _, err := f.provider().Chat(bg, f.attempt(req, "claude-instant-1.2")); err != nil {
		t.Fatal(err)
	}
	want := `{"model":"claude-instant-1.2","prompt":"\n\nHuman: <admin>Be kind.</admin>\n\nHuman: Hi\n\nAssistant: ","max_tokens_to_sample":50,"stop_sequences":["\n\nHuman:"],"temperature":0.5,"top_p":1}`
	if got := string(f.Only(t).Body); got != want {
		t.Errorf("body =\n%s\nwant\n%s", got, want)
	}
}

func TestPromptFromMessages(t *testing.T) {
	for _, tc := range []struct {
		name, model string
		msgs        []llmux.Message
		want        string
	}{
		{"user", "claude-2", []llmux.Message{llmux.User("Hi")}, "\n\nHuman: Hi\n\nAssistant: "},
		{"system 2.0 admin turn", "claude-2.0", []llmux.Message{llmux.System("S"), llmux.User("Hi")}, "\n\nHuman: <admin>S</admin>\n\nHuman: Hi\n\nAssistant: "},
		{"system 2.1 plain text first", "claude-2.1", []llmux.Message{llmux.System("S"), llmux.User("Hi")}, "S\n\nHuman: Hi\n\nAssistant: "},
		{"2.1 system then assistant", "claude-2.1", []llmux.Message{llmux.System("S"), llmux.Assistant("A"), llmux.User("U")}, "S\n\nHuman: \n\nAssistant: A\n\nHuman: U\n\nAssistant: "},
		{"leading assistant", "claude-instant-1", []llmux.Message{llmux.Assistant("A"), llmux.User("U")}, "\n\nHuman: \n\nAssistant: A\n\nHuman: U\n\nAssistant: "},
		{"prefill", "claude-2", []llmux.Message{llmux.User("U"), llmux.Assistant("The answer is")}, "\n\nHuman: U\n\nAssistant: The answer is"},
		{"multi-turn", "claude-2", []llmux.Message{llmux.User("a"), llmux.Assistant("b"), llmux.User("c")}, "\n\nHuman: a\n\nAssistant: b\n\nHuman: c\n\nAssistant: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := promptFromMessages(tc.model, tc.msgs)
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestTextCompletion_Legacy(t *testing.T) {
	f := serve(t, http.StatusOK, "complete.json")
	for _, prompt := range []string{"Say hi", "\n\nHuman: Say hi\n\nAssistant: "} {
		resp, err := f.provider().TextCompletion(bg, f.attempt(&llmux.Request{Prompt: prompt}, "claude-2.1"))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Object != "text_completion" || resp.Choices[0].Text != " Hello! My name is Claude. How can I help you today?" || resp.Choices[0].FinishReason != "stop" {
			t.Errorf("resp = %+v", resp)
		}
	}
	for _, r := range f.Requests() {
		checkRequest(t, r, "/v1/complete")
		if want := `{"model":"claude-2.1","prompt":"\n\nHuman: Say hi\n\nAssistant: ","max_tokens_to_sample":256}`; string(r.Body) != want {
			t.Errorf("body = %s, want %s", r.Body, want)
		}
	}
}

func TestTextCompletion_ModernModelUsesMessages(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	resp, err := f.provider().TextCompletion(bg, f.attempt(&llmux.Request{Prompt: "Say hi"}, "claude-sonnet-4-5"))
	if err != nil {
		t.Fatal(err)
	}
	r := f.Only(t)
	checkRequest(t, r, "/v1/messages")
	if want := `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Say hi"}],"max_tokens":4096}`; string(r.Body) != want {
		t.Errorf("body = %s", r.Body)
	}
	if resp.Choices[0].Text != "Hello! How can I help you today?" || resp.Usage.TotalTokens != 24 {
		t.Errorf("resp = %+v", resp)
	}
}

func TestChat_Errors(t *testing.T) {
	for _, tc := range []struct {
		file       string
		status     int
		code       llmux.Code
		typ        string
		message    string
		retryAfter time.Duration
	}{
		{"400-invalid-request.json", 400, llmux.CodeInvalidRequest, "invalid_request_error", "max_tokens: Field required", 0},
		{"400-prompt-too-long.json", 400, llmux.CodeContextLength, "invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum", 0},
		{"401-authentication.json", 401, llmux.CodeAuthentication, "authentication_error", "invalid x-api-key", 0},
		{"403-permission.json", 403, llmux.CodePermission, "permission_error", "Your API key does not have permission to use the specified resource.", 0},
		{"404-not-found.json", 404, llmux.CodeNotFound, "not_found_error", "model: claude-nope", 0},
		{"413-request-too-large.json", 413, llmux.CodeInvalidRequest, "request_too_large", "Request exceeds the maximum allowed number of bytes.", 0},
		{"429-rate-limit.json", 429, llmux.CodeRateLimited, "rate_limit_error", "This request would exceed the rate limit for your organization of 50,000 input tokens per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.", 17 * time.Second},
		{"500-api-error.json", 500, llmux.CodeServer, "api_error", "Internal server error", 0},
		{"502-html.json", 502, llmux.CodeServer, "", "Bad Gateway", 0},
		{"529-overloaded.json", 529, llmux.CodeOverloaded, "overloaded_error", "Overloaded", 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := serve(t, tc.status, "errors/"+tc.file)
			req := &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}}
			p := f.provider()
			_, err := p.Chat(bg, f.attempt(req, "claude-sonnet-4-5"))
			_, serr := p.ChatStream(bg, f.attempt(req, "claude-sonnet-4-5"))
			for _, err := range []error{err, serr} {
				e := providertest.AsError(t, err)
				if e.Code != tc.code || e.Type != tc.typ || e.Message != tc.message || e.StatusCode != tc.status ||
					e.RetryAfter != tc.retryAfter || e.Provider != "anthropic" {
					t.Errorf("error = %+v", e)
				}
				if string(e.Body) != string(providertest.Fixture(t, "errors/"+tc.file)) {
					t.Errorf("Body = %s", e.Body)
				}
			}
		})
	}
}

func TestChat_KeyNeverInError(t *testing.T) {
	f := serveBody(t, http.StatusUnauthorized, "application/json",
		[]byte(`{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key: `+testKey+`"}}`))
	req := &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}}
	_, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5"))
	e := providertest.AsError(t, err)
	if strings.Contains(err.Error(), testKey) || strings.Contains(string(e.Body), testKey) || strings.Contains(e.Message, testKey) {
		t.Errorf("key leaked: %v / %s", err, e.Body)
	}
	if e.Code != llmux.CodeAuthentication {
		t.Errorf("code = %v", e.Code)
	}
	// A transport failure does not carry the key either.
	p := New(WithAPIKey(testKey), WithBaseURL("http://127.0.0.1:1"))
	_, err = p.Chat(bg, &llmux.Attempt{Request: req, Model: "claude-sonnet-4-5", Number: 1})
	if err == nil || strings.Contains(err.Error(), testKey) {
		t.Errorf("transport error = %v", err)
	}
	if e := providertest.AsError(t, err); e.Code != llmux.CodeConnection || e.Provider != "anthropic" {
		t.Errorf("transport error = %+v", e)
	}
}

func TestEndpoint(t *testing.T) {
	for base, want := range map[string]string{
		"https://api.anthropic.com":              "https://api.anthropic.com/v1/messages",
		"https://api.anthropic.com/":             "https://api.anthropic.com/v1/messages",
		"https://api.anthropic.com/v1":           "https://api.anthropic.com/v1/messages",
		"https://api.anthropic.com/v1/messages":  "https://api.anthropic.com/v1/messages",
		"https://proxy.example/anthropic/v1/":    "https://proxy.example/anthropic/v1/messages",
		"https://api.anthropic.com/v1/complete/": "https://api.anthropic.com/v1/messages",
	} {
		if got := endpoint(base, "/v1/messages"); got != want {
			t.Errorf("endpoint(%q) = %q, want %q", base, got, want)
		}
	}
}
