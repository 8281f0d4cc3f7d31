package proxy

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/llmux/llmux"
)

// withoutStream returns the body with stream and stream_options removed.
func withoutStream(t *testing.T, body []byte) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "stream")
	delete(m, "stream_options")
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestChat_LosslessBothWays sends a request using every field of OpenAI's
// chat API through the gateway to a fake OpenAI upstream answering with
// every response field: the upstream gets the client's body and the
// client gets the upstream's, JSON-equal.
func TestChat_LosslessBothWays(t *testing.T) {
	reqBody := withoutStream(t, readFile(t, "../testdata/wire/chat-request.json"))
	respBody := readFile(t, "../testdata/wire/chat-response.json")
	up := newFakeUpstream(t, upstreamReply{body: string(respBody)})
	g := newGateway(t, up, nil)

	status, _, got := g.post(t, "/v1/chat/completions", reqBody)
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, got)
	}
	if d := jsonDiff(t, respBody, got); d != "" {
		t.Errorf("the client got a different body (-upstream +client):\n%s", d)
	}
	sent := up.received()
	if len(sent) != 1 {
		t.Fatalf("%d upstream requests, want 1", len(sent))
	}
	if d := jsonDiff(t, []byte(reqBody), sent[0]); d != "" {
		t.Errorf("the upstream got a different body (-client +upstream):\n%s", d)
	}
	g.flush(t)
	if got := g.rec.types(); strings.Join(got, ",") != "pre_api_call,post_api_call,successful_api_call" {
		t.Errorf("events %v, want one pre/post pair and one success", got)
	}
}

// TestChat_StreamLosslessBothWays is the same for a stream: every chunk
// field reaches the client, and the request reaches the upstream as sent.
func TestChat_StreamLosslessBothWays(t *testing.T) {
	reqBody := readFile(t, "../testdata/wire/chat-request.json")
	sse := readFile(t, "../testdata/wire/chat-stream.sse")
	up := newFakeUpstream(t, upstreamReply{body: string(sse)})
	g := newGateway(t, up, nil)

	status, h, got := g.post(t, "/v1/chat/completions", string(reqBody))
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d, content type %q: %s", status, h.Get("Content-Type"), got)
	}
	want, have := sseData(sse), sseData(got)
	if len(have) != len(want) {
		t.Fatalf("client got %d events, upstream sent %d:\n%s", len(have), len(want), got)
	}
	for i := range want {
		if want[i] == "[DONE]" || have[i] == "[DONE]" {
			if want[i] != have[i] {
				t.Errorf("event %d: %s, want %s", i, have[i], want[i])
			}
			continue
		}
		if d := jsonDiff(t, []byte(want[i]), []byte(have[i])); d != "" {
			t.Errorf("chunk %d differs (-upstream +client):\n%s", i, d)
		}
	}
	sent := up.received()
	if len(sent) != 1 {
		t.Fatalf("%d upstream requests, want 1", len(sent))
	}
	if d := jsonDiff(t, reqBody, sent[0]); d != "" {
		t.Errorf("the upstream got a different body (-client +upstream):\n%s", d)
	}
	g.flush(t)
	if got := g.rec.types(); strings.Join(got, ",") != "pre_api_call,post_api_call,successful_api_call" {
		t.Errorf("events %v, want one pre/post pair and one success", got)
	}
}

// TestChat_AnswerHasItsLength checks that a whole-body answer carries its
// Content-Length, also past the 2 KiB net/http would otherwise send
// chunked, and that an error answer does too.
func TestChat_AnswerHasItsLength(t *testing.T) {
	long := strings.Repeat("All work and no play makes Jack a dull boy. ", 200) // 9 KB of content
	body := `{"id":"chatcmpl-1","object":"chat.completion","created":1764000000,"model":"gpt-4o-mini",` +
		`"choices":[{"index":0,"message":{"role":"assistant","content":"` + long + `"},"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":5,"completion_tokens":2000,"total_tokens":2005}}`
	up := newFakeUpstream(t, upstreamReply{body: body})
	g := newGateway(t, up, nil)
	for _, tc := range []struct{ name, body string }{
		{"answer", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`},
		{"error", `{"model":"gpt-4o-mini","messages":"not a list"}`},
	} {
		resp, err := http.Post(g.URL+"/v1/chat/completions", "application/json", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if n, err := strconv.Atoi(resp.Header.Get("Content-Length")); err != nil || n != len(b) || len(resp.TransferEncoding) != 0 {
			t.Errorf("%s: Content-Length %q for %d bytes, transfer encoding %v", tc.name, resp.Header.Get("Content-Length"), len(b), resp.TransferEncoding)
		}
		if tc.name == "answer" && (resp.StatusCode != 200 || !strings.Contains(string(b), long)) {
			t.Errorf("answer: %d, %d bytes", resp.StatusCode, len(b))
		}
		if tc.name == "error" && resp.StatusCode != 400 {
			t.Errorf("error: status %d: %s", resp.StatusCode, b)
		}
	}
}

// blockingSuccess is an inline logger whose success method waits for
// release: a slow logger a gateway must not make its clients wait for.
type blockingSuccess struct {
	entered chan struct{}
	release chan struct{}
}

func (b *blockingSuccess) LogSuccessEvent(context.Context, *llmux.Event) {
	b.entered <- struct{}{}
	<-b.release
}

// TestCompletions_AnswerBeforeTheirLastEvents: a completion's answer
// (chat, legacy completions, Anthropic Messages and Responses from a chat
// backend) reaches the client while an inline logger still holds its
// success event, and the call's events are complete and in order after.
func TestCompletions_AnswerBeforeTheirLastEvents(t *testing.T) {
	for _, tc := range []struct{ path, body string }{
		{"/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}`},
		{"/v1/completions", `{"model":"mock/gpt-4o","prompt":"Hi","mock_response":"Hello"}`},
		{"/v1/messages", `{"model":"gpt-4o-mini","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]}`},
		{"/v1/responses", `{"model":"gpt-4o-mini","input":"Hi"}`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			up := newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/openai-chat.json"))})
			b := &blockingSuccess{entered: make(chan struct{}, 1), release: make(chan struct{})}
			g := newGateway(t, up, nil, WithCallbacks(llmux.Inline(b)))
			type answer struct {
				status int
				err    error
			}
			got := make(chan answer, 1)
			go func() {
				resp, err := http.Post(g.URL+tc.path, "application/json", strings.NewReader(tc.body))
				if err != nil {
					got <- answer{err: err}
					return
				}
				_, err = io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				got <- answer{status: resp.StatusCode, err: err}
			}()
			select {
			case a := <-got:
				if a.err != nil || a.status != http.StatusOK {
					t.Fatalf("answer: status %d, %v", a.status, a.err)
				}
			case <-time.After(10 * time.Second):
				close(b.release)
				t.Fatal("the answer waited for an inline logger's success method")
			}
			select {
			case <-b.entered: // the logger has the success event, after the answer
			case <-time.After(10 * time.Second):
				t.Fatal("no success event")
			}
			close(b.release)
			g.flush(t)
			if got := strings.Join(g.rec.types(), ","); got != "pre_api_call,post_api_call,successful_api_call" {
				t.Errorf("events %s, want one pre/post pair and one success", got)
			}
		})
	}
}

// TestClose_WaitsForTheEventsAfterAnswers: a client can have its answer
// while the handler still emits the call's last events; Server.Close
// waits for them, so none is dropped.
func TestClose_WaitsForTheEventsAfterAnswers(t *testing.T) {
	up := newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/openai-chat.json"))})
	b := &blockingSuccess{entered: make(chan struct{}, 1), release: make(chan struct{})}
	g := newGateway(t, up, nil, WithCallbacks(llmux.Inline(b)))
	if status, _, body := g.post(t, "/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}`); status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	<-b.entered // the handler is in the inline logger, after the answer
	closed := make(chan error, 1)
	go func() { closed <- g.srv.Close(context.Background()) }()
	select {
	case err := <-closed:
		close(b.release)
		t.Fatalf("Close returned (%v) while a handler was still emitting its events", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(b.release)
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return after the handler ended")
	}
	if got := strings.Join(g.rec.types(), ","); got != "pre_api_call,post_api_call,successful_api_call" {
		t.Errorf("events %s: Close dropped some", got)
	}
}
