package bedrock

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

// streamOf opens a stream of the provider against a fake answering body.
func streamOf(t *testing.T, body []byte) (llmux.ChunkReader, *fake) {
	t.Helper()
	f := newFake(t, 200, "application/vnd.amazon.eventstream", body)
	r, err := f.provider().ChatStream(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("Hello")}}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, f
}

const toolUseStream = `{"event":"messageStart","payload":{"role":"assistant"}}
{"event":"contentBlockDelta","payload":{"contentBlockIndex":0,"delta":{"text":"I'll look up the weather."},"p":"abcdefghijkl"}}
{"event":"contentBlockStop","payload":{"contentBlockIndex":0}}
{"event":"contentBlockStart","payload":{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q","name":"get_weather"}}}}
{"event":"contentBlockDelta","payload":{"contentBlockIndex":1,"delta":{"toolUse":{"input":""}}}}
{"event":"contentBlockDelta","payload":{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"location\": \"Bos"}}}}
{"event":"contentBlockDelta","payload":{"contentBlockIndex":1,"delta":{"toolUse":{"input":"ton, MA\"}"}}}}
{"event":"contentBlockStop","payload":{"contentBlockIndex":1}}
{"event":"contentBlockStart","payload":{"contentBlockIndex":2,"start":{"toolUse":{"toolUseId":"tooluse_second","name":"get_time"}}}}
{"event":"contentBlockDelta","payload":{"contentBlockIndex":2,"delta":{"toolUse":{"input":"{}"}}}}
{"event":"contentBlockStop","payload":{"contentBlockIndex":2}}
{"event":"messageStop","payload":{"stopReason":"tool_use"}}
{"event":"metadata","payload":{"usage":{"inputTokens":390,"outputTokens":62,"totalTokens":452},"metrics":{"latencyMs":1130}}}`

const reasoningStream = `{"event":"messageStart","payload":{"role":"assistant"}}
{"event":"contentBlockDelta","payload":{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"The user wants "}}}}
{"event":"contentBlockDelta","payload":{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"a sum."}}}}
{"event":"contentBlockDelta","payload":{"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"EqQBCkYIBxgCKkA"}}}}
{"event":"contentBlockStop","payload":{"contentBlockIndex":0}}
{"event":"contentBlockDelta","payload":{"contentBlockIndex":1,"delta":{"reasoningContent":{"redactedContent":"EmwKAhgBEgy3va3pzix"}}}}
{"event":"contentBlockStop","payload":{"contentBlockIndex":1}}
{"event":"contentBlockDelta","payload":{"contentBlockIndex":2,"delta":{"text":"4"}}}
{"event":"contentBlockStop","payload":{"contentBlockIndex":2}}
{"event":"messageStop","payload":{"stopReason":"end_turn","additionalModelResponseFields":{"stop_sequence":null}}}
{"event":"metadata","payload":{"usage":{"inputTokens":20,"outputTokens":30,"totalTokens":1550,"cacheReadInputTokens":1000,"cacheWriteInputTokens":500},"metrics":{"latencyMs":900}}}`

func TestStream_GoldenTranscripts(t *testing.T) {
	isolate(t)
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"stream-text", encodeEvents(t, providertest.Fixture(t, "converse-stream.events.jsonl"))},
		{"stream-tool-use", events(t, toolUseStream)},
		{"stream-reasoning", events(t, reasoningStream)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, f := streamOf(t, tc.body)
			chunks, err := drain(t, r)
			if err != nil {
				t.Fatal(err)
			}
			if req := f.last(t); req.Path != "/model/"+testModel+"/converse-stream" || req.Header.Get("Accept") != "application/vnd.amazon.eventstream" {
				t.Errorf("path %s accept %s", req.Path, req.Header.Get("Accept"))
			}
			last := chunks[len(chunks)-1]
			if last.Usage == nil || last.Usage.TotalTokens == 0 || len(last.Choices) != 0 {
				t.Errorf("last chunk %+v, want the usage", last)
			}
			providertest.Golden(t, "testdata/golden/"+tc.name+".jsonl", transcript(t, chunks))
		})
	}
}

// Through the client, a streamed tool call accumulates into the same
// message as the non-streamed answer.
func TestStream_ToolUseAccumulates(t *testing.T) {
	isolate(t)
	f := newFake(t, 200, "application/vnd.amazon.eventstream", events(t, toolUseStream))
	c, err := llmux.New(llmux.WithProvider(f.provider()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(bg)
	s, err := c.Stream(bg, &llmux.Request{Model: "bedrock/" + testModel, Messages: []llmux.Message{llmux.User("Weather?")}, Tools: []llmux.Tool{weatherTool}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for s.Next() {
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	resp := s.Response()
	ch := resp.Choices[0]
	if ch.FinishReason != "tool_calls" || ch.Message.Content != "I'll look up the weather." || len(ch.Message.ToolCalls) != 2 {
		t.Fatalf("choice %+v", ch)
	}
	tc := ch.Message.ToolCalls[0]
	if tc.ID != "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q" || tc.Function.Name != "get_weather" || tc.Function.Arguments != `{"location": "Boston, MA"}` {
		t.Errorf("tool call %+v", tc)
	}
	if tc := ch.Message.ToolCalls[1]; tc.Function.Name != "get_time" || tc.Function.Arguments != "{}" {
		t.Errorf("second tool call %+v", tc)
	}
	if resp.Usage.PromptTokens != 390 || resp.Usage.CompletionTokens != 62 {
		t.Errorf("usage %+v", resp.Usage)
	}
}

// Exception frames end the stream with the mapped error, after the text
// that came before them.
func TestStream_ExceptionFrames(t *testing.T) {
	isolate(t)
	start := `{"event":"messageStart","payload":{"role":"assistant"}}
{"event":"contentBlockDelta","payload":{"contentBlockIndex":0,"delta":{"text":"Hel"}}}
`
	for _, tc := range []struct {
		frame string
		code  llmux.Code
		typ   string
		msg   string
	}{
		{`{"exception":"throttlingException","payload":{"message":"Too many requests, please wait before trying again."}}`, llmux.CodeRateLimited, "ThrottlingException", "Too many requests"},
		{`{"exception":"modelStreamErrorException","payload":{"message":"Model stream error","originalStatusCode":500}}`, llmux.CodeServer, "ModelStreamErrorException", "Model stream error"},
		{`{"exception":"validationException","payload":{"message":"Input is too long for requested model."}}`, llmux.CodeContextLength, "ValidationException", "too long"},
		{`{"exception":"validationException","payload":{"message":"messages: roles must alternate"}}`, llmux.CodeInvalidRequest, "ValidationException", "alternate"},
		{`{"exception":"serviceUnavailableException","payload":{"message":"Bedrock is unable to process your request."}}`, llmux.CodeOverloaded, "ServiceUnavailableException", "unable"},
		{`{"exception":"internalServerException","payload":{"message":"The server encountered an internal error."}}`, llmux.CodeServer, "InternalServerException", "internal error"},
		{`{"exception":"modelTimeoutException","payload":{"message":"Model timed out."}}`, llmux.CodeTimeout, "ModelTimeoutException", "timed out"},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			r, _ := streamOf(t, events(t, start+tc.frame))
			chunks, err := drain(t, r)
			var text strings.Builder
			for _, c := range chunks {
				text.WriteString(c.Text())
			}
			if text.String() != "Hel" {
				t.Errorf("text before the error = %q", text.String())
			}
			e := providertest.AsError(t, err)
			if e.Code != tc.code || e.Type != tc.typ || !strings.Contains(e.Message, tc.msg) || e.Provider != "bedrock" || e.StatusCode != 0 {
				t.Fatalf("err = %v (code %v type %q status %d), want code %v type %q", err, e.Code, e.Type, e.StatusCode, tc.code, tc.typ)
			}
			if _, again := r.Recv(); again != err {
				t.Errorf("error is not sticky: %v", again)
			}
		})
	}
}

func TestStream_BrokenBodies(t *testing.T) {
	isolate(t)
	full := encodeEvents(t, providertest.Fixture(t, "converse-stream.events.jsonl"))
	corrupt := append([]byte(nil), full...)
	corrupt[30] ^= 0xff // inside the first frame's headers: its CRC fails
	for _, tc := range []struct {
		name string
		body []byte
		code llmux.Code
	}{
		{"ends before messageStop", events(t, `{"event":"messageStart","payload":{"role":"assistant"}}`), llmux.CodeConnection},
		{"cut inside a frame", full[:len(full)-10], llmux.CodeConnection},
		{"corrupt frame", corrupt, llmux.CodeBadResponse},
		{"not an event stream", []byte(`{"message":"hello"}`), llmux.CodeBadResponse},
		{"bad event payload", events(t, `{"event":"contentBlockDelta","payload":"oops"}`), llmux.CodeBadResponse},
		{"delta of an unknown tool", events(t, `{"event":"contentBlockDelta","payload":{"contentBlockIndex":3,"delta":{"toolUse":{"input":"{}"}}}}`), llmux.CodeBadResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := streamOf(t, tc.body)
			_, err := drain(t, r)
			if code := llmux.CodeOf(err); code != tc.code {
				t.Fatalf("err = %v (code %v), want %v", err, code, tc.code)
			}
		})
	}
}

// An error frame (":message-type" "error", with ":error-code" and
// ":error-message" headers) is mapped like an exception.
func TestStream_ErrorFrame(t *testing.T) {
	isolate(t)
	var buf bytes.Buffer
	var m eventstream.Message
	m.Headers.Set(":message-type", eventstream.StringValue("error"))
	m.Headers.Set(":error-code", eventstream.StringValue("ThrottlingException"))
	m.Headers.Set(":error-message", eventstream.StringValue("Rate exceeded"))
	if err := eventstream.NewEncoder().Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	r, _ := streamOf(t, append(events(t, `{"event":"messageStart","payload":{"role":"assistant"}}`), buf.Bytes()...))
	_, err := drain(t, r)
	if e := providertest.AsError(t, err); e.Code != llmux.CodeRateLimited || e.Message != "Rate exceeded" || e.Type != "ThrottlingException" {
		t.Fatalf("err = %+v", e)
	}
}

func TestStream_HTTPErrorBeforeStream(t *testing.T) {
	isolate(t)
	f := serveFixture(t, 429, "errors/429-throttling.json")
	f.header.Set("X-Amzn-Errortype", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/")
	_, err := f.provider().ChatStream(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}}))
	if e := providertest.AsError(t, err); e.Code != llmux.CodeRateLimited || e.StatusCode != 429 {
		t.Fatalf("err = %v", err)
	}
}

func TestStream_CloseEndsWithCanceled(t *testing.T) {
	isolate(t)
	r, _ := streamOf(t, encodeEvents(t, providertest.Fixture(t, "converse-stream.events.jsonl")))
	if _, err := r.Recv(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	_ = r.Close() // idempotent
	_, err := r.Recv()
	if !errors.Is(err, llmux.ErrStreamClosed) || llmux.CodeOf(err) != llmux.CodeCanceled {
		t.Fatalf("err = %v", err)
	}
}

// Whatever the body, the reader ends with io.EOF or an *llmux.Error, never
// a panic, within a bounded number of chunks.
func FuzzStream(f *testing.F) {
	f.Add(encodeEvents(f, []byte(toolUseStream)))
	f.Add(encodeEvents(f, []byte(reasoningStream)))
	f.Add([]byte{0, 0, 0, 16, 0, 0, 0, 0, 1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, body []byte) {
		s := newStream(io.NopCloser(bytes.NewReader(body)), testModel)
		defer s.Close()
		for i := 0; ; i++ {
			if i > len(body)+1 {
				t.Fatal("more chunks than bytes")
			}
			_, err := s.Recv()
			if err == io.EOF {
				return
			}
			if err != nil {
				var e *llmux.Error
				if !errors.As(err, &e) {
					t.Fatalf("error %v is not an *llmux.Error", err)
				}
				return
			}
		}
	})
}

// A streamed response_format answer: the json_tool_call's input arrives
// as content deltas, and the stream finishes with "stop".
func TestStream_ResponseFormatAnswerIsContent(t *testing.T) {
	isolate(t)
	f := newFake(t, 200, "application/vnd.amazon.eventstream", events(t,
		`{"event":"messageStart","payload":{"role":"assistant"}}`,
		`{"event":"contentBlockStart","payload":{"contentBlockIndex":0,"start":{"toolUse":{"toolUseId":"tooluse_1","name":"json_tool_call"}}}}`,
		`{"event":"contentBlockDelta","payload":{"contentBlockIndex":0,"delta":{"toolUse":{"input":"{\"city\": \"Os"}}}}`,
		`{"event":"contentBlockDelta","payload":{"contentBlockIndex":0,"delta":{"toolUse":{"input":"lo\"}"}}}}`,
		`{"event":"contentBlockStop","payload":{"contentBlockIndex":0}}`,
		`{"event":"messageStop","payload":{"stopReason":"tool_use"}}`,
		`{"event":"metadata","payload":{"usage":{"inputTokens":40,"outputTokens":12,"totalTokens":52}}}`))
	c, err := llmux.New(llmux.WithProvider(f.provider()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(bg)
	s, err := c.Stream(bg, &llmux.Request{Model: "bedrock/" + testModel, Messages: []llmux.Message{llmux.User("A city?")},
		ResponseFormat: json.RawMessage(`{"type":"json_object"}`)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for s.Next() {
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	ch := s.Response().Choices[0]
	if ch.Message.Content != `{"city": "Oslo"}` || len(ch.Message.ToolCalls) != 0 || ch.FinishReason != "stop" {
		t.Fatalf("choice %+v", ch)
	}
	if !strings.Contains(string(f.last(t).Body), `"toolChoice":{"tool":{"name":"json_tool_call"}}`) {
		t.Errorf("request body %s", f.last(t).Body)
	}
}
