package llmux

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/llmux/llmux/cost"
	"github.com/llmux/llmux/internal/mask"
)

// call is the state of one call across its attempts: it builds the event
// and emits each kind of it to the loggers.
type call struct {
	c        *Client
	regs     [3]*registry // global (package-level calls), client, request
	any      bool         // some logger listens to some kind
	req      *Request
	p        Provider
	upstream string
	redact   bool
	// bg is the caller's context without its cancellation, for background
	// deliveries. Like a Stream, a call is bound to its request.
	bg       context.Context
	ev       Event
	finished atomic.Bool
	// cache is the call's cache, nil when it uses none; its key is
	// ev.CacheKey.
	cache *cacher
}

// scope is what the package-level functions add to a client's call: the
// global loggers and the global cache. Client methods pass the zero scope.
type scope struct {
	reg    *registry
	cache  *cacher
	global bool // a package-level call
}

// begin validates and resolves a request and prepares its call. Any error
// here ends the call with its failure event alone (no attempt was made).
func (c *Client) begin(ctx context.Context, req *Request, ct CallType, stream bool, sc scope) (*call, error) {
	nilReq := req == nil
	if nilReq {
		req = &Request{}
	}
	cl := &call{c: c, req: req}
	cl.regs[0], cl.regs[1] = sc.reg, c.reg
	cl.ev.StartTime = time.Now()
	cl.ev.CallType = ct
	cl.ev.Stream = stream
	var regErr error
	if len(req.Callbacks) > 0 {
		r, err := newRegistry(req.Callbacks, registryConfig{log: c.cfg.log, shared: c.requestQueue(), sharedStats: &c.reqStats, closed: &c.reg.closed})
		if err != nil {
			regErr = &Error{Code: CodeInvalidRequest, Param: "callbacks", Message: "callbacks: " + err.Error(), Err: err}
		} else {
			cl.regs[2] = r
		}
	}
	cl.any = cl.listens()
	cl.redact = c.cfg.redact
	if v := req.TurnOffMessageLogging; v != nil {
		cl.redact = *v
	}
	cl.ev.Model = req.Model
	if cl.any {
		cl.fillEvent(ctx)
	}
	if nilReq {
		return nil, cl.fail(ctx, &Error{Code: CodeInvalidRequest, Message: "request is nil"})
	}
	if regErr != nil {
		return nil, cl.fail(ctx, regErr)
	}
	if err := validate(req, ct); err != nil {
		return nil, cl.fail(ctx, err)
	}
	p, name, upstream, err := c.resolve(req, sc.global)
	cl.ev.Provider, cl.ev.UpstreamModel = name, upstream
	if err != nil {
		return nil, cl.fail(ctx, err)
	}
	cl.p, cl.upstream = p, upstream
	switch ct {
	case CallTextCompletion:
		if _, ok := p.(TextCompleter); !ok {
			return nil, cl.fail(ctx, &Error{Code: CodeUnsupported, Provider: name, Message: "provider has no text-completion API"})
		}
	case CallEmbedding:
		if _, ok := p.(Embedder); !ok {
			return nil, cl.fail(ctx, &Error{Code: CodeUnsupported, Provider: name, Message: "provider has no embedding API"})
		}
	}
	k := sc.cache
	if k == nil {
		k = c.cache
	}
	cl.cacheSetup(k)
	return cl, nil
}

func (cl *call) listens() bool {
	for _, r := range cl.regs {
		if r != nil && len(r.subs) > 0 {
			return true
		}
	}
	return false
}

func (cl *call) has(k kind) bool {
	return cl.regs[0].has(k) || cl.regs[1].has(k) || cl.regs[2].has(k)
}

// fillEvent sets the call-start fields that cost allocations, only when
// someone listens.
func (cl *call) fillEvent(ctx context.Context) {
	req := cl.req
	e := &cl.ev
	e.CallID = uuid.NewString()
	e.TraceID = req.TraceID
	if e.TraceID == "" {
		e.TraceID = uuid.NewString()
	}
	e.User = req.User
	e.Tags = req.Tags
	e.Metadata = copyMap(req.Metadata)
	e.OptionalParams = optionalParams(req, e.Stream)
	e.MessagesRedacted = cl.redact
	if cl.redact {
		if len(req.Messages) > 0 {
			e.Messages = []Message{{Role: RoleUser, Content: RedactedText}}
		}
		if req.Prompt != "" {
			e.Prompt = RedactedText
		}
		if len(req.Input) > 0 {
			e.Input = []string{RedactedText}
		}
	} else {
		e.Messages = copyMessages(req.Messages)
		e.Prompt = req.Prompt
		e.Input = append([]string(nil), req.Input...)
	}
	cl.bg = context.WithoutCancel(ctx)
}

// emit delivers a snapshot of the event to every logger of kind k.
func (cl *call) emit(ctx context.Context, k kind) {
	if !cl.has(k) {
		return
	}
	e := new(Event)
	*e = cl.ev
	e.Type = kindTypes[k]
	cl.emitEvent(ctx, k, e, nil)
}

func (cl *call) emitEvent(ctx context.Context, k kind, e *Event, c *Chunk) {
	if k > kindPost {
		ctx = cl.bg
	}
	for _, r := range cl.regs {
		if r == nil {
			continue
		}
		for _, s := range r.byKind[k] {
			s.send(ctx, k, e, c)
		}
	}
}

// preAPICall records the attempt's wire request and emits the pre-API-call
// event, on the caller's goroutine.
func (cl *call) preAPICall(ctx context.Context, a *Attempt) {
	if !cl.any {
		return
	}
	w := &a.wire
	input := w.input
	if input == nil {
		switch cl.ev.CallType {
		case CallTextCompletion:
			input = cl.ev.Prompt
		case CallEmbedding:
			input = cl.ev.Input
		default:
			input = cl.ev.Messages
		}
	}
	body := w.body
	if cl.redact {
		input = RedactedText
		body = redactedJSON
	}
	cl.ev.Attempt = AttemptInfo{
		Number:      a.Number,
		StartTime:   a.startedAt,
		Input:       input,
		APIKey:      mask.Key(w.apiKey),
		APIBase:     mask.URL(w.url),
		RequestBody: body,
		Headers:     mask.Header(w.header),
	}
	cl.ev.OriginalResponse, cl.ev.ResponseHeaders, cl.ev.StatusCode = "", nil, 0
	cl.emit(ctx, kindPre)
}

var redactedJSON = []byte(`"` + RedactedText + `"`)

// postAPICall emits the post-API-call event of an attempt that reached the
// provider (or received a response). A mock error never does: it gives the
// failure event alone after its pre-API-call event.
func (cl *call) postAPICall(ctx context.Context, a *Attempt, err error) {
	if !cl.any || !a.began || !(a.sent || a.received) {
		return
	}
	raw := string(a.raw)
	if cl.redact && err == nil {
		raw = RedactedText
	}
	if raw == "" && err != nil {
		raw = err.Error()
	}
	// An upstream error body may echo the key it was sent.
	raw = mask.String(raw, cl.req.APIKey, a.wire.apiKey)
	cl.ev.OriginalResponse = raw
	cl.ev.ResponseHeaders = mask.Header(a.header)
	cl.ev.StatusCode = a.status
	cl.ev.Attempt.Err = err
	cl.emit(ctx, kindPost)
	cl.ev.Attempt.Err = nil
}

// attempt runs fn once per attempt, retrying retryable failures with
// backoff. Each attempt has its own timeout up to the response (for
// streams: up to the response headers). For streams the returned cancel
// ends the successful attempt's context; the stream calls it when done.
func (cl *call) attempt(ctx context.Context, stream bool, fn func(context.Context, *Attempt) error) (context.CancelFunc, error) {
	max := cl.c.cfg.maxRetries
	if cl.req.MaxRetries != nil {
		max = *cl.req.MaxRetries
	}
	timeout := cl.c.cfg.timeout
	if cl.req.Timeout > 0 {
		timeout = cl.req.Timeout
	}
	for n := 1; ; n++ {
		a := &Attempt{
			Request: cl.req, Model: cl.upstream, Number: n, HTTPClient: cl.c.cfg.httpClient,
			APIBase: cl.req.APIBase, APIKey: cl.req.APIKey, APIVersion: cl.req.APIVersion,
			Stream: stream, call: cl,
		}
		actx, cancel := context.WithCancel(ctx)
		var timedOut atomic.Bool
		timer := time.AfterFunc(timeout, func() { timedOut.Store(true); cancel() })
		err := fn(actx, a)
		timer.Stop()
		if err != nil && ctx.Err() == nil && timedOut.Load() {
			err = &Error{Code: CodeTimeout, Message: fmt.Sprintf("no response within %v", timeout), Err: context.DeadlineExceeded}
		}
		if err != nil || !stream {
			cancel()
		}
		if err != nil {
			err = cl.normalize(err)
		}
		cl.postAPICall(ctx, a, err)
		if err == nil {
			if stream {
				return cancel, nil
			}
			return nil, nil
		}
		if n > max || !IsRetryable(err) || ctx.Err() != nil {
			return nil, err
		}
		wait, ok := cl.backoff(n, err)
		if !ok {
			return nil, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, cl.normalize(ctx.Err())
		case <-t.C:
		}
	}
}

// backoff returns the wait before attempt n+1: the provider's Retry-After
// when given (false when it exceeds the client's maximum wait), else
// exponential backoff with jitter.
func (cl *call) backoff(n int, err error) (time.Duration, bool) {
	cfg := &cl.c.cfg
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter, e.RetryAfter <= cfg.maxWait
	}
	d := cfg.backoffBase << (n - 1)
	if d > cfg.backoffMax || d <= 0 {
		d = cfg.backoffMax
	}
	if d <= 0 {
		return 0, true
	}
	return d/2 + rand.N(d/2+1), true
}

// normalize turns any error into an *Error naming the provider, with any
// key of the request masked out of its message.
func (cl *call) normalize(err error) *Error {
	e := asError(err, cl.ev.Provider)
	e.Message = mask.String(e.Message, cl.req.APIKey)
	return e
}

// fail ends the call with its failure event and returns the *Error for the
// caller.
func (cl *call) fail(ctx context.Context, err error) error {
	e := cl.normalize(err)
	if !cl.finished.CompareAndSwap(false, true) || !cl.has(kindFailure) {
		return e
	}
	cl.ev.EndTime = time.Now()
	if cl.ev.CompletionStartTime.IsZero() {
		cl.ev.CompletionStartTime = cl.ev.EndTime
	}
	cl.ev.Err = e
	cl.ev.StatusCode = e.StatusCode
	cl.ev.Traceback = string(debug.Stack())
	if cl.bg == nil {
		cl.bg = context.WithoutCancel(ctx)
	}
	cl.emit(ctx, kindFailure)
	return e
}

// succeed ends the call with its success event.
func (cl *call) succeed(ctx context.Context) {
	if !cl.finished.CompareAndSwap(false, true) || !cl.has(kindSuccess) {
		return
	}
	cl.ev.EndTime = time.Now()
	if cl.ev.CompletionStartTime.IsZero() {
		cl.ev.CompletionStartTime = cl.ev.EndTime
	}
	cl.emit(ctx, kindSuccess)
}

// account sets usage and cost on the event. Missing usage is estimated
// with the offline tokenizer and marked as such.
func (cl *call) account(resp *Response) {
	if resp == nil {
		return
	}
	if resp.Usage.IsZero() {
		resp.Usage = estimateUsage(cl.upstream, cl.req, resp)
	}
	cl.charge(resp.Usage, resp.Model)
}

// charge sets the usage and its cost on the event. A cache hit costs
// nothing: what the call would have cost is its saved cost.
func (cl *call) charge(u Usage, respModel string) {
	if !cl.any {
		return
	}
	cl.ev.Usage = u
	total, b, err := cl.price(u, respModel)
	if cl.ev.CacheHit {
		if err == nil {
			cl.ev.SavedCacheCost = total
		}
		return
	}
	cl.ev.ResponseCost, cl.ev.CostBreakdown, cl.ev.CostErr = total, b, err
}

// price computes the cost of a usage: the request's own price, else the
// client's table under the upstream model name, else under the model name
// the provider answered with.
func (cl *call) price(u Usage, respModel string) (float64, cost.Breakdown, error) {
	if p := cl.req.Price; p != nil {
		b, err := p.Cost(costUsage(u))
		return b.Total, b, err
	}
	b, err := usageCost(cl.c.cfg.prices, cl.ev.Provider, u, cl.upstream, respModel)
	return b.Total, b, err
}

func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func copyMessages(ms []Message) []Message {
	if ms == nil {
		return nil
	}
	out := make([]Message, len(ms))
	copy(out, ms)
	for i := range out {
		out[i].Parts = append([]ContentPart(nil), out[i].Parts...)
		out[i].ToolCalls = append([]ToolCall(nil), out[i].ToolCalls...)
	}
	return out
}
