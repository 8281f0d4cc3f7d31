package bedrock

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

const weatherSchema = `{"type":"object","properties":{"location":{"type":"string","description":"City and state"}},"required":["location"]}`

var weatherTool = llmux.Tool{Type: "function", Function: llmux.Function{
	Name: "get_weather", Description: "Get the current weather", Parameters: json.RawMessage(weatherSchema),
}}

// The body sent is the golden body, and is what the fake endpoint
// received byte for byte.
func TestRequest_GoldenBodies(t *testing.T) {
	isolate(t)
	png := "data:image/png;base64,iVBORw0KGgo="
	pdf := "data:application/pdf;base64,JVBERi0xLjQ="
	for _, tc := range []struct {
		name  string
		model string
		req   *llmux.Request
	}{
		{"plain", testModel, &llmux.Request{
			Messages: []llmux.Message{llmux.System("Be brief."), llmux.User("Hello <b>&</b>")},
		}},
		{"params", testModel, &llmux.Request{
			Messages:    []llmux.Message{llmux.System("You are terse."), {Role: llmux.RoleDeveloper, Content: "Answer in English."}, llmux.User("Hi")},
			MaxTokens:   ptr(256),
			Temperature: ptr(0.2),
			TopP:        ptr(0.9),
			Stop:        []string{"\n\nHuman:", "END"},
			N:           ptr(1),
		}},
		{"tools", testModel, &llmux.Request{
			Messages: []llmux.Message{
				llmux.User("What's the weather in Boston?"),
				{Role: llmux.RoleAssistant, Content: "I'll look up the weather.", ToolCalls: []llmux.ToolCall{{
					ID: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", Type: "function",
					Function: llmux.FunctionCall{Name: "get_weather", Arguments: `{"location": "Boston, MA"}`},
				}}},
				{Role: llmux.RoleTool, ToolCallID: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", Content: `{"temp_f":41,"sky":"clear"}`},
				llmux.User("And in Paris?"), // merged into the tool result's user turn
			},
			Tools:      []llmux.Tool{weatherTool, {Type: "function", Function: llmux.Function{Name: "no_params"}}},
			ToolChoice: &llmux.ToolChoice{Mode: llmux.ToolChoiceRequired},
		}},
		{"response-format-json-schema", testModel, &llmux.Request{
			Messages: []llmux.Message{llmux.User("Name a city and its country.")},
			ResponseFormat: json.RawMessage(`{"type":"json_schema","json_schema":{"name":"city","schema":{"type":"object",` +
				`"properties":{"city":{"type":"string"},"country":{"type":"string"}},"required":["city","country"]}}}`),
		}},
		{"response-format-json-object-with-tools", testModel, &llmux.Request{
			Messages:       []llmux.Message{llmux.User("Weather in Oslo, as JSON.")},
			Tools:          []llmux.Tool{weatherTool},
			ResponseFormat: json.RawMessage(`{"type":"json_object"}`),
		}},
		{"tool-choice-function", "amazon.nova-pro-v1:0", &llmux.Request{
			Messages:   []llmux.Message{llmux.User("Weather in Oslo?")},
			Tools:      []llmux.Tool{weatherTool},
			ToolChoice: llmux.ToolChoiceFunction("get_weather"),
		}},
		{"media", testModel, &llmux.Request{
			Messages: []llmux.Message{{Role: llmux.RoleUser, Parts: []llmux.ContentPart{
				{Type: "text", Text: "Describe both."},
				{Type: "image_url", ImageURL: &llmux.ImageURL{URL: png}},
				{Type: "image_url", ImageURL: &llmux.ImageURL{URL: "s3://my-bucket/cat.JPG"}},
				{Type: "file", File: &llmux.File{FileData: pdf, Filename: "Q3 report (final).v2.pdf"}},
				{Type: "text", Text: ""},
			}}},
		}},
		{"cache-points", testModel, &llmux.Request{
			Messages: []llmux.Message{
				{Role: llmux.RoleSystem, Content: "Long system prompt.", CacheControl: json.RawMessage(`{"type":"ephemeral"}`)},
				{Role: llmux.RoleUser, Parts: []llmux.ContentPart{{Type: "text", Text: "Long document.", CacheControl: json.RawMessage(`{"type":"ephemeral"}`)}, {Type: "text", Text: "Question?"}}},
			},
			Tools: []llmux.Tool{{Type: "function", Function: weatherTool.Function, CacheControl: json.RawMessage(`{"type":"ephemeral"}`)}},
		}},
		{"reasoning", testModel, &llmux.Request{
			Messages: []llmux.Message{
				llmux.User("Think: 2+2?"),
				{Role: llmux.RoleAssistant, Content: "4. ", ThinkingBlocks: []llmux.ThinkingBlock{
					{Type: "thinking", Thinking: "Simple sum.", Signature: "EqQBCkYIBxgCKkA="},
					{Type: "redacted_thinking", Data: "EmwKAhgBEgy3va3pzix/LafPsn4a"},
				}},
				llmux.User("And 3+3?"),
			},
			ReasoningEffort: "low",
		}},
		{"extra", "amazon.nova-pro-v1:0", &llmux.Request{
			Messages: []llmux.Message{llmux.User("Hi")},
			Extra: map[string]json.RawMessage{
				"top_k":                        json.RawMessage(`50`),
				"guardrailConfig":              json.RawMessage(`{"guardrailIdentifier": "gr-1", "guardrailVersion": "1", "trace": "enabled"}`),
				"performanceConfig":            json.RawMessage(`{"latency":"optimized"}`),
				"additionalModelRequestFields": json.RawMessage(`{"custom":{"a":1}}`),
				"requestMetadata":              json.RawMessage(`{"team":"search"}`),
			},
		}},
		{"extra-top-k-claude", testModel, &llmux.Request{
			Messages: []llmux.Message{llmux.User("Hi")},
			Extra:    map[string]json.RawMessage{"top_k": json.RawMessage(`5`), "anthropic_beta": json.RawMessage(`["context-1m-2025-08-07"]`)},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := serveFixture(t, 200, "converse.json")
			a := f.attempt(tc.req)
			a.Model = tc.model
			if _, err := f.provider().Chat(bg, a); err != nil {
				t.Fatal(err)
			}
			r := f.last(t)
			var v any
			if err := json.Unmarshal(r.Body, &v); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, r.Body)
			}
			providertest.Golden(t, "testdata/golden/"+tc.name+".json", r.Body)
		})
	}
}

func TestRequest_Refused(t *testing.T) {
	isolate(t)
	for _, tc := range []struct {
		name  string
		req   *llmux.Request
		code  llmux.Code
		param string
		msg   string
	}{
		{"n>1", &llmux.Request{N: ptr(2)}, llmux.CodeUnsupported, "n", "n > 1"},
		{"tool_choice none", &llmux.Request{Tools: []llmux.Tool{weatherTool}, ToolChoice: &llmux.ToolChoice{Mode: "none"}}, llmux.CodeInvalidRequest, "tool_choice", "none"},
		{"tool_choice without tools", &llmux.Request{ToolChoice: &llmux.ToolChoice{Mode: "required"}}, llmux.CodeInvalidRequest, "tool_choice", "needs tools"},
		{"http image", &llmux.Request{Messages: []llmux.Message{{Role: llmux.RoleUser, Parts: []llmux.ContentPart{
			{Type: "image_url", ImageURL: &llmux.ImageURL{URL: "https://example.com/cat.png"}}}}}}, llmux.CodeInvalidRequest, "", "data URLs or s3://"},
		{"audio", &llmux.Request{Messages: []llmux.Message{{Role: llmux.RoleUser, Parts: []llmux.ContentPart{
			{Type: "input_audio", InputAudio: &llmux.InputAudio{Data: "AAAA", Format: "wav"}}}}}}, llmux.CodeInvalidRequest, "", "input_audio"},
		{"file id", &llmux.Request{Messages: []llmux.Message{{Role: llmux.RoleUser, Parts: []llmux.ContentPart{
			{Type: "file", File: &llmux.File{FileID: "file-abc"}}}}}}, llmux.CodeInvalidRequest, "", "file ids"},
		{"bad arguments", &llmux.Request{Messages: []llmux.Message{{Role: llmux.RoleAssistant, ToolCalls: []llmux.ToolCall{{
			ID: "t1", Function: llmux.FunctionCall{Name: "f", Arguments: "[1]"}}}}}}, llmux.CodeInvalidRequest, "", "JSON object"},
		{"bad effort", &llmux.Request{ReasoningEffort: "max"}, llmux.CodeInvalidRequest, "reasoning_effort", "reasoning_effort"},
		{"effort with small max_tokens", &llmux.Request{ReasoningEffort: "high", MaxTokens: ptr(500)}, llmux.CodeInvalidRequest, "reasoning_effort", "max_tokens"},
		{"bad extra", &llmux.Request{Extra: map[string]json.RawMessage{"additionalModelRequestFields": json.RawMessage(`[1]`)}}, llmux.CodeInvalidRequest, "additionalModelRequestFields", "object"},
		{"unknown role", &llmux.Request{Messages: []llmux.Message{{Role: "narrator", Content: "x"}}}, llmux.CodeInvalidRequest, "", "role"},
		{"json_schema without schema", &llmux.Request{ResponseFormat: json.RawMessage(`{"type":"json_schema","json_schema":{"name":"x"}}`)},
			llmux.CodeInvalidRequest, "response_format", "json_schema.schema"},
		{"unknown response_format", &llmux.Request{ResponseFormat: json.RawMessage(`{"type":"yaml"}`)}, llmux.CodeInvalidRequest, "response_format", `"yaml"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.req.Messages == nil {
				tc.req.Messages = []llmux.Message{llmux.User("Hi")}
			}
			p := New(WithStaticCredentials(testKeyID, testSecret, ""), WithRegion(testRegion))
			_, err := p.Chat(bg, &llmux.Attempt{Request: tc.req, Model: testModel, HTTPClient: providertest.NoNetwork(t)})
			e := providertest.AsError(t, err)
			if e.Code != tc.code || e.Param != tc.param || !strings.Contains(e.Message, tc.msg) || e.Provider != "bedrock" {
				t.Fatalf("err = %v (code %v, param %q), want code %v param %q message with %q", err, e.Code, e.Param, tc.code, tc.param, tc.msg)
			}
		})
	}
}

// Converse rejects a final assistant turn ending in whitespace, and empty
// messages.
func TestRequest_TrimsPrefillAndDropsEmptyMessages(t *testing.T) {
	_, msgs, err := convertMessages([]llmux.Message{llmux.User("Hi"), llmux.Assistant(""), llmux.User("Again"), llmux.Assistant("Sure: \n")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := marshal(msgs)
	if want := `[{"role":"user","content":[{"text":"Hi"},{"text":"Again"}]},{"role":"assistant","content":[{"text":"Sure:"}]}]`; string(b) != want {
		t.Fatalf("messages = %s\nwant %s", b, want)
	}
	_, msgs, err = convertMessages([]llmux.Message{llmux.User("Hi"), llmux.Assistant(" \n")})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("a whitespace-only prefill is dropped: %+v, %v", msgs, err)
	}
}

func TestSupportsParam(t *testing.T) {
	p := New()
	for _, tc := range []struct {
		ct    llmux.CallType
		model string
		name  string
		want  bool
	}{
		{llmux.CallCompletion, testModel, "temperature", true},
		{llmux.CallCompletion, testModel, "max_completion_tokens", true},
		{llmux.CallCompletion, testModel, "stop", true},
		{llmux.CallCompletion, testModel, "tools", true},
		{llmux.CallCompletion, testModel, "tool_choice", true},
		{llmux.CallCompletion, testModel, "reasoning_effort", true},
		{llmux.CallCompletion, "us.anthropic.claude-3-7-sonnet-20250219-v1:0", "reasoning_effort", true},
		{llmux.CallCompletion, "amazon.nova-pro-v1:0", "reasoning_effort", false},
		{llmux.CallCompletion, testModel, "seed", false},
		{llmux.CallCompletion, testModel, "response_format", true},
		{llmux.CallCompletion, testModel, "logprobs", false},
		{llmux.CallCompletion, testModel, "parallel_tool_calls", false},
		{llmux.CallEmbedding, "amazon.titan-embed-text-v2:0", "dimensions", true},
		{llmux.CallEmbedding, "amazon.titan-embed-text-v1", "dimensions", false},
		{llmux.CallEmbedding, "cohere.embed-english-v3", "encoding_format", true},
		{llmux.CallEmbedding, "cohere.embed-english-v3", "temperature", false},
		{llmux.CallTextCompletion, testModel, "temperature", false},
	} {
		if got := p.SupportsParam(tc.ct, tc.model, tc.name); got != tc.want {
			t.Errorf("SupportsParam(%v, %s, %s) = %v, want %v", tc.ct, tc.model, tc.name, got, tc.want)
		}
	}
}

func TestClaimModel(t *testing.T) {
	p := New()
	for model, want := range map[string]bool{
		"anthropic.claude-3-5-sonnet-20240620-v1:0":    true,
		"us.anthropic.claude-3-7-sonnet-20250219-v1:0": true,
		"amazon.nova-pro-v1:0":                         true,
		"meta.llama3-1-70b-instruct-v1:0":              true,
		"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.meta.llama3-2-1b-instruct-v1:0": true,
		"claude-3-5-sonnet-20240620": false,
		"gpt-4o":                     false,
		"anthropic.":                 false,
		"us.gpt-4o":                  false,
	} {
		if got := p.ClaimModel(model); got != want {
			t.Errorf("ClaimModel(%q) = %v, want %v", model, got, want)
		}
	}
	if p.Name() != "bedrock" || p.Prefixes() != nil {
		t.Errorf("Name %q Prefixes %v", p.Name(), p.Prefixes())
	}
}

// Nova's top_k joins an explicit additionalModelRequestFields.inferenceConfig
// instead of replacing it; the explicit topK wins.
func TestRequest_NovaTopKJoinsExplicitInferenceConfig(t *testing.T) {
	for _, tc := range []struct{ extra, want string }{
		{`{"inferenceConfig":{"foo":1}}`, `"additionalModelRequestFields":{"inferenceConfig":{"foo":1,"topK":5}}`},
		{`{"inferenceConfig":{"topK":9}}`, `"additionalModelRequestFields":{"inferenceConfig":{"topK":9}}`},
	} {
		b, err := converseBody(&llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}, Extra: map[string]json.RawMessage{
			"top_k": json.RawMessage(`5`), "additionalModelRequestFields": json.RawMessage(tc.extra)}}, "amazon.nova-pro-v1:0")
		if err != nil || !strings.Contains(string(b), tc.want) {
			t.Errorf("%s: %s, %v", tc.extra, b, err)
		}
	}
}
