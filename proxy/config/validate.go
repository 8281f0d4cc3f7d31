package config

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// ValidateOption configures [Config.Validate].
type ValidateOption func(*validateOptions)

type validateOptions struct {
	callbacks []string // nil: callbacks are not checked
}

// WithCallbackNames makes Validate check the logger names in callbacks,
// success_callback and failure_callback against names, the loggers the
// proxy can build. Without it they are not checked; [Config.CallbackNames]
// returns them for the caller to check.
func WithCallbackNames(names ...string) ValidateOption {
	return func(o *validateOptions) { o.callbacks = append(make([]string, 0, len(names)), names...) }
}

// validStrategies are the routing strategies llmux has.
var validStrategies = []string{StrategySimpleShuffle, StrategyLeastBusy, StrategyLatency, StrategyUsage}

// validCacheTypes are the cache backends llmux has.
var validCacheTypes = []string{CacheMemory, CacheLocal, CacheRedis}

// validLogLevels are the values of general_settings.log_level.
var validLogLevels = []string{"debug", "info", "warn", "error"}

// Validate checks what the values of c mean: every deployment names an
// upstream model; no count, weight, size or timeout is negative; the routing
// strategy, cache type, log format and level are ones llmux has; fallbacks
// name model groups of model_list; a Redis cache has a host; deployment ids
// are unique; and, with [WithCallbackNames], every logger name is known. It
// reports every problem at once (errors.Join of [*Error]s, each with the key
// path and, for a loaded Config, the line). It does no I/O and does not
// change c. Zero values mean unset and are valid, so the zero Config is
// valid, and so is [Default]().
func (c *Config) Validate(opts ...ValidateOption) error {
	var o validateOptions
	for _, opt := range opts {
		opt(&o)
	}
	v := &validator{c: c}
	v.models()
	v.litellm()
	v.router()
	v.general()
	if o.callbacks != nil {
		v.callbacks(o.callbacks)
	}
	return joinErrors(v.errs)
}

type validator struct {
	c    *Config
	errs []error
}

// fail records a problem at path, placed at the nearest position known
// for path or one of its parents.
func (v *validator) fail(path, format string, args ...any) {
	e := &Error{File: v.c.File, Path: path, Msg: fmt.Sprintf(format, args...), Err: ErrInvalid}
	for p := path; p != ""; p = parent(p) {
		if at, ok := v.c.pos[p]; ok {
			e.Line, e.Column = at.line, at.col
			break
		}
	}
	v.errs = append(v.errs, e)
}

// show quotes the value at path for a message, or names the environment
// variable it was read from: such a value may be a secret.
func (v *validator) show(path, value string) string {
	if name, ok := v.c.envRefs[path]; ok {
		return "the value of " + envPrefix + name
	}
	return quote(value)
}

// parent strips the last element of a key path: "a.b[1]" -> "a.b" -> "a".
func parent(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

// nonNegative reports a negative or NaN number.
func (v *validator) nonNegative(path string, x float64) {
	if x < 0 || math.IsNaN(x) {
		v.fail(path, "must not be negative, got %v", x)
	}
}

func (v *validator) nonNegativeInt(path string, x *int) {
	if x != nil && *x < 0 {
		v.fail(path, "must not be negative, got %d", *x)
	}
}

func (v *validator) duration(path string, d Duration) {
	if d < 0 {
		v.fail(path, "must not be negative, got %v", d)
	}
}

func (v *validator) port(path string, p int) {
	if p < 0 || p > 65535 {
		v.fail(path, "port must be between 1 and 65535, got %d", p)
	}
}

func (v *validator) models() {
	ids := map[string]int{}
	for i, d := range v.c.ModelList {
		p := fmt.Sprintf("model_list[%d]", i)
		lp := p + ".litellm_params"
		if d.ModelName == "" {
			v.fail(p+".model_name", "model_name is required: the name clients send")
		}
		if d.Params.Model == "" {
			v.fail(lp+".model", "model is required: the upstream model, as provider/model")
		}
		v.nonNegative(lp+".rpm", float64(d.Params.RPM))
		v.nonNegative(lp+".tpm", float64(d.Params.TPM))
		v.nonNegative(lp+".weight", d.Params.Weight)
		v.duration(lp+".timeout", d.Params.Timeout)
		v.duration(lp+".stream_timeout", d.Params.StreamTimeout)
		v.nonNegativeInt(lp+".max_retries", d.Params.MaxRetries)
		ip := p + ".model_info"
		v.nonNegative(ip+".max_tokens", float64(d.Info.MaxTokens))
		if d.Info.InputCostPerToken != nil {
			v.nonNegative(ip+".input_cost_per_token", *d.Info.InputCostPerToken)
		}
		if d.Info.OutputCostPerToken != nil {
			v.nonNegative(ip+".output_cost_per_token", *d.Info.OutputCostPerToken)
		}
		if id := d.Info.ID; id != "" {
			if j, dup := ids[id]; dup {
				v.fail(ip+".id", "id %s is already the id of model_list[%d]", v.show(ip+".id", id), j)
			} else {
				ids[id] = i
			}
		}
	}
}

func (v *validator) litellm() {
	s := &v.c.LiteLLM
	const p = "litellm_settings"
	v.nonNegativeInt(p+".num_retries", s.NumRetries)
	v.duration(p+".request_timeout", s.RequestTimeout)
	v.fallbacks(p+".fallbacks", s.Fallbacks)
	v.fallbacks(p+".context_window_fallbacks", s.ContextWindowFallbacks)

	cp := &s.CacheParams
	const cpp = p + ".cache_params"
	switch {
	case cp.Type == "" || slices.Contains(validCacheTypes, cp.Type):
	case slices.Contains(litellmCacheTypes, cp.Type):
		v.fail(cpp+".type", "cache type %s is not supported by llmux yet (supported: %s)", v.show(cpp+".type", cp.Type), strings.Join(validCacheTypes, ", "))
	default:
		v.fail(cpp+".type", "unknown cache type %s (supported: %s)", v.show(cpp+".type", cp.Type), strings.Join(validCacheTypes, ", "))
	}
	if s.Cache && cp.Type == CacheRedis && cp.Host == "" {
		v.fail(cpp+".host", "a redis cache needs a host")
	}
	v.port(cpp+".port", cp.Port)
	v.duration(cpp+".ttl", cp.TTL)
}

func (v *validator) router() {
	r := &v.c.Router
	const p = "router_settings"
	switch {
	case r.RoutingStrategy == "" || r.RoutingStrategy == strategyUsageV2 || slices.Contains(validStrategies, r.RoutingStrategy):
	case slices.Contains(litellmStrategies, r.RoutingStrategy):
		v.fail(p+".routing_strategy", "routing strategy %s is not supported by llmux yet (supported: %s)", v.show(p+".routing_strategy", r.RoutingStrategy), strings.Join(validStrategies, ", "))
	default:
		v.fail(p+".routing_strategy", "unknown routing strategy %s (supported: %s)", v.show(p+".routing_strategy", r.RoutingStrategy), strings.Join(validStrategies, ", "))
	}
	v.port(p+".redis_port", r.RedisPort)
	v.nonNegativeInt(p+".allowed_fails", r.AllowedFails)
	v.duration(p+".cooldown_time", r.CooldownTime)
	v.nonNegativeInt(p+".num_retries", r.NumRetries)
	v.duration(p+".timeout", r.Timeout)
	v.fallbacks(p+".fallbacks", r.Fallbacks)
	v.fallbacks(p+".context_window_fallbacks", r.ContextWindowFallbacks)
}

func (v *validator) general() {
	g := &v.c.General
	const p = "general_settings"
	if g.MaxRequestBodySize < 0 {
		v.fail(p+".max_request_body_size", "must not be negative, got %d", g.MaxRequestBodySize)
	}
	v.nonNegative(p+".max_concurrent_streams", float64(g.MaxConcurrentStreams))
	v.duration(p+".read_header_timeout", g.ReadHeaderTimeout)
	v.duration(p+".idle_timeout", g.IdleTimeout)
	v.duration(p+".shutdown_timeout", g.ShutdownTimeout)
	if g.LogFormat != "" && g.LogFormat != LogText && g.LogFormat != LogJSON {
		v.fail(p+".log_format", "unknown log format %s (supported: %s, %s)", v.show(p+".log_format", g.LogFormat), LogJSON, LogText)
	}
	if g.LogLevel != "" && !slices.Contains(validLogLevels, g.LogLevel) {
		v.fail(p+".log_level", "unknown log level %s (supported: %s)", v.show(p+".log_level", g.LogLevel), strings.Join(validLogLevels, ", "))
	}
}

// fallbacks checks that each entry names model groups that exist, has
// something to fall back to, and that no group is listed twice. With an
// empty model_list any model name the SDK resolves is served, so names are
// not checked.
func (v *validator) fallbacks(path string, list []Fallback) {
	groups := v.c.ModelNames()
	exists := func(name string) bool {
		return len(groups) == 0 || slices.ContainsFunc(groups, func(g string) bool { return matchGroup(g, name) })
	}
	have := strings.Join(groups, ", ")
	seen := map[string]bool{}
	for i, f := range list {
		p := fmt.Sprintf("%s[%d].%s", path, i, f.Group)
		if seen[f.Group] {
			v.fail(p, "model group %s has fallbacks already", quote(f.Group))
		}
		seen[f.Group] = true
		if !exists(f.Group) {
			v.fail(p, "model group %s is not in model_list (model groups: %s)", quote(f.Group), have)
		}
		if len(f.Models) == 0 {
			v.fail(p, "no fallbacks for model group %s", quote(f.Group))
		}
		for j, m := range f.Models {
			if mp := fmt.Sprintf("%s[%d]", p, j); !exists(m) {
				v.fail(mp, "fallback %s is not a model group in model_list (model groups: %s)", v.show(mp, m), have)
			}
		}
	}
}

// matchGroup reports whether a client's model name is served by model
// group g: equal, or matching g's wildcards ("*", "openai/*"), where * stands
// for any run of characters, slashes included.
func matchGroup(g, name string) bool {
	if !strings.Contains(g, "*") {
		return g == name
	}
	parts := strings.Split(g, "*")
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	rest := name[len(parts[0]):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, mid)
		if i < 0 {
			return false
		}
		rest = rest[i+len(mid):]
	}
	return strings.HasSuffix(rest, parts[len(parts)-1])
}

// callbacks checks each logger name against the names the proxy knows.
func (v *validator) callbacks(known []string) {
	s := &v.c.LiteLLM
	lists := []struct {
		path  string
		names []string
	}{
		{"litellm_settings.callbacks", s.Callbacks},
		{"litellm_settings.success_callback", s.SuccessCallback},
		{"litellm_settings.failure_callback", s.FailureCallback},
	}
	for _, name := range slices.Sorted(maps.Keys(v.c.CallbackSettings)) {
		p := "callback_settings." + name
		if !slices.Contains(v.c.CallbackNames(), name) {
			v.fail(p, "callback_settings for %s, which no callbacks list names (configured: %s)", v.show(p, name), strings.Join(v.c.CallbackNames(), ", "))
		}
	}
	for _, l := range lists {
		for i, name := range l.names {
			p := fmt.Sprintf("%s[%d]", l.path, i)
			switch {
			case slices.Contains(known, name):
			case strings.Contains(name, "."):
				v.fail(p, "callback %s is a Python object; llmux loggers are named (known: %s)", v.show(p, name), strings.Join(known, ", "))
			default:
				msg := fmt.Sprintf("unknown callback %s (known: %s)", v.show(p, name), strings.Join(known, ", "))
				if sug := suggest(name, known); sug != "" {
					msg += "; did you mean " + sug + "?"
				}
				v.fail(p, "%s", msg)
			}
		}
	}
}
