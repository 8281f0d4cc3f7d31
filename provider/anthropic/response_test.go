package anthropic

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonobj"
	"github.com/llmux/llmux/provider/providertest"
)

const (
	parisThinking  = "The user wants the current weather in Paris. I have a get_weather tool that takes a location, so I should call it with \"Paris, France\"."
	parisSignature = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds2gp0Q0nHxM3Wy8JxH1nF6cLbLpqvT0r4AaQ+3sW0YfXk5m8LQpRVcGJNz7uI2oD9sZtUe4hK1xB6yPqNwGaMfVr"
	parisRedacted  = "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB8URj2pLmN3kY8rMQcT4hJ0dWqZ"
)

var parisBlocks = []llmux.ThinkingBlock{
	{Type: "thinking", Thinking: parisThinking, Signature: parisSignature},
	{Type: "redacted_thinking", Data: parisRedacted},
}

func TestChat_ThinkingAndToolUse(t *testing.T) {
	f := serve(t, http.StatusOK, "thinking-tool-use.json")
	req := &llmux.Request{Messages: []llmux.Message{llmux.User("What is the weather in Paris?")}, Tools: []llmux.Tool{weatherTool}, ReasoningEffort: "low"}
	resp, err := f.provider().Chat(bg, f.attempt(req, "claude-sonnet-4-5"))
	if err != nil {
		t.Fatal(err)
	}
	m := resp.Choices[0].Message
	if m.ReasoningContent != parisThinking || !reflect.DeepEqual(m.ThinkingBlocks, parisBlocks) {
		t.Errorf("reasoning = %q\nblocks = %+v", m.ReasoningContent, m.ThinkingBlocks)
	}
	if m.Content != "Let me check the weather in Paris." || len(m.ToolCalls) != 1 || m.ToolCalls[0].Function.Arguments != `{"location":"Paris, France"}` {
		t.Errorf("message = %+v", m)
	}
	if resp.Choices[0].FinishReason != "tool_calls" || resp.Usage.CompletionTokens != 187 {
		t.Errorf("resp = %+v", resp)
	}
	// The message goes back as the next turn's assistant message with its
	// blocks first, signed.
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"thinking_blocks":[{"type":"thinking","thinking":`) || !strings.Contains(string(b), `"signature":"`+parisSignature+`"`) {
		t.Errorf("message JSON = %s", b)
	}
	f2 := serve(t, http.StatusOK, "message.json")
	req.Messages = append(req.Messages, m, llmux.ToolResult(m.ToolCalls[0].ID, "18 degrees"))
	if _, err := f2.provider().Chat(bg, f2.attempt(req, "claude-sonnet-4-5")); err != nil {
		t.Fatal(err)
	}
	want := `{"role":"assistant","content":[{"type":"thinking","thinking":` + jsonString(parisThinking) + `,"signature":"` + parisSignature + `"},` +
		`{"type":"redacted_thinking","data":"` + parisRedacted + `"},{"type":"text","text":"Let me check the weather in Paris."},` +
		`{"type":"tool_use","id":"toolu_01CswdEQBMshySk6Y9DFKrfq","name":"get_weather","input":{"location":"Paris, France"}}]}`
	if body := string(f2.Only(t).Body); !strings.Contains(body, want) {
		t.Errorf("next turn = %s\nwant %s", body, want)
	}
}

func jsonString(s string) string {
	b, _ := jsonobj.Marshal(s)
	return string(b)
}

func TestChatStream_ThinkingDeltas(t *testing.T) {
	_, r := openStream(t, "thinking-stream.sse", "claude-sonnet-4-5")
	chunks, err := drain(t, r)
	if err != nil {
		t.Fatal(err)
	}
	providertest.Golden(t, "testdata/golden/stream-thinking.jsonl", transcript(t, chunks))
	var kinds []string
	for _, c := range chunks {
		if len(c.Choices) == 0 {
			continue
		}
		d := c.Choices[0].Delta
		switch {
		case d.ReasoningContent != "":
			kinds = append(kinds, "reasoning")
		case len(d.ThinkingBlocks) == 1 && d.ThinkingBlocks[0].Type == "thinking" && d.ThinkingBlocks[0].Signature == parisSignature && d.ThinkingBlocks[0].Thinking == "":
			kinds = append(kinds, "signature")
		case len(d.ThinkingBlocks) == 1 && d.ThinkingBlocks[0].Type == "redacted_thinking" && d.ThinkingBlocks[0].Data == parisRedacted:
			kinds = append(kinds, "redacted")
		case d.Content != "":
			kinds = append(kinds, "text")
		}
	}
	if got := strings.Join(kinds, ","); got != "reasoning,reasoning,signature,redacted,text" {
		t.Errorf("deltas = %s", got)
	}
}

// TestChatStream_ThinkingRebuildsTheMessage: the stream's chunks carry
// everything the non-streamed answer has. rebuild is the rule the client's
// accumulator must follow for reasoning deltas.
func TestChatStream_ThinkingRebuildsTheMessage(t *testing.T) {
	_, r := openStream(t, "thinking-stream.sse", "claude-sonnet-4-5")
	chunks, err := drain(t, r)
	if err != nil {
		t.Fatal(err)
	}
	reasoning, blocks := rebuild(chunks)
	want, err := decodeMessage(providertest.Fixture(t, "thinking-tool-use.json"))
	if err != nil {
		t.Fatal(err)
	}
	if wm := want.Choices[0].Message; reasoning != wm.ReasoningContent || !reflect.DeepEqual(blocks, wm.ThinkingBlocks) {
		t.Errorf("rebuilt %q %+v\nwant %q %+v", reasoning, blocks, wm.ReasoningContent, wm.ThinkingBlocks)
	}

	// Interleaved thinking: two signed blocks, the second with its display
	// omitted (a signature and no text).
	body := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"type\":\"message\",\"content\":[],\"usage\":{}}}\n\n" +
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"a\"}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"b\"}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"S1\"}}\n\n" +
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n" +
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"S2\"}}\n\n" +
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
	chunks, err = drain(t, newMessageStream(io.NopCloser(strings.NewReader(body))))
	if err != nil {
		t.Fatal(err)
	}
	reasoning, blocks = rebuild(chunks)
	wantBlocks := []llmux.ThinkingBlock{{Type: "thinking", Thinking: "ab", Signature: "S1"}, {Type: "thinking", Signature: "S2"}}
	if reasoning != "ab" || !reflect.DeepEqual(blocks, wantBlocks) {
		t.Errorf("rebuilt %q %+v", reasoning, blocks)
	}
}

// rebuild is the reference for how the client's accumulator must rebuild
// Message.ReasoningContent and Message.ThinkingBlocks from a choice's
// deltas, in order:
//
//  1. ReasoningContent r is appended to the reasoning. If r != "", it is
//     appended to the open thinking block, opening a new {Type:"thinking"}
//     block when none is open.
//  2. Each ThinkingBlocks piece: "redacted_thinking" is a block of its own
//     and closes the open one. "thinking" (or ""): its Thinking text is
//     ignored when the same delta had r != "" (LiteLLM-style chunks mirror
//     the text in both); with a block open, the text is appended to it and
//     a Signature is set on it and closes it; with none open, an empty
//     piece is skipped, any other becomes a block, open while it has no
//     signature.
//  3. At the end: with no piece seen at all, there are no blocks (an
//     OpenAI-compatible server's reasoning_content); with no
//     ReasoningContent seen, the reasoning is the blocks' texts joined.
func rebuild(chunks []*llmux.Chunk) (string, []llmux.ThinkingBlock) {
	var (
		reasoning strings.Builder
		blocks    []llmux.ThinkingBlock
		open      bool
		pieces    bool
	)
	for _, c := range chunks {
		for _, ch := range c.Choices {
			d := ch.Delta
			if r := d.ReasoningContent; r != "" {
				reasoning.WriteString(r)
				if !open {
					blocks = append(blocks, llmux.ThinkingBlock{Type: "thinking"})
					open = true
				}
				blocks[len(blocks)-1].Thinking += r
			}
			for _, tb := range d.ThinkingBlocks {
				pieces = true
				text := tb.Thinking
				if d.ReasoningContent != "" {
					text = ""
				}
				switch {
				case tb.Type == "redacted_thinking":
					blocks = append(blocks, llmux.ThinkingBlock{Type: tb.Type, Data: tb.Data})
					open = false
				case open:
					last := &blocks[len(blocks)-1]
					last.Thinking += text
					if tb.Signature != "" {
						last.Signature = tb.Signature
						open = false
					}
				case text == "" && tb.Signature == "":
				default:
					blocks = append(blocks, llmux.ThinkingBlock{Type: "thinking", Thinking: text, Signature: tb.Signature})
					open = tb.Signature == ""
				}
			}
		}
	}
	if !pieces {
		blocks = nil
	}
	if reasoning.Len() == 0 {
		for _, b := range blocks {
			reasoning.WriteString(b.Thinking)
		}
	}
	return reasoning.String(), blocks
}

// TestRebuild_OtherChunkShapes: the reference rule also rebuilds
// LiteLLM-style chunks (text in both fields), chunks carrying whole blocks
// (a cache replay), and reasoning without blocks.
func TestRebuild_OtherChunkShapes(t *testing.T) {
	chunk := func(d llmux.Delta) *llmux.Chunk { return &llmux.Chunk{Choices: []llmux.ChunkChoice{{Delta: d}}} }
	piece := func(text, sig string) []llmux.ThinkingBlock {
		return []llmux.ThinkingBlock{{Type: "thinking", Thinking: text, Signature: sig}}
	}
	two := []llmux.ThinkingBlock{{Type: "thinking", Thinking: "ab", Signature: "S1"}, {Type: "redacted_thinking", Data: "D"}}
	for name, tc := range map[string]struct {
		chunks     []*llmux.Chunk
		reasoning  string
		wantBlocks []llmux.ThinkingBlock
	}{
		"litellm mirrored": {[]*llmux.Chunk{
			chunk(llmux.Delta{ReasoningContent: "a", ThinkingBlocks: piece("a", "")}),
			chunk(llmux.Delta{ReasoningContent: "b", ThinkingBlocks: piece("b", "")}),
			chunk(llmux.Delta{ThinkingBlocks: piece("", "S1")}),
			chunk(llmux.Delta{ThinkingBlocks: []llmux.ThinkingBlock{{Type: "redacted_thinking", Data: "D"}}}),
		}, "ab", two},
		"whole blocks": {[]*llmux.Chunk{
			chunk(llmux.Delta{ThinkingBlocks: two}),
		}, "ab", two},
		"replay with reasoning": {[]*llmux.Chunk{
			chunk(llmux.Delta{ReasoningContent: "ab", ThinkingBlocks: piece("ab", "S1")}),
			chunk(llmux.Delta{ThinkingBlocks: two[1:]}),
		}, "ab", two},
		"reasoning only": {[]*llmux.Chunk{
			chunk(llmux.Delta{ReasoningContent: "think"}), chunk(llmux.Delta{ReasoningContent: "ing"}),
		}, "thinking", nil},
	} {
		reasoning, blocks := rebuild(tc.chunks)
		if reasoning != tc.reasoning || !reflect.DeepEqual(blocks, tc.wantBlocks) {
			t.Errorf("%s: rebuilt %q %+v", name, reasoning, blocks)
		}
	}
}

// TestChat_BadAnswers: a 200 body that is not the API's answer is
// CodeBadResponse, for either API.
func TestChat_BadAnswers(t *testing.T) {
	openAIChat := `{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,"model":"gpt-4o-2024-08-06",` +
		`"choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29}}`
	openAIText := `{"id":"cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7","object":"text_completion","created":1589478378,"model":"gpt-3.5-turbo-instruct",` +
		`"choices":[{"text":"\n\nThis is indeed a test","index":0,"logprobs":null,"finish_reason":"length"}]}`
	for _, tc := range []struct {
		name, model, body string
	}{
		{"messages null", "claude-sonnet-4-5", `null`},
		{"messages empty object", "claude-sonnet-4-5", `{}`},
		{"messages openai body", "claude-sonnet-4-5", openAIChat},
		{"messages without content", "claude-sonnet-4-5", `{"id":"msg_1","type":"message","role":"assistant","model":"m","stop_reason":"end_turn","usage":{}}`},
		{"messages null content", "claude-sonnet-4-5", `{"type":"message","content":null}`},
		{"messages content not array", "claude-sonnet-4-5", `{"type":"message","content":"Hello"}`},
		{"messages wrong type", "claude-sonnet-4-5", `{"type":"completion","content":[]}`},
		{"messages not json", "claude-sonnet-4-5", `<html>ok</html>`},
		{"messages array", "claude-sonnet-4-5", `[]`},
		{"complete null", "claude-2.1", `null`},
		{"complete empty object", "claude-2.1", `{}`},
		{"complete openai body", "claude-2.1", openAIText},
		{"complete messages body", "claude-2.1", string(providertest.Fixture(t, "message.json"))},
		{"complete without completion", "claude-2.1", `{"type":"completion","id":"c","stop_reason":"stop_sequence","model":"claude-2.1"}`},
		{"complete without type", "claude-2.1", `{"completion":"Hi","stop_reason":"stop_sequence","model":"claude-2.1"}`},
		{"complete completion not string", "claude-2.1", `{"type":"completion","completion":1}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := serveBody(t, http.StatusOK, "application/json", []byte(tc.body))
			req := &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}}
			_, err := f.provider().Chat(bg, f.attempt(req, tc.model))
			e := providertest.AsError(t, err)
			if e.Code != llmux.CodeBadResponse || e.Provider != "anthropic" || string(e.Body) != tc.body {
				t.Errorf("error = %+v", e)
			}
			if llmux.IsRetryable(err) {
				t.Error("a bad answer is retryable")
			}
		})
	}
}

// TestChat_GzipLieIsBadResponse: a non-streamed body whose
// Content-Encoding is a lie is a bad answer, not a connection failure.
func TestChat_GzipLieIsBadResponse(t *testing.T) {
	srv, _ := providertest.Serve(t, http.StatusOK, http.Header{"Content-Encoding": {"gzip"}}, providertest.Fixture(t, "message.json"))
	p := New(WithAPIKey(testKey), WithBaseURL(srv.URL))
	req := &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}}
	_, err := p.Chat(bg, &llmux.Attempt{Request: req, Model: "claude-sonnet-4-5", Number: 1, HTTPClient: srv.Client()})
	if e := providertest.AsError(t, err); e.Code != llmux.CodeBadResponse || e.Provider != "anthropic" {
		t.Errorf("error = %+v", e)
	}
}

// A client streaming Anthropic's thinking rebuilds the same message the
// non-streamed answer decodes to: its reasoning text and signed blocks.
func TestClient_StreamedThinkingIsAccumulated(t *testing.T) {
	f := serve(t, 200, "thinking-stream.sse")
	c, err := llmux.New(llmux.WithProvider(f.provider()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	s, err := c.Stream(context.Background(), &llmux.Request{Model: "anthropic/claude-sonnet-4-5", Messages: []llmux.Message{llmux.User("weather?")}})
	if err != nil {
		t.Fatal(err)
	}
	for s.Next() {
	}
	s.Close()
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	want, err := decodeMessage(providertest.Fixture(t, "thinking-tool-use.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, wm := s.Response().Choices[0].Message, want.Choices[0].Message
	if got.ReasoningContent != wm.ReasoningContent || !reflect.DeepEqual(stripSeen(got.ThinkingBlocks), stripSeen(wm.ThinkingBlocks)) {
		t.Errorf("accumulated %q %+v\nwant %q %+v", got.ReasoningContent, got.ThinkingBlocks, wm.ReasoningContent, wm.ThinkingBlocks)
	}
}

// stripSeen rebuilds blocks from their fields, dropping how a decoded
// block's JSON looked.
func stripSeen(bs []llmux.ThinkingBlock) []llmux.ThinkingBlock {
	out := make([]llmux.ThinkingBlock, len(bs))
	for i, b := range bs {
		out[i] = llmux.ThinkingBlock{Type: b.Type, Thinking: b.Thinking, Signature: b.Signature, Data: b.Data}
	}
	return out
}
