package messages

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cache"
	"github.com/llmux/llmux/provider/anthropic"
	"github.com/llmux/llmux/provider/providertest"
)

// comparable drops what provider/anthropic does not turn into chunks and
// so cannot come back: pings and empty deltas.
func comparable(evs []sseEvent) []sseEvent {
	var out []sseEvent
	for _, ev := range evs {
		if ev.Name == "ping" {
			continue
		}
		if ev.Name == "content_block_delta" {
			d := ev.Data.(map[string]any)["delta"].(map[string]any)
			if d["partial_json"] == "" || d["text"] == "" || d["thinking"] == "" {
				continue
			}
		}
		out = append(out, ev)
	}
	return out
}

// TestStreamWriter_AnthropicUpstreamComesBackUnchanged: an Anthropic
// upstream's stream, read into chunks by provider/anthropic and written
// back by a StreamWriter, has the same events as the upstream's, with the
// same indices, deltas, stop reason and usage, but for pings and empty
// deltas.
func TestStreamWriter_AnthropicUpstreamComesBackUnchanged(t *testing.T) {
	for _, file := range []string{"anthropic-message-stream.sse", "anthropic-tool-use-stream.sse", "anthropic-thinking-stream.sse"} {
		t.Run(file, func(t *testing.T) {
			u := newUpstream(t, nil, fixture(t, file))
			req := &llmux.Request{Model: "claude-sonnet-4-5-20250929", Messages: []llmux.Message{llmux.User("Hi")}, Stream: true}
			got, flushes := relay(t, u.anthropicClient(t), req, "claude-sonnet-4-5-20250929")
			evs := parseSSE(t, got)
			if flushes != len(evs) {
				t.Errorf("%d flushes for %d events", flushes, len(evs))
			}
			if d := cmp.Diff(comparable(parseSSE(t, fixture(t, file))), evs); d != "" {
				t.Errorf("(-upstream +written):\n%s", d)
			}
		})
	}
}

// TestStreamWriter_FromOpenAI: OpenAI streams become Anthropic events:
// text in one text block, two tool calls in two tool_use blocks by their
// indices, the usage of the last chunk in message_delta.
func TestStreamWriter_FromOpenAI(t *testing.T) {
	for _, file := range []string{"openai-chat-stream.sse", "openai-chat-tools-stream.sse"} {
		t.Run(file, func(t *testing.T) {
			u := newUpstream(t, nil, fixture(t, file))
			req := &llmux.Request{Model: "gpt-4o-mini", Messages: []llmux.Message{llmux.User("Hi")}, Stream: true}
			got, _ := relay(t, u.openAIClient(t), req, "claude-sonnet-4-5")
			parseSSE(t, got)
			providertest.Golden(t, "testdata/golden/"+file, got)
		})
	}
}

// TestStreamWriter_UpstreamErrorIsAnErrorEvent: an in-band error after
// the stream started becomes Anthropic's error event, its type kept.
func TestStreamWriter_UpstreamErrorIsAnErrorEvent(t *testing.T) {
	u := newUpstream(t, nil, fixture(t, "anthropic-stream-error.sse"))
	req := &llmux.Request{Model: "claude-sonnet-4-5", Messages: []llmux.Message{llmux.User("Hi")}, Stream: true}
	got, _ := relay(t, u.anthropicClient(t), req, "claude-sonnet-4-5")
	evs := parseSSE(t, got)
	names := make([]string, len(evs))
	for i, ev := range evs {
		names[i] = ev.Name
	}
	if want := []string{"message_start", "content_block_start", "content_block_delta", "error"}; !cmp.Equal(names, want) {
		t.Fatalf("events = %v, want %v", names, want)
	}
	want := map[string]any{"type": "error", "error": map[string]any{"type": "overloaded_error", "message": "Overloaded"}}
	if d := cmp.Diff(want, evs[3].Data); d != "" {
		t.Error(d)
	}
}

// transcript renders events compactly: name, then data.
func transcript(t *testing.T, b []byte) string {
	t.Helper()
	var out strings.Builder
	for _, line := range strings.Split(string(b), "\n") {
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			out.WriteString(data)
			out.WriteByte('\n')
		}
	}
	return out.String()
}

func idx(i int) *int { return &i }

func chunk(d llmux.Delta, finish string) *llmux.Chunk {
	return &llmux.Chunk{ID: "chatcmpl-1", Choices: []llmux.ChunkChoice{{Delta: d, FinishReason: finish}}}
}

func toolPiece(i *int, id, name, args string) llmux.Delta {
	return llmux.Delta{ToolCalls: []llmux.ToolCall{{Index: i, ID: id, Function: llmux.FunctionCall{Name: name, Arguments: args}}}}
}

func TestStreamWriter_Blocks(t *testing.T) {
	usage := &llmux.Usage{PromptTokens: 50, CompletionTokens: 9, TotalTokens: 59, CachedTokens: 20}
	start := `{"type":"message_start","message":{"id":"msg_chatcmpl-1","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}` + "\n"
	end := func(stop string) string {
		return `{"type":"message_delta","delta":{"stop_reason":"` + stop + `","stop_sequence":null},"usage":{"input_tokens":30,"cache_creation_input_tokens":0,"cache_read_input_tokens":20,"output_tokens":9}}` + "\n" +
			`{"type":"message_stop"}` + "\n"
	}
	for name, tc := range map[string]struct {
		chunks []*llmux.Chunk
		want   string
	}{
		"reasoning, signature, redacted, text, two tool calls": {
			chunks: []*llmux.Chunk{
				chunk(llmux.Delta{Role: llmux.RoleAssistant}, ""),
				chunk(llmux.Delta{ReasoningContent: "Think"}, ""),
				chunk(llmux.Delta{ReasoningContent: "ing."}, ""),
				chunk(llmux.Delta{ThinkingBlocks: []llmux.ThinkingBlock{{Type: "thinking", Signature: "sig1"}}}, ""),
				chunk(llmux.Delta{ReasoningContent: "More."}, ""),
				chunk(llmux.Delta{ThinkingBlocks: []llmux.ThinkingBlock{{Type: "redacted_thinking", Data: "red"}}}, ""),
				chunk(llmux.Delta{Content: "Hello"}, ""),
				chunk(llmux.Delta{Content: " there"}, ""),
				chunk(toolPiece(idx(0), "call_a", "f", ""), ""),
				chunk(toolPiece(idx(0), "", "", `{"x":`), ""),
				chunk(toolPiece(idx(0), "", "", `1}`), ""),
				chunk(toolPiece(idx(1), "call_b", "g", `{}`), ""),
				chunk(llmux.Delta{}, "tool_calls"),
				{ID: "chatcmpl-1", Choices: []llmux.ChunkChoice{}, Usage: usage},
			},
			want: start +
				`{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}` + "\n" +
				`{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Think"}}` + "\n" +
				`{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"ing."}}` + "\n" +
				`{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig1"}}` + "\n" +
				`{"type":"content_block_stop","index":0}` + "\n" +
				`{"type":"content_block_start","index":1,"content_block":{"type":"thinking","thinking":"","signature":""}}` + "\n" +
				`{"type":"content_block_delta","index":1,"delta":{"type":"thinking_delta","thinking":"More."}}` + "\n" +
				`{"type":"content_block_stop","index":1}` + "\n" +
				`{"type":"content_block_start","index":2,"content_block":{"type":"redacted_thinking","data":"red"}}` + "\n" +
				`{"type":"content_block_stop","index":2}` + "\n" +
				`{"type":"content_block_start","index":3,"content_block":{"type":"text","text":""}}` + "\n" +
				`{"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"Hello"}}` + "\n" +
				`{"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":" there"}}` + "\n" +
				`{"type":"content_block_stop","index":3}` + "\n" +
				`{"type":"content_block_start","index":4,"content_block":{"type":"tool_use","id":"call_a","name":"f","input":{}}}` + "\n" +
				`{"type":"content_block_delta","index":4,"delta":{"type":"input_json_delta","partial_json":"{\"x\":"}}` + "\n" +
				`{"type":"content_block_delta","index":4,"delta":{"type":"input_json_delta","partial_json":"1}"}}` + "\n" +
				`{"type":"content_block_stop","index":4}` + "\n" +
				`{"type":"content_block_start","index":5,"content_block":{"type":"tool_use","id":"call_b","name":"g","input":{}}}` + "\n" +
				`{"type":"content_block_delta","index":5,"delta":{"type":"input_json_delta","partial_json":"{}"}}` + "\n" +
				`{"type":"content_block_stop","index":5}` + "\n" +
				end("tool_use"),
		},
		"tool calls without index, stop with tool calls": {
			chunks: []*llmux.Chunk{
				chunk(toolPiece(nil, "call_a", "f", `{"x"`), ""),
				chunk(toolPiece(nil, "", "", `:1}`), ""),
				chunk(toolPiece(nil, "call_b", "g", `{}`), "stop"),
				{ID: "chatcmpl-1", Usage: usage},
			},
			want: start +
				`{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"call_a","name":"f","input":{}}}` + "\n" +
				`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"x\""}}` + "\n" +
				`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":":1}"}}` + "\n" +
				`{"type":"content_block_stop","index":0}` + "\n" +
				`{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"call_b","name":"g","input":{}}}` + "\n" +
				`{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{}"}}` + "\n" +
				`{"type":"content_block_stop","index":1}` + "\n" +
				end("tool_use"),
		},
		"other choices and refusals": {
			chunks: []*llmux.Chunk{
				{ID: "chatcmpl-1", Choices: []llmux.ChunkChoice{{Index: 1, Delta: llmux.Delta{Content: "second choice"}}, {Delta: llmux.Delta{Refusal: "No."}}}},
				chunk(llmux.Delta{}, "content_filter"),
				{ID: "chatcmpl-1", Usage: usage},
			},
			want: start +
				`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}` + "\n" +
				`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"No."}}` + "\n" +
				`{"type":"content_block_stop","index":0}` + "\n" +
				end("refusal"),
		},
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			sw := NewStreamWriter(&buf, nil, "claude-x")
			for _, c := range tc.chunks {
				if err := sw.Chunk(c); err != nil {
					t.Fatal(err)
				}
			}
			if err := sw.Finish(nil); err != nil {
				t.Fatal(err)
			}
			if got := transcript(t, buf.Bytes()); got != tc.want {
				t.Errorf("%s", cmp.Diff(strings.Split(tc.want, "\n"), strings.Split(got, "\n")))
			}
			parseSSE(t, buf.Bytes())
		})
	}
}

func TestStreamWriter_FinishUsesTheFinalResponse(t *testing.T) {
	var buf bytes.Buffer
	sw := NewStreamWriter(&buf, nil, "m")
	final := &llmux.Response{ID: "resp-1", Choices: []llmux.Choice{{FinishReason: "length"}},
		Usage: llmux.Usage{PromptTokens: 7, CompletionTokens: 3, TotalTokens: 10, CacheCreationTokens: 2}}
	if err := sw.Finish(final); err != nil {
		t.Fatal(err)
	}
	want := `{"type":"message_start","message":{"id":"msg_resp-1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"cache_creation_input_tokens":2,"cache_read_input_tokens":0,"output_tokens":0}}}` + "\n" +
		`{"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"input_tokens":5,"cache_creation_input_tokens":2,"cache_read_input_tokens":0,"output_tokens":3}}` + "\n" +
		`{"type":"message_stop"}` + "\n"
	if got := transcript(t, buf.Bytes()); got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
	if err := sw.Chunk(chunk(llmux.Delta{Content: "late"}, "")); err != errEnded {
		t.Errorf("Chunk after Finish = %v", err)
	}
}

// TestStreamWriter_InputUsageOfTheFirstChunk: a server that reports usage
// in its first chunk gives message_start its input tokens.
func TestStreamWriter_InputUsageOfTheFirstChunk(t *testing.T) {
	var buf bytes.Buffer
	sw := NewStreamWriter(&buf, nil, "m")
	c := chunk(llmux.Delta{Content: "Hi"}, "")
	c.Usage = &llmux.Usage{PromptTokens: 11, CompletionTokens: 1, TotalTokens: 12}
	if err := sw.Chunk(c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"usage":{"input_tokens":11,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}`) {
		t.Errorf("message_start = %s", buf.String())
	}
}

func TestStreamWriter_InterleavedToolCallsFail(t *testing.T) {
	var buf bytes.Buffer
	sw := NewStreamWriter(&buf, nil, "m")
	for _, c := range []*llmux.Chunk{chunk(toolPiece(idx(0), "a", "f", "{"), ""), chunk(toolPiece(idx(1), "b", "g", "{"), "")} {
		if err := sw.Chunk(c); err != nil {
			t.Fatal(err)
		}
	}
	err := sw.Chunk(chunk(toolPiece(idx(0), "", "", "}"), ""))
	if llmux.CodeOf(err) != llmux.CodeBadResponse || !strings.Contains(err.Error(), "messages: tool call 0 continued") {
		t.Fatalf("error = %v", err)
	}
	if err2 := sw.Finish(nil); err2 != err {
		t.Errorf("Finish after the error = %v", err2)
	}
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n == 0 {
		return 0, errors.New("broken pipe")
	}
	w.n--
	return len(p), nil
}

func TestStreamWriter_WriteErrorSticks(t *testing.T) {
	sw := NewStreamWriter(&failingWriter{n: 1}, nil, "m")
	err := sw.Chunk(chunk(llmux.Delta{Content: "Hi"}, ""))
	if err == nil || !strings.Contains(err.Error(), "messages: write content_block_start event: broken pipe") {
		t.Fatalf("error = %v", err)
	}
	if sw.Chunk(chunk(llmux.Delta{Content: "more"}, "")) != err || sw.Finish(nil) != err || sw.Fail(errors.New("x")) != err || sw.Ping() != err {
		t.Error("the first error is not returned by later calls")
	}
}

func TestStreamWriter_FailAndPing(t *testing.T) {
	var buf bytes.Buffer
	flushes := 0
	sw := NewStreamWriter(&buf, func() { flushes++ }, "m")
	if err := sw.Chunk(chunk(llmux.Delta{Content: "Hi"}, "")); err != nil {
		t.Fatal(err)
	}
	if err := sw.Ping(); err != nil {
		t.Fatal(err)
	}
	if err := sw.Fail(&llmux.Error{Code: llmux.CodeRateLimited, Message: "slow down"}); err != nil {
		t.Fatal(err)
	}
	tail := `{"type":"ping"}` + "\n" + `{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}` + "\n"
	if got := transcript(t, buf.Bytes()); !strings.HasSuffix(got, tail) {
		t.Errorf("got\n%s", got)
	}
	if !strings.HasSuffix(buf.String(), "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}\n\n") {
		t.Errorf("wire form: %q", buf.String())
	}
	if n := len(parseSSE(t, buf.Bytes())); flushes != n {
		t.Errorf("%d flushes for %d events", flushes, n)
	}
	if err := sw.Finish(nil); err != errEnded {
		t.Errorf("Finish after Fail = %v", err)
	}
}

// TestStreamWriter_NativeStopReasons: what the OpenAI shape folds into
// "stop" (a stop sequence, pause_turn) comes back from an Anthropic
// upstream as it was sent, read from the message_delta chunk's Raw.
func TestStreamWriter_NativeStopReasons(t *testing.T) {
	for _, delta := range []string{
		`{"stop_reason":"stop_sequence","stop_sequence":"END"}`,
		`{"stop_reason":"pause_turn","stop_sequence":null}`,
	} {
		sse := strings.Replace(string(fixture(t, "anthropic-message-stream.sse")), `{"stop_reason":"end_turn","stop_sequence":null}`, delta, 1)
		u := newUpstream(t, nil, []byte(sse))
		req := &llmux.Request{Model: "claude-sonnet-4-5", Messages: []llmux.Message{llmux.User("Hi")}, Stream: true}
		got, _ := relay(t, u.anthropicClient(t), req, "claude-sonnet-4-5")
		if !strings.Contains(string(got), `"delta":`+delta) {
			t.Errorf("%s: got\n%s", delta, got)
		}
	}
}

// TestStreamWriter_CacheReplay: a streamed cache hit (the client's replay
// of a stored response) gives the same content blocks as the stream that
// was stored.
func TestStreamWriter_CacheReplay(t *testing.T) {
	u := newUpstream(t, nil, fixture(t, "anthropic-thinking-stream.sse"))
	mem, err := cache.NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	c, err := llmux.New(llmux.WithProvider(anthropic.New(anthropic.WithAPIKey("sk-ant-test-0123456789"), anthropic.WithBaseURL(u.srv.URL))),
		llmux.WithCache(mem))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(bg)
	// blocks assembles the content blocks of a stream: each block's
	// start with its deltas joined, as a client's accumulator does.
	blocks := func(b []byte) []map[string]any {
		var out []map[string]any
		for _, ev := range parseSSE(t, b) {
			data := ev.Data.(map[string]any)
			switch ev.Name {
			case "content_block_start":
				out = append(out, data["content_block"].(map[string]any))
			case "content_block_delta":
				block := out[int(data["index"].(float64))]
				for k, v := range data["delta"].(map[string]any) {
					if k == "partial_json" {
						k = "input_json"
					}
					if k != "type" {
						prev, _ := block[k].(string)
						block[k] = prev + v.(string)
					}
				}
			}
		}
		return out
	}
	req := &llmux.Request{Model: "claude-sonnet-4-5", Messages: []llmux.Message{llmux.User("Weather in Paris?")}, Stream: true}
	first, _ := relay(t, c, req, "claude-sonnet-4-5")
	if err := c.Flush(bg); err != nil {
		t.Fatal(err)
	}
	replay, _ := relay(t, c, req, "claude-sonnet-4-5")
	u.mu.Lock()
	sent := len(u.bodies)
	u.mu.Unlock()
	if sent != 1 {
		t.Fatalf("%d upstream requests: the second stream was not a cache hit", sent)
	}
	if d := cmp.Diff(blocks(first), blocks(replay)); d != "" {
		t.Errorf("(-streamed +replayed):\n%s", d)
	}
}
