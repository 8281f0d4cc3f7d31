package responses

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

// The chat request a body using every member decodes to, its call
// metadata, and the response object echoing it.
func TestDecodeRequest_EveryMemberGolden(t *testing.T) {
	fixedClockAndIDs(t)
	req, echo, err := DecodeRequest(providertest.Fixture(t, "request-all.json"))
	if err != nil {
		t.Fatal(err)
	}
	chat, err := req.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	meta, err := json.Marshal(req.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := EncodeResponse(&llmux.Response{Created: 1764000001, Choices: []llmux.Choice{{
		Message: llmux.Assistant(`{"summary":"sunny"}`), FinishReason: "stop"}}}, echo)
	if err != nil {
		t.Fatal(err)
	}
	got := `{"chat":` + string(chat) + `,"metadata":` + string(meta) + `,"response":` + string(resp) + `}`
	providertest.Golden(t, "testdata/golden/request-all.json", pretty(t, []byte(got)))
	if !req.Stream {
		t.Error("Stream not set")
	}
}

func TestDecodeRequest_StringInput(t *testing.T) {
	req, echo, err := DecodeRequest([]byte(`{"model":"gpt-4o-mini","input":"Hello"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []llmux.Message{llmux.User("Hello")}
	if diff := cmp.Diff(want, req.Messages, cmp.AllowUnexported(llmux.Message{})); diff != "" {
		t.Error(diff)
	}
	if req.Model != "gpt-4o-mini" || echo.Model != "gpt-4o-mini" || req.Stream || req.Tools != nil || req.Extra != nil {
		t.Errorf("request %+v, echo %+v", req, echo)
	}
	body, _ := req.MarshalJSON()
	if string(body) != `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}` {
		t.Errorf("chat body %s", body)
	}
}

// Function calls join the assistant message before them; an assistant
// message after a turn's tool calls joins them too; tool outputs split
// turns.
func TestDecodeRequest_ToolCallsJoinTheirAssistantTurn(t *testing.T) {
	body := `{"model":"m","input":[
		{"role":"user","content":"hi"},
		{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
		{"type":"function_call","call_id":"c2","name":"g","arguments":""},
		{"role":"assistant","content":"calling"},
		{"type":"function_call_output","call_id":"c1","output":"1"},
		{"type":"function_call_output","call_id":"c2","output":"2"},
		{"type":"function_call","call_id":"c3","name":"f","arguments":"{}"}
	]}`
	req, _, err := DecodeRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	chat, _ := json.Marshal(req.Messages)
	want := `[{"role":"user","content":"hi"},` +
		`{"role":"assistant","content":"calling","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}},{"id":"c2","type":"function","function":{"name":"g","arguments":""}}]},` +
		`{"role":"tool","content":"1","tool_call_id":"c1"},{"role":"tool","content":"2","tool_call_id":"c2"},` +
		`{"role":"assistant","content":null,"tool_calls":[{"id":"c3","type":"function","function":{"name":"f","arguments":"{}"}}]}]`
	if string(chat) != want {
		t.Errorf("messages\n got %s\nwant %s", chat, want)
	}
}

func TestDecodeRequest_Mappings(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string // want: the chat body
	}{
		{"json_object format", `{"model":"m","input":"x","text":{"format":{"type":"json_object"}}}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}}`},
		{"text format is not sent", `{"model":"m","input":"x","text":{"format":{"type":"text"}}}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}]}`},
		{"tool settings without tools are not sent", `{"model":"m","input":"x","tool_choice":"required","parallel_tool_calls":true,"tools":[]}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}]}`},
		{"tool_choice mode", `{"model":"m","input":"x","tools":[{"type":"function","name":"f"}],"tool_choice":"none"}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"none"}`},
		{"allowed_tools", `{"model":"m","input":"x","tools":[{"type":"function","name":"f"}],"tool_choice":{"type":"allowed_tools","mode":"required","tools":[{"type":"function","name":"f"}]}}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"allowed_tools":{"mode":"required","tools":[{"type":"function","function":{"name":"f"}}]},"type":"allowed_tools"}}`},
		{"top_logprobs alone is echoed only", `{"model":"m","input":"x","top_logprobs":2}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}]}`},
		{"logprobs", `{"model":"m","input":"x","include":["message.output_text.logprobs"]}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}],"logprobs":true}`},
		{"nulls are absent", `{"model":"m","input":"x","temperature":null,"tools":null,"instructions":null,"previous_response_id":null,"reasoning":null,"text":null,"metadata":null}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}]}`},
		{"instructions alone", `{"model":"m","instructions":"be brief"}`,
			`{"model":"m","messages":[{"role":"system","content":"be brief"}]}`},
		{"integral float max_output_tokens", `{"model":"m","input":"x","max_output_tokens":100.0}`,
			`{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":100}`},
		{"bare base64 file data gets a data URL", `{"model":"m","input":[{"role":"user","content":[{"type":"input_file","filename":"a.txt","file_data":"aGk="}]}]}`,
			`{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"data:text/plain;base64,aGk=","filename":"a.txt"}}]}]}`},
		{"refusal part", `{"model":"m","input":[{"role":"assistant","content":[{"type":"refusal","refusal":"no"}]},{"role":"user","content":"please"}]}`,
			`{"model":"m","messages":[{"role":"assistant","content":"","refusal":"no"},{"role":"user","content":"please"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _, err := DecodeRequest([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			got, err := req.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// Each refusal names the member's path, says "responses: ", and has the
// right code.
func TestDecodeRequest_ErrorsNameThePath(t *testing.T) {
	for _, tc := range []struct {
		body, param string
		code        llmux.Code
		msg         string // a part of the message
	}{
		{`[]`, "", llmux.CodeInvalidRequest, "want a JSON object"},
		{`{"model":"m","input":"x"`, "", llmux.CodeInvalidRequest, "invalid JSON"},
		{`{"input":"x"}`, "model", llmux.CodeInvalidRequest, "required"},
		{`{"model":"","input":"x"}`, "model", llmux.CodeInvalidRequest, "must not be empty"},
		{`{"model":1,"input":"x"}`, "model", llmux.CodeInvalidRequest, "want a string"},
		{`{"model":"m"}`, "input", llmux.CodeInvalidRequest, "required"},
		{`{"model":"m","input":[]}`, "input", llmux.CodeInvalidRequest, "required"},
		{`{"model":"m","input":7}`, "input", llmux.CodeInvalidRequest, "want a string or an array"},
		{`{"model":"m","input":"x","previous_response_id":"resp_1"}`, "previous_response_id", llmux.CodeUnsupported, "stored"},
		{`{"model":"m","input":"x","conversation":"conv_1"}`, "conversation", llmux.CodeUnsupported, "not supported"},
		{`{"model":"m","input":"x","prompt":{"id":"pmpt_1"}}`, "prompt", llmux.CodeUnsupported, "not supported"},
		{`{"model":"m","input":"x","background":true}`, "background", llmux.CodeUnsupported, "background"},
		{`{"model":"m","input":"x","max_tokens":5}`, "max_tokens", llmux.CodeInvalidRequest, "use max_output_tokens"},
		{`{"model":"m","input":"x","messages":[]}`, "messages", llmux.CodeInvalidRequest, "use input"},
		{`{"model":"m","input":"x","temperature":"hot"}`, "temperature", llmux.CodeInvalidRequest, "want a number"},
		{`{"model":"m","input":"x","max_output_tokens":1.5}`, "max_output_tokens", llmux.CodeInvalidRequest, "want an integer"},
		{`{"model":"m","input":"x","stream":"yes"}`, "stream", llmux.CodeInvalidRequest, "want true or false"},
		{`{"model":"m","input":"x","truncation":"middle"}`, "truncation", llmux.CodeInvalidRequest, "want \"auto\" or \"disabled\""},
		{`{"model":"m","input":[{"role":"user","content":"a"},{"role":"robot","content":"b"}]}`, "input[1].role", llmux.CodeInvalidRequest, "not \"robot\""},
		{`{"model":"m","input":[{"role":"user"}]}`, "input[0].content", llmux.CodeInvalidRequest, "required"},
		{`{"model":"m","input":[{"role":"user","content":"a"},{"role":"user","content":"b"},{"role":"user","content":[{"type":"input_text","text":"c"},{"type":"input_video"}]}]}`,
			"input[2].content[1].type", llmux.CodeUnsupported, "\"input_video\""},
		{`{"model":"m","input":[{"role":"user","content":[{"text":"c"}]}]}`, "input[0].content[0].type", llmux.CodeInvalidRequest, "required"},
		{`{"model":"m","input":[{"role":"user","content":[{"type":"input_image"}]}]}`, "input[0].content[0]", llmux.CodeInvalidRequest, "image_url or file_id"},
		{`{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_url":"https://x/y.pdf"}]}]}`, "input[0].content[0].file_url", llmux.CodeUnsupported, "file_data or file_id"},
		{`{"model":"m","input":[{"role":"assistant","content":[{"type":"input_image","image_url":"https://x"}]}]}`, "input[0].content[0].type", llmux.CodeInvalidRequest, "assistant"},
		{`{"model":"m","input":[{"type":"item_reference","id":"msg_1"}]}`, "input[0].type", llmux.CodeUnsupported, "send the item itself"},
		{`{"model":"m","input":[{"type":"web_search_call","id":"ws_1"}]}`, "input[0].type", llmux.CodeUnsupported, "\"web_search_call\""},
		{`{"model":"m","input":[{"type":"function_call","name":"f","arguments":"{}"}]}`, "input[0].call_id", llmux.CodeInvalidRequest, "required"},
		{`{"model":"m","input":[{"type":"function_call_output","call_id":"c"}]}`, "input[0].output", llmux.CodeInvalidRequest, "required"},
		{`{"model":"m","input":[{"type":"function_call_output","call_id":"c","output":[{"type":"input_image","image_url":"https://x"}]}]}`, "input[0].output[0].type", llmux.CodeUnsupported, "text only"},
		{`{"model":"m","input":"x","tools":[{"type":"function","name":"f"},{"type":"web_search"}]}`, "tools[1].type", llmux.CodeUnsupported, "built-in tool \"web_search\""},
		{`{"model":"m","input":"x","tools":[{"type":"file_search","vector_store_ids":["vs_1"]}]}`, "tools[0].type", llmux.CodeUnsupported, "\"file_search\""},
		{`{"model":"m","input":"x","tools":[{"type":"computer_use_preview"}]}`, "tools[0].type", llmux.CodeUnsupported, "\"computer_use_preview\""},
		{`{"model":"m","input":"x","tools":[{"type":"custom","name":"apply"}]}`, "tools[0].type", llmux.CodeUnsupported, "custom"},
		{`{"model":"m","input":"x","tools":[{"type":"function","function":{"name":"f"}}]}`, "tools[0].function", llmux.CodeInvalidRequest, "unknown member"},
		{`{"model":"m","input":"x","tools":[{"type":"function","name":"f","parameters":"{}"}]}`, "tools[0].parameters", llmux.CodeInvalidRequest, "JSON Schema"},
		{`{"model":"m","input":"x","tools":{}}`, "tools", llmux.CodeInvalidRequest, "array"},
		{`{"model":"m","input":"x","tool_choice":"any"}`, "tool_choice", llmux.CodeInvalidRequest, "not \"any\""},
		{`{"model":"m","input":"x","tool_choice":{"type":"function"}}`, "tool_choice.name", llmux.CodeInvalidRequest, "required"},
		{`{"model":"m","input":"x","tool_choice":{"type":"file_search"}}`, "tool_choice.type", llmux.CodeUnsupported, "\"file_search\""},
		{`{"model":"m","input":"x","text":{"format":{"type":"xml"}}}`, "text.format.type", llmux.CodeInvalidRequest, "not \"xml\""},
		{`{"model":"m","input":"x","text":{"format":{"type":"json_schema","schema":{}}}}`, "text.format.name", llmux.CodeInvalidRequest, "required"},
		{`{"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"n"}}}`, "text.format.schema", llmux.CodeInvalidRequest, "required"},
		{`{"model":"m","input":"x","reasoning":{"effort":3}}`, "reasoning.effort", llmux.CodeInvalidRequest, "want a string"},
		{`{"model":"m","input":"x","metadata":{"k":1}}`, "metadata.k", llmux.CodeInvalidRequest, "want a string"},
		{`{"model":"m","input":"x","include":["a",2]}`, "include[1]", llmux.CodeInvalidRequest, "want a string"},
	} {
		t.Run(tc.param+" "+tc.msg, func(t *testing.T) {
			_, _, err := DecodeRequest([]byte(tc.body))
			e := providertest.AsError(t, err)
			if e.Code != tc.code || e.Param != tc.param {
				t.Errorf("code %v param %q, want %v %q (%v)", e.Code, e.Param, tc.code, tc.param, err)
			}
			prefix := "responses: "
			if tc.param != "" {
				prefix += tc.param + ": "
			}
			if !strings.HasPrefix(e.Message, prefix) || !strings.Contains(e.Message, tc.msg) {
				t.Errorf("message %q, want prefix %q and %q", e.Message, prefix, tc.msg)
			}
			if e.Code.HTTPStatus() != 400 {
				t.Errorf("status %d", e.Code.HTTPStatus())
			}
		})
	}
}

// Members the Responses API does not have go to Extra, and reach the
// provider, as on the chat endpoint.
func TestDecodeRequest_UnknownMembersReachExtra(t *testing.T) {
	req, _, err := DecodeRequest([]byte(`{"model":"m","input":"x","top_k":40,"thinking":{"type":"enabled"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if string(req.Extra["top_k"]) != "40" || string(req.Extra["thinking"]) != `{"type":"enabled"}` || len(req.Extra) != 2 {
		t.Errorf("extra %v", req.Extra)
	}
}

// The request does not keep the body: changing the body after decoding
// changes nothing.
func TestDecodeRequest_DoesNotAliasTheBody(t *testing.T) {
	body := providertest.Fixture(t, "request-all.json")
	req, echo, err := DecodeRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := req.MarshalJSON()
	beforeEcho, _ := EncodeResponse(&llmux.Response{ID: "x", Created: 1}, echo)
	for i := range body {
		body[i] = ' '
	}
	after, _ := req.MarshalJSON()
	afterEcho, _ := EncodeResponse(&llmux.Response{ID: "x", Created: 1}, echo)
	if string(before) != string(after) {
		t.Errorf("request changed with the body:\n%s\n%s", before, after)
	}
	// Ids and completed_at differ between the two; compare the echo only.
	strip := func(b []byte) map[string]any {
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		delete(m, "id")
		delete(m, "completed_at")
		delete(m, "output")
		return m
	}
	if diff := cmp.Diff(strip(beforeEcho), strip(afterEcho)); diff != "" {
		t.Error(diff)
	}
}

// The second request of a Vercel AI SDK tool loop (@ai-sdk/openai
// 3.0.141, recorded): the tool call and its result go back as items.
func TestDecodeRequest_AISDKToolStep(t *testing.T) {
	req, _, err := DecodeRequest(providertest.Fixture(t, "request-aisdk-tool-step.json"))
	if err != nil {
		t.Fatal(err)
	}
	chat, err := req.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	providertest.Golden(t, "testdata/golden/request-aisdk-tool-step.json", pretty(t, chat))
}
