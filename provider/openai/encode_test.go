package openai_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/openai"
)

func TestEncodeChat_KeyOrderAndOptionalParams(t *testing.T) {
	req := &llmux.Request{
		Messages:         []llmux.Message{llmux.User("a < b && c > d")},
		Temperature:      ptr(0.0), // zero is sent: it differs from unset
		TopP:             ptr(1.0),
		MaxTokens:        ptr(10),
		N:                ptr(2),
		Stop:             []string{"END"},
		PresencePenalty:  ptr(0.5),
		FrequencyPenalty: ptr(-0.5),
		Seed:             ptr(1),
		ToolChoice:       llmux.ToolChoiceFunction("f"),
		ResponseFormat:   json.RawMessage(`{ "type": "json_object" }`),
		User:             "u",
	}
	b, err := openai.EncodeChat("gpt-4o", req, true)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"model":"gpt-4o","messages":[{"role":"user","content":"a < b && c > d"}],"temperature":0,"top_p":1,"max_tokens":10,"n":2,"stop":["END"],` +
		`"presence_penalty":0.5,"frequency_penalty":-0.5,"seed":1,"tool_choice":{"type":"function","function":{"name":"f"}},` +
		`"response_format":{"type":"json_object"},"user":"u","stream":true,"stream_options":{"include_usage":true}}`
	if string(b) != want {
		t.Errorf("body\n got %s\nwant %s", b, want)
	}
}

func TestEncodeChat_MinimalSendsOnlyModelAndMessages(t *testing.T) {
	b, err := openai.EncodeChat("gpt-4o", &llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

func TestEncodeChat_MaxCompletionTokensForReasoningModels(t *testing.T) {
	for model, key := range map[string]string{
		"o1-mini": "max_completion_tokens", "o3": "max_completion_tokens", "o4-mini": "max_completion_tokens",
		"gpt-5-nano": "max_completion_tokens", "gpt-4o": "max_tokens", "gpt-4.1": "max_tokens", "llama-3": "max_tokens",
	} {
		b, err := openai.EncodeChat(model, &llmux.Request{MaxTokens: ptr(5)}, false)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"`+key+`":5`) || strings.Count(string(b), "max_") != 1 {
			t.Errorf("%s: %s, want %s", model, b, key)
		}
	}
}

func TestEncodeChat_ExtraMergedInKeyOrder(t *testing.T) {
	req := &llmux.Request{
		Messages:    []llmux.Message{llmux.User("hi")},
		Temperature: ptr(0.2),
		Extra: map[string]json.RawMessage{
			"logit_bias": json.RawMessage(`{"50256": -100}`),
			"a_first":    json.RawMessage(`"x<y"`),
		},
	}
	b, err := openai.EncodeChat("gpt-4o", req, true)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"temperature":0.2,"stream":true,"stream_options":{"include_usage":true},` +
		`"a_first":"x<y","logit_bias":{"50256":-100}}`
	if string(b) != want {
		t.Errorf("body\n got %s\nwant %s", b, want)
	}
}

func TestEncodeChat_ExtraMayNotNameAModelledMember(t *testing.T) {
	for _, k := range []string{"temperature", "model", "messages", "stream", "stream_options"} {
		_, err := openai.EncodeChat("gpt-4o", &llmux.Request{Extra: map[string]json.RawMessage{k: json.RawMessage(`1`)}}, false)
		if err == nil || !strings.Contains(err.Error(), "extra."+k) {
			t.Errorf("Extra[%q]: err = %v, want one naming extra.%s", k, err, k)
		}
	}
}

func TestEncodeChat_StreamOptionsKeepTheCallersAndIncludeUsage(t *testing.T) {
	req := &llmux.Request{StreamOptions: json.RawMessage(`{"include_obfuscation":false,"include_usage":false}`)}
	b, err := openai.EncodeChat("gpt-4o", req, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"stream":true,"stream_options":{"include_obfuscation":false,"include_usage":true}`; !strings.Contains(string(b), want) {
		t.Errorf("got %s, want %s", b, want)
	}
}

// TestEncodeChat_StreamOptionsForms: every form of stream_options a caller
// may hold ends with include_usage true and the caller's other options; the
// common one is sent as it is; a malformed one is an error naming it.
func TestEncodeChat_StreamOptionsForms(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `{"include_usage":true}`},
		{"null", `{"include_usage":true}`},
		{` null `, `{"include_usage":true}`},
		{`{"include_usage":true}`, `{"include_usage":true}`},
		{`{ "include_usage": true }`, `{"include_usage":true}`},
		{`{"include_usage":false}`, `{"include_usage":true}`},
		{`{}`, `{"include_usage":true}`},
		{`{"include_obfuscation":true}`, `{"include_obfuscation":true,"include_usage":true}`},
	} {
		req := &llmux.Request{StreamOptions: json.RawMessage(tc.in)}
		b, err := openai.EncodeChat("gpt-4o", req, true)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		var got struct {
			StreamOptions json.RawMessage `json:"stream_options"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q: %s: %v", tc.in, b, err)
		}
		if !jsonEqual(t, got.StreamOptions, tc.want) {
			t.Errorf("%q: stream_options %s, want %s", tc.in, got.StreamOptions, tc.want)
		}
		if string(req.StreamOptions) != tc.in {
			t.Errorf("%q: the caller's request changed to %q", tc.in, req.StreamOptions)
		}
	}
	_, err := openai.EncodeChat("gpt-4o", &llmux.Request{StreamOptions: json.RawMessage(`[true]`)}, true)
	if err == nil || !strings.Contains(err.Error(), "stream_options") {
		t.Errorf("stream_options [true]: err %v, want one naming stream_options", err)
	}
}

// jsonEqual reports whether a and b hold the same JSON value (member order
// and whitespace aside), as the root package's test helper of that name.
func jsonEqual(t *testing.T, a json.RawMessage, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("invalid JSON %s: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func TestEncodeChat_InvalidExtraIsError(t *testing.T) {
	_, err := openai.EncodeChat("m", &llmux.Request{Extra: map[string]json.RawMessage{"bad": json.RawMessage(`{nope`)}}, false)
	if err == nil {
		t.Fatal("invalid Extra JSON accepted")
	}
}

func TestEncodeChat_ToolChoiceForms(t *testing.T) {
	for _, tc := range []struct {
		in   *llmux.ToolChoice
		want string
	}{
		{&llmux.ToolChoice{Mode: "auto"}, `"tool_choice":"auto"`},
		{&llmux.ToolChoice{Mode: llmux.ToolChoiceRequired}, `"tool_choice":"required"`},
		{llmux.ToolChoiceFunction("f"), `"tool_choice":{"type":"function","function":{"name":"f"}}`},
		{&llmux.ToolChoice{Raw: json.RawMessage(`{"type": "allowed_tools", "mode": "auto"}`)}, `"tool_choice":{"type":"allowed_tools","mode":"auto"}`},
	} {
		b, err := openai.EncodeChat("m", &llmux.Request{ToolChoice: tc.in}, false)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), tc.want) {
			t.Errorf("%v: %s, want %s", tc.in, b, tc.want)
		}
	}
}

func TestEncodeChat_MultipartContent(t *testing.T) {
	req := &llmux.Request{Messages: []llmux.Message{{Role: llmux.RoleUser, Parts: []llmux.ContentPart{
		{Type: "text", Text: "What is this?"},
		{Type: "image_url", ImageURL: &llmux.ImageURL{URL: "https://example.com/a.png?x=1&y=2", Detail: "low"}},
	}}}}
	b, err := openai.EncodeChat("gpt-4o", req, false)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},` +
		`{"type":"image_url","image_url":{"url":"https://example.com/a.png?x=1&y=2","detail":"low"}}]}]}`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
}

func TestEncodeEmbedding_EmptyInputIsArray(t *testing.T) {
	b, err := openai.EncodeEmbedding("text-embedding-3-small", &llmux.Request{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"model":"text-embedding-3-small","input":[]}`; string(b) != want {
		t.Errorf("got %s", b)
	}
}
