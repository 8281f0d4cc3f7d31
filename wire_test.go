package llmux

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// jsonEqual reports whether a and b hold the same JSON value (member order
// and whitespace aside).
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("invalid JSON %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func readWire(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/wire/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// roundTrip decodes in into a new T with encoding/json and encodes it back.
func roundTrip[T any](t *testing.T, in []byte) (*T, []byte) {
	t.Helper()
	v := new(T)
	if err := json.Unmarshal(in, v); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return v, out
}

func TestWire_RequestWithEveryFieldRoundTrips(t *testing.T) {
	in := readWire(t, "chat-request.json")
	req, out := roundTrip[Request](t, in)
	if !jsonEqual(t, in, out) {
		t.Fatalf("round trip changed the body:\n in %s\nout %s", compactJSON(t, in), out)
	}
	// The modelled members are typed, the others are in Extra.
	if req.Model != "gpt-4o" || len(req.Messages) != 8 || *req.Temperature != 0.7 || *req.MaxCompletionTokens != 256 ||
		req.MaxTokens != nil || !*req.Logprobs || *req.TopLogprobs != 3 || *req.ParallelToolCalls || req.ReasoningEffort != "low" ||
		*req.Seed != 7 || len(req.Stop) != 1 || req.Stop[0] != "\n\n" || !req.Stream || req.User != "user-42" || len(req.Tools) != 2 {
		t.Errorf("typed fields: %+v", req)
	}
	if req.ToolChoice == nil || len(req.ToolChoice.Raw) == 0 {
		t.Errorf("tool_choice = %v, want the allowed_tools object in Raw", req.ToolChoice)
	}
	for _, k := range []string{"audio", "function_call", "functions", "logit_bias", "metadata", "modalities", "prediction",
		"prompt_cache_key", "safety_identifier", "service_tier", "store", "verbosity", "web_search_options"} {
		if _, ok := req.Extra[k]; !ok {
			t.Errorf("Extra lacks %q", k)
		}
	}
	user := req.Messages[2]
	if len(user.Parts) != 6 || user.Parts[2].InputAudio == nil || user.Parts[2].InputAudio.Data != "UklGRiQAAABXQVZF" ||
		user.Parts[3].File == nil || user.Parts[3].File.Filename != "a.pdf" || user.Parts[4].File.FileID != "file-abc123" ||
		string(user.Parts[5].CacheControl) != `{"type":"ephemeral"}` {
		t.Errorf("user parts: %+v", user.Parts)
	}
	asst := req.Messages[3]
	if asst.Audio == nil || asst.Audio.ID != "audio_abc" || asst.ReasoningContent != "The user wants weather." ||
		len(asst.ToolCalls) != 1 || string(asst.CacheControl) != `{"type":"ephemeral"}` {
		t.Errorf("assistant message: %+v", asst)
	}
	// The call options are not part of the JSON.
	req.APIKey, req.Metadata, req.MockResponse = "sk-secret", map[string]any{"a": 1}, "x"
	out2, _ := json.Marshal(req)
	if !bytes.Equal(out, out2) {
		t.Errorf("call options changed the JSON: %s", out2)
	}
}

func TestWire_RequestUnmarshalKeepsCallOptions(t *testing.T) {
	req := Request{APIKey: "sk-x", Metadata: map[string]any{"k": "v"}, MockResponse: "m", Temperature: ptr(1.0)}
	if err := json.Unmarshal([]byte(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`), &req); err != nil {
		t.Fatal(err)
	}
	if req.APIKey != "sk-x" || req.Metadata["k"] != "v" || req.MockResponse != "m" || req.Temperature != nil || req.Model != "m" {
		t.Errorf("req = %+v", req)
	}
	// Client-only names in a body are body members, not options.
	if err := json.Unmarshal([]byte(`{"model":"m","api_key":"sk-evil","api_base":"http://10.0.0.1","mock_response":"x"}`), &req); err != nil {
		t.Fatal(err)
	}
	if req.APIKey != "sk-x" || req.APIBase != "" || req.MockResponse != "m" || len(req.Extra) != 3 {
		t.Errorf("a body set call options: %+v", req)
	}
}

func TestWire_ResponseWithEveryFieldRoundTrips(t *testing.T) {
	in := readWire(t, "chat-response.json")
	resp, out := roundTrip[Response](t, in)
	if !jsonEqual(t, in, out) {
		t.Fatalf("round trip changed the response:\n in %s\nout %s", compactJSON(t, in), out)
	}
	m := resp.Choices[0].Message
	if m.ReasoningContent != "Look up Paris." || m.Audio == nil || m.Audio.Transcript != "It is 18C in Paris." ||
		len(m.Extra["annotations"]) == 0 || resp.ServiceTier != "default" || len(resp.Extra["prompt_filter_results"]) == 0 ||
		len(resp.Choices[0].Extra["content_filter_results"]) == 0 || len(resp.Choices[0].Logprobs) == 0 {
		t.Errorf("response fields: %+v", resp)
	}
	u := resp.Usage
	if u.CachedTokens != 64 || u.ReasoningTokens != 10 || u.AudioCompletionTokens != 4 || u.AcceptedPredictionTokens != 2 ||
		u.RejectedPredictionTokens != 1 {
		t.Errorf("usage = %+v", u)
	}
	if resp.Choices[1].Message.Refusal != "I can't help with that." {
		t.Errorf("refusal = %q", resp.Choices[1].Message.Refusal)
	}
}

func TestWire_StreamChunksWithEveryFieldRoundTrip(t *testing.T) {
	in := readWire(t, "chat-stream.sse")
	n := 0
	for _, line := range strings.Split(string(in), "\n") {
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok || data == "[DONE]" {
			continue
		}
		n++
		c, out := roundTrip[Chunk](t, []byte(data))
		if !jsonEqual(t, []byte(data), out) {
			t.Errorf("chunk %d changed:\n in %s\nout %s", n, data, out)
		}
		if n == 4 && (len(c.Choices) != 1 || len(c.Choices[0].Logprobs) == 0) {
			t.Errorf("chunk 4 lost its logprobs: %+v", c)
		}
		if n == 3 && c.Choices[0].Delta.ReasoningContent != "Think." {
			t.Errorf("chunk 3 lost reasoning_content: %+v", c.Choices[0].Delta)
		}
		if n == 5 && (c.Choices[0].Delta.Audio == nil || c.Choices[0].Delta.Audio.Transcript != "Hi") {
			t.Errorf("chunk 5 lost its audio: %+v", c.Choices[0].Delta)
		}
	}
	if n != 9 {
		t.Fatalf("%d chunks, want 9", n)
	}
}

func TestWire_EmbeddingsRoundTrip(t *testing.T) {
	for _, name := range []string{"openai-embeddings.json", "openai-embeddings-base64.json"} {
		t.Run(name, func(t *testing.T) {
			in := readWire(t, name)
			resp, out := roundTrip[EmbeddingResponse](t, in)
			if !jsonEqual(t, in, out) {
				t.Fatalf("round trip changed the response:\n in %s\nout %s", compactJSON(t, in), out)
			}
			if len(resp.Data) == 0 || len(resp.Data[0].Vector) == 0 {
				t.Fatalf("no vector decoded: %+v", resp)
			}
			if strings.Contains(name, "base64") && resp.Data[0].Base64 == "" {
				t.Error("the base64 string was not kept")
			}
		})
	}
}

func TestWire_TextCompletionResponseShape(t *testing.T) {
	in := readWire(t, "openai-completions.json")
	resp, out := roundTrip[Response](t, in)
	if !jsonEqual(t, in, out) {
		t.Fatalf("round trip changed the response:\n in %s\nout %s", compactJSON(t, in), out)
	}
	// A text completion built in Go has the text_completion shape: choices
	// carry text, no message.
	built := Response{ID: "cmpl-1", Object: "text_completion", Created: 1, Model: "m",
		Choices: []Choice{{Index: 0, Text: "hello", FinishReason: "stop"}}, Usage: Usage{PromptTokens: 1, CompletionTokens: 1, TotalTokens: 2}}
	b, err := json.Marshal(built)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":"hello","finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`
	if string(b) != want {
		t.Errorf("text completion\n got %s\nwant %s", b, want)
	}
	if resp.Choices[0].Text == "" {
		t.Error("text not decoded")
	}
}

func TestWire_BuiltInGoHasOpenAIShape(t *testing.T) {
	resp := Response{ID: "chatcmpl-1", Object: "chat.completion", Created: 1, Model: "m",
		Choices: []Choice{
			{Index: 0, Message: Assistant("hi"), FinishReason: "stop"},
			{Index: 1, Message: Message{Role: RoleAssistant, ToolCalls: []ToolCall{{ID: "c", Type: "function", Function: FunctionCall{Name: "f", Arguments: "{}"}}}}},
		},
		Usage: Usage{PromptTokens: 3, CompletionTokens: 2, TotalTokens: 5, CachedTokens: 1}}
	b, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[` +
		`{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"},` +
		`{"index":1,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":null}],` +
		`"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"prompt_tokens_details":{"cached_tokens":1},"cache_read_input_tokens":1}}`
	if string(b) != want {
		t.Errorf("\n got %s\nwant %s", b, want)
	}
}

func TestWire_DecodeErrorsNameTheValue(t *testing.T) {
	for _, tc := range []struct {
		in   string
		into any
		want string
	}{
		{`{"choices":[{"message":{"content":5}}]}`, new(Response), "/choices/0/message/content"},
		{`{"created":"soon"}`, new(Response), "created"},
		{`{"model":"m","temperature":"hot"}`, new(Request), "temperature"},
		{`{"messages":[{"role":"user","content":"a"}], "prompt":["a","b"]}`, new(Request), "prompt"},
		{`{"choices":[{"delta":{"tool_calls":[{"index":"x"}]}}]}`, new(Chunk), "index"},
	} {
		err := json.Unmarshal([]byte(tc.in), tc.into)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one naming %s", tc.in, err, tc.want)
		}
	}
}

func compactJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzWireRoundTrip: any JSON a wire type accepts encodes, and encoding is
// stable: decoding the encoding and encoding again gives the same bytes,
// and the encoding is JSON-equal to the input when the input was compact
// JSON the type models (checked by the golden tests above).
func FuzzWireRoundTrip(f *testing.F) {
	for _, name := range []string{"chat-request.json", "chat-response.json", "openai-embeddings-base64.json"} {
		b, err := os.ReadFile("testdata/wire/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"choices":[{"delta":{"content":null,"tool_calls":[{"index":0}]},"finish_reason":null}],"usage":null}`))
	f.Add([]byte(`{"stop":"x","input":"y","tool_choice":{"type":"function","function":{"name":"f"}}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		check := func(v interface {
			json.Marshaler
			json.Unmarshaler
		}, fresh func() interface {
			json.Marshaler
			json.Unmarshaler
		}) {
			if v.UnmarshalJSON(in) != nil {
				return
			}
			out, err := v.MarshalJSON()
			if err != nil {
				return // invalid raw JSON kept from the input (NaN cannot come from JSON)
			}
			if !json.Valid(out) {
				t.Fatalf("invalid JSON out of %q: %s", in, out)
			}
			w := fresh()
			if err := w.UnmarshalJSON(out); err != nil {
				t.Fatalf("cannot decode own output %s: %v", out, err)
			}
			again, err := w.MarshalJSON()
			if err != nil || !bytes.Equal(out, again) {
				t.Fatalf("unstable encoding:\n%s\n%s (%v)", out, again, err)
			}
		}
		check(new(Request), func() interface {
			json.Marshaler
			json.Unmarshaler
		} {
			return new(Request)
		})
		check(new(Response), func() interface {
			json.Marshaler
			json.Unmarshaler
		} {
			return new(Response)
		})
		check(new(Chunk), func() interface {
			json.Marshaler
			json.Unmarshaler
		} {
			return new(Chunk)
		})
	})
}
