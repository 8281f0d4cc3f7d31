package messages

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmux/llmux"
)

// anthropicAnswer returns what the client answers when an Anthropic
// upstream sends the fixture file.
func anthropicAnswer(t *testing.T, file string) *llmux.Response {
	t.Helper()
	u := newUpstream(t, fixture(t, file), nil)
	return call(t, u.anthropicClient(t), &llmux.Request{Model: "claude-sonnet-4-5-20250929", Messages: []llmux.Message{llmux.User("Hi")}})
}

// TestEncodeResponse_AnthropicUpstreamComesBackUnchanged: an Anthropic
// upstream's answer, decoded by provider/anthropic into a chat completion
// and encoded back, is JSON-equal to what the upstream sent.
func TestEncodeResponse_AnthropicUpstreamComesBackUnchanged(t *testing.T) {
	for _, file := range []string{"anthropic-message.json", "anthropic-tool-use.json", "anthropic-thinking-tool-use.json"} {
		t.Run(file, func(t *testing.T) {
			resp := anthropicAnswer(t, file)
			got, err := EncodeResponse(resp, "claude-sonnet-4-5-20250929")
			if err != nil {
				t.Fatal(err)
			}
			if d := jsonDiff(t, got, fixture(t, file)); d != "" {
				t.Errorf("(-upstream +encoded):\n%s", d)
			}
		})
	}
}

// TestEncodeResponse_MappedFormLosesOnlyUsageDetails: without the
// upstream body (a cache hit, a response middleware rebuilt), the mapped
// form differs from what Anthropic sent only in the usage members the
// OpenAI shape has no room for: cache_creation and service_tier.
func TestEncodeResponse_MappedFormLosesOnlyUsageDetails(t *testing.T) {
	for _, file := range []string{"anthropic-message.json", "anthropic-tool-use.json", "anthropic-thinking-tool-use.json"} {
		t.Run(file, func(t *testing.T) {
			resp := anthropicAnswer(t, file)
			resp.Raw = nil
			got, err := EncodeResponse(resp, "claude-sonnet-4-5-20250929")
			if err != nil {
				t.Fatal(err)
			}
			want := decode(t, fixture(t, file)).(map[string]any)
			usage := want["usage"].(map[string]any)
			delete(usage, "cache_creation")
			delete(usage, "service_tier")
			if d := cmp.Diff(want, decode(t, got)); d != "" {
				t.Errorf("(-upstream less usage details +encoded):\n%s", d)
			}
		})
	}
}

// TestEncodeResponse_FromOpenAI: an OpenAI answer with a tool call becomes
// a message with a tool_use block, stop_reason tool_use and Anthropic's
// usage.
func TestEncodeResponse_FromOpenAI(t *testing.T) {
	u := newUpstream(t, fixture(t, "openai-chat-tools.json"), nil)
	resp := call(t, u.openAIClient(t), &llmux.Request{Model: "gpt-4o-mini", Messages: []llmux.Message{llmux.User("Weather in Boston?")}})
	got, err := EncodeResponse(resp, "claude-sonnet-4-5")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"msg_chatcmpl-CZ2xtToolNs3Jd8Qw1Lm6Kb9Vr2Yh","type":"message","role":"assistant","model":"claude-sonnet-4-5",` +
		`"content":[{"type":"tool_use","id":"call_8xQm2Vn4Kd7Lp1Rz9Tb3Ws6Y","name":"get_weather","input":{"location":"Boston, MA"}}],` +
		`"stop_reason":"tool_use","stop_sequence":null,` +
		`"usage":{"input_tokens":82,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":17}}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestEncodeResponse_Mapping(t *testing.T) {
	ans := func(m llmux.Message, finish string) *llmux.Response {
		m.Role = llmux.RoleAssistant
		return &llmux.Response{ID: "chatcmpl-1", Model: "gpt-4o", Choices: []llmux.Choice{{Message: m, FinishReason: finish}},
			Usage: llmux.Usage{PromptTokens: 100, CompletionTokens: 20, TotalTokens: 120, CachedTokens: 30, CacheCreationTokens: 10}}
	}
	call := func(id, name, args string) llmux.ToolCall {
		return llmux.ToolCall{ID: id, Type: "function", Function: llmux.FunctionCall{Name: name, Arguments: args}}
	}
	for name, tc := range map[string]struct {
		resp        *llmux.Response
		content     string // JSON array
		stop        string
		stopSeq     string // JSON
		checkUsage  bool
		wantUsage   string
		checkPrefix bool
	}{
		"text, stop": {resp: ans(llmux.Assistant("Hi"), "stop"), content: `[{"type":"text","text":"Hi"}]`, stop: "end_turn"},
		"length":     {resp: ans(llmux.Assistant("Hi"), "length"), content: `[{"type":"text","text":"Hi"}]`, stop: "max_tokens"},
		"content filter refusal": {resp: ans(llmux.Message{Refusal: "I can't help with that."}, "content_filter"),
			content: `[{"type":"text","text":"I can't help with that."}]`, stop: "refusal"},
		"tool calls with stop": {resp: ans(llmux.Message{ToolCalls: []llmux.ToolCall{call("call_1", "f", `{"a": 1}`)}}, "stop"),
			content: `[{"type":"tool_use","id":"call_1","name":"f","input":{"a":1}}]`, stop: "tool_use"},
		"empty arguments and missing id": {resp: ans(llmux.Message{ToolCalls: []llmux.ToolCall{call("", "f", "")}}, "tool_calls"),
			stop: "tool_use", checkPrefix: true},
		"arguments not JSON": {resp: ans(llmux.Message{ToolCalls: []llmux.ToolCall{call("call_1", "f", `{"a": 1`)}}, "tool_calls"),
			content: `[{"type":"tool_use","id":"call_1","name":"f","input":{},"arguments":"{\"a\": 1"}]`, stop: "tool_use"},
		"reasoning content": {resp: ans(llmux.Message{ReasoningContent: "Let me think.", Content: "42"}, "stop"),
			content: `[{"type":"thinking","thinking":"Let me think.","signature":""},{"type":"text","text":"42"}]`, stop: "end_turn"},
		"thinking blocks, parts, calls": {resp: ans(llmux.Message{
			ThinkingBlocks: []llmux.ThinkingBlock{{Type: "thinking", Thinking: "t", Signature: "sig"}, {Type: "redacted_thinking", Data: "d"}},
			Parts:          []llmux.ContentPart{{Type: "text", Text: "a"}, {Type: "image_url"}, {Type: "text", Text: "b"}},
			ToolCalls:      []llmux.ToolCall{call("toolu_1", "f", "{}"), call("toolu_2", "g", `[1,2]`)},
		}, "tool_calls"),
			content: `[{"type":"thinking","thinking":"t","signature":"sig"},{"type":"redacted_thinking","data":"d"},` +
				`{"type":"text","text":"a"},{"type":"text","text":"b"},` +
				`{"type":"tool_use","id":"toolu_1","name":"f","input":{}},{"type":"tool_use","id":"toolu_2","name":"g","input":[1,2]}]`,
			stop: "tool_use"},
		"anthropic reasons pass": {resp: ans(llmux.Assistant("x"), "pause_turn"), content: `[{"type":"text","text":"x"}]`, stop: "pause_turn"},
		"unknown reason":         {resp: ans(llmux.Assistant("x"), "eos"), content: `[{"type":"text","text":"x"}]`, stop: "end_turn"},
		"usage": {resp: ans(llmux.Assistant(""), "stop"), content: `[]`, stop: "end_turn", checkUsage: true,
			wantUsage: `{"input_tokens":60,"cache_creation_input_tokens":10,"cache_read_input_tokens":30,"output_tokens":20}`},
		"native stop sequence": {resp: func() *llmux.Response {
			r := ans(llmux.Assistant("Hello"), "stop")
			r.Raw = json.RawMessage(`{"type":"message","content":[{"type":"text","text":"Hello"}],"stop_reason":"stop_sequence","stop_sequence":"END","usage":{"input_tokens":1,"output_tokens":1}}`)
			return r
		}(), content: `[{"type":"text","text":"Hello"}]`, stop: "stop_sequence", stopSeq: `"END"`},
		"native content a middleware changed": {resp: func() *llmux.Response {
			r := ans(llmux.Assistant("[redacted]"), "stop")
			r.Raw = json.RawMessage(`{"type":"message","content":[{"type":"text","text":"secret","citations":[]}],"stop_reason":"end_turn","container":{"id":"c"}}`)
			return r
		}(), content: `[{"type":"text","text":"[redacted]"}]`, stop: "end_turn"},
		"native stop that no longer fits": {resp: func() *llmux.Response {
			r := ans(llmux.Assistant("Hello"), "length")
			r.Raw = json.RawMessage(`{"type":"message","content":[{"type":"text","text":"Hello"}],"stop_reason":"stop_sequence","stop_sequence":"END"}`)
			return r
		}(), content: `[{"type":"text","text":"Hello"}]`, stop: "max_tokens"},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := EncodeResponse(tc.resp, "claude-x")
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				ID           string          `json:"id"`
				Type         string          `json:"type"`
				Role         string          `json:"role"`
				Model        string          `json:"model"`
				Content      json.RawMessage `json:"content"`
				StopReason   string          `json:"stop_reason"`
				StopSequence json.RawMessage `json:"stop_sequence"`
				Usage        json.RawMessage `json:"usage"`
			}
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if got.ID != "msg_chatcmpl-1" || got.Type != "message" || got.Role != "assistant" || got.Model != "claude-x" {
				t.Errorf("head = %s", b)
			}
			if tc.checkPrefix {
				var blocks []struct{ ID, Name string }
				_ = json.Unmarshal(got.Content, &blocks)
				if len(blocks) != 1 || !strings.HasPrefix(blocks[0].ID, "toolu_") || len(blocks[0].ID) != len("toolu_")+24 ||
					!strings.Contains(string(got.Content), `"input":{}`) {
					t.Errorf("content = %s", got.Content)
				}
			} else if string(got.Content) != tc.content {
				t.Errorf("content = %s\nwant      %s", got.Content, tc.content)
			}
			if got.StopReason != tc.stop {
				t.Errorf("stop_reason = %q, want %q", got.StopReason, tc.stop)
			}
			want := tc.stopSeq
			if want == "" {
				want = "null"
			}
			if string(got.StopSequence) != want {
				t.Errorf("stop_sequence = %s, want %s", got.StopSequence, want)
			}
			if tc.checkUsage && string(got.Usage) != tc.wantUsage {
				t.Errorf("usage = %s, want %s", got.Usage, tc.wantUsage)
			}
		})
	}
}

func TestEncodeResponse_IDs(t *testing.T) {
	for id, want := range map[string]string{"msg_01X": "msg_01X", "chatcmpl-9": "msg_chatcmpl-9"} {
		b, err := EncodeResponse(&llmux.Response{ID: id, Choices: []llmux.Choice{{Message: llmux.Assistant("x")}}}, "m")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), `{"id":"`+want+`"`) {
			t.Errorf("%s: %s", id, b)
		}
	}
	b, _ := EncodeResponse(&llmux.Response{Model: "upstream-model", Choices: []llmux.Choice{{Message: llmux.Assistant("x")}}}, "")
	var got struct{ ID, Model string }
	_ = json.Unmarshal(b, &got)
	if !strings.HasPrefix(got.ID, "msg_") || len(got.ID) != 28 || got.Model != "upstream-model" {
		t.Errorf("no id, no model: %s", b)
	}
}

func TestEncodeResponse_NoChoiceIsBadResponse(t *testing.T) {
	for _, resp := range []*llmux.Response{nil, {ID: "x"}} {
		_, err := EncodeResponse(resp, "m")
		if llmux.CodeOf(err) != llmux.CodeBadResponse || !strings.HasPrefix(err.(*llmux.Error).Message, "messages: ") {
			t.Errorf("error = %v", err)
		}
	}
}

// TestEncodeResponse_InvalidArgumentsComeBack: arguments that were not
// JSON, kept in the tool_use block's "arguments", are the call's
// arguments again when the client sends the turn back.
func TestEncodeResponse_InvalidArgumentsComeBack(t *testing.T) {
	resp := &llmux.Response{ID: "x", Choices: []llmux.Choice{{FinishReason: "tool_calls", Message: llmux.Message{Role: llmux.RoleAssistant,
		ToolCalls: []llmux.ToolCall{{ID: "call_1", Type: "function", Function: llmux.FunctionCall{Name: "f", Arguments: `{"a": `}}}}}}}
	b, err := EncodeResponse(resp, "m")
	if err != nil {
		t.Fatal(err)
	}
	var msg struct {
		Content json.RawMessage `json:"content"`
	}
	_ = json.Unmarshal(b, &msg)
	body := `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":` + string(msg.Content) + `}]}`
	req, err := DecodeRequest([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	tc := req.Messages[1].ToolCalls[0]
	if tc.Function.Arguments != `{"a": ` || tc.Extra != nil {
		t.Errorf("tool call = %+v", tc)
	}
}
