package gemini

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

var weatherTool = llmux.Tool{Type: "function", Function: llmux.Function{
	Name:        "get_weather",
	Description: "Get the current weather in a location",
	Parameters:  json.RawMessage(`{"type":"object","properties":{"location":{"type":"string"}},"required":["location"],"additionalProperties":false}`),
}}

func TestChatBody_Golden(t *testing.T) {
	const png = "data:image/png;base64,iVBORw0KGgo="
	for _, tc := range []struct {
		name  string
		model string
		req   *llmux.Request
	}{
		{"system-instruction", "gemini-2.5-flash", &llmux.Request{Messages: []llmux.Message{
			llmux.System("You are terse."),
			{Role: llmux.RoleDeveloper, Content: "Answer in French."},
			llmux.User("Hello <there> & welcome"),
			llmux.Assistant("Bonjour."),
			llmux.User("How are you?"),
		}}},
		{"tools", "gemini-2.5-flash", &llmux.Request{
			Messages:   []llmux.Message{llmux.User("Weather in Boston?")},
			Tools:      []llmux.Tool{weatherTool, {Type: "function", Function: llmux.Function{Name: "now"}}, {Extra: map[string]json.RawMessage{"googleSearch": json.RawMessage(`{}`)}}},
			ToolChoice: &llmux.ToolChoice{Function: "get_weather"},
		}},
		{"tool-results", "gemini-2.5-flash", &llmux.Request{
			Messages: []llmux.Message{
				llmux.User("Weather in Boston and Paris?"),
				{Role: llmux.RoleAssistant, ToolCalls: []llmux.ToolCall{
					{ID: "call_1", Type: "function", Function: llmux.FunctionCall{Name: "get_weather", Arguments: `{"location": "Boston, MA"}`}},
					{ID: "call_2__thought__c2lnbmF0dXJl", Type: "function", Function: llmux.FunctionCall{Name: "get_weather", Arguments: `{"location":"Paris"}`}},
				}},
				{Role: llmux.RoleTool, ToolCallID: "call_1", Content: `{"temperature": 22, "unit": "celsius"}`},
				{Role: llmux.RoleTool, ToolCallID: "call_2__thought__c2lnbmF0dXJl", Content: "sunny, 18 C"},
			},
			Tools:      []llmux.Tool{weatherTool},
			ToolChoice: &llmux.ToolChoice{Mode: "auto"},
		}},
		{"images", "gemini-2.5-flash", &llmux.Request{Messages: []llmux.Message{{Role: llmux.RoleUser, Parts: []llmux.ContentPart{
			{Type: "text", Text: "Compare these."},
			{Type: "image_url", ImageURL: &llmux.ImageURL{URL: png}},
			{Type: "image_url", ImageURL: &llmux.ImageURL{URL: "https://example.com/cat.jpg?size=large"}},
			{Type: "image_url", ImageURL: &llmux.ImageURL{URL: "gs://bucket/dog.webp"}},
			{Type: "file", File: &llmux.File{FileData: "data:application/pdf;base64,JVBERi0x"}},
			{Type: "file", File: &llmux.File{FileID: "https://generativelanguage.googleapis.com/v1beta/files/abc123", Extra: map[string]json.RawMessage{"format": json.RawMessage(`"video/mp4"`)}}},
			{Type: "input_audio", InputAudio: &llmux.InputAudio{Data: "UklGRg==", Format: "wav"}},
		}}}}},
		{"generation-config", "gemini-2.5-flash", &llmux.Request{
			Messages:            []llmux.Message{llmux.User("List three colors as JSON.")},
			Temperature:         ptr(0.2),
			TopP:                ptr(0.9),
			MaxTokens:           ptr(100),
			MaxCompletionTokens: ptr(200),
			N:                   ptr(2),
			Stop:                []string{"END", "STOP"},
			PresencePenalty:     ptr(0.5),
			FrequencyPenalty:    ptr(0.25),
			Seed:                ptr(42),
			Logprobs:            ptr(true),
			TopLogprobs:         ptr(3),
			ResponseFormat:      json.RawMessage(`{"type":"json_schema","json_schema":{"name":"colors","schema":{"type":"array","items":{"type":"string"}}}}`),
			ReasoningEffort:     "low",
			Extra: map[string]json.RawMessage{
				"safety_settings":  json.RawMessage(`[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_ONLY_HIGH"}]`),
				"top_k":            json.RawMessage(`40`),
				"generationConfig": json.RawMessage(`{"responseModalities": ["TEXT"]}`),
				"labels":           json.RawMessage(`{"team":"search"}`),
			},
		}},
		{"json-object-thinking-level", "gemini-3-pro-preview", &llmux.Request{
			Messages:        []llmux.Message{llmux.User("Give me a JSON object.")},
			ResponseFormat:  json.RawMessage(`{"type":"json_object"}`),
			ReasoningEffort: "high",
			ToolChoice:      &llmux.ToolChoice{Mode: "none"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := serve(t, 200, "generate.json")
			if _, err := f.provider().Chat(bg, f.attempt(tc.req, tc.model)); err != nil {
				t.Fatal(err)
			}
			r := f.Only(t)
			if want := "/v1beta/models/" + tc.model + ":generateContent"; r.Path != want {
				t.Errorf("path = %s, want %s", r.Path, want)
			}
			if r.Query != "" {
				t.Errorf("query = %q, want none (the key goes in a header)", r.Query)
			}
			if got := r.Header.Get("x-goog-api-key"); got != testKey {
				t.Errorf("x-goog-api-key = %q", got)
			}
			if r.Header.Get("Authorization") != "" {
				t.Error("Authorization header sent")
			}
			if !json.Valid(r.Body) {
				t.Fatalf("body is not JSON: %s", r.Body)
			}
			providertest.Golden(t, filepath.Join("testdata", "golden", tc.name+".json"), r.Body)
		})
	}
}

func TestChatBody_RoleOnEveryContent(t *testing.T) {
	p := New(WithAPIKey(testKey))
	req := &llmux.Request{Messages: []llmux.Message{
		llmux.User("a"), llmux.User("b"), llmux.Assistant("c"),
		{Role: llmux.RoleAssistant, ToolCalls: []llmux.ToolCall{{ID: "x", Function: llmux.FunctionCall{Name: "f"}}}},
		{Role: llmux.RoleTool, ToolCallID: "x", Content: "ok"}, llmux.User("d"),
	}}
	b, err := p.chatBody(&llmux.Attempt{Request: req, Model: "gemini-2.5-flash"})
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Contents []struct {
			Role  string            `json:"role"`
			Parts []json.RawMessage `json:"parts"`
		} `json:"contents"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatal(err)
	}
	var roles []string
	for _, c := range body.Contents {
		roles = append(roles, c.Role)
	}
	// Same-role turns merge: user a+b, model c+call, user result+d.
	if got := strings.Join(roles, ","); got != "user,model,user" {
		t.Errorf("roles = %s, want user,model,user", got)
	}
}

func TestChatBody_Refusals(t *testing.T) {
	p := New(WithAPIKey(testKey))
	for name, req := range map[string]*llmux.Request{
		"unknown tool result": {Messages: []llmux.Message{{Role: llmux.RoleTool, ToolCallID: "nope", Content: "x"}}},
		"function role":       {Messages: []llmux.Message{{Role: llmux.RoleFunction, Content: "x"}}},
		"bad arguments":       {Messages: []llmux.Message{{Role: llmux.RoleAssistant, ToolCalls: []llmux.ToolCall{{ID: "a", Function: llmux.FunctionCall{Name: "f", Arguments: "[1]"}}}}}},
		"bad data url":        {Messages: []llmux.Message{{Role: llmux.RoleUser, Parts: []llmux.ContentPart{{Type: "image_url", ImageURL: &llmux.ImageURL{URL: "data:image/png,xyz"}}}}}},
		"bad response_format": {Messages: []llmux.Message{llmux.User("x")}, ResponseFormat: json.RawMessage(`{"type":"yaml"}`)},
		"bad effort":          {Messages: []llmux.Message{llmux.User("x")}, ReasoningEffort: "maximal"},
		"bad tool_choice":     {Messages: []llmux.Message{llmux.User("x")}, ToolChoice: &llmux.ToolChoice{Mode: "sometimes"}},
		"bad extra":           {Messages: []llmux.Message{llmux.User("x")}, Extra: map[string]json.RawMessage{"generationConfig": json.RawMessage(`[1]`)}},
		"custom tool":         {Messages: []llmux.Message{llmux.User("x")}, Tools: []llmux.Tool{{Type: "custom"}}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := p.chatBody(&llmux.Attempt{Request: req, Model: "gemini-2.5-flash"})
			if code := llmux.CodeOf(err); code != llmux.CodeInvalidRequest {
				t.Errorf("err = %v (code %v), want invalid request", err, code)
			}
		})
	}
}

func TestThinkingFor(t *testing.T) {
	p := New()
	for _, tc := range []struct {
		model, effort, want string
	}{
		{"gemini-2.5-flash", "none", `{"includeThoughts":false,"thinkingBudget":0}`},
		{"gemini-2.5-flash", "minimal", `{"includeThoughts":true,"thinkingBudget":128}`},
		{"gemini-2.5-flash-lite", "minimal", `{"includeThoughts":true,"thinkingBudget":512}`},
		{"gemini-2.5-pro", "medium", `{"includeThoughts":true,"thinkingBudget":2048}`},
		{"gemini-2.5-pro", "high", `{"includeThoughts":true,"thinkingBudget":4096}`},
		{"gemini-2.5-pro", "xhigh", `{"includeThoughts":true,"thinkingBudget":8192}`},
		{"gemini-3-pro-preview", "low", `{"includeThoughts":true,"thinkingLevel":"low"}`},
		{"gemini-3-flash-preview", "medium", `{"includeThoughts":true,"thinkingLevel":"high"}`},
	} {
		tcfg, err := p.thinkingFor(tc.model, tc.effort)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(tcfg)
		if string(b) != tc.want {
			t.Errorf("%s %s = %s, want %s", tc.model, tc.effort, b, tc.want)
		}
	}
	if _, err := p.thinkingFor("gemini-3-pro-preview", "none"); llmux.CodeOf(err) != llmux.CodeInvalidRequest {
		t.Errorf("gemini-3 none: err = %v", err)
	}
}

func TestChat_DoesNotModifyTheRequest(t *testing.T) {
	req := &llmux.Request{
		Messages: []llmux.Message{
			llmux.System("sys"), llmux.User("Weather?"),
			{Role: llmux.RoleAssistant, ToolCalls: []llmux.ToolCall{{ID: "c1__thought__U0lH", Type: "function", Function: llmux.FunctionCall{Name: "get_weather", Arguments: `{"location": "Boston"}`}}}},
			{Role: llmux.RoleTool, ToolCallID: "c1__thought__U0lH", Content: "sunny"},
		},
		Tools:          []llmux.Tool{weatherTool},
		ToolChoice:     &llmux.ToolChoice{Mode: "required"},
		ResponseFormat: json.RawMessage(`{"type":"json_object"}`),
		Extra:          map[string]json.RawMessage{"generationConfig": json.RawMessage(`{"topK": 3}`), "safety_settings": json.RawMessage(`[]`)},
	}
	before, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	f := serve(t, 200, "function-call.json")
	resp, err := f.provider().Chat(bg, f.attempt(req, "gemini-2.5-flash"))
	if err != nil {
		t.Fatal(err)
	}
	after, _ := json.Marshal(req)
	if string(before) != string(after) {
		t.Errorf("request changed:\n%s\n%s", before, after)
	}
	// The caller owns the response: changing it changes nothing the
	// provider keeps.
	resp.Choices[0].Message.ToolCalls[0].Function.Arguments = "changed"
	resp.Raw[0] = 'X'
}
