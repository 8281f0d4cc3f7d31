package router

import (
	"context"
	"errors"
	"maps"
	"math/rand/v2"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/mask"
)

// Middleware returns the router as llmux middleware. A call whose
// Request.Model names one of the router's model groups is served by the
// group's deployments: the router picks one, sets its Model, APIBase,
// APIKey, APIVersion, Timeout and MaxRetries and a [llmux.Route] on a
// copy of the request, and calls the rest of the chain with it. A call
// for any other model passes through untouched.
//
// A failed try is recorded (cooldown accounting), then retried on another
// deployment of the group, up to [WithNumRetries] times, when another
// deployment could succeed; then the fallback groups are tried in order.
// All of it is one llmux call: one pre/post-API-call event pair per try,
// numbered across deployments, and one success or failure event whose
// Route names the deployment that answered (or failed last).
//
// Streams are retried only until the first byte: errors returned by the
// chain come before it. A stream the chain returns is wrapped, to count
// it in flight until it is closed and its tokens when it ends, and is
// never retried.
//
// Put the router after middleware that rejects calls (budgets, auth,
// guardrails): an error the inner chain returns is taken for the
// deployment's.
func (r *Router) Middleware() llmux.Middleware {
	return func(next llmux.CallFunc) llmux.CallFunc {
		return func(ctx context.Context, c *llmux.Call) (*llmux.Result, error) {
			if c == nil || c.Request == nil {
				return next(ctx, c)
			}
			g := r.groups[c.Request.Model]
			if g == nil {
				return next(ctx, c)
			}
			return r.serve(ctx, c, next, g)
		}
	}
}

// serve runs a call for group g: its deployments, then the fallbacks.
func (r *Router) serve(ctx context.Context, c *llmux.Call, next llmux.CallFunc, g *group) (*llmux.Result, error) {
	orig := c.Request
	try := 0
	visited := []*group{g}
	cur := g
	for {
		res, err := r.serveGroup(ctx, c, next, orig, cur, &try)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		// The lists are the asked group's, as in LiteLLM: a fallback's own
		// fallbacks are not followed.
		var to *group
		for _, f := range fallbackList(g, err) {
			if !contains(visited, f) {
				to = f
				break
			}
		}
		if to == nil {
			return nil, err
		}
		r.cfg.log.DebugContext(ctx, "router: falling back", "from", cur.name, "to", to.name, "code", llmux.CodeOf(err).String())
		visited = append(visited, to)
		cur = to
	}
}

func contains(l []*group, g *group) bool {
	for _, x := range l {
		if x == g {
			return true
		}
	}
	return false
}

// serveGroup tries the deployments of g: the first pick, then up to
// retries more while the error is one another deployment could avoid.
func (r *Router) serveGroup(ctx context.Context, c *llmux.Call, next llmux.CallFunc, orig *llmux.Request, g *group, try *int) (*llmux.Result, error) {
	var (
		tried   []bool // deployments of g that failed in this call
		last    = -1   // the one that failed just now
		lastErr error
	)
	for n := 0; n <= r.cfg.retries; n++ {
		d, err := r.pick(ctx, g, tried, last)
		if err != nil {
			if lastErr != nil {
				return nil, lastErr // more telling than "none available"
			}
			return nil, err
		}
		if d.idx == last {
			// Nothing else to try: the same deployment again, for a
			// transient error only, after a backoff (LiteLLM waits only
			// when no other deployment is healthy).
			wait, ok := backoff(lastErr, n)
			if !ok || r.sleep(ctx, wait) != nil {
				return nil, lastErr
			}
		}
		*try++
		res, err := r.send(ctx, c, next, orig, g, d, *try)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil || !deploymentFault(err) {
			return nil, err
		}
		lastErr = err
		if tried == nil {
			tried = make([]bool, len(g.deps))
		}
		tried[d.idx], last = true, d.idx
	}
	return nil, lastErr
}

// backoff returns how long to wait before the n-th retry on the
// deployment that failed with err, and false when it should not be
// retried: its error was not transient, or it asked for a wait longer than
// a minute.
func backoff(err error, n int) (time.Duration, bool) {
	if !llmux.IsRetryable(err) {
		return 0, false
	}
	var e *llmux.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter, e.RetryAfter <= maxRetryAfter
	}
	d := backoffBase << max(n-1, 0)
	if d > backoffMax || d <= 0 {
		d = backoffMax
	}
	return d/2 + rand.N(d/2+1), true
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pick returns the deployment of g for the next try, or the error saying
// none is available. tried marks the deployments that failed in this call
// (nil: none); last is the one that failed just now (-1: none).
func (r *Router) pick(ctx context.Context, g *group, tried []bool, last int) (*dep, error) {
	now := r.cfg.now()
	st := make([]Status, len(g.deps))
	r.book.load(ctx, g.ids, now, st)
	var buf [16]int
	cand := buf[:0]
	if len(g.deps) > len(buf) {
		cand = make([]int, 0, len(g.deps))
	}
	cooling, limited := 0, 0
	var soonest time.Duration
	later := func(d time.Duration) {
		if soonest == 0 || d < soonest {
			soonest = d
		}
	}
	for i, d := range g.deps {
		if until := st[i].CooldownUntil; until.After(now) {
			cooling++
			later(until.Sub(now))
			continue
		}
		if r.cfg.strategy == UsageBased && ((d.RPM > 0 && st[i].Requests >= int64(d.RPM)) || (d.TPM > 0 && st[i].Tokens >= int64(d.TPM))) {
			limited++
			later(time.Unix((minuteOf(now)+1)*60, 0).Sub(now))
			continue
		}
		cand = append(cand, i)
	}
	if len(cand) == 0 {
		return nil, unavailable(g, cooling, limited, soonest)
	}
	if tried != nil {
		if k := keep(cand, func(i int) bool { return !tried[i] }); k > 0 {
			cand = cand[:k]
		} else if k := keep(cand, func(i int) bool { return i != last }); k > 0 {
			cand = cand[:k]
		}
	}
	return r.choose(g, cand, st), nil
}

// keep moves the elements of s for which ok holds to its front, in order,
// and returns their number; when none does, s is left as it was.
func keep(s []int, ok func(int) bool) int {
	n := 0
	for _, x := range s {
		if ok(x) {
			n++
		}
	}
	if n == 0 {
		return 0
	}
	k := 0
	for _, x := range s {
		if ok(x) {
			s[k] = x
			k++
		}
	}
	return k
}

// ApplyEndpoint gives req, a request the caller may change, the
// deployment's APIBase, APIKey, APIVersion and ProviderParams, as a routed
// call gets them: set ones win over the request's, ProviderParams are laid
// over the request's on a new map, and a deployment with a key (or a
// credential among its ProviderParams) sends it to its own APIBase, or the
// provider's default when it has none, never to a base the request
// named. A gateway serving names a wildcard entry matches uses it too.
func ApplyEndpoint(req *llmux.Request, d *Deployment) {
	if d.APIBase != "" {
		req.APIBase = d.APIBase
	}
	if d.APIKey != "" {
		req.APIKey = d.APIKey
		req.APIBase = d.APIBase
	}
	if d.APIVersion != "" {
		req.APIVersion = d.APIVersion
	}
	if len(d.ProviderParams) == 0 {
		return
	}
	// A new map: the caller's request and the deployment keep theirs.
	pp := make(map[string]string, len(req.ProviderParams)+len(d.ProviderParams))
	maps.Copy(pp, req.ProviderParams)
	maps.Copy(pp, d.ProviderParams)
	req.ProviderParams = pp
	for k := range d.ProviderParams {
		if mask.IsSecretName(k) { // the deployment's credentials: its own base, as for APIKey
			req.APIBase = d.APIBase
			return
		}
	}
}

// send makes one try on deployment d: a copy of the caller's request
// pointed at d, through the rest of the chain.
func (r *Router) send(ctx context.Context, c *llmux.Call, next llmux.CallFunc, orig *llmux.Request, g *group, d *dep, try int) (*llmux.Result, error) {
	req := *orig
	req.Model = d.Model
	ApplyEndpoint(&req, &d.Deployment)
	if d.Timeout > 0 {
		req.Timeout = d.Timeout
	}
	retries := d.retries // the request's own: the client may read it after we return
	req.MaxRetries = &retries
	req.Route = &llmux.Route{ModelGroup: g.name, ModelID: d.ID, Deployment: d.Model, Try: try}
	c.Request = &req

	start := r.cfg.now()
	r.book.addUsage(ctx, d.ID, start, 1, 0)
	d.inflight.Add(1)
	res, err := next(ctx, c)
	end := r.cfg.now()
	if err != nil {
		d.inflight.Add(-1)
		if ctx.Err() == nil {
			r.failed(ctx, g, d, err, end, end.Sub(start))
		}
		return nil, err
	}
	if res != nil && res.Stream != nil {
		d.observe(end.Sub(start)) // time to the response headers
		out := *res
		out.Stream = &tracked{ChunkReader: res.Stream, r: r, g: g, d: d}
		return &out, nil
	}
	d.inflight.Add(-1)
	tokens, hit := resultTokens(res)
	if !hit {
		d.observe(end.Sub(start))
		if tokens > 0 {
			r.book.addUsage(ctx, d.ID, end, 0, tokens)
		}
	}
	return res, nil
}

// resultTokens returns the tokens an answer used, and whether it came from
// the client's cache (which the deployment did not serve).
func resultTokens(res *llmux.Result) (int64, bool) {
	var u *llmux.Usage
	switch {
	case res == nil:
		return 0, false
	case res.CacheHit:
		return 0, true
	case res.Response != nil:
		if res.Response.CacheHit {
			return 0, true
		}
		u = &res.Response.Usage
	case res.Embedding != nil:
		if res.Embedding.CacheHit {
			return 0, true
		}
		u = &res.Embedding.Usage
	default:
		return 0, false
	}
	return usageTokens(u), false
}

func usageTokens(u *llmux.Usage) int64 {
	if u.TotalTokens > 0 {
		return int64(u.TotalTokens)
	}
	return int64(u.PromptTokens + u.CompletionTokens)
}

// failed records a failed try of d: the failure counts towards its
// cooldown when it is the deployment's fault; timeouts also count as
// latency.
func (r *Router) failed(ctx context.Context, g *group, d *dep, err error, now time.Time, elapsed time.Duration) {
	if elapsed > 0 && llmux.CodeOf(err) == llmux.CodeTimeout {
		d.observe(elapsed)
	}
	if !deploymentFault(err) || r.cfg.cooldown <= 0 {
		return
	}
	n := r.book.addFailure(ctx, d.ID, now)
	if n <= int64(r.cfg.allowedFails) {
		return
	}
	until := now.Add(r.cfg.cooldown)
	r.book.cooldown(ctx, d.ID, now, until)
	r.cfg.log.InfoContext(ctx, "router: deployment cooled down", "model_group", g.name, "model_id", d.ID,
		"failures_this_minute", n, "cooldown", r.cfg.cooldown, "code", llmux.CodeOf(err).String())
}
