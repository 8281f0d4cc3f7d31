package gemini

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

func openStream(t *testing.T, file, model string) (llmux.ChunkReader, *fake) {
	t.Helper()
	f := serve(t, 200, file)
	r, err := f.provider().ChatStream(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, model))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r, f
}

func TestChatStream_Fixture(t *testing.T) {
	r, f := openStream(t, "stream.sse", "gemini-2.0-flash")
	chunks, err := drain(t, r)
	if err != nil {
		t.Fatal(err)
	}
	req := last(t, f)
	if req.Path != "/v1beta/models/gemini-2.0-flash:streamGenerateContent" || req.Query != "alt=sse" {
		t.Errorf("path %s query %s", req.Path, req.Query)
	}
	if req.Header.Get("x-goog-api-key") != testKey {
		t.Error("key header missing")
	}
	var text strings.Builder
	for _, c := range chunks {
		for _, ch := range c.Choices {
			text.WriteString(ch.Delta.Content)
		}
	}
	if text.String() != "Hello! How can I help you today?" {
		t.Errorf("text = %q", text.String())
	}
	lastChunk := chunks[len(chunks)-1]
	if lastChunk.Usage == nil || lastChunk.Usage.PromptTokens != 5 || lastChunk.Usage.CompletionTokens != 9 || lastChunk.Usage.TotalTokens != 14 {
		t.Errorf("last chunk usage = %+v", lastChunk.Usage)
	}
	if fr := chunks[len(chunks)-2].Choices[0].FinishReason; fr != "stop" {
		t.Errorf("finish = %q", fr)
	}
	providertest.Golden(t, filepath.Join("testdata", "golden", "stream.jsonl"), transcript(t, chunks))
}

func TestChatStream_ToolCallsAndThoughts(t *testing.T) {
	r, _ := openStream(t, "tools-stream.sse", "gemini-2.5-flash")
	chunks, err := drain(t, r)
	if err != nil {
		t.Fatal(err)
	}
	providertest.Golden(t, filepath.Join("testdata", "golden", "tools-stream.jsonl"), transcript(t, chunks))
	c := chunks[1].Choices[0]
	if c.FinishReason != "tool_calls" || len(c.Delta.ToolCalls) != 2 || *c.Delta.ToolCalls[1].Index != 1 {
		t.Errorf("tool call chunk = %+v", c)
	}
	u := chunks[len(chunks)-1].Usage
	if u == nil || u.ReasoningTokens != 22 || u.CompletionTokens != 36 {
		t.Errorf("usage = %+v", u)
	}
}

func TestChatStream_ThroughClientAccumulates(t *testing.T) {
	f := serve(t, 200, "tools-stream.sse")
	c, err := llmux.New(llmux.WithProvider(New(WithAPIKey(testKey), WithBaseURL(f.srv.URL))))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(bg)
	s, err := c.Stream(bg, &llmux.Request{Model: "gemini/gemini-2.5-flash", Messages: []llmux.Message{llmux.User("weather?")}})
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
	m := resp.Choices[0].Message
	if len(m.ToolCalls) != 2 || m.ToolCalls[0].Function.Arguments != `{"location":"Boston, MA"}` || m.ReasoningContent == "" {
		t.Errorf("accumulated message = %+v", m)
	}
	if resp.Choices[0].FinishReason != "tool_calls" {
		t.Errorf("finish = %q", resp.Choices[0].FinishReason)
	}
}

func TestChatStream_InBandErrorAfterText(t *testing.T) {
	r, _ := openStream(t, "stream-error.sse", "gemini-2.0-flash")
	chunks, err := drain(t, r)
	if len(chunks) != 1 || chunks[0].Choices[0].Delta.Content != "Hello" {
		t.Errorf("chunks = %d", len(chunks))
	}
	e := providertest.AsError(t, err)
	if e.Code != llmux.CodeOverloaded || e.Type != "UNAVAILABLE" || e.Provider != "gemini" {
		t.Errorf("err = %+v", e)
	}
	if _, err2 := r.Recv(); err2 != err {
		t.Errorf("error is not sticky: %v", err2)
	}
}

func TestChatStream_PromptBlocked(t *testing.T) {
	r, _ := openStream(t, "stream-blocked.sse", "gemini-2.5-flash")
	_, err := drain(t, r)
	if e := providertest.AsError(t, err); e.Code != llmux.CodeContentFiltered || e.Type != "PROHIBITED_CONTENT" {
		t.Errorf("err = %+v", e)
	}
}

func TestChatStream_TruncatedIsConnectionError(t *testing.T) {
	body := providertest.Fixture(t, "stream.sse")
	first := body[:strings.Index(string(body), "\r\n\r\n")+4]
	f := serveBody(t, 200, "text/event-stream", first)
	r, err := f.provider().ChatStream(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, "gemini-2.0-flash"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = drain(t, r)
	if code := llmux.CodeOf(err); code != llmux.CodeConnection {
		t.Errorf("err = %v, want connection", err)
	}
}

func TestChatStream_HTTPErrorBeforeStream(t *testing.T) {
	f := serve(t, 429, "errors/429-resource-exhausted.json")
	_, err := f.provider().ChatStream(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, "gemini-2.0-flash"))
	if e := providertest.AsError(t, err); e.Code != llmux.CodeRateLimited || e.StatusCode != http.StatusTooManyRequests {
		t.Errorf("err = %+v", e)
	}
}

func TestChatStream_CloseThenRecv(t *testing.T) {
	r, _ := openStream(t, "stream.sse", "gemini-2.0-flash")
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Recv(); err == io.EOF || llmux.CodeOf(err) != llmux.CodeCanceled {
		t.Errorf("Recv after Close = %v, want canceled", err)
	}
}

// With two candidates, a body cut after the first finished is not a
// complete answer.
func TestChatStream_TruncatedAfterOneOfTwoCandidates(t *testing.T) {
	body := "data: {\"candidates\":[{\"index\":0,\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"A\"}]}}," +
		"{\"index\":1,\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"B\"}]}}]}\r\n\r\n" +
		"data: {\"candidates\":[{\"index\":0,\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"!\"}]},\"finishReason\":\"STOP\"}]}\r\n\r\n"
	f := serveBody(t, 200, "text/event-stream", []byte(body))
	r, err := f.provider().ChatStream(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("hi")}, N: ptr(2)}, "gemini-2.0-flash"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = drain(t, r)
	if code := llmux.CodeOf(err); code != llmux.CodeConnection {
		t.Errorf("err = %v, want connection", err)
	}
}
