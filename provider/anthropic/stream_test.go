package anthropic

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/sse"
	"github.com/llmux/llmux/provider/providertest"
)

func openStream(t *testing.T, file, model string) (*fake, llmux.ChunkReader) {
	t.Helper()
	f := serve(t, http.StatusOK, file)
	req := &llmux.Request{Messages: []llmux.Message{llmux.User("Hello")}}
	r, err := f.provider().ChatStream(bg, f.attempt(req, model))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return f, r
}

func TestChatStream_Text(t *testing.T) {
	f, r := openStream(t, "message-stream.sse", "claude-sonnet-4-5")
	req := f.Only(t)
	checkRequest(t, req, "/v1/messages")
	if want := `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Hello"}],"max_tokens":4096,"stream":true}`; string(req.Body) != want {
		t.Errorf("body = %s", req.Body)
	}
	chunks, err := drain(t, r)
	if err != nil {
		t.Fatal(err)
	}
	providertest.Golden(t, "testdata/golden/stream-text.jsonl", transcript(t, chunks))

	var text strings.Builder
	finish := ""
	for _, c := range chunks {
		if c.ID != "msg_01Kq7Vb3Nd9Lw2Rt5Ys8Hm1Zp" || c.Model != "claude-sonnet-4-5-20250929" || c.Object != "chat.completion.chunk" {
			t.Errorf("chunk = %+v", c)
		}
		text.WriteString(c.Text())
		if len(c.Choices) > 0 && c.Choices[0].FinishReason != "" {
			finish = c.Choices[0].FinishReason
		}
	}
	if got := chunks[0].Choices[0].Delta.Role; got != llmux.RoleAssistant {
		t.Errorf("first chunk role = %q", got)
	}
	if text.String() != "Hello! How can I help you today?" || finish != "stop" {
		t.Errorf("text %q finish %q", text.String(), finish)
	}
	last := chunks[len(chunks)-1]
	if last.Usage == nil || len(last.Choices) != 0 {
		t.Fatalf("last chunk = %+v, want a usage chunk without choices", last)
	}
	if want := (llmux.Usage{PromptTokens: 12, CompletionTokens: 12, TotalTokens: 24}); !last.Usage.Equal(want) {
		t.Errorf("usage = %+v", *last.Usage)
	}
	// role, 3 text deltas, finish, usage: the ping and block start/stop
	// events yield nothing.
	if len(chunks) != 6 {
		t.Errorf("%d chunks, want 6", len(chunks))
	}
	if _, err := r.Recv(); err != io.EOF {
		t.Errorf("Recv after the end = %v, want io.EOF", err)
	}
}

func TestChatStream_ToolUseArgumentsReassemble(t *testing.T) {
	_, r := openStream(t, "tool-use-stream.sse", "claude-sonnet-4-5")
	chunks, err := drain(t, r)
	if err != nil {
		t.Fatal(err)
	}
	providertest.Golden(t, "testdata/golden/stream-tool-use.jsonl", transcript(t, chunks))
	type call struct{ id, name, args string }
	calls := map[int]*call{}
	var finish string
	for _, c := range chunks {
		if len(c.Choices) == 0 {
			continue
		}
		if fr := c.Choices[0].FinishReason; fr != "" {
			finish = fr
		}
		for _, tc := range c.Choices[0].Delta.ToolCalls {
			if tc.Index == nil {
				t.Fatalf("tool call delta without index: %+v", tc)
			}
			cl := calls[*tc.Index]
			if cl == nil {
				cl = &call{}
				calls[*tc.Index] = cl
			}
			if tc.ID != "" {
				cl.id, cl.name = tc.ID, tc.Function.Name
				if tc.Type != "function" {
					t.Errorf("type = %q", tc.Type)
				}
			}
			cl.args += tc.Function.Arguments
		}
	}
	c := calls[0] // ordinal 0, although it is content block 1
	if len(calls) != 1 || c == nil {
		t.Fatalf("calls = %v", calls)
	}
	if c.id != "toolu_01T1x1fJ34qAmk2tNTrN7Up6" || c.name != "get_weather" || !json.Valid([]byte(c.args)) {
		t.Errorf("call = %+v", c)
	}
	var args map[string]string
	if err := json.Unmarshal([]byte(c.args), &args); err != nil || args["location"] != "Boston, MA" {
		t.Errorf("args = %q", c.args)
	}
	if finish != "tool_calls" {
		t.Errorf("finish = %q", finish)
	}
	u := chunks[len(chunks)-1].Usage
	if u == nil || !u.Equal(llmux.Usage{PromptTokens: 384, CompletionTokens: 58, TotalTokens: 442}) {
		t.Errorf("usage = %+v", u)
	}
}

func TestChatStream_ErrorEventAfterChunks(t *testing.T) {
	_, r := openStream(t, "stream-error.sse", "claude-sonnet-4-5")
	chunks, err := drain(t, r)
	if len(chunks) != 2 || chunks[1].Text() != "Hello" {
		t.Errorf("chunks before the error = %d", len(chunks))
	}
	e := providertest.AsError(t, err)
	if e.Code != llmux.CodeOverloaded || e.Type != "overloaded_error" || e.Message != "Overloaded" || e.Provider != "anthropic" {
		t.Errorf("error = %+v", e)
	}
	if !llmux.IsRetryable(err) {
		t.Error("overloaded not retryable")
	}
	if _, err2 := r.Recv(); err2 != err {
		t.Errorf("Recv after the error = %v, want the same error", err2)
	}
}

func TestChatStream_PingAndUnknownEventsIgnored(t *testing.T) {
	body := "event: ping\ndata: {\"type\":\"ping\"}\n\n" +
		"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"m\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n" +
		": comment\n\n" +
		"event: brand_new_event\ndata: {\"type\":\"brand_new_event\"}\n\n" +
		"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"unnamed: skipped\"}}\n\n" +
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"brand_new_block\",\"x\":\"\"}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"brand_new_delta\",\"x\":\"hmm\"}}\n\n" +
		"event: ping\ndata: {\"type\": \"ping\"}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n" +
		"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}\n\n" +
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
	r := newMessageStream(io.NopCloser(strings.NewReader(body)))
	chunks, err := drain(t, r)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, c := range chunks {
		if c.Text() != "" {
			texts = append(texts, c.Text())
		}
	}
	if len(chunks) != 4 || strings.Join(texts, "|") != "Hi" {
		t.Errorf("chunks = %s", transcript(t, chunks))
	}
	if u := chunks[3].Usage; u == nil || u.TotalTokens != 5 {
		t.Errorf("usage = %+v", u)
	}
}

func TestChatStream_TruncatedIsConnectionError(t *testing.T) {
	b := providertest.Fixture(t, "message-stream.sse")
	b = b[:bytes.Index(b, []byte("event: message_delta"))]
	r := newMessageStream(io.NopCloser(bytes.NewReader(b)))
	_, err := drain(t, r)
	if e := providertest.AsError(t, err); e.Code != llmux.CodeConnection || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("error = %+v", e)
	}
}

func TestChatStream_BadSequences(t *testing.T) {
	for name, body := range map[string]string{
		"json delta for text block": "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\"}}\n\n",
		"malformed json":            "event: message_start\ndata: {not json\n\n",
		"start without message":     "event: message_start\ndata: {}\n\n",
		"start with null message":   "event: message_start\ndata: {\"type\":\"message_start\",\"message\":null}\n\n",
		"block start without block": "event: content_block_start\ndata: {\"index\":0}\n\n",
		"undecodable delta":         "event: content_block_delta\ndata: {\"index\":\"zero\"}\n\n",
		"error event not an error":  "event: error\ndata: {\"type\":\"error\"}\n\n",
		"thinking delta for text block": "event: content_block_start\ndata: {\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
			"event: content_block_delta\ndata: {\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"x\"}}\n\n",
		"signature delta without block": "event: content_block_delta\ndata: {\"index\":3,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"s\"}}\n\n",
		"tool block twice": "event: content_block_start\ndata: {\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"a\",\"name\":\"f\"}}\n\n" +
			"event: content_block_start\ndata: {\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"b\",\"name\":\"f\"}}\n\n",
	} {
		r := newMessageStream(io.NopCloser(strings.NewReader(body)))
		_, err := drain(t, r)
		if llmux.CodeOf(err) != llmux.CodeBadResponse {
			t.Errorf("%s: error = %v, want bad response", name, err)
		}
	}
}

func TestChatStream_CloseIdempotent(t *testing.T) {
	_, r := openStream(t, "message-stream.sse", "claude-sonnet-4-5")
	if _, err := r.Recv(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if _, err := r.Recv(); llmux.CodeOf(err) != llmux.CodeCanceled || !errors.Is(err, llmux.ErrStreamClosed) {
		t.Errorf("Recv after Close = %v", err)
	}
}

func TestChatStream_Legacy(t *testing.T) {
	f, r := openStream(t, "complete-stream.sse", "claude-2.1")
	req := f.Only(t)
	checkRequest(t, req, "/v1/complete")
	if want := `{"model":"claude-2.1","prompt":"\n\nHuman: Hello\n\nAssistant: ","max_tokens_to_sample":256,"stream":true}`; string(req.Body) != want {
		t.Errorf("body = %s", req.Body)
	}
	chunks, err := drain(t, r)
	if err != nil {
		t.Fatal(err)
	}
	providertest.Golden(t, "testdata/golden/stream-legacy.jsonl", transcript(t, chunks))
	var text strings.Builder
	for _, c := range chunks {
		text.WriteString(c.Text())
		if c.Usage != nil {
			t.Error("legacy stream reported usage")
		}
	}
	if chunks[0].Choices[0].Delta.Role != llmux.RoleAssistant {
		t.Error("first chunk has no role")
	}
	last := chunks[len(chunks)-1]
	if text.String() != " Hello! My name is Claude." || last.Choices[0].FinishReason != "stop" || len(chunks) != 4 {
		t.Errorf("text %q, %d chunks, last %+v", text.String(), len(chunks), last)
	}
	if last.ID != "compl_01Xk9Lq2Vb7Nd3Rw5Ts8Hm1Zp" || last.Model != "claude-2.1" {
		t.Errorf("last = %+v", last)
	}
}

func TestChatStream_LegacyErrorEvent(t *testing.T) {
	body := "event: completion\ndata: {\"completion\":\" Hi\",\"stop_reason\":null,\"model\":\"claude-2\",\"id\":\"c\"}\n\n" +
		"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}\n\n"
	_, err := drain(t, newCompleteStream(io.NopCloser(strings.NewReader(body))))
	if e := providertest.AsError(t, err); e.Code != llmux.CodeRateLimited || e.Message != "slow down" {
		t.Errorf("error = %+v", e)
	}
}

// FuzzMessageStream feeds arbitrary bodies to the stream decoder: it must
// end with io.EOF or an *llmux.Error, never panic or loop.
func FuzzMessageStream(f *testing.F) {
	for _, name := range []string{"message-stream.sse", "tool-use-stream.sse", "stream-error.sse", "complete-stream.sse", "thinking-stream.sse"} {
		f.Add(providertest.Fixture(f, name))
	}
	f.Add([]byte("event: content_block_delta\ndata: {\"index\":-1,\"delta\":{\"type\":\"input_json_delta\"}}\n\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, r := range []llmux.ChunkReader{
			newMessageStream(io.NopCloser(bytes.NewReader(body))),
			newCompleteStream(io.NopCloser(bytes.NewReader(body))),
		} {
			for i := 0; ; i++ {
				if i > len(body)+2 {
					t.Fatal("more chunks than input bytes")
				}
				c, err := r.Recv()
				if err == io.EOF {
					break
				}
				if err != nil {
					var e *llmux.Error
					if !errors.As(err, &e) || e.Provider != "anthropic" {
						t.Fatalf("error %v is not an anthropic *llmux.Error", err)
					}
					break
				}
				if c == nil {
					t.Fatal("nil chunk without error")
				}
			}
			_ = r.Close()
		}
	})
}

// FuzzMapError: any status and body map to an *llmux.Error of the
// provider with a valid code and the body kept (truncated).
func FuzzMapError(f *testing.F) {
	for _, name := range []string{"400-invalid-request.json", "400-prompt-too-long.json", "429-rate-limit.json", "529-overloaded.json", "502-html.json"} {
		f.Add(400, providertest.Fixture(f, "errors/"+name))
	}
	f.Add(0, []byte(`{"type":"error","error":{"type":"x"}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := mapError(status, http.Header{"Retry-After": {"3"}}, body)
		if e == nil || e.Provider != "anthropic" || e.StatusCode != status {
			t.Fatalf("mapError = %+v", e)
		}
		if e.Code < llmux.CodeUnknown || e.Code > llmux.CodeUnsupported {
			t.Fatalf("code %d out of range", e.Code)
		}
		if len(e.Body) > 4<<10 || !bytes.HasPrefix(body, e.Body) {
			t.Fatalf("body not kept: %d bytes", len(e.Body))
		}
		_ = e.Error()
	})
}

func BenchmarkMessageStream(b *testing.B) {
	for _, name := range []string{"message-stream.sse", "tool-use-stream.sse", "thinking-stream.sse"} {
		body := providertest.Fixture(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			rd := bytes.NewReader(body)
			for b.Loop() {
				rd.Reset(body)
				r := newMessageStream(io.NopCloser(rd))
				for {
					if _, err := r.Recv(); err != nil {
						if err != io.EOF {
							b.Fatal(err)
						}
						break
					}
				}
			}
		})
	}
}

func TestChatStream_BrokenBodiesAreBadResponse(t *testing.T) {
	for name, body := range map[string]func() io.Reader{
		"line over the cap": func() io.Reader {
			return strings.NewReader("event: completion\ndata: " + strings.Repeat("x", sse.DefaultMaxLine) + "\n\n")
		},
		"event over the cap": func() io.Reader {
			return strings.NewReader("event: completion\n" + strings.Repeat("data: x\n", sse.DefaultMaxLine/2+1) + "\n")
		},
		"gzip header":     func() io.Reader { return iotest.ErrReader(gzip.ErrHeader) },
		"gzip checksum":   func() io.Reader { return iotest.ErrReader(gzip.ErrChecksum) },
		"corrupt deflate": func() io.Reader { return iotest.ErrReader(flate.CorruptInputError(3)) },
	} {
		for api, r := range map[string]llmux.ChunkReader{
			"messages": newMessageStream(io.NopCloser(body())),
			"complete": newCompleteStream(io.NopCloser(body())),
		} {
			_, err := drain(t, r)
			if e := providertest.AsError(t, err); e.Code != llmux.CodeBadResponse || e.Provider != "anthropic" {
				t.Errorf("%s, %s: error = %+v", name, api, e)
			}
		}
	}
}

// TestChatStream_GzipLieIsBadResponse: Content-Encoding: gzip over plain
// text. Go's transport asked for gzip itself (the provider sets no
// Accept-Encoding), so it decompresses transparently and the first read
// fails with gzip.ErrHeader.
func TestChatStream_GzipLieIsBadResponse(t *testing.T) {
	for _, tc := range []struct{ model, file string }{
		{"claude-sonnet-4-5", "message-stream.sse"},
		{"claude-2.1", "complete-stream.sse"},
	} {
		srv, capture := providertest.Serve(t, http.StatusOK,
			http.Header{"Content-Encoding": {"gzip"}, "Content-Type": {"text/event-stream"}}, providertest.Fixture(t, tc.file))
		p := New(WithAPIKey(testKey), WithBaseURL(srv.URL))
		req := &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}}
		r, err := p.ChatStream(bg, &llmux.Attempt{Request: req, Model: tc.model, Number: 1, HTTPClient: srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		if got := capture.Only(t).Header.Get("Accept-Encoding"); got != "gzip" {
			t.Fatalf("Accept-Encoding = %q: the transport will not decompress", got)
		}
		_, err = drain(t, r)
		r.Close()
		if e := providertest.AsError(t, err); e.Code != llmux.CodeBadResponse || !errors.Is(err, gzip.ErrHeader) || llmux.IsRetryable(err) {
			t.Errorf("%s: error = %+v", tc.model, e)
		}
	}
}
