package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmux/llmux"
)

const chatReq = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`

type preHook func(ctx context.Context, c *HookCall) error

func (f preHook) PreCall(ctx context.Context, c *HookCall) error { return f(ctx, c) }

type modHook func(ctx context.Context, c *HookCall) error

func (f modHook) Moderate(ctx context.Context, c *HookCall) error { return f(ctx, c) }

type successHook func(ctx context.Context, c *HookCall, res *llmux.Result) (*llmux.Result, error)

func (f successHook) PostCallSuccess(ctx context.Context, c *HookCall, res *llmux.Result) (*llmux.Result, error) {
	return f(ctx, c, res)
}

type failureHook func(ctx context.Context, c *HookCall, err error) error

func (f failureHook) PostCallFailure(ctx context.Context, c *HookCall, err error) error {
	return f(ctx, c, err)
}

type streamHook func(ctx context.Context, hc *HookCall, c *llmux.Chunk, text string) (*llmux.Chunk, error)

func (f streamHook) StreamChunk(ctx context.Context, hc *HookCall, c *llmux.Chunk, text string) (*llmux.Chunk, error) {
	return f(ctx, hc, c, text)
}

func chatUpstream(t *testing.T) *fakeUpstream {
	return newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/openai-chat.json"))})
}

func contentOf(t *testing.T, body []byte) string {
	t.Helper()
	var r llmux.Response
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("not a completion: %v\n%s", err, body)
	}
	return r.Text()
}

func TestHooks_PreCallModifiesTheRequest(t *testing.T) {
	up := chatUpstream(t)
	var seen *HookCall
	h := preHook(func(ctx context.Context, c *HookCall) error {
		seen = c
		c.Request.Messages = append([]llmux.Message{llmux.System("be brief")}, c.Request.Messages...)
		c.Request.Temperature = llmux.Ptr(0.1)
		return nil
	})
	g := newGateway(t, up, nil, WithHooks(h))
	status, _, body := g.post(t, "/v1/chat/completions", chatReq, "X-Request-Id", "rid-1")
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	sent := string(up.received()[0])
	if !strings.Contains(sent, "be brief") || !strings.Contains(sent, `"temperature":0.1`) {
		t.Errorf("upstream body lacks the hook's change: %s", sent)
	}
	if seen.Endpoint != "/v1/chat/completions" || seen.CallType != llmux.CallCompletion || seen.RequestID != "rid-1" {
		t.Errorf("hook saw %+v", seen)
	}
	g.flush(t)
	if ts := g.rec.terminal(); len(ts) != 1 || len(ts[0].Messages) != 2 {
		t.Errorf("the success event does not show the modified request")
	}
}

func TestHooks_PreCallRejectAnswersWithTheMessage(t *testing.T) {
	up := chatUpstream(t)
	reject := preHook(func(context.Context, *HookCall) error { return &Reject{Message: "I can't talk about that."} })
	g := newGateway(t, up, nil, WithHooks(reject))

	status, _, body := g.post(t, "/v1/chat/completions", chatReq)
	if status != 200 || contentOf(t, body) != "I can't talk about that." {
		t.Errorf("chat: %d %s, want a normal answer with the message", status, body)
	}
	status, _, body = g.post(t, "/v1/chat/completions", `{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}`)
	if status != 200 || !strings.Contains(string(body), "I can't talk about that.") || !strings.Contains(string(body), "[DONE]") {
		t.Errorf("stream: %d %s, want a stream of the message", status, body)
	}
	status, _, body = g.post(t, "/v1/embeddings", `{"model":"text-embedding-3-small","input":"hi"}`)
	if status != 400 || !strings.Contains(decodeOpenAIError(t, body).Error.Message, "I can't talk about that.") {
		t.Errorf("embeddings: %d %s, want 400 with the message", status, body)
	}
	if n := len(up.received()); n != 0 {
		t.Errorf("%d upstream calls, want none", n)
	}
	g.flush(t)
	if got := strings.Join(g.rec.types(), ","); got != "successful_api_call,successful_api_call,failed_api_call" {
		t.Errorf("events %s, want one terminal event per request and no attempt", got)
	}
}

func TestHooks_PreCallErrorFailsTheRequest(t *testing.T) {
	up := chatUpstream(t)
	deny := preHook(func(context.Context, *HookCall) error {
		return &llmux.Error{Code: llmux.CodePermission, Message: "team budget exceeded"}
	})
	g := newGateway(t, up, nil, WithHooks(deny))
	status, _, body := g.post(t, "/v1/chat/completions", chatReq)
	if status != 403 || !strings.Contains(string(body), "team budget exceeded") {
		t.Errorf("%d %s, want 403 with the hook's message", status, body)
	}
	g.flush(t)
	if got := strings.Join(g.rec.types(), ","); got != "failed_api_call" {
		t.Errorf("events %s, want one failure", got)
	}
}

func TestHooks_ModerationRunsAlongsideAndCanFail(t *testing.T) {
	up := chatUpstream(t)
	var started atomic.Int32
	pass := modHook(func(context.Context, *HookCall) error { started.Add(1); return nil })
	g := newGateway(t, up, nil, WithHooks(pass))
	if status, _, body := g.post(t, "/v1/chat/completions", chatReq); status != 200 {
		t.Fatalf("passing moderation: %d %s", status, body)
	}
	if started.Load() != 1 {
		t.Errorf("moderation ran %d times", started.Load())
	}

	flag := modHook(func(ctx context.Context, c *HookCall) error {
		time.Sleep(20 * time.Millisecond) // the call is already on its way
		return &llmux.Error{Code: llmux.CodeContentFiltered, Message: "flagged by moderation"}
	})
	g2 := newGateway(t, up, nil, WithHooks(flag))
	for _, body := range []string{chatReq, streamReq} {
		status, _, b := g2.post(t, "/v1/chat/completions", body)
		if status != 400 || !strings.Contains(string(b), "flagged by moderation") {
			t.Errorf("%d %s, want 400 flagged", status, b)
		}
	}
	g2.flush(t)
	if ts := g2.rec.terminal(); len(ts) != 2 || ts[0].Type != llmux.EventFailure || ts[1].Type != llmux.EventFailure {
		t.Errorf("events %v, want one failure per request", g2.rec.types())
	}
}

func TestHooks_SuccessHooksAreChained(t *testing.T) {
	up := chatUpstream(t)
	suffix := func(s string) successHook {
		return func(ctx context.Context, c *HookCall, res *llmux.Result) (*llmux.Result, error) {
			r := res.Response
			r.Choices[0].Message.Content += s
			return &llmux.Result{Response: r}, nil
		}
	}
	keep := successHook(func(context.Context, *HookCall, *llmux.Result) (*llmux.Result, error) { return nil, nil })
	g := newGateway(t, up, nil, WithHooks(suffix(" [a]"), keep, suffix(" [b]")))
	status, _, body := g.post(t, "/v1/chat/completions", chatReq)
	if status != 200 || !strings.HasSuffix(contentOf(t, body), " [a] [b]") {
		t.Fatalf("%d %s, want both replacements in order", status, body)
	}
	g.flush(t)
	if ts := g.rec.terminal(); len(ts) != 1 || !strings.HasSuffix(ts[0].Response.Text(), " [a] [b]") {
		t.Errorf("the success event does not report the answer sent")
	}
	fail := successHook(func(context.Context, *HookCall, *llmux.Result) (*llmux.Result, error) {
		return nil, errors.New("output guardrail tripped")
	})
	g2 := newGateway(t, up, nil, WithHooks(fail))
	if status, _, body := g2.post(t, "/v1/chat/completions", chatReq); status != 500 || !strings.Contains(string(body), "output guardrail tripped") {
		t.Errorf("%d %s, want the hook's error", status, body)
	}
}

func TestHooks_FailureHookReplacesTheClientError(t *testing.T) {
	up := newFakeUpstream(t, upstreamReply{status: 429, body: string(readFile(t, "testdata/openai-error-429-rate-limit.json"))})
	replace := failureHook(func(ctx context.Context, c *HookCall, err error) error {
		if llmux.CodeOf(err) == llmux.CodeRateLimited {
			return &llmux.Error{Code: llmux.CodeOverloaded, Message: "busy, try the other region"}
		}
		return nil
	})
	panics := failureHook(func(context.Context, *HookCall, error) error { panic("boom") })
	g := newGateway(t, up, nil, WithHooks(panics, replace), WithClientOptions(llmux.WithMaxRetries(0)))
	status, _, body := g.post(t, "/v1/chat/completions", chatReq)
	if status != 503 || !strings.Contains(string(body), "busy, try the other region") {
		t.Errorf("%d %s, want the replacement error", status, body)
	}
	g.flush(t)
	ts := g.rec.terminal()
	if len(ts) != 1 || llmux.CodeOf(ts[0].Err) != llmux.CodeRateLimited {
		t.Errorf("the failure event does not report the original error")
	}
	if !strings.Contains(g.log.String(), "hook panicked") {
		t.Errorf("the failure hook's panic was not logged")
	}
}

func TestHooks_StreamHookSeesAndReplacesChunks(t *testing.T) {
	up := newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/openai-chat-stream.sse"))})
	var texts []string
	upper := streamHook(func(ctx context.Context, hc *HookCall, c *llmux.Chunk, text string) (*llmux.Chunk, error) {
		texts = append(texts, text)
		for i := range c.Choices {
			c.Choices[i].Delta.Content = strings.ToUpper(c.Choices[i].Delta.Content)
		}
		return c, nil
	})
	g := newGateway(t, up, nil, WithHooks(upper))
	status, _, body := g.post(t, "/v1/chat/completions", streamReq)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	var got strings.Builder
	for _, d := range sseData(body) {
		if d == "[DONE]" {
			continue
		}
		var c llmux.Chunk
		if err := json.Unmarshal([]byte(d), &c); err != nil {
			t.Fatal(err)
		}
		got.WriteString(c.Text())
	}
	if got.String() != strings.ToUpper(got.String()) || got.Len() == 0 {
		t.Errorf("client got %q, want it upper-cased", got.String())
	}
	last := texts[len(texts)-1]
	if strings.ToUpper(last) != got.String() {
		t.Errorf("the hook's accumulated text %q does not match what was streamed %q", last, got.String())
	}
}

func TestHooks_PanicFailsOnlyThatRequest(t *testing.T) {
	up := chatUpstream(t)
	var n atomic.Int32
	flaky := preHook(func(ctx context.Context, c *HookCall) error {
		if n.Add(1) == 1 {
			panic("hook bug")
		}
		return nil
	})
	g := newGateway(t, up, nil, WithHooks(flaky))
	status, _, body := g.post(t, "/v1/chat/completions", chatReq)
	if status != http.StatusInternalServerError || strings.Contains(string(body), "goroutine") {
		t.Errorf("panicking hook: %d %s, want a 500 without a stack", status, body)
	}
	if status, _, body := g.post(t, "/v1/chat/completions", chatReq); status != 200 {
		t.Errorf("next request: %d %s", status, body)
	}
	g.flush(t)
	if got := strings.Join(g.rec.types(), ","); got != "failed_api_call,pre_api_call,post_api_call,successful_api_call" {
		t.Errorf("events %s, want a failure then a normal call", got)
	}

	streamPanic := streamHook(func(context.Context, *HookCall, *llmux.Chunk, string) (*llmux.Chunk, error) { panic("chunk bug") })
	up2 := newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/openai-chat-stream.sse"))})
	g2 := newGateway(t, up2, nil, WithHooks(streamPanic))
	status, _, body = g2.post(t, "/v1/chat/completions", streamReq)
	if status != 200 || !strings.Contains(string(body), `{"error":`) || !strings.Contains(string(body), "chunk bug") {
		t.Errorf("panicking stream hook: %d %s, want an in-band error", status, body)
	}
	g2.flush(t)
	if ts := g2.rec.terminal(); len(ts) != 1 || ts[0].Type != llmux.EventFailure {
		t.Errorf("events %v, want one failure", g2.rec.types())
	}
}

func TestHooks_WithHooksRefusesNonHooks(t *testing.T) {
	if _, err := New(WithHooks(42)); err == nil || !strings.Contains(err.Error(), "implements no hook interface") {
		t.Errorf("err = %v", err)
	}
}
