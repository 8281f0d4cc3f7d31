package anthropic

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

// sent returns the body the provider sends for req.
func sent(t *testing.T, req *llmux.Request) (string, providertest.Request) {
	t.Helper()
	f := serve(t, http.StatusOK, "message.json")
	if _, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5")); err != nil {
		t.Fatal(err)
	}
	r := f.Only(t)
	return string(r.Body), r
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// TestChat_AnthropicBlocksPassThrough: parts of Anthropic's own block
// types (as a gateway taking Anthropic's format makes them) are sent as
// those blocks, with every member; a text part's Extra members
// (citations) stay on its block; a file source adds the Files API beta.
func TestChat_AnthropicBlocksPassThrough(t *testing.T) {
	req := &llmux.Request{Messages: []llmux.Message{
		{Role: llmux.RoleUser, Parts: []llmux.ContentPart{
			{Type: "document", Extra: map[string]json.RawMessage{"source": raw(`{"type":"url","url":"https://example.com/a.pdf"}`), "citations": raw(`{"enabled":true}`)}, CacheControl: ephemeral},
			{Type: "image", Extra: map[string]json.RawMessage{"source": raw(`{ "type": "file", "file_id": "file_1" }`)}},
			{Type: "search_result", Extra: map[string]json.RawMessage{"source": raw(`"s"`), "title": raw(`"t"`), "content": raw(`[]`)}},
			{Type: "text", Text: "Question?"},
		}},
		{Role: llmux.RoleAssistant, Parts: []llmux.ContentPart{
			{Type: "text", Text: "Cited.", Extra: map[string]json.RawMessage{"citations": raw(`[{"type":"char_location","cited_text":"x"}]`)}},
			{Type: "server_tool_use", Extra: map[string]json.RawMessage{"id": raw(`"srvtoolu_1"`), "name": raw(`"web_search"`), "input": raw(`{"query":"q"}`)}},
			{Type: "web_search_tool_result", Extra: map[string]json.RawMessage{"tool_use_id": raw(`"srvtoolu_1"`), "content": raw(`[]`)}},
		}},
	}}
	body, r := sent(t, req)
	for _, want := range []string{
		`{"role":"user","content":[{"type":"document","citations":{"enabled":true},"source":{"type":"url","url":"https://example.com/a.pdf"},"cache_control":{"type":"ephemeral"}},` +
			`{"type":"image","source":{"type":"file","file_id":"file_1"}},{"type":"search_result","content":[],"source":"s","title":"t"},{"type":"text","text":"Question?"}]}`,
		`{"role":"assistant","content":[{"type":"text","text":"Cited.","citations":[{"type":"char_location","cited_text":"x"}]},` +
			`{"type":"server_tool_use","id":"srvtoolu_1","input":{"query":"q"},"name":"web_search"},{"type":"web_search_tool_result","content":[],"tool_use_id":"srvtoolu_1"}]}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body = %s\nlacks %s", body, want)
		}
	}
	if got := r.Header.Values("anthropic-beta"); len(got) != 1 || got[0] != filesBeta {
		t.Errorf("anthropic-beta = %q", got)
	}
}

// TestChat_ToolMembers: a tool result keeps its parts as blocks and its
// is_error; a tool call its cache_control and caller, but not the members
// another provider's answer may carry; a system message with parts stays
// an array of blocks.
func TestChat_ToolMembers(t *testing.T) {
	req := &llmux.Request{Messages: []llmux.Message{
		{Role: llmux.RoleSystem, Parts: []llmux.ContentPart{{Type: "text", Text: "A."}, {Type: "text", Text: "B."}}},
		llmux.User("Hi"),
		{Role: llmux.RoleAssistant, ToolCalls: []llmux.ToolCall{{ID: "toolu_1", Type: "function", Function: llmux.FunctionCall{Name: "f", Arguments: `{}`},
			Extra: map[string]json.RawMessage{"cache_control": ephemeral, "caller": raw(`{"type":"direct"}`), "extra_content": raw(`{"google":{}}`)}}}},
		{Role: llmux.RoleTool, ToolCallID: "toolu_1", Extra: map[string]json.RawMessage{"is_error": raw(`true`), "name": raw(`"f"`)},
			Parts: []llmux.ContentPart{{Type: "text", Text: "failed"}, {Type: "image_url", ImageURL: &llmux.ImageURL{URL: "data:image/png;base64,iVBO"}}}},
	}}
	body, _ := sent(t, req)
	for _, want := range []string{
		`"system":[{"type":"text","text":"A."},{"type":"text","text":"B."}]`,
		`{"type":"tool_use","id":"toolu_1","name":"f","input":{},"cache_control":{"type":"ephemeral"},"caller":{"type":"direct"}}`,
		`{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"failed"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBO"}}],"is_error":true}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body = %s\nlacks %s", body, want)
		}
	}
	if strings.Contains(body, "extra_content") {
		t.Errorf("a foreign tool call member was sent: %s", body)
	}
}

// TestChat_ServerToolsAndToolMembers: tools of Anthropic's server types
// pass as they are; a function tool's Extra members are sent after its
// own; OpenAI's custom tools are still refused.
func TestChat_ServerToolsAndToolMembers(t *testing.T) {
	req := &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}, Tools: []llmux.Tool{
		{Type: "function", Function: llmux.Function{Name: "f", Parameters: raw(`{"type":"object"}`)}, Extra: map[string]json.RawMessage{"input_examples": raw(`[{}]`)}},
		{Type: "web_search_20250305", Function: llmux.Function{Name: "web_search"}, Extra: map[string]json.RawMessage{"max_uses": raw(`3`)}, CacheControl: ephemeral},
	}}
	body, _ := sent(t, req)
	want := `"tools":[{"name":"f","input_schema":{"type":"object"},"input_examples":[{}]},{"type":"web_search_20250305","name":"web_search","cache_control":{"type":"ephemeral"},"max_uses":3}]`
	if !strings.Contains(body, want) {
		t.Errorf("body = %s\nlacks %s", body, want)
	}
	f := serve(t, http.StatusOK, "message.json")
	req.Tools = []llmux.Tool{{Type: "custom", Function: llmux.Function{Name: "g"}}}
	_, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5"))
	if e := providertest.AsError(t, err); e.Code != llmux.CodeInvalidRequest || !strings.Contains(e.Message, `unsupported type "custom"`) {
		t.Errorf("error = %+v", e)
	}
}

func TestChat_NoMessagesIsAnEmptyArray(t *testing.T) {
	body, _ := sent(t, &llmux.Request{Messages: []llmux.Message{llmux.System("S")}})
	if !strings.Contains(body, `"messages":[]`) {
		t.Errorf("body = %s", body)
	}
}

// TestChatStream_RawOfStartAndDelta: the chunks of message_start and
// message_delta keep their event's data in Raw.
func TestChatStream_RawOfStartAndDelta(t *testing.T) {
	_, r := openStream(t, "message-stream.sse", "claude-sonnet-4-5")
	chunks, err := drain(t, r)
	if err != nil {
		t.Fatal(err)
	}
	var withRaw []string
	for _, c := range chunks {
		if c.Raw != nil {
			var ev struct{ Type string }
			if err := json.Unmarshal(c.Raw, &ev); err != nil {
				t.Fatal(err)
			}
			withRaw = append(withRaw, ev.Type)
		}
	}
	if strings.Join(withRaw, ",") != "message_start,message_delta" {
		t.Errorf("chunks with Raw: %v", withRaw)
	}
}
