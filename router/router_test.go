package router

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/llmux/llmux"
)

func TestNew_ReportsEveryProblem(t *testing.T) {
	deps := []Deployment{
		{ID: "a", ModelGroup: "g", Model: "openai/x"},
		{ID: "", ModelGroup: "g", Model: ""},
		{ID: "a", ModelGroup: "g", Model: "openai/y"},
		{ID: "c", ModelGroup: "g", Model: "openai/z", RPM: -1, Weight: -2, Timeout: -time.Second, MaxRetries: llmux.Ptr(-1)},
	}
	_, err := New(deps,
		WithNumRetries(-1), WithAllowedFails(-1), WithCooldown(-time.Second), WithLatencyBuffer(-1),
		WithFallbacks(map[string][]string{"g": {"nope", "g"}, "other": {"g"}}),
		WithContextWindowFallbacks(map[string][]string{"*": {"missing"}}),
		WithState(nil), WithStateTimeout(0), WithLog(nil), WithNow(nil), WithRand(nil), WithStrategy(Strategy(9)), nil)
	if err == nil {
		t.Fatal("New accepted invalid input")
	}
	for _, want := range []string{
		`router: deployment 1 (id ""): ID: is required`,
		`router: deployment 1 (id ""): Model: is required`,
		`router: deployment 2 (id "a"): ID: deployment 0 has the same id`,
		`router: deployment 3 (id "c"): RPM: must not be negative, got -1`,
		`router: deployment 3 (id "c"): Weight: must be a finite number >= 0, got -2`,
		`router: deployment 3 (id "c"): Timeout: must not be negative`,
		`router: deployment 3 (id "c"): MaxRetries: must not be negative`,
		`router: WithNumRetries: must not be negative`,
		`router: WithAllowedFails: must not be negative`,
		`router: WithCooldown: must not be negative`,
		`router: WithLatencyBuffer:`,
		`router: WithFallbacks: "g" falls back to "nope", which is not a model group`,
		`router: WithFallbacks: "g" falls back to itself`,
		`router: WithFallbacks: "other" is not a model group`,
		`router: WithContextWindowFallbacks: "*" falls back to "missing", which is not a model group`,
		`router: WithState: nil state`,
		`router: WithStateTimeout: must be positive`,
		`router: WithLog: nil logger`,
		`router: WithNow: nil clock`,
		`router: WithRand: nil source`,
		`router: WithStrategy: unknown strategy 9`,
		`router: nil option`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := New(nil); !errors.Is(err, errNoDeployments) {
		t.Errorf("New(nil) = %v", err)
	}
}

func TestRouter_GroupsAndDeploymentsAreCopies(t *testing.T) {
	deps := []Deployment{
		{ID: "b1", ModelGroup: "b", Model: "openai/b", APIKey: "sk-secret-b1", MaxRetries: llmux.Ptr(1)},
		{ID: "a1", ModelGroup: "a", Model: "openai/a"},
		{ID: "b2", ModelGroup: "b", Model: "openai/b2"},
	}
	r := newRouter(t, deps)
	deps[0].Model = "changed after New"
	*deps[0].MaxRetries = 7
	if got := r.Groups(); !cmp.Equal(got, []string{"a", "b"}) {
		t.Errorf("Groups = %v", got)
	}
	got := r.Deployments("b")
	if len(got) != 2 || got[0].ID != "b1" || got[0].Model != "openai/b" || *got[0].MaxRetries != 1 || got[1].ID != "b2" {
		t.Fatalf("Deployments(b) = %v", got)
	}
	*got[0].MaxRetries = 9
	if *r.Deployments("b")[0].MaxRetries != 1 {
		t.Error("Deployments shares memory with the router")
	}
	if r.Deployments("nope") != nil {
		t.Error("Deployments of an unknown group is not nil")
	}
	if s := got[0].String() + got[0].GoString(); strings.Contains(s, "sk-secret") {
		t.Errorf("String shows the key: %s", s)
	}
}

func TestParseStrategy_LiteLLMNames(t *testing.T) {
	for name, want := range map[string]Strategy{
		"simple-shuffle": SimpleShuffle, "least-busy": LeastBusy, "latency-based-routing": LatencyBased,
		"usage-based-routing": UsageBased, "usage-based-routing-v2": UsageBased, "": SimpleShuffle,
	} {
		if got, err := ParseStrategy(name); err != nil || got != want {
			t.Errorf("ParseStrategy(%q) = %v, %v", name, got, err)
		}
	}
	if _, err := ParseStrategy("cost-based-routing"); err == nil || !strings.HasPrefix(err.Error(), "router: ") {
		t.Errorf("cost-based-routing: %v", err)
	}
	if LatencyBased.String() != "latency-based-routing" || Strategy(42).String() != "strategy(42)" {
		t.Error("String")
	}
}

func TestMiddleware_OtherModelsPassThroughUntouched(t *testing.T) {
	u := newUpstream(t, ok(t))
	r := newRouter(t, []Deployment{deployment("a", "gpt-4o", u)})
	c, rec := newClient(t, r)
	resp, err := c.Completion(context.Background(), &llmux.Request{Model: "mock/other", Messages: chat("").Messages, MockResponse: "hi"})
	if err != nil || resp.Text() != "hi" {
		t.Fatalf("%v %v", resp, err)
	}
	if e := rec.Last(); e.Route != (llmux.Route{}) || e.Model != "mock/other" {
		t.Errorf("route %+v model %q: want no route", e.Route, e.Model)
	}
	if u.requests() != 0 {
		t.Error("the group's deployment was called")
	}
}

// The first deployment fails with a 503, the second answers: one call,
// one pre/post pair per try, one success event naming the second.
func TestRouter_RetriesOnAnotherDeploymentInOneCall(t *testing.T) {
	down, up := newUpstream(t, serverError()), newUpstream(t, ok(t))
	a, b := deployment("a", "gpt-4o", down), deployment("b", "gpt-4o", up)
	a.Weight = 1 // b (weight 0) only when a is out
	r := newRouter(t, []Deployment{a, b})
	c, rec := newClient(t, r)
	req := chat("gpt-4o")
	resp, err := c.Completion(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text() != "Hello! How can I assist you today?" {
		t.Errorf("text %q", resp.Text())
	}
	want := []string{
		"pre_api_call 1 gpt-4o/a 1", "post_api_call 1 gpt-4o/a 1",
		"pre_api_call 2 gpt-4o/b 2", "post_api_call 2 gpt-4o/b 2",
		"successful_api_call 2 gpt-4o/b 2",
	}
	if diff := cmp.Diff(want, routes(rec)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	last := rec.Last()
	if last.Route.Deployment != "openai/gpt-4o-mini-b" || last.UpstreamModel != "gpt-4o-mini-b" || !strings.HasPrefix(last.Attempt.APIBase, up.URL) {
		t.Errorf("terminal event: route %+v upstream %q base %q", last.Route, last.UpstreamModel, last.Attempt.APIBase)
	}
	if down.requests() != 1 || up.requests() != 1 {
		t.Errorf("requests: %d to the failing deployment, %d to the good one", down.requests(), up.requests())
	}
	if req.Model != "gpt-4o" || req.Route != nil || req.MaxRetries != nil || req.APIBase != "" {
		t.Errorf("the caller's request changed: %+v", req)
	}
	if s := status(t, r, "a"); s.Requests != 1 || s.Tokens != 0 {
		t.Errorf("a: %+v", s)
	}
	if s := status(t, r, "b"); s.Requests != 1 || s.Tokens != 29 {
		t.Errorf("b: %+v, want 1 request and the response's 29 tokens", s)
	}
}

// A single-deployment group retries the same deployment after a backoff,
// then falls back; the terminal event names the fallback.
func TestRouter_FallsBackAfterTheGroupsRetries(t *testing.T) {
	down, up := newUpstream(t, serverError()), newUpstream(t, ok(t))
	r := newRouter(t, []Deployment{deployment("a", "big", down), deployment("s", "small", up)},
		WithNumRetries(1), WithFallbacks(map[string][]string{"big": {"small"}}))
	var waits []time.Duration
	r.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	c, rec := newClient(t, r)
	if _, err := c.Completion(context.Background(), chat("big")); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"pre_api_call 1 big/a 1", "post_api_call 1 big/a 1",
		"pre_api_call 2 big/a 2", "post_api_call 2 big/a 2",
		"pre_api_call 3 small/s 3", "post_api_call 3 small/s 3",
		"successful_api_call 3 small/s 3",
	}
	if diff := cmp.Diff(want, routes(rec)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if len(waits) != 1 || waits[0] < backoffBase/2 || waits[0] > backoffBase {
		t.Errorf("backoffs %v, want one of 0.25-0.5s before retrying the same deployment", waits)
	}
}

func TestRouter_ContextLengthGoesToContextWindowFallbacks(t *testing.T) {
	small1, small2 := newUpstream(t, contextLength(t)), newUpstream(t, contextLength(t))
	large, other := newUpstream(t, ok(t)), newUpstream(t, ok(t))
	r := newRouter(t, []Deployment{
		deployment("s1", "small", small1), deployment("s2", "small", small2),
		deployment("l", "large", large), deployment("o", "other", other),
	},
		WithFallbacks(map[string][]string{"small": {"other"}}),
		WithContextWindowFallbacks(map[string][]string{"small": {"large"}}),
		WithAllowedFails(0))
	c, rec := newClient(t, r)
	if _, err := c.Completion(context.Background(), chat("small")); err != nil {
		t.Fatal(err)
	}
	if n := small1.requests() + small2.requests(); n != 1 {
		t.Errorf("%d requests to the small group: a context-length error is not retried in its group", n)
	}
	if large.requests() != 1 || other.requests() != 0 {
		t.Errorf("large %d, other %d: want the context-window fallback only", large.requests(), other.requests())
	}
	if e := rec.Last(); e.Route.ModelGroup != "large" || e.Route.Try != 2 {
		t.Errorf("route %+v", e.Route)
	}
	for _, id := range []string{"s1", "s2"} {
		if s := status(t, r, id); !s.CooldownUntil.IsZero() {
			t.Errorf("%s cooled down by a context-length error", id)
		}
	}
	// Without a context-window fallback the error is the caller's.
	r2 := newRouter(t, []Deployment{deployment("s", "small", small1), deployment("o", "other", other)},
		WithFallbacks(map[string][]string{"small": {"other"}}))
	c2, _ := newClient(t, r2)
	_, err := c2.Completion(context.Background(), chat("small"))
	if llmux.CodeOf(err) != llmux.CodeContextLength {
		t.Errorf("err = %v, want context_length_exceeded", err)
	}
	if other.requests() != 0 {
		t.Error("a context-length error went to the general fallbacks")
	}
}

func TestRouter_InvalidRequestIsNotRetriedNorCounted(t *testing.T) {
	a, b, f := newUpstream(t, invalidRequest()), newUpstream(t, invalidRequest()), newUpstream(t, ok(t))
	r := newRouter(t, []Deployment{deployment("a", "g", a), deployment("b", "g", b), deployment("f", "fb", f)},
		WithAllowedFails(0), WithFallbacks(map[string][]string{"g": {"fb"}}))
	c, rec := newClient(t, r)
	for range 3 {
		_, err := c.Completion(context.Background(), chat("g"))
		if llmux.CodeOf(err) != llmux.CodeInvalidRequest {
			t.Fatalf("err = %v", err)
		}
	}
	if a.requests()+b.requests() != 3 || f.requests() != 0 {
		t.Errorf("requests: group %d, fallback %d; want 3 and 0", a.requests()+b.requests(), f.requests())
	}
	if got := rec.Types(); got != strings.Repeat("pre_api_call,post_api_call,failed_api_call,", 2)+"pre_api_call,post_api_call,failed_api_call" {
		t.Errorf("events %s", got)
	}
	for _, id := range []string{"a", "b"} {
		if s := status(t, r, id); !s.CooldownUntil.IsZero() {
			t.Errorf("%s cooled down by invalid requests", id)
		}
	}
}

// With allowed_fails 1, the second failure within a minute cools the
// deployment down: it is skipped until the cooldown ends, then picked
// again.
func TestRouter_CooldownAfterAllowedFailsThenRecovery(t *testing.T) {
	clk := newClock()
	flaky, good := newUpstream(t, serverError()), newUpstream(t, ok(t))
	a, b := deployment("a", "g", flaky), deployment("b", "g", good)
	a.Weight = 1 // picked first whenever available
	r := newRouter(t, []Deployment{a, b}, WithAllowedFails(1), WithCooldown(10*time.Second), WithNow(clk.now))
	c, _ := newClient(t, r)
	call := func() {
		t.Helper()
		if _, err := c.Completion(context.Background(), chat("g")); err != nil {
			t.Fatal(err)
		}
	}
	call() // a fails (1 allowed), b answers
	if s := status(t, r, "a"); !s.CooldownUntil.IsZero() {
		t.Fatalf("cooled down after 1 failure with 1 allowed: %+v", s)
	}
	call() // a fails again: cooled down
	until := clk.now().Add(10 * time.Second)
	if s := status(t, r, "a"); !s.CooldownUntil.Equal(until) {
		t.Fatalf("cooldown until %v, want %v", s.CooldownUntil, until)
	}
	call()
	call()
	if flaky.requests() != 2 || good.requests() != 4 {
		t.Fatalf("during the cooldown: a %d b %d requests, want 2 and 4", flaky.requests(), good.requests())
	}
	flaky.set(ok(t))
	clk.advance(9 * time.Second)
	call()
	if flaky.requests() != 2 {
		t.Fatal("picked before the cooldown ended")
	}
	clk.advance(time.Second)
	call()
	if flaky.requests() != 3 || good.requests() != 5 {
		t.Errorf("after the cooldown: a %d b %d requests, want 3 and 5", flaky.requests(), good.requests())
	}
}

func TestRouter_AllCooledDownIsRateLimitedWithRetryAfter(t *testing.T) {
	clk := newClock()
	u1, u2 := newUpstream(t, serverError()), newUpstream(t, serverError())
	r := newRouter(t, []Deployment{deployment("a", "gpt-4o", u1), deployment("b", "gpt-4o", u2)},
		WithAllowedFails(0), WithCooldown(8*time.Second), WithNow(clk.now))
	c, rec := newClient(t, r)
	_, err := c.Completion(context.Background(), chat("gpt-4o"))
	if llmux.CodeOf(err) != llmux.CodeOverloaded {
		t.Fatalf("first call: %v, want the upstream's last error", err)
	}
	if u1.requests() != 1 || u2.requests() != 1 {
		t.Fatalf("requests %d %d, want one each (retries avoid the one that failed)", u1.requests(), u2.requests())
	}
	clk.advance(3 * time.Second)
	n := len(rec.All())
	_, err = c.Completion(context.Background(), chat("gpt-4o"))
	var e *llmux.Error
	if !errors.As(err, &e) || e.Code != llmux.CodeRateLimited || e.RetryAfter != 5*time.Second ||
		!strings.Contains(e.Message, `model group "gpt-4o"`) || !strings.HasPrefix(e.Message, "router: ") {
		t.Fatalf("err = %#v, want rate_limited naming the group, retry after 5s", err)
	}
	if e.Code.HTTPStatus() != 429 {
		t.Errorf("status %d", e.Code.HTTPStatus())
	}
	if got := rec.All()[n:]; len(got) != 1 || got[0].Type != llmux.EventFailure {
		t.Errorf("events of the refused call: %d, want one failure event", len(got))
	}
	if u1.requests()+u2.requests() != 2 {
		t.Error("a cooled deployment was called")
	}
}

func TestRouter_RequestMiddlewareSeesTheRoutedCopy(t *testing.T) {
	u := newUpstream(t, ok(t))
	r := newRouter(t, []Deployment{{ID: "a", ModelGroup: "g", Model: "openai/m", APIBase: u.base(), APIKey: "sk-deployment-key-1",
		APIVersion: "2024-10-21", Timeout: 7 * time.Second, MaxRetries: llmux.Ptr(2)}})
	var seen llmux.Request
	spy := func(next llmux.CallFunc) llmux.CallFunc {
		return func(ctx context.Context, c *llmux.Call) (*llmux.Result, error) {
			seen = *c.Request
			return next(ctx, c)
		}
	}
	c, _ := newClient(t, r)
	req := chat("g")
	req.Middleware = []llmux.Middleware{spy}
	if _, err := c.Completion(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if seen.Model != "openai/m" || seen.APIBase != u.base() || seen.APIKey != "sk-deployment-key-1" || seen.APIVersion != "2024-10-21" ||
		seen.Timeout != 7*time.Second || seen.MaxRetries == nil || *seen.MaxRetries != 2 ||
		seen.Route == nil || *seen.Route != (llmux.Route{ModelGroup: "g", ModelID: "a", Deployment: "openai/m", Try: 1}) {
		t.Errorf("routed request: %+v route %+v", seen, seen.Route)
	}
}

func TestRouter_ProviderParamsAreLaidOverTheRequests(t *testing.T) {
	u := newUpstream(t, ok(t))
	params := map[string]string{"aws_region_name": "eu-west-1", "aws_secret_access_key": "deployment-secret-0123456789"}
	r := newRouter(t, []Deployment{{ID: "a", ModelGroup: "g", Model: "openai/m", APIBase: u.base(), ProviderParams: params}})
	params["aws_region_name"] = "changed after New"
	var seen map[string]string
	spy := func(next llmux.CallFunc) llmux.CallFunc {
		return func(ctx context.Context, c *llmux.Call) (*llmux.Result, error) {
			seen = c.Request.ProviderParams
			return next(ctx, c)
		}
	}
	c, _ := newClient(t, r)
	req := chat("g")
	req.ProviderParams = map[string]string{"aws_region_name": "us-east-1", "aws_profile_name": "dev"}
	req.Middleware = []llmux.Middleware{spy}
	if _, err := c.Completion(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"aws_region_name": "eu-west-1", "aws_secret_access_key": "deployment-secret-0123456789", "aws_profile_name": "dev"}
	if !cmp.Equal(seen, want) {
		t.Errorf("routed ProviderParams = %v, want %v", seen, want)
	}
	if !cmp.Equal(req.ProviderParams, map[string]string{"aws_region_name": "us-east-1", "aws_profile_name": "dev"}) {
		t.Errorf("the caller's ProviderParams changed: %v", req.ProviderParams)
	}
	d := r.Deployments("g")[0]
	if d.ProviderParams["aws_region_name"] != "eu-west-1" {
		t.Errorf("the router kept the caller's map: %v", d.ProviderParams)
	}
	s := d.String() + fmt.Sprintf("%v %+v %#v", d, d, d)
	if strings.Contains(s, "deployment-secret") || !strings.Contains(s, `aws_region_name:"eu-west-1"`) {
		t.Errorf("String: %s", s)
	}
}

func TestRouter_EmbeddingsAreRoutedToo(t *testing.T) {
	down, up := newUpstream(t, serverError()), newUpstream(t, reply{body: fixture(t, "openai-embeddings.json")})
	a, b := deployment("a", "embed", down), deployment("b", "embed", up)
	a.Weight = 1
	r := newRouter(t, []Deployment{a, b})
	c, rec := newClient(t, r)
	resp, err := c.Embedding(context.Background(), &llmux.Request{Model: "embed", Input: []string{"hello"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Data) != 1 || rec.Last().Route.ModelID != "b" || rec.Last().Route.Try != 2 {
		t.Errorf("data %d, route %+v", len(resp.Data), rec.Last().Route)
	}
	if s := status(t, r, "b"); s.Requests != 1 || s.Tokens != 5 {
		t.Errorf("b: %+v, want 1 request and 5 tokens", s)
	}
}

func TestRouter_DefaultFallbacksApplyToGroupsWithoutTheirOwn(t *testing.T) {
	u := newUpstream(t, ok(t))
	r := newRouter(t, []Deployment{deployment("a", "a", u), deployment("b", "b", u), deployment("c", "c", u)},
		WithFallbacks(map[string][]string{"*": {"c", "b"}, "b": {"a"}}))
	names := func(l []*group) (out []string) {
		for _, g := range l {
			out = append(out, g.name)
		}
		return out
	}
	for group, want := range map[string][]string{"a": {"c", "b"}, "b": {"a"}, "c": {"b"}} {
		if got := names(r.groups[group].fallbacks); !cmp.Equal(got, want) {
			t.Errorf("%s falls back to %v, want %v", group, got, want)
		}
	}
}

// The caller's deadline ends the call: no other deployment is tried and
// the deployment is not blamed.
func TestRouter_CallerDeadlineStopsWithoutBlame(t *testing.T) {
	hold := make(chan struct{})
	defer close(hold)
	slow, other := newUpstream(t, reply{hold: hold}), newUpstream(t, ok(t))
	a, b := deployment("a", "g", slow), deployment("b", "g", other)
	a.Weight = 1
	r := newRouter(t, []Deployment{a, b}, WithAllowedFails(0))
	c, _ := newClient(t, r)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.Completion(ctx, chat("g"))
	if err == nil || ctx.Err() == nil {
		t.Fatalf("err = %v", err)
	}
	if other.requests() != 0 {
		t.Error("tried another deployment after the caller's deadline")
	}
	if s := status(t, r, "a"); !s.CooldownUntil.IsZero() {
		t.Error("the caller's deadline cooled the deployment down")
	}
	if n := depOf(t, r, "a").inflight.Load(); n != 0 {
		t.Errorf("%d in flight", n)
	}
}

// A deployment's key (or credential provider setting) never goes to a base
// the caller chose: the routed request has the deployment's base, or
// none (the provider's default).
func TestRouter_DeploymentCredentialsKeepTheDeploymentsBase(t *testing.T) {
	u := newUpstream(t, ok(t))
	for _, d := range []Deployment{
		{ID: "key", ModelGroup: "g", Model: "openai/m", APIKey: "sk-deployment-key-1"},
		{ID: "params", ModelGroup: "g", Model: "openai/m", ProviderParams: map[string]string{"aws_secret_access_key": "deployment-secret-0123456789"}},
		{ID: "both", ModelGroup: "g", Model: "openai/m", APIBase: u.base(), APIKey: "sk-deployment-key-1"},
	} {
		r := newRouter(t, []Deployment{d})
		var seen string
		spy := func(next llmux.CallFunc) llmux.CallFunc {
			return func(ctx context.Context, c *llmux.Call) (*llmux.Result, error) {
				seen = c.Request.APIBase
				return nil, &llmux.Error{Code: llmux.CodeInvalidRequest, Message: "stop here"}
			}
		}
		c, _ := newClient(t, r)
		req := chat("g")
		req.APIBase = "https://attacker.example/v1"
		req.Middleware = []llmux.Middleware{spy}
		_, _ = c.Completion(context.Background(), req)
		if seen != d.APIBase {
			t.Errorf("%s: routed APIBase %q, want the deployment's %q", d.ID, seen, d.APIBase)
		}
	}
}
