package llmux

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/llmux/llmux/internal/later"
	"github.com/llmux/llmux/internal/mask"
	"github.com/llmux/llmux/internal/stage"
)

// call is the state of one call across its attempts: it builds the event
// and emits each kind of it to the loggers.
type call struct {
	c    *Client
	regs [3]*registry // global (package-level calls), client, request
	// subs are the loggers of each kind: one registry's slices, or the
	// registries merged without duplicates.
	subs   [numKinds][]*subscriber
	any    bool // some logger listens to some kind
	ct     CallType
	stream bool
	global bool // a package-level call
	// req is the request the call runs: the caller's, or middleware's.
	// Attempts send eff: req without the parameters the provider cannot
	// take, when they are dropped.
	req, eff *Request
	orig     *Request // the caller's request
	mw       bool     // middleware ran: the event is refreshed from req
	snapped  bool     // the event holds a snapshot of the request
	chain    CallFunc
	callv    Call
	p        Provider
	upstream string
	redact   bool
	// bg is the caller's context without its cancellation, for queued
	// deliveries. Like a Stream, a call is bound to its request.
	bg        context.Context
	ev        Event
	finished  atomic.Bool
	attempted bool // an attempt began: pre-API-call events were emitted
	// attempts counts the call's attempts: across retries, and across the
	// deployments a router tries (each runs the end of the chain again).
	attempts int
	// secrets are every secret the call knows (keys, secret headers and
	// query values); everything it reports is scrubbed of them.
	secrets mask.Secrets
	// wireFin, respFin and costFin are the event work left to the loggers
	// (finish.go): the latest attempt's request and response, the cost.
	wireFin *wireParts
	respFin *respParts
	costFin *costParts
	// cache is the call's cache, nil when it uses none; its key is
	// ev.CacheKey.
	cache *cacher
	// cancel ends a successful streaming attempt's context.
	cancel context.CancelFunc
	// later is the gateway's slot for the events after the answer
	// (internal/later), nil without one; held is the successful attempt
	// whose post-API-call event waits for it, heldCtx its context.
	later   *later.Slot
	held    *Attempt
	heldCtx context.Context
}

// scope is what the package-level functions add to a client's call: the
// global loggers and the global cache. Client methods pass the zero scope.
type scope struct {
	reg    *registry
	cache  *cacher
	global bool // a package-level call
}

// begin prepares a call and its event. An error here (a nil request, bad
// callbacks) ends the call with its failure event alone.
func (c *Client) begin(ctx context.Context, req *Request, ct CallType, stream bool, sc scope) (*call, error) {
	nilReq := req == nil
	if nilReq {
		req = &Request{}
	}
	cl := &call{c: c, req: req, eff: req, orig: req, ct: ct, stream: stream, global: sc.global}
	cl.regs[0], cl.regs[1] = sc.reg, c.reg
	cl.ev.StartTime = time.Now()
	cl.ev.CallType = ct
	cl.ev.Stream = stream
	cl.ev.Model = req.Model
	cl.addRequestSecrets(req)
	var regErr error
	if len(req.Callbacks) > 0 {
		r, err := newRegistry(req.Callbacks, registryConfig{log: c.cfg.log, shared: c.requestQueue, sharedStats: &c.reqStats,
			closed: &c.reg.closed, warned: &c.reg.warnedClosed, exclude: c.reg, exclude2: sc.reg})
		if err != nil {
			regErr = &Error{Code: CodeInvalidRequest, Param: "callbacks", Message: "callbacks: " + err.Error(), Err: err}
		} else {
			cl.regs[2] = r
		}
	}
	if !req.NoLog {
		cl.collect()
	}
	cl.redact = c.cfg.redact
	if v := req.TurnOffMessageLogging; v != nil {
		cl.redact = *v
	}
	if cl.any {
		cl.ev.CallID = newID()
		cl.ev.TraceID = req.TraceID
		if cl.ev.TraceID == "" {
			cl.ev.TraceID = newID()
		}
		cl.ev.MessagesRedacted = cl.redact
		cl.ev.PayloadExcludedFields = c.cfg.payloadExclude
		// The request's fields are copied into the event once, when the
		// chain reaches the client (invoke), or, for a call that ends
		// before, when it ends (ensureSnapshot): not here too.
		cl.bg = context.WithoutCancel(ctx)
	}
	if nilReq {
		return nil, cl.fail(ctx, &Error{Code: CodeInvalidRequest, Message: "request is nil"})
	}
	if regErr != nil {
		return nil, cl.fail(ctx, regErr)
	}
	cl.chain = c.chain
	if len(req.Middleware) > 0 {
		cl.chain = chain(append(append([]Middleware(nil), c.cfg.middleware...), req.Middleware...), terminal)
	}
	return cl, nil
}

// collect gathers the loggers of the call's registries, leaving out a
// logger registered in more than one (it gets each event once).
func (cl *call) collect() {
	var n int
	var only *registry
	for _, r := range cl.regs {
		if r != nil && len(r.subs) > 0 {
			n++
			only = r
		}
	}
	switch n {
	case 0:
		return
	case 1:
		cl.subs = only.byKind
	default:
		for k := range cl.subs {
			seen := 0
			for _, r := range cl.regs {
				if r == nil {
					continue
				}
				for _, s := range r.byKind[k] {
					dup := false
					if s.key != nil {
						for _, t := range cl.subs[k][:seen] {
							if t.key == s.key {
								dup = true
								break
							}
						}
					}
					if !dup {
						cl.subs[k] = append(cl.subs[k], s)
						seen++
					}
				}
			}
		}
	}
	for k := range cl.subs {
		if len(cl.subs[k]) > 0 {
			cl.any = true
		}
	}
}

func (cl *call) has(k kind) bool { return len(cl.subs[k]) > 0 }

// ensureSnapshot gives the event the caller's request when no snapshot
// was taken: the call ended, or middleware answered it, before the chain
// reached the client.
func (cl *call) ensureSnapshot() {
	if !cl.any || cl.snapped {
		return
	}
	cl.snapshot(cl.orig, cl.orig)
}

// snapshot copies the request's fields into the event: deep copies, so
// nothing the caller changes later shows, scrubbed of the secrets known.
// req is the request the call runs (its model and route), eff what it
// sends (req without dropped parameters).
func (cl *call) snapshot(req, eff *Request) {
	cl.snapped = true
	e := &cl.ev
	e.Model = req.Model
	e.Route = Route{}
	if r := req.Route; r != nil {
		e.Route = *r
	}
	e.User = eff.User
	e.Tags = cloneStrings(eff.Tags)
	e.Metadata = copyMeta(eff.Metadata)
	e.OptionalParams = optionalParams(eff, cl.stream)
	if cl.redact {
		e.Messages, e.Prompt, e.Input = nil, "", nil
		if len(eff.Messages) > 0 {
			e.Messages = []Message{{Role: RoleUser, Content: RedactedText}}
		}
		if eff.Prompt != "" {
			e.Prompt = RedactedText
		}
		if len(eff.Input) > 0 {
			e.Input = []string{RedactedText}
		}
	} else {
		e.Messages = cloneSlice(eff.Messages, Message.clone)
		e.Prompt = eff.Prompt
		e.Input = cloneStrings(eff.Input)
	}
	cl.scrubSnapshot()
}

// scrubSnapshot scrubs the call-start fields of the event of the secrets
// known, replacing (never changing) what holds one. It runs again when an
// attempt brings new secrets (the provider's own key).
func (cl *call) scrubSnapshot() {
	s := &cl.secrets
	if s.Len() == 0 {
		return
	}
	e := &cl.ev
	e.Prompt = s.String(e.Prompt)
	for i, in := range e.Input {
		if s.Contains(in) {
			e.Input = cloneStrings(e.Input)
			for j := i; j < len(e.Input); j++ {
				e.Input[j] = s.String(e.Input[j])
			}
			break
		}
	}
	for i := range e.Messages {
		if messageHas(s, &e.Messages[i]) {
			ms := cloneSlice(e.Messages, Message.clone)
			for j := range ms {
				scrubMessage(s, &ms[j])
			}
			e.Messages = ms
			break
		}
	}
	if metaHas(s, e.Metadata, 0) {
		e.Metadata = scrubMeta(s, e.Metadata, 0).(map[string]any)
	}
}

// run runs the call through the middleware chain.
func (cl *call) run(ctx context.Context) (res *Result, err error) {
	stage.Mark(stage.CallBegun)
	if cl.chain == nil {
		return cl.invoke(ctx, nil)
	}
	cl.mw = true
	req := *cl.req // the chain's shallow copy
	cl.callv = Call{ID: cl.ev.CallID, Type: cl.ct, Stream: cl.stream, Request: &req, cl: cl}
	defer func() {
		cl.ensureSnapshot()
		if p := recover(); p != nil {
			res, err = nil, &Error{Code: CodeUnknown, Message: fmt.Sprintf("middleware panicked: %v", p)}
			cl.c.cfg.log.Error("llmux: middleware panicked", "call_id", cl.ev.CallID, "panic", cl.secrets.String(fmt.Sprint(p)))
		}
		// A router that refused the call without trying a deployment
		// (every one cooled down) still says which group it was.
		if err != nil && cl.ev.Route == (Route{}) {
			if r := cl.callv.Request; r != nil && r.Route != nil {
				cl.ev.Route = *r.Route
			}
		}
	}()
	return cl.chain(ctx, &cl.callv)
}

// addRequestSecrets adds the secrets req carries: its APIKey and the
// values of its ProviderParams whose names look secret.
func (cl *call) addRequestSecrets(req *Request) {
	cl.secrets.Add(req.APIKey)
	for k, v := range req.ProviderParams {
		if mask.IsSecretName(k) {
			cl.secrets.Add(v)
			cl.secrets.AddJSON(v) // a service-account key's private_key
		}
	}
}

// invoke runs the call as the client does at the end of the middleware
// chain: validate, resolve, check the parameters, then answer from the
// cache or the provider.
func (cl *call) invoke(ctx context.Context, c *Call) (*Result, error) {
	stage.Mark(stage.ChainDone)
	if c != nil {
		if c.Request == nil {
			return nil, &Error{Code: CodeInvalidRequest, Message: "middleware set a nil request"}
		}
		cl.req, cl.eff = c.Request, c.Request
		cl.addRequestSecrets(cl.req)
	}
	req := cl.req
	if err := validate(req, cl.ct); err != nil {
		return nil, err
	}
	p, name, upstream, err := cl.c.resolve(req, cl.global)
	cl.ev.Provider, cl.ev.UpstreamModel = name, upstream
	stage.Mark(stage.Resolved)
	if err != nil {
		return nil, err
	}
	cl.p, cl.upstream = p, upstream
	switch cl.ct {
	case CallTextCompletion:
		if _, ok := p.(textCompleter); !ok {
			return nil, &Error{Code: CodeUnsupported, Provider: name, Message: "provider has no text-completion API"}
		}
	case CallEmbedding:
		if _, ok := p.(embedder); !ok {
			return nil, &Error{Code: CodeUnsupported, Provider: name, Message: "provider has no embedding API"}
		}
	}
	// A mock stands in for the provider the name resolves to: it takes
	// the parameters that provider takes.
	checked := p
	if _, mock := p.(mockProvider); mock {
		if real, _, _ := cl.c.resolver.lookup(req.Model); real != nil {
			checked = real
		}
	}
	eff, dropped, err := cl.checkParams(req, checked, name)
	if err != nil {
		return nil, err
	}
	cl.eff = eff
	if cl.any && (!cl.snapped || cl.mw || len(dropped) > 0) {
		cl.ev.DroppedParams = dropped
		cl.snapshot(cl.req, cl.eff)
	}
	stage.Mark(stage.Checked)
	k := cl.c.cache
	if s := cl.scope(); s != nil {
		k = s
	}
	cl.cacheSetup(k)
	stage.Mark(stage.CacheReady)
	return cl.answer(ctx)
}

// scope returns the package-level cache of a package-level call.
func (cl *call) scope() *cacher {
	if cl.global {
		return globalCache.Load()
	}
	return nil
}

// preAPICall records the attempt's wire request and emits the pre-API-call
// event.
func (cl *call) preAPICall(ctx context.Context, a *Attempt) {
	cl.releaseHeld()
	cl.attempted = true
	w := &a.wire
	s := &cl.secrets
	grew := s.Add(w.apiKey)
	grew = s.AddHeader(w.header) || grew
	grew = s.AddURL(w.url) || grew
	if !cl.any {
		return
	}
	if grew {
		cl.scrubSnapshot()
	}
	var input any
	switch in := w.input.(type) {
	case nil:
		switch cl.ev.CallType {
		case CallTextCompletion:
			input = cl.ev.Prompt
		case CallEmbedding:
			input = cl.ev.Input
		default:
			input = cl.ev.Messages
		}
	case string:
		input = s.String(in)
	case []string:
		input = cloneStrings(in)
	case []Message:
		ms := cloneSlice(in, Message.clone)
		for i := range ms {
			scrubMessage(s, &ms[i])
		}
		input = ms
	default:
		input = in
	}
	// The provider's body is never changed after it was sent (package
	// provider's contract), so the event keeps it without a copy; a
	// scrubbed body is a copy already.
	body := s.Bytes(w.body)
	if cl.redact {
		input = RedactedText
		body = redactedJSON
	}
	// The key, the URL and the headers are masked by the loggers
	// (finish.go): the provider never changes them after sending.
	cl.ev.Attempt = AttemptInfo{
		Number:      a.Number,
		StartTime:   a.startedAt,
		Input:       input,
		RequestBody: body,
	}
	cl.wireFin = &wireParts{secrets: s.Snapshot(), apiKey: w.apiKey, url: w.url, header: w.header}
	cl.ev.OriginalResponse, cl.ev.StatusCode = "", 0
	cl.respFin = nil
	cl.emit(ctx, kindPre)
}

// releaseHeld emits the post-API-call event a successful attempt left for
// after the answer: now, as something else (another attempt, a failure)
// is about to be emitted, or the answer was written.
func (cl *call) releaseHeld() {
	if a := cl.held; a != nil {
		cl.held = nil
		cl.postAPICall(cl.heldCtx, a, nil)
	}
}

var redactedJSON = []byte(`"` + RedactedText + `"`)

// postAPICall emits the post-API-call event of an attempt that reached the
// provider (or received a response). A mock error never does: it gives the
// failure event alone after its pre-API-call event.
func (cl *call) postAPICall(ctx context.Context, a *Attempt, err *Error) {
	if !cl.any || !a.began || !(a.sent || a.received) {
		return
	}
	// The body and the headers are scrubbed by the loggers (finish.go):
	// nothing changes them after they were received.
	r := &respParts{secrets: cl.secrets.Snapshot(), header: a.header}
	var raw string
	switch {
	case cl.redact && err == nil:
		raw = RedactedText
	case len(a.raw) > 0:
		r.raw = string(a.raw)
	case err != nil:
		raw = err.Error()
	}
	cl.ev.OriginalResponse = raw
	cl.respFin = r
	cl.ev.StatusCode = a.status
	if err != nil {
		cl.ev.Attempt.Err = err.clone()
	}
	cl.emit(ctx, kindPost)
	cl.ev.Attempt.Err = nil
}

// attempt runs fn once per attempt, retrying retryable failures with
// backoff. Each attempt has its own timeout up to the response (for
// streams: up to the response headers). For streams the successful
// attempt's context stays open: cl.cancel ends it.
func (cl *call) attempt(ctx context.Context, fn func(context.Context, *Attempt) error) error {
	max := cl.c.cfg.maxRetries
	if cl.req.MaxRetries != nil {
		max = *cl.req.MaxRetries
	}
	timeout := cl.c.cfg.timeout
	if cl.req.Timeout > 0 {
		timeout = cl.req.Timeout
	}
	for n := 1; ; n++ {
		cl.attempts++
		a := &Attempt{
			Request: cl.eff, Model: cl.upstream, Number: cl.attempts, HTTPClient: cl.c.cfg.httpClient,
			APIBase: cl.req.APIBase, APIKey: cl.req.APIKey, APIVersion: cl.req.APIVersion,
			Stream: cl.stream, call: cl,
		}
		actx, cancel := context.WithCancel(ctx)
		var timedOut atomic.Bool
		timer := time.AfterFunc(timeout, func() { timedOut.Store(true); cancel() })
		err := fn(actx, a)
		timer.Stop()
		stage.Mark(stage.AttemptDone)
		if err != nil && ctx.Err() == nil && timedOut.Load() {
			err = &Error{Code: CodeTimeout, Message: fmt.Sprintf("no response within %v", timeout), Err: context.DeadlineExceeded}
		}
		if err != nil || !cl.stream {
			cancel()
		}
		var e *Error
		if err != nil {
			e = cl.normalize(err)
		}
		if e == nil && cl.later != nil {
			cl.held, cl.heldCtx = a, ctx // emitted after the answer, or before what comes next
		} else {
			cl.postAPICall(ctx, a, e)
		}
		stage.Mark(stage.PostEvent)
		if e == nil {
			if cl.stream {
				cl.cancel = cancel
			}
			return nil
		}
		if n > max || !IsRetryable(e) || ctx.Err() != nil {
			return e
		}
		wait, ok := cl.backoff(n, e)
		if !ok {
			return e
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return cl.normalize(ctx.Err())
		case <-t.C:
		}
	}
}

// backoff returns the wait before attempt n+1: the provider's Retry-After
// when given (false when it exceeds the client's maximum wait), else
// exponential backoff with jitter.
func (cl *call) backoff(n int, e *Error) (time.Duration, bool) {
	cfg := &cl.c.cfg
	if e.RetryAfter > 0 {
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

// normalize turns any error into a new *Error naming the provider, scrubbed
// of every secret the call knows. The error it was given is never changed.
func (cl *call) normalize(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		e = e.clone()
	} else {
		e = &Error{Code: CodeOf(err), Message: err.Error(), Err: err}
	}
	if e.Provider == "" {
		e.Provider = cl.ev.Provider
	}
	return scrubError(&cl.secrets, e)
}

// fail ends the call with its failure event and returns the *Error for the
// caller. The event gets its own copy of the error.
func (cl *call) fail(ctx context.Context, err error) error {
	e := cl.normalize(err)
	cl.releaseHeld()
	if !cl.finished.CompareAndSwap(false, true) || !cl.has(kindFailure) {
		return e
	}
	cl.ensureSnapshot()
	cl.ev.EndTime = time.Now()
	if cl.ev.CompletionStartTime.IsZero() {
		cl.ev.CompletionStartTime = cl.ev.EndTime
	}
	cl.ev.Err = e.clone()
	cl.ev.StatusCode = e.StatusCode
	cl.ev.Traceback = string(debug.Stack())
	if cl.bg == nil {
		cl.bg = context.WithoutCancel(ctx)
	}
	cl.emit(ctx, kindFailure)
	return e
}

// succeed ends the call with its success event.
func (cl *call) succeed(ctx context.Context) { cl.succeedAt(ctx, time.Now()) }

// succeedAt ends the call with its success event, the call having ended
// at end.
func (cl *call) succeedAt(ctx context.Context, end time.Time) {
	if !cl.finished.CompareAndSwap(false, true) || !cl.has(kindSuccess) {
		return
	}
	cl.ev.EndTime = end
	if cl.ev.CompletionStartTime.IsZero() {
		cl.ev.CompletionStartTime = cl.ev.EndTime
	}
	cl.emit(ctx, kindSuccess)
}

// account sets usage and cost on the event. Missing usage of an answer
// that came from a provider is estimated with the offline tokenizer and
// marked as such.
func (cl *call) account(resp *Response) {
	if resp == nil {
		return
	}
	cl.estimate(resp)
	cl.charge(resp.Usage, resp.Model)
}

// estimate sets the usage of a provider's answer that has none, estimated
// with the offline tokenizer.
func (cl *call) estimate(resp *Response) {
	if resp.Usage.IsZero() && cl.attempted {
		resp.Usage = estimateUsage(cl.upstream, cl.eff, resp)
	}
}

// charge sets the usage and its cost on the event. A cache hit costs
// nothing: what the call would have cost is its saved cost. The cost is
// the request's own price, else the client's table's under the upstream
// model name, else under the model name the provider answered with; the
// table's is worked out by the loggers (finish.go).
func (cl *call) charge(u Usage, respModel string) {
	if !cl.any {
		return
	}
	cl.ev.Usage = u.clone()
	p := cl.req.Price
	if p == nil {
		upstream := cl.upstream
		if upstream == "" {
			upstream = cl.req.Model
		}
		cl.costFin = &costParts{prices: cl.c.cfg.prices, provider: cl.ev.Provider, usage: cl.ev.Usage,
			model: upstream, fallback: respModel}
		return
	}
	// The caller's price is read now: the caller may change it after.
	b, err := p.Cost(costUsage(u))
	if cl.ev.CacheHit {
		if err == nil {
			cl.ev.SavedCacheCost = b.Total
		}
		return
	}
	cl.ev.ResponseCost, cl.ev.CostBreakdown, cl.ev.CostErr = b.Total, b, err
}
