package anthropic

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

var ephemeral = json.RawMessage(`{"type":"ephemeral"}`)

// TestChat_ThinkingBlocksLeadTheAssistantTurn: an assistant message sent
// back with its thinking blocks carries them first, signed, then its text
// and tool_use, as extended thinking with tool use requires.
func TestChat_ThinkingBlocksLeadTheAssistantTurn(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	req := &llmux.Request{
		Messages: []llmux.Message{
			llmux.User("What is the weather in Paris?"),
			{
				Role: llmux.RoleAssistant, Content: "Let me check the weather in Paris.",
				ReasoningContent: "The user wants the current weather in Paris.",
				ThinkingBlocks: []llmux.ThinkingBlock{
					{Type: "thinking", Thinking: "The user wants the current weather in Paris.", Signature: "EqQBCgIYAhIM1gbc"},
					{Type: "redacted_thinking", Data: "EmwKAhgBEgy3va3p"},
					{Type: "thinking", Signature: "EqQBCgIYAhIMomit"}, // display omitted: no text
				},
				ToolCalls: []llmux.ToolCall{{ID: "toolu_01Csw", Type: "function",
					Function: llmux.FunctionCall{Name: "get_weather", Arguments: `{"location":"Paris, France"}`}}},
			},
			llmux.ToolResult("toolu_01Csw", "18 degrees"),
		},
		Tools:           []llmux.Tool{weatherTool},
		ReasoningEffort: "low",
	}
	if _, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5")); err != nil {
		t.Fatal(err)
	}
	body := f.Only(t).Body
	providertest.Golden(t, "testdata/golden/thinking-request.json", body)
	want := `{"role":"assistant","content":[` +
		`{"type":"thinking","thinking":"The user wants the current weather in Paris.","signature":"EqQBCgIYAhIM1gbc"},` +
		`{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3p"},` +
		`{"type":"thinking","thinking":"","signature":"EqQBCgIYAhIMomit"},` +
		`{"type":"text","text":"Let me check the weather in Paris."},` +
		`{"type":"tool_use","id":"toolu_01Csw","name":"get_weather","input":{"location":"Paris, France"}}]}`
	if !strings.Contains(string(body), want) {
		t.Errorf("body = %s\nwant assistant turn %s", body, want)
	}
}

func TestChat_ReasoningContentAloneIsNotSent(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	req := &llmux.Request{Messages: []llmux.Message{
		llmux.User("Hi"),
		{Role: llmux.RoleAssistant, Content: "Hello", ReasoningContent: "unsigned reasoning from another server"},
		llmux.User("Again"),
	}}
	if _, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5")); err != nil {
		t.Fatal(err)
	}
	if body := string(f.Only(t).Body); strings.Contains(body, "unsigned") || !strings.Contains(body, `{"role":"assistant","content":"Hello"}`) {
		t.Errorf("body = %s", body)
	}
}

func TestChat_UnknownThinkingBlockTypeRejected(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	req := &llmux.Request{Messages: []llmux.Message{
		{Role: llmux.RoleAssistant, Content: "x", ThinkingBlocks: []llmux.ThinkingBlock{{Type: "thought"}}},
	}}
	_, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5"))
	if e := providertest.AsError(t, err); e.Code != llmux.CodeInvalidRequest || !strings.Contains(e.Message, `"thought"`) {
		t.Errorf("error = %+v", e)
	}
}

// TestChat_CacheControlMarkers: message, part and tool markers land on
// the blocks they mark; a marked system message makes the system prompt
// an array of text blocks.
func TestChat_CacheControlMarkers(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	req := &llmux.Request{
		Messages: []llmux.Message{
			llmux.System("You are a helpful assistant."),
			{Role: llmux.RoleSystem, Content: "Here is the full text of a long contract: ...", CacheControl: ephemeral},
			{Role: llmux.RoleUser, Content: "Summarise the contract.", CacheControl: json.RawMessage(`{ "type": "ephemeral", "ttl": "1h" }`)},
			llmux.Assistant("It is a lease."),
			{Role: llmux.RoleUser, Parts: []llmux.ContentPart{
				{Type: "text", Text: "Long context part", CacheControl: ephemeral},
				{Type: "text", Text: "What does clause 4 say?"},
			}},
			{Role: llmux.RoleAssistant, ToolCalls: []llmux.ToolCall{{ID: "toolu_1", Function: llmux.FunctionCall{Name: "get_weather", Arguments: "{}"}}}, CacheControl: ephemeral},
			{Role: llmux.RoleTool, ToolCallID: "toolu_1", Content: "sunny", CacheControl: ephemeral},
		},
		Tools: []llmux.Tool{weatherTool, {Type: "function", Function: llmux.Function{Name: "now"}, CacheControl: ephemeral}},
	}
	if _, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5")); err != nil {
		t.Fatal(err)
	}
	body := string(f.Only(t).Body)
	providertest.Golden(t, "testdata/golden/cache-control.json", []byte(body))
	for _, want := range []string{
		`"system":[{"type":"text","text":"You are a helpful assistant."},{"type":"text","text":"Here is the full text of a long contract: ...","cache_control":{"type":"ephemeral"}}]`,
		`{"role":"user","content":[{"type":"text","text":"Summarise the contract.","cache_control":{"type":"ephemeral","ttl":"1h"}}]}`,
		`{"role":"assistant","content":"It is a lease."}`,
		`{"type":"text","text":"Long context part","cache_control":{"type":"ephemeral"}},{"type":"text","text":"What does clause 4 say?"}`,
		`{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{},"cache_control":{"type":"ephemeral"}}`,
		`{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny","cache_control":{"type":"ephemeral"}}`,
		`{"name":"now","input_schema":{"type":"object","properties":{}},"cache_control":{"type":"ephemeral"}}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s", want)
		}
	}
}

func TestChat_CacheControlErrors(t *testing.T) {
	for name, msgs := range map[string][]llmux.Message{
		"not json":               {{Role: llmux.RoleUser, Content: "Hi", CacheControl: json.RawMessage(`{oops`)}},
		"nothing to mark":        {{Role: llmux.RoleUser, Content: "", CacheControl: ephemeral}},
		"empty text part":        {{Role: llmux.RoleUser, Parts: []llmux.ContentPart{{Type: "text", CacheControl: ephemeral}}}},
		"empty system":           {{Role: llmux.RoleSystem, CacheControl: ephemeral}, llmux.User("Hi")},
		"thinking only assitant": {llmux.User("Hi"), {Role: llmux.RoleAssistant, ThinkingBlocks: []llmux.ThinkingBlock{{Type: "thinking", Signature: "s"}}, CacheControl: ephemeral}},
	} {
		f := serve(t, http.StatusOK, "message.json")
		_, err := f.provider().Chat(bg, f.attempt(&llmux.Request{Messages: msgs}, "claude-sonnet-4-5"))
		if e := providertest.AsError(t, err); e.Code != llmux.CodeInvalidRequest || e.Param != "cache_control" {
			t.Errorf("%s: error = %+v", name, e)
		}
		if n := len(f.Requests()); n != 0 {
			t.Errorf("%s: %d requests sent", name, n)
		}
	}
}

// TestChat_FileParts: inline PDFs become base64 documents, plain text a
// text document, images image blocks, and an uploaded file's id a file
// document sent with the Files API beta header.
func TestChat_FileParts(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	req := &llmux.Request{Messages: []llmux.Message{{Role: llmux.RoleUser, Parts: []llmux.ContentPart{
		{Type: "file", File: &llmux.File{FileData: "data:application/pdf;base64,JVBERi0xLjQK", Filename: "contract.pdf"}, CacheControl: ephemeral},
		{Type: "file", File: &llmux.File{FileData: "data:text/plain;base64,aGVsbG8gd29ybGQ="}},
		{Type: "file", File: &llmux.File{FileData: "data:image/png;base64,iVBORw0KGgo="}},
		{Type: "file", File: &llmux.File{FileID: "file_011CNha8iCJcU1wXNR6q4V8w"}},
		{Type: "text", Text: "Compare these."},
	}}}}
	p := f.provider(WithHeader("anthropic-beta", "foo-2025-01-01"))
	if _, err := p.Chat(bg, f.attempt(req, "claude-sonnet-4-5")); err != nil {
		t.Fatal(err)
	}
	r := f.Only(t)
	providertest.Golden(t, "testdata/golden/files.json", r.Body)
	for _, want := range []string{
		`{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0xLjQK"},"title":"contract.pdf","cache_control":{"type":"ephemeral"}}`,
		`{"type":"document","source":{"type":"text","media_type":"text/plain","data":"hello world"}}`,
		`{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}`,
		`{"type":"document","source":{"type":"file","file_id":"file_011CNha8iCJcU1wXNR6q4V8w"}}`,
	} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("body lacks %s", want)
		}
	}
	if got := r.Header.Values("anthropic-beta"); len(got) != 2 || got[0] != "foo-2025-01-01" || got[1] != filesBeta {
		t.Errorf("anthropic-beta = %q", got)
	}

	// A beta already configured is not sent twice; without file ids there
	// is none.
	p = f.provider(WithHeader("anthropic-beta", "foo-2025-01-01,"+filesBeta))
	sr, err := p.ChatStream(bg, f.attempt(req, "claude-sonnet-4-5"))
	if err != nil {
		t.Fatal(err)
	}
	sr.Close()
	if got := last(t, f).Header.Values("anthropic-beta"); len(got) != 1 {
		t.Errorf("anthropic-beta = %q", got)
	}
	if _, err := f.provider().Chat(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}}, "claude-sonnet-4-5")); err != nil {
		t.Fatal(err)
	}
	if got := last(t, f).Header.Values("anthropic-beta"); len(got) != 0 {
		t.Errorf("anthropic-beta = %q", got)
	}
}

func TestChat_UnsupportedPartsRejected(t *testing.T) {
	for name, tc := range map[string]struct {
		part llmux.ContentPart
		want string
	}{
		"input_audio":       {llmux.ContentPart{Type: "input_audio", InputAudio: &llmux.InputAudio{Data: "UklGRg==", Format: "wav"}}, "message 0, content part 0: input_audio is not supported"},
		"file media type":   {llmux.ContentPart{Type: "file", File: &llmux.File{FileData: "data:application/zip;base64,UEsDBA=="}}, `"application/zip"`},
		"file not data url": {llmux.ContentPart{Type: "file", File: &llmux.File{FileData: "https://example.com/a.pdf"}}, "file_data must be"},
		"file bad base64":   {llmux.ContentPart{Type: "file", File: &llmux.File{FileData: "data:text/plain;base64,!!"}}, "not valid base64"},
		"file empty":        {llmux.ContentPart{Type: "file", File: &llmux.File{}}, "needs file_data or file_id"},
		"file missing":      {llmux.ContentPart{Type: "file"}, "file part without file"},
		"unknown type":      {llmux.ContentPart{Type: "video_url"}, `unsupported type "video_url"`},
	} {
		f := serve(t, http.StatusOK, "message.json")
		req := &llmux.Request{Messages: []llmux.Message{{Role: llmux.RoleUser, Parts: []llmux.ContentPart{tc.part}}}}
		_, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5"))
		if e := providertest.AsError(t, err); e.Code != llmux.CodeInvalidRequest || !strings.Contains(e.Message, tc.want) {
			t.Errorf("%s: error = %+v", name, e)
		}
		if n := len(f.Requests()); n != 0 {
			t.Errorf("%s: %d requests sent", name, n)
		}
	}
}

func TestChat_ServiceTierAndParallelToolCalls(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	req := &llmux.Request{
		Messages:          []llmux.Message{llmux.User("Hi")},
		Tools:             []llmux.Tool{weatherTool},
		ToolChoice:        llmux.ToolChoiceFunction("get_weather"),
		ParallelToolCalls: ptr(false),
		Extra:             map[string]json.RawMessage{"service_tier": json.RawMessage(`"auto"`), "top_k": json.RawMessage(`3`)},
	}
	if _, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5")); err != nil {
		t.Fatal(err)
	}
	want := `"tool_choice":{"type":"tool","name":"get_weather","disable_parallel_tool_use":true},"service_tier":"auto","top_k":3}`
	if body := string(f.Only(t).Body); !strings.HasSuffix(body, want) {
		t.Errorf("body = %s\nwant suffix %s", body, want)
	}
}
