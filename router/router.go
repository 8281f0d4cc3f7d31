package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Router load-balances the calls to a model group across its deployments,
// retries on another deployment, falls back to other groups and cools
// failing deployments down: LiteLLM's Router as llmux middleware
// ([Router.Middleware]).
//
// A Router is immutable after [New] and safe for concurrent use; the
// deployments' health and usage live in its [State] and in per-deployment
// atomic counters.
type Router struct {
	cfg    config
	groups map[string]*group
	names  []string // sorted group names
	book   *book

	rmu   sync.Mutex // serialises cfg.rng
	sleep func(ctx context.Context, d time.Duration) error
}

// group is one model group: its deployments in configuration order, and
// the weights SimpleShuffle picks by.
type group struct {
	name string
	deps []*dep
	ids  []string // the deployments' ids, for State.Load
	// weights are Weight when any deployment has one, else RPM when any
	// has one, else TPM when any has one, else 1 each (LiteLLM's
	// simple-shuffle order).
	weights []float64
	// fallback lists, "*" resolved.
	fallbacks, cwFallbacks, cpFallbacks []*group
}

// dep is a deployment with its local statistics.
type dep struct {
	Deployment
	idx      int // index in its group
	retries  int // MaxRetries, or 0
	inflight atomic.Int64
	// latency is the EWMA of the deployment's latency in nanoseconds,
	// as float64 bits; 0 until the first sample.
	latency atomic.Uint64
}

// latencyAlpha is the weight of a new sample in the latency EWMA: the
// last few calls dominate, as LiteLLM's average over a short window.
const latencyAlpha = 0.3

// observe adds one latency sample.
func (d *dep) observe(elapsed time.Duration) {
	x := float64(elapsed)
	if x <= 0 {
		x = 1
	}
	for {
		old := d.latency.Load()
		v := x
		if old != 0 {
			o := math.Float64frombits(old)
			v = o + latencyAlpha*(x-o)
		}
		if d.latency.CompareAndSwap(old, math.Float64bits(v)) {
			return
		}
	}
}

// latencyOf returns the EWMA latency, 0 before any sample.
func (d *dep) latencyOf() float64 { return math.Float64frombits(d.latency.Load()) }

// New returns a router over deps configured by opts. It validates
// everything and reports every problem at once: each error names the
// deployment's index and field, or the option.
func New(deps []Deployment, opts ...Option) (*Router, error) {
	cfg := defaults()
	var errs []error
	for _, o := range opts {
		if o == nil {
			errs = append(errs, errors.New("router: nil option"))
			continue
		}
		if err := o(&cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if len(deps) == 0 {
		errs = append(errs, errNoDeployments)
	}
	r := &Router{cfg: cfg, groups: map[string]*group{}}
	seen := map[string]int{}
	for i := range deps {
		d := deps[i].clone()
		if e := d.validate(i); len(e) > 0 {
			errs = append(errs, e...)
			continue
		}
		if j, dup := seen[d.ID]; dup {
			errs = append(errs, fmt.Errorf("router: deployment %d (id %q): ID: deployment %d has the same id", i, d.ID, j))
			continue
		}
		seen[d.ID] = i
		g := r.groups[d.ModelGroup]
		if g == nil {
			g = &group{name: d.ModelGroup}
			r.groups[d.ModelGroup] = g
			r.names = append(r.names, d.ModelGroup)
		}
		x := &dep{Deployment: d, idx: len(g.deps)}
		if d.MaxRetries != nil {
			x.retries = *d.MaxRetries
		}
		g.deps = append(g.deps, x)
		g.ids = append(g.ids, d.ID)
	}
	slices.Sort(r.names)
	for _, g := range r.groups {
		g.weights = weights(g.deps)
	}
	errs = append(errs, r.resolveFallbacks("WithFallbacks", cfg.fallbacks, func(g *group, l []*group) { g.fallbacks = l })...)
	errs = append(errs, r.resolveFallbacks("WithContextWindowFallbacks", cfg.cwFallbacks, func(g *group, l []*group) { g.cwFallbacks = l })...)
	errs = append(errs, r.resolveFallbacks("WithContentPolicyFallbacks", cfg.cpFallbacks, func(g *group, l []*group) { g.cpFallbacks = l })...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if r.cfg.log == nil {
		r.cfg.log = slog.Default()
	}
	r.book = newBook(&r.cfg)
	r.sleep = sleepCtx
	return r, nil
}

// resolveFallbacks checks one fallback option and sets each group's list:
// its own entry, else the "*" entry.
func (r *Router) resolveFallbacks(opt string, m map[string][]string, set func(*group, []*group)) []error {
	var errs []error
	lists := map[string][]*group{}
	for _, from := range sortedKeys(m) {
		if from != "*" && r.groups[from] == nil {
			errs = append(errs, fmt.Errorf("router: %s: %q is not a model group", opt, from))
			continue
		}
		var l []*group
		for _, to := range m[from] {
			g := r.groups[to]
			switch {
			case g == nil:
				errs = append(errs, fmt.Errorf("router: %s: %q falls back to %q, which is not a model group", opt, from, to))
			case to == from:
				errs = append(errs, fmt.Errorf("router: %s: %q falls back to itself", opt, from))
			case slices.Contains(l, g):
				errs = append(errs, fmt.Errorf("router: %s: %q lists %q twice", opt, from, to))
			default:
				l = append(l, g)
			}
		}
		lists[from] = l
	}
	for name, g := range r.groups {
		l, ok := lists[name]
		if !ok {
			// The default list, without the group itself.
			for _, f := range lists["*"] {
				if f != g {
					l = append(l, f)
				}
			}
		}
		set(g, l)
	}
	return errs
}

// weights computes a group's SimpleShuffle weights.
func weights(deps []*dep) []float64 {
	w := make([]float64, len(deps))
	for _, by := range []func(*dep) float64{
		func(d *dep) float64 { return d.Weight },
		func(d *dep) float64 { return float64(d.RPM) },
		func(d *dep) float64 { return float64(d.TPM) },
	} {
		any := false
		for i, d := range deps {
			w[i] = by(d)
			any = any || w[i] > 0
		}
		if any {
			return w
		}
	}
	for i := range w {
		w[i] = 1
	}
	return w
}

// Groups returns the model groups the router serves, sorted: the names a
// gateway lists on /v1/models and in its "unknown model" errors.
func (r *Router) Groups() []string { return slices.Clone(r.names) }

// Deployments returns copies of the deployments of group, in the order
// given to New; nil for a name that is not a group. They carry their API
// keys: mask them before showing them ([Deployment.String] does).
func (r *Router) Deployments(group string) []Deployment {
	g := r.groups[group]
	if g == nil {
		return nil
	}
	out := make([]Deployment, len(g.deps))
	for i, d := range g.deps {
		out[i] = d.Deployment.clone()
	}
	return out
}

// float returns a random number in [0, 1).
func (r *Router) float() float64 {
	if r.cfg.rng == nil {
		return rand.Float64()
	}
	r.rmu.Lock()
	defer r.rmu.Unlock()
	return r.cfg.rng.Float64()
}

// intn returns a random number in [0, n).
func (r *Router) intn(n int) int {
	i := int(r.float() * float64(n))
	if i >= n {
		i = n - 1
	}
	return i
}
