package messages

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/llmux/llmux"
)

// decodeOK decodes body and fails the test on error.
func decodeOK(t *testing.T, body string) *llmux.Request {
	t.Helper()
	req, err := DecodeRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// messageJSON renders messages as llmux writes them (OpenAI's shape).
func messageJSON(t *testing.T, msgs []llmux.Message) string {
	t.Helper()
	b, err := json.Marshal(msgs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDecodeRequest_OpenAIShape: what every provider reads is in the
// OpenAI-shaped fields: roles, text, image URLs, files, tool calls with
// JSON arguments, tool messages, and the parameters.
func TestDecodeRequest_OpenAIShape(t *testing.T) {
	req := decodeOK(t, `{
		"model": "claude-sonnet-4-5", "max_tokens": 100, "temperature": 0.5, "top_p": 0.8, "stream": true,
		"stop_sequences": ["END"], "metadata": {"user_id": "u-1"},
		"system": "Be brief.",
		"messages": [
			{"role": "user", "content": [
				{"type": "text", "text": "Look:"},
				{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBO"}},
				{"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
				{"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"}, "title": "a.pdf"},
				{"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "hello"}}
			]},
			{"role": "assistant", "content": [
				{"type": "text", "text": "Calling."},
				{"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"a": 1, "b": [true]}}
			]},
			{"role": "user", "content": [
				{"type": "text", "text": "before"},
				{"type": "tool_result", "tool_use_id": "toolu_1", "content": "done"},
				{"type": "text", "text": "after"}
			]}
		],
		"tools": [{"name": "f", "description": "F.", "input_schema": {"type": "object"}}],
		"tool_choice": {"type": "auto", "disable_parallel_tool_use": false}
	}`)
	want := `[{"role":"system","content":"Be brief."},` +
		`{"role":"user","content":[{"type":"text","text":"Look:"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBO"}},` +
		`{"type":"image_url","image_url":{"url":"https://example.com/a.png"}},` +
		`{"type":"file","file":{"file_data":"data:application/pdf;base64,JVBE","filename":"a.pdf"}},` +
		`{"type":"file","file":{"file_data":"data:text/plain;base64,aGVsbG8="}}]},` +
		`{"role":"assistant","content":[{"type":"text","text":"Calling."}],"tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"f","arguments":"{\"a\":1,\"b\":[true]}"}}]},` +
		`{"role":"user","content":[{"type":"text","text":"before"}]},` +
		`{"role":"tool","content":"done","tool_call_id":"toolu_1"},` +
		`{"role":"user","content":[{"type":"text","text":"after"}]}]`
	if got := messageJSON(t, req.Messages); got != want {
		t.Errorf("messages:\n got %s\nwant %s", got, want)
	}
	wantReq := &llmux.Request{Model: "claude-sonnet-4-5", MaxTokens: llmux.Ptr(100), Temperature: llmux.Ptr(0.5), TopP: llmux.Ptr(0.8),
		Stream: true, Stop: []string{"END"}, User: "u-1",
		Tools:             []llmux.Tool{{Type: "function", Function: llmux.Function{Name: "f", Description: "F.", Parameters: json.RawMessage(`{"type": "object"}`)}}},
		ToolChoice:        &llmux.ToolChoice{Mode: "auto"},
		ParallelToolCalls: llmux.Ptr(true)}
	if d := cmp.Diff(wantReq, req, cmpopts.IgnoreUnexported(llmux.Request{}, llmux.Tool{}, llmux.Function{}), cmpopts.IgnoreFields(llmux.Request{}, "Messages")); d != "" {
		t.Errorf("request (-want +got):\n%s", d)
	}
}

func TestDecodeRequest_ToolChoice(t *testing.T) {
	for in, want := range map[string]struct {
		choice   llmux.ToolChoice
		parallel *bool
	}{
		`{"type":"auto"}`:            {choice: llmux.ToolChoice{Mode: "auto"}},
		`{"type":"any"}`:             {choice: llmux.ToolChoice{Mode: "required"}},
		`{"type":"none"}`:            {choice: llmux.ToolChoice{Mode: "none"}},
		`{"type":"tool","name":"f"}`: {choice: llmux.ToolChoice{Function: "f"}},
		`{"type":"any","disable_parallel_tool_use":true}`: {choice: llmux.ToolChoice{Mode: "required"}, parallel: llmux.Ptr(false)},
		// Shapes the OpenAI fields cannot say stay verbatim.
		`{"type":"none","disable_parallel_tool_use":true}`: {choice: llmux.ToolChoice{Raw: json.RawMessage(`{"type":"none","disable_parallel_tool_use":true}`)}},
		`{"type":"auto","future":1}`:                       {choice: llmux.ToolChoice{Raw: json.RawMessage(`{"type":"auto","future":1}`)}},
		`{"type":"tool"}`:                                  {choice: llmux.ToolChoice{Raw: json.RawMessage(`{"type":"tool"}`)}},
		`{"type":"smart"}`:                                 {choice: llmux.ToolChoice{Raw: json.RawMessage(`{"type":"smart"}`)}},
	} {
		req := decodeOK(t, `{"model":"m","messages":[],"tool_choice":`+in+`}`)
		if d := cmp.Diff(&want.choice, req.ToolChoice); d != "" || !cmp.Equal(want.parallel, req.ParallelToolCalls) {
			t.Errorf("%s: choice %v, parallel %v\n%s", in, req.ToolChoice, req.ParallelToolCalls, d)
		}
	}
}

func TestDecodeRequest_ExtraAndMetadata(t *testing.T) {
	req := decodeOK(t, `{"model":"m","messages":[],"top_k":5,"thinking":{"type":"enabled","budget_tokens":2048},`+
		`"service_tier":"auto","container":"c-1","metadata":{"user_id":"u","tier":"gold"}}`)
	want := map[string]json.RawMessage{
		"top_k": json.RawMessage(`5`), "thinking": json.RawMessage(`{"type":"enabled","budget_tokens":2048}`),
		"service_tier": json.RawMessage(`"auto"`), "container": json.RawMessage(`"c-1"`),
		"metadata": json.RawMessage(`{"user_id":"u","tier":"gold"}`),
	}
	if d := cmp.Diff(want, req.Extra); d != "" {
		t.Errorf("extra (-want +got):\n%s", d)
	}
	if req.User != "" || !cmp.Equal(req.AllowedParams, []string{"metadata"}) {
		t.Errorf("user %q, allowed %v", req.User, req.AllowedParams)
	}
	// Only {"user_id": "..."} is the OpenAI user.
	for _, md := range []string{`{}`, `{"user_id":""}`, `{"user_id":null}`, `{"user_id":7}`} {
		req := decodeOK(t, `{"model":"m","messages":[],"metadata":`+md+`}`)
		if req.User != "" || string(req.Extra["metadata"]) != md {
			t.Errorf("%s: user %q, extra %s", md, req.User, req.Extra["metadata"])
		}
	}
}

// TestDecodeRequest_NativeBlocks: blocks with no OpenAI part keep every
// member, in a part of their own type.
func TestDecodeRequest_NativeBlocks(t *testing.T) {
	req := decodeOK(t, `{"model":"m","messages":[{"role":"user","content":[
		{"type":"image","source":{"type":"file","file_id":"file_1"},"cache_control":{"type":"ephemeral"}},
		{"type":"image","source":{"type":"base64","media_type":"","data":"x"}},
		{"type":"document","source":{"type":"url","url":"https://example.com/a.pdf"}},
		{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"x"},"title":""},
		{"type":"search_result","source":"s","title":"t","content":[]},
		{"type":"code_execution_tool_result","tool_use_id":"srvtoolu_1","content":{}}
	]}]}`)
	parts := req.Messages[0].Parts
	types := make([]string, len(parts))
	for i, p := range parts {
		types[i] = p.Type
	}
	if want := []string{"image", "image", "document", "document", "search_result", "code_execution_tool_result"}; !cmp.Equal(types, want) {
		t.Fatalf("types = %v", types)
	}
	if string(parts[0].CacheControl) != `{"type":"ephemeral"}` || string(parts[0].Extra["source"]) != `{"type":"file","file_id":"file_1"}` ||
		len(parts[0].Extra) != 1 {
		t.Errorf("file image = %+v", parts[0])
	}
	if string(parts[3].Extra["title"]) != `""` {
		t.Errorf("empty title lost: %+v", parts[3])
	}
}

func TestDecodeRequest_ToolResultAndToolUseMembers(t *testing.T) {
	req := decodeOK(t, `{"model":"m","messages":[
		{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{},"cache_control":{"type":"ephemeral"},"caller":{"type":"direct"}}]},
		{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","is_error":true,"content":[{"type":"text","text":"boom"}],"cache_control":{"type":"ephemeral"}}]}
	]}`)
	tc := req.Messages[0].ToolCalls[0]
	if tc.Function.Arguments != "{}" || string(tc.Extra["cache_control"]) != `{"type":"ephemeral"}` || string(tc.Extra["caller"]) != `{"type":"direct"}` {
		t.Errorf("tool call = %+v", tc)
	}
	m := req.Messages[1]
	if m.Role != llmux.RoleTool || m.ToolCallID != "t1" || string(m.Extra["is_error"]) != "true" ||
		string(m.CacheControl) != `{"type":"ephemeral"}` || len(m.Parts) != 1 || m.Parts[0].Text != "boom" {
		t.Errorf("tool message = %+v", m)
	}
}

func TestDecodeRequest_ServerTools(t *testing.T) {
	req := decodeOK(t, `{"model":"m","messages":[],"tools":[
		{"type":"custom","name":"f","input_schema":{"type":"object"},"strict":true},
		{"type":"web_search_20250305","name":"web_search","max_uses":3}
	]}`)
	if tl := req.Tools[0]; tl.Type != "function" || tl.Function.Name != "f" || string(tl.Extra["strict"]) != "true" {
		t.Errorf("client tool = %+v", tl)
	}
	if tl := req.Tools[1]; tl.Type != "web_search_20250305" || tl.Function.Name != "web_search" || string(tl.Extra["max_uses"]) != "3" {
		t.Errorf("server tool = %+v", tl)
	}
}

func TestDecodeRequest_Errors(t *testing.T) {
	msgs := func(s string) string { return `{"model":"m","max_tokens":1,"messages":` + s + `}` }
	for body, want := range map[string]string{
		``:                          "messages: request body is not valid JSON",
		`{"model":`:                 "messages: request body is not valid JSON",
		`[1]`:                       "messages: request body: want a JSON object",
		`null`:                      "messages: request body: want a JSON object",
		`{"messages":[]}`:           "messages: model: is required",
		`{"model":7,"messages":[]}`: "messages: model: want a string",
		`{"model":"m"}`:             "messages: messages: is required",
		msgs(`{}`):                  "messages: messages: want an array of messages",
		msgs(`[1]`):                 "messages: messages[0]: want an object",
		msgs(`[{"content":"x"}]`):   "messages: messages[0].role: is required",
		msgs(`[{"role":"system","content":"x"}]`):            `messages: messages[0].role: want "user" or "assistant", got "system"`,
		msgs(`[{"role":"user"}]`):                            "messages: messages[0].content: is required",
		msgs(`[{"role":"user","content":"x","name":"bob"}]`): "messages: messages[0].name: unknown member",
		msgs(`[{"role":"user","content":7}]`):                "messages: messages[0].content: want a string or an array of content blocks",
		msgs(`[{"role":"user","content":["x"]}]`):            "messages: messages[0].content[0]: want a content block object",
		msgs(`[{"role":"user","content":[{"text":"x"}]}]`):   "messages: messages[0].content[0].type: is required",
		msgs(`[{"role":"user","content":"x"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"foo"}]}]`):     `messages: messages[1].content[1].type: unknown block type "foo"`,
		msgs(`[{"role":"user","content":[{"type":"text"}]}]`):                                                             "messages: messages[0].content[0].text: is required",
		msgs(`[{"role":"user","content":[{"type":"text","text":5}]}]`):                                                    "messages: messages[0].content[0].text: want a string",
		msgs(`[{"role":"user","content":[{"type":"tool_use","id":"a","name":"f"}]}]`):                                     "messages: messages[0].content[0].type: tool_use blocks belong in assistant messages",
		msgs(`[{"role":"assistant","content":[{"type":"tool_result","tool_use_id":"a"}]}]`):                               "messages: messages[0].content[0].type: tool_result blocks belong in user messages",
		msgs(`[{"role":"assistant","content":[{"type":"tool_use","name":"f","input":{}}]}]`):                              "messages: messages[0].content[0].id: is required",
		msgs(`[{"role":"assistant","content":[{"type":"thinking","thinking":"x","signature":1}]}]`):                       "messages: messages[0].content[0].signature: want a string",
		msgs(`[{"role":"user","content":[{"type":"tool_result"}]}]`):                                                      "messages: messages[0].content[0].tool_use_id: is required",
		msgs(`[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a","is_error":"yes"}]}]`):                   "messages: messages[0].content[0].is_error: want true or false",
		msgs(`[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":[{"type":"tool_result"}]}]}]`): "messages: messages[0].content[0].content[0].type: a tool_result cannot hold a tool_result",
		`{"model":"m","messages":[],"system":5}`:                                                                          "messages: system: want a string or an array of text blocks",
		`{"model":"m","messages":[],"system":[{"type":"image"}]}`:                                                         `messages: system[0].type: want "text", got "image"`,
		`{"model":"m","messages":[],"max_tokens":1.5}`:                                                                    "messages: max_tokens: want an integer",
		`{"model":"m","messages":[],"max_tokens":"1"}`:                                                                    "messages: max_tokens: want an integer",
		`{"model":"m","messages":[],"temperature":"hot"}`:                                                                 "messages: temperature: want a number",
		`{"model":"m","messages":[],"stream":1}`:                                                                          "messages: stream: want true or false",
		`{"model":"m","messages":[],"stop_sequences":"END"}`:                                                              "messages: stop_sequences: want an array of strings",
		`{"model":"m","messages":[],"metadata":"u"}`:                                                                      "messages: metadata: want an object",
		`{"model":"m","messages":[],"tools":{}}`:                                                                          "messages: tools: want an array of tools",
		`{"model":"m","messages":[],"tools":[{"input_schema":{}}]}`:                                                       "messages: tools[0].name: is required",
		`{"model":"m","messages":[],"tools":[{"name":"f","input_schema":[]}]}`:                                            "messages: tools[0].input_schema: want a JSON Schema object",
		`{"model":"m","messages":[],"tool_choice":"auto"}`:                                                                "messages: tool_choice: want an object with a type",
		`{"model":"m","messages":[],"top_k":"5"}`:                                                                         "messages: top_k: want an integer",
		`{"model":"m","messages":[],"thinking":true}`:                                                                     "messages: thinking: want an object with a string type",
		`{"model":"m","messages":[],"service_tier":1}`:                                                                    "messages: service_tier: want a string",
		`{"model":"m","messages":[],"seed":1}`:                                                                            "messages: seed: not a Messages API parameter",
		`{"model":"m","messages":[],"user":"u"}`:                                                                          "messages: user: not a Messages API parameter",
	} {
		_, err := DecodeRequest([]byte(body))
		e, ok := err.(*llmux.Error)
		if !ok || e.Code != llmux.CodeInvalidRequest || !strings.HasPrefix(e.Message, want) {
			t.Errorf("%s:\n got %v\nwant %s", body, err, want)
			continue
		}
		if status, b := EncodeError(err); status != 400 || !strings.Contains(string(b), `"type":"invalid_request_error"`) {
			t.Errorf("%s: EncodeError = %d %s", body, status, b)
		}
	}
}

// TestDecodeRequest_NullsAreUnset: null optional members are left unset.
func TestDecodeRequest_NullsAreUnset(t *testing.T) {
	req := decodeOK(t, `{"model":"m","messages":[],"system":null,"max_tokens":null,"temperature":null,"top_p":null,"stream":null,`+
		`"stop_sequences":null,"metadata":null,"tools":null,"tool_choice":null}`)
	if d := cmp.Diff(&llmux.Request{Model: "m", Messages: []llmux.Message{}}, req, cmpopts.IgnoreUnexported(llmux.Request{}), cmpopts.EquateEmpty()); d != "" {
		t.Error(d)
	}
}
