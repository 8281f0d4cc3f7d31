package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/llmux/llmux"
)

// Proxy hooks are LiteLLM's async_pre_call_hook family in Go. A hook is a
// value implementing one or more of the interfaces below, given to
// [WithHooks]. The gateway adapts them to one [llmux.Middleware] that
// runs before the router, so a request is still one llmux call: a
// rejection ends it with one failure event, a replaced response is what
// the success event reports and the client gets.
//
// Hooks are called from the request's goroutine (a ModerationHook from
// its own), concurrently for concurrent requests. A hook that panics
// fails that request with a 500 and one failure event; the gateway and
// every other request go on. FailureHook is the exception: its panics are
// logged and ignored, and the original error is answered.

// HookCall is a request as hooks see it.
type HookCall struct {
	// Endpoint is the route the client called, as "/v1/chat/completions".
	Endpoint string
	// CallType is the kind of call: completion, text_completion or
	// embedding.
	CallType llmux.CallType
	// Stream is set when the client asked for a stream.
	Stream bool
	// Request is the call's request. A PreCallHook may set its fields or
	// replace it; it must replace a slice or map it changes (Messages =
	// append([]llmux.Message{...}, Messages...)), not change it in place.
	Request *llmux.Request
	// RequestID is the request's x-request-id.
	RequestID string
	// KeyHash is the SHA-256 (hex) of the key the client presented, ""
	// without one (LiteLLM's user_api_key_dict.token).
	KeyHash string
}

// PreCallHook runs before the call (LiteLLM's async_pre_call_hook). It may
// change c.Request; return a [*Reject] to answer with a message instead of
// calling the model, or another error to fail the request (an
// [*llmux.Error] chooses the status by its code).
type PreCallHook interface {
	PreCall(ctx context.Context, c *HookCall) error
}

// Reject refuses a request with a message: a chat or text completion is
// answered normally, with the message as the assistant's content (as
// LiteLLM does when async_pre_call_hook returns a string); other
// endpoints answer 400 with it.
type Reject struct {
	Message string
}

func (r *Reject) Error() string { return "rejected by a pre-call hook: " + r.Message }

// ModerationHook runs concurrently with the call (LiteLLM's
// async_moderation_hook, during_call): an error fails the request, and
// the model's answer is not sent. It must not change c.
type ModerationHook interface {
	Moderate(ctx context.Context, c *HookCall) error
}

// SuccessHook runs after a successful non-streaming call (LiteLLM's
// async_post_call_success_hook). It returns the result to answer with: res,
// a changed copy or a new one; nil keeps res. Hooks are chained: each gets
// what the previous returned. res is the hook's to change. An error fails
// the request.
type SuccessHook interface {
	PostCallSuccess(ctx context.Context, c *HookCall, res *llmux.Result) (*llmux.Result, error)
}

// FailureHook runs when a request fails (LiteLLM's
// async_post_call_failure_hook). It may return the error the client gets
// instead of err; nil keeps err. Events report the original error.
type FailureHook interface {
	PostCallFailure(ctx context.Context, c *HookCall, err error) error
}

// StreamHook sees each chunk of a stream before the client does (LiteLLM's
// async_post_call_streaming_hook), with text, the content of the first
// choice streamed so far, this chunk's included. It returns the chunk to
// send: c (which is the hook's to change), another, or nil to send
// nothing for it. An error ends the stream with that error.
type StreamHook interface {
	StreamChunk(ctx context.Context, hc *HookCall, c *llmux.Chunk, text string) (*llmux.Chunk, error)
}

func isHook(h any) bool {
	switch h.(type) {
	case PreCallHook, ModerationHook, SuccessHook, FailureHook, StreamHook:
		return true
	}
	return false
}

// hookSet is the hooks of a server, sorted by kind once.
type hookSet struct {
	pre        []PreCallHook
	moderation []ModerationHook
	success    []SuccessHook
	failure    []FailureHook
	stream     []StreamHook
	log        *slog.Logger
}

func newHookSet(hooks []any, log *slog.Logger) *hookSet {
	s := &hookSet{log: log}
	for _, h := range hooks {
		if v, ok := h.(PreCallHook); ok {
			s.pre = append(s.pre, v)
		}
		if v, ok := h.(ModerationHook); ok {
			s.moderation = append(s.moderation, v)
		}
		if v, ok := h.(SuccessHook); ok {
			s.success = append(s.success, v)
		}
		if v, ok := h.(FailureHook); ok {
			s.failure = append(s.failure, v)
		}
		if v, ok := h.(StreamHook); ok {
			s.stream = append(s.stream, v)
		}
	}
	return s
}

func (s *hookSet) empty() bool {
	return len(s.pre)+len(s.moderation)+len(s.success)+len(s.stream) == 0
}

type hookCallKey struct{}

// hookCallFrom returns the request's HookCall, or one built from the call
// when the call did not come through the gateway's handlers.
func hookCallFrom(ctx context.Context, c *llmux.Call) *HookCall {
	if hc, ok := ctx.Value(hookCallKey{}).(*HookCall); ok {
		return hc
	}
	return &HookCall{CallType: c.Type, Stream: c.Stream}
}

// hookPanic is the error a panicking hook fails its request with.
func hookPanic(kind string, h any, p any) error {
	return &llmux.Error{Code: llmux.CodeUnknown, Message: fmt.Sprintf("%s hook %T panicked: %v", kind, h, p)}
}

// middleware adapts the hooks to one llmux middleware.
func (s *hookSet) middleware() llmux.Middleware {
	return func(next llmux.CallFunc) llmux.CallFunc {
		return func(ctx context.Context, c *llmux.Call) (res *llmux.Result, err error) {
			hc := hookCallFrom(ctx, c)
			hc.Request = c.Request
			for _, h := range s.pre {
				err := s.runPre(ctx, h, hc)
				if rj := (*Reject)(nil); errors.As(err, &rj) {
					return rejection(ctx, c, rj)
				}
				if err != nil {
					return nil, err
				}
			}
			c.Request = hc.Request
			if len(s.moderation) == 0 {
				res, err = next(ctx, c)
			} else {
				res, err = s.withModeration(ctx, c, hc, next)
			}
			if err != nil {
				return nil, err
			}
			if res.Stream != nil {
				if len(s.stream) > 0 {
					res = &llmux.Result{Stream: &hookedStream{r: res.Stream, hooks: s.stream, hc: hc, ctx: ctx}}
				}
				return res, nil
			}
			for _, h := range s.success {
				out, err := s.runSuccess(ctx, h, hc, res)
				if err != nil {
					return nil, err
				}
				if out != nil {
					res = out
				}
			}
			return res, nil
		}
	}
}

func (s *hookSet) runPre(ctx context.Context, h PreCallHook, hc *HookCall) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.logPanic("pre-call", h, p)
			err = hookPanic("pre-call", h, p)
		}
	}()
	return h.PreCall(ctx, hc)
}

func (s *hookSet) runSuccess(ctx context.Context, h SuccessHook, hc *HookCall, res *llmux.Result) (out *llmux.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.logPanic("post-call success", h, p)
			out, err = nil, hookPanic("post-call success", h, p)
		}
	}()
	return h.PostCallSuccess(ctx, hc, res)
}

// withModeration runs the moderation hooks concurrently with the call and
// returns the call's result only once every hook passed. A failing hook
// cancels the call.
func (s *hookSet) withModeration(ctx context.Context, c *llmux.Call, hc *HookCall, next llmux.CallFunc) (*llmux.Result, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	var once sync.Once
	var modErr error
	for _, h := range s.moderation {
		wg.Go(func() {
			err := s.runModeration(ctx, h, hc)
			if err != nil {
				once.Do(func() { modErr = err })
				cancel(err)
			}
		})
	}
	res, err := next(ctx, c)
	wg.Wait()
	if modErr != nil {
		if res != nil && res.Stream != nil {
			_ = res.Stream.Close()
		}
		return nil, modErr
	}
	return res, err
}

func (s *hookSet) runModeration(ctx context.Context, h ModerationHook, hc *HookCall) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.logPanic("moderation", h, p)
			err = hookPanic("moderation", h, p)
		}
	}()
	return h.Moderate(ctx, hc)
}

// failure runs the failure hooks on err and returns the error to answer.
func (s *hookSet) onFailure(ctx context.Context, hc *HookCall, err error) error {
	for _, h := range s.failure {
		if out := s.runFailure(ctx, h, hc, err); out != nil {
			err = out
		}
	}
	return err
}

func (s *hookSet) runFailure(ctx context.Context, h FailureHook, hc *HookCall, err error) (out error) {
	defer func() {
		if p := recover(); p != nil {
			s.logPanic("post-call failure", h, p)
			out = nil
		}
	}()
	return h.PostCallFailure(ctx, hc, err)
}

func (s *hookSet) logPanic(kind string, h any, p any) {
	s.log.Error("proxy: hook panicked", "hook", fmt.Sprintf("%T", h), "kind", kind, "panic", fmt.Sprint(p),
		"stack", string(debug.Stack()))
}

// rejection answers a rejected call: chat and text completions with the
// message as the assistant's reply, other calls with a 400.
func rejection(ctx context.Context, c *llmux.Call, rj *Reject) (*llmux.Result, error) {
	if c.Type == llmux.CallEmbedding {
		return nil, &llmux.Error{Code: llmux.CodeInvalidRequest, StatusCode: 400, Message: rj.Message}
	}
	model := ""
	if c.Request != nil {
		model = c.Request.Model
	}
	resp := &llmux.Response{
		ID:      "chatcmpl-" + c.ID,
		Object:  "chat.completion",
		Created: time.Now().Unix(),
		Model:   model,
		Choices: []llmux.Choice{{Message: llmux.Assistant(rj.Message), FinishReason: "stop"}},
	}
	if c.Type == llmux.CallTextCompletion {
		resp.Object = "text_completion"
		resp.Choices[0] = llmux.Choice{Text: rj.Message, FinishReason: "stop"}
	}
	if c.Stream {
		return &llmux.Result{Stream: llmux.ResponseStream(ctx, resp)}, nil
	}
	return &llmux.Result{Response: resp}, nil
}

// hookedStream passes each chunk through the stream hooks.
type hookedStream struct {
	r     llmux.ChunkReader
	hooks []StreamHook
	hc    *HookCall
	ctx   context.Context
	text  strings.Builder
}

func (s *hookedStream) Recv() (*llmux.Chunk, error) {
	for {
		c, err := s.r.Recv()
		if err != nil {
			return c, err
		}
		if c == nil {
			continue
		}
		s.text.WriteString(c.Text())
		c, err = s.apply(c)
		if err != nil {
			return nil, err
		}
		if c != nil {
			return c, nil
		}
	}
}

func (s *hookedStream) apply(c *llmux.Chunk) (out *llmux.Chunk, err error) {
	text := s.text.String()
	for _, h := range s.hooks {
		func() {
			defer func() {
				if p := recover(); p != nil {
					err = hookPanic("streaming", h, p)
				}
			}()
			c, err = h.StreamChunk(s.ctx, s.hc, c, text)
		}()
		if err != nil || c == nil {
			return nil, err
		}
	}
	return c, nil
}

func (s *hookedStream) Close() error { return s.r.Close() }

var _ io.Closer = (*hookedStream)(nil)
