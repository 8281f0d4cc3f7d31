package router

import (
	"fmt"
	"strconv"
)

// Strategy is how a router picks one of the available deployments of a
// group (LiteLLM's routing_strategy). Deployments cooling down are never
// picked, whatever the strategy.
type Strategy int

// The strategies.
const (
	// SimpleShuffle picks at random, in proportion to the deployments'
	// Weight when any has one, else to their RPM, else to their TPM, else
	// uniformly. LiteLLM's "simple-shuffle", its default.
	SimpleShuffle Strategy = iota
	// LeastBusy picks the deployment with the fewest calls in flight from
	// this router (streams count until closed). LiteLLM's "least-busy".
	LeastBusy
	// LatencyBased picks the deployment with the lowest recent latency
	// seen by this router: an exponentially weighted average of the time
	// to the whole response, or to the response headers for streams. A
	// deployment without a sample yet counts as fastest, so each is
	// tried. With [WithLatencyBuffer], it picks at random among those
	// within the buffer of the fastest. LiteLLM's "latency-based-routing".
	LatencyBased
	// UsageBased picks the deployment with the fewest tokens used this
	// minute, skipping those that reached their RPM or TPM this minute.
	// The counters live in the router's [State], so routers sharing one
	// see each other's usage. LiteLLM's "usage-based-routing" (and -v2).
	UsageBased
)

var strategyNames = [...]string{
	SimpleShuffle: "simple-shuffle",
	LeastBusy:     "least-busy",
	LatencyBased:  "latency-based-routing",
	UsageBased:    "usage-based-routing",
}

// String returns LiteLLM's name of the strategy ("simple-shuffle").
func (s Strategy) String() string {
	if s < 0 || int(s) >= len(strategyNames) {
		return "strategy(" + strconv.Itoa(int(s)) + ")"
	}
	return strategyNames[s]
}

// ParseStrategy returns the strategy LiteLLM's routing_strategy name
// designates: "simple-shuffle", "least-busy", "latency-based-routing",
// "usage-based-routing" or "usage-based-routing-v2". "cost-based-routing"
// is not supported.
func ParseStrategy(name string) (Strategy, error) {
	switch name {
	case "simple-shuffle", "":
		return SimpleShuffle, nil
	case "least-busy":
		return LeastBusy, nil
	case "latency-based-routing":
		return LatencyBased, nil
	case "usage-based-routing", "usage-based-routing-v2":
		return UsageBased, nil
	}
	return 0, fmt.Errorf("router: unknown routing strategy %q (want simple-shuffle, least-busy, latency-based-routing or usage-based-routing)", name)
}

// choose picks one of the candidates (indexes into g.deps, at least one)
// by the router's strategy; st holds the group's state this minute.
func (r *Router) choose(g *group, cand []int, st []Status) *dep {
	if len(cand) == 1 {
		return g.deps[cand[0]]
	}
	switch r.cfg.strategy {
	case LeastBusy:
		return g.deps[r.lowest(cand, func(i int) float64 { return float64(g.deps[i].inflight.Load()) }, 0)]
	case LatencyBased:
		return g.deps[r.lowest(cand, func(i int) float64 { return g.deps[i].latencyOf() }, r.cfg.latencyBuffer)]
	case UsageBased:
		return g.deps[r.lowest(cand, func(i int) float64 { return float64(st[i].Tokens) }, 0)]
	}
	return g.deps[r.shuffle(g, cand)]
}

// shuffle picks a candidate at random in proportion to its weight;
// uniformly when the candidates' weights are all 0.
func (r *Router) shuffle(g *group, cand []int) int {
	total := 0.0
	for _, i := range cand {
		total += g.weights[i]
	}
	if total <= 0 {
		return cand[r.intn(len(cand))]
	}
	x := r.float() * total
	last := cand[0]
	for _, i := range cand {
		w := g.weights[i]
		if w <= 0 {
			continue
		}
		last = i
		if x < w {
			return i
		}
		x -= w
	}
	return last // rounding
}

// lowest picks, at random, one of the candidates whose value is at most
// (1+buffer) times the lowest. Values are read once (in-flight counts
// change under it).
func (r *Router) lowest(cand []int, value func(int) float64, buffer float64) int {
	var buf [16]float64
	vals := buf[:0]
	if len(cand) > len(buf) {
		vals = make([]float64, 0, len(cand))
	}
	best := 0.0
	for k, i := range cand {
		v := value(i)
		vals = append(vals, v)
		if k == 0 || v < best {
			best = v
		}
	}
	limit := best * (1 + buffer)
	n := 0
	for _, v := range vals {
		if v <= limit {
			n++
		}
	}
	pick := r.intn(n)
	for k, v := range vals {
		if v <= limit {
			if pick == 0 {
				return cand[k]
			}
			pick--
		}
	}
	return cand[0]
}
