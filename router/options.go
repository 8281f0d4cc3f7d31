package router

import (
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"time"
)

// Defaults of the options, as LiteLLM's Router has them where it has them.
const (
	// DefaultNumRetries is LiteLLM's num_retries default (openai's
	// DEFAULT_MAX_RETRIES): a call tries up to 3 deployments of a group.
	DefaultNumRetries = 2
	// DefaultAllowedFails is LiteLLM's allowed_fails default: a deployment
	// is cooled down at its 4th failure within a minute.
	DefaultAllowedFails = 3
	// DefaultCooldown is LiteLLM's cooldown_time default
	// (DEFAULT_COOLDOWN_TIME_SECONDS).
	DefaultCooldown = 5 * time.Second
	// DefaultStateTimeout bounds each operation on a shared [State].
	DefaultStateTimeout = 100 * time.Millisecond
)

// Further fixed settings.
const (
	// stateRetryInterval is how long a shared state that failed is left
	// alone (the local state answers) before one call probes it again.
	stateRetryInterval = time.Second
	// stateLogInterval is how often at most a shared state's failures are
	// logged.
	stateLogInterval = 10 * time.Second
	// maxRetryAfter is the longest Retry-After the router waits for
	// before retrying the deployment that sent it (LiteLLM: 60s).
	maxRetryAfter = 60 * time.Second
	// backoffBase and backoffMax shape the exponential backoff before
	// retrying the deployment that just failed (LiteLLM: 0.5s to 8s).
	backoffBase = 500 * time.Millisecond
	backoffMax  = 8 * time.Second
)

// Option configures a [Router].
type Option func(*config) error

type config struct {
	strategy      Strategy
	retries       int
	fallbacks     map[string][]string
	cwFallbacks   map[string][]string
	cpFallbacks   map[string][]string
	allowedFails  int
	cooldown      time.Duration
	latencyBuffer float64
	state         State
	stateTimeout  time.Duration
	log           *slog.Logger
	now           func() time.Time
	rng           *rand.Rand
}

func defaults() config {
	return config{
		strategy:     SimpleShuffle,
		retries:      DefaultNumRetries,
		allowedFails: DefaultAllowedFails,
		cooldown:     DefaultCooldown,
		stateTimeout: DefaultStateTimeout,
		now:          time.Now,
	}
}

// WithStrategy sets how a deployment of a group is picked ([Strategy]).
// Default: [SimpleShuffle], LiteLLM's default and recommended strategy.
func WithStrategy(s Strategy) Option {
	return func(c *config) error {
		if s < SimpleShuffle || s > UsageBased {
			return fmt.Errorf("router: WithStrategy: unknown strategy %d", int(s))
		}
		c.strategy = s
		return nil
	}
}

// WithNumRetries sets how many more deployments of the group a call tries
// after the first one failed with an error another deployment could fix
// (LiteLLM's num_retries). Each fallback group gets as many. Default:
// [DefaultNumRetries] (2).
func WithNumRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("router: WithNumRetries: must not be negative, got %d", n)
		}
		c.retries = n
		return nil
	}
}

// WithFallbacks sets, per model group, the groups a call moves to, in
// order, when every try in its group failed (LiteLLM's fallbacks). The
// key "*" applies to every group without an entry of its own (LiteLLM's
// default_fallbacks). Context-window and content-policy errors use their
// own lists instead. Default: none.
func WithFallbacks(m map[string][]string) Option {
	return func(c *config) error {
		c.fallbacks = cloneLists(m)
		return nil
	}
}

// WithContextWindowFallbacks sets, per model group, the groups a call
// that failed with llmux.CodeContextLength moves to, in order (LiteLLM's
// context_window_fallbacks), typically groups of models with a larger
// window. The key "*" applies to every group. Default: none.
func WithContextWindowFallbacks(m map[string][]string) Option {
	return func(c *config) error {
		c.cwFallbacks = cloneLists(m)
		return nil
	}
}

// WithContentPolicyFallbacks sets, per model group, the groups a call
// that failed with llmux.CodeContentFiltered moves to, in order (LiteLLM's
// content_policy_fallbacks). The key "*" applies to every group. Default:
// none.
func WithContentPolicyFallbacks(m map[string][]string) Option {
	return func(c *config) error {
		c.cpFallbacks = cloneLists(m)
		return nil
	}
}

// WithAllowedFails sets how many failures a deployment may have within a
// minute: the next one cools it down ([WithCooldown]). Rate limits,
// server errors, timeouts, connection, authentication, permission and
// not-found errors count; invalid requests and the caller's cancellation
// do not. Default: [DefaultAllowedFails] (3), as LiteLLM's allowed_fails.
func WithAllowedFails(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("router: WithAllowedFails: must not be negative, got %d", n)
		}
		c.allowedFails = n
		return nil
	}
}

// WithCooldown sets how long a deployment that failed more than the
// allowed times within a minute is left out of every pick (LiteLLM's
// cooldown_time). 0 disables cooldowns (LiteLLM's disable_cooldowns).
// Default: [DefaultCooldown] (5s).
func WithCooldown(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("router: WithCooldown: must not be negative, got %v", d)
		}
		c.cooldown = d
		return nil
	}
}

// WithLatencyBuffer makes [LatencyBased] pick at random among the
// deployments whose latency is within (1+buffer) times the lowest, so the
// fastest deployment is not sent every call (LiteLLM's
// routing_strategy_args lowest_latency_buffer). Default: 0, the fastest
// only (ties at random).
func WithLatencyBuffer(buffer float64) Option {
	return func(c *config) error {
		if buffer < 0 || buffer != buffer || buffer > 1e6 {
			return fmt.Errorf("router: WithLatencyBuffer: must be between 0 and 1e6, got %g", buffer)
		}
		c.latencyBuffer = buffer
		return nil
	}
}

// WithState sets where cooldowns, failure counts and usage counters are
// kept: a shared [State] such as router/redis lets several gateway
// processes see each other's. The router bounds each operation on it
// ([WithStateTimeout]); when it fails or hangs the router uses its own
// in-memory state instead for a second, logs (at most every 10s) and
// tries again, so a shared-state outage never fails or stalls a call.
// Default: an in-memory state of this router only ([NewMemory]).
func WithState(s State) Option {
	return func(c *config) error {
		if s == nil {
			return fmt.Errorf("router: WithState: nil state")
		}
		c.state = s
		return nil
	}
}

// WithStateTimeout bounds each operation on a shared [State]. Default:
// [DefaultStateTimeout] (100ms).
func WithStateTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("router: WithStateTimeout: must be positive, got %v", d)
		}
		c.stateTimeout = d
		return nil
	}
}

// WithLog sets where the router reports cooldowns and shared-state
// outages. Default: slog.Default().
func WithLog(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return fmt.Errorf("router: WithLog: nil logger")
		}
		c.log = l
		return nil
	}
}

// WithNow sets the clock the router reads for cooldowns, per-minute
// windows and latencies; for tests. Default: time.Now.
func WithNow(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return fmt.Errorf("router: WithNow: nil clock")
		}
		c.now = now
		return nil
	}
}

// WithRand sets the source of the router's random picks; for tests that
// need them repeatable. The router serialises its use. Default: the
// runtime's concurrent-safe generator (math/rand/v2).
func WithRand(r *rand.Rand) Option {
	return func(c *config) error {
		if r == nil {
			return fmt.Errorf("router: WithRand: nil source")
		}
		c.rng = r
		return nil
	}
}

func cloneLists(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
}

// sortedKeys returns m's keys in order, for stable error reports.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
