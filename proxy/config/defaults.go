package config

import (
	"slices"
	"time"
)

// Defaults that [Config.SetDefaults] fills in.
const (
	DefaultMaxRequestBodySize = 32 << 20 // 32 MiB
	DefaultReadHeaderTimeout  = 10 * time.Second
	DefaultIdleTimeout        = 120 * time.Second
	DefaultShutdownTimeout    = 30 * time.Second
	DefaultRedisPort          = 6379
)

// Default returns the configuration of a gateway started without a config
// file: no model_list (the gateway serves every model name the SDK resolves,
// with keys from the environment), the in-memory cache on, simple-shuffle
// routing, no master key, and the defaults of [Config.SetDefaults]. It is
// valid.
//
// An empty file is not the same: like LiteLLM, a file that does not say
// cache: true has no cache.
func Default() *Config {
	c := &Config{LiteLLM: LiteLLMSettings{Cache: true, CacheParams: CacheParams{Type: CacheMemory}}}
	c.SetDefaults()
	return c
}

// SetDefaults fills in what the file left unset: routing strategy
// simple-shuffle (and "usage-based-routing-v2" becomes
// [StrategyUsage]), the gateway's size and timeouts, the log format and
// level (from litellm_settings json_logs and set_verbose), the Redis port,
// and an id for every deployment without one ([ModelInfo.ID]). Values
// already set are kept, so calling it twice changes nothing. Load calls it;
// call it on a Config built in Go before using it.
func (c *Config) SetDefaults() {
	r := &c.Router
	switch r.RoutingStrategy {
	case "":
		r.RoutingStrategy = StrategySimpleShuffle
	case strategyUsageV2:
		r.RoutingStrategy = StrategyUsage
	}
	if r.RedisHost != "" && r.RedisPort == 0 {
		r.RedisPort = DefaultRedisPort
	}
	cp := &c.LiteLLM.CacheParams
	if c.LiteLLM.Cache && cp.Type == "" {
		cp.Type = CacheMemory
	}
	if cp.Type == CacheRedis && cp.Port == 0 {
		cp.Port = DefaultRedisPort
	}

	g := &c.General
	if g.MaxRequestBodySize == 0 {
		g.MaxRequestBodySize = DefaultMaxRequestBodySize
	}
	if g.ReadHeaderTimeout == 0 {
		g.ReadHeaderTimeout = Duration(DefaultReadHeaderTimeout)
	}
	if g.IdleTimeout == 0 {
		g.IdleTimeout = Duration(DefaultIdleTimeout)
	}
	if g.ShutdownTimeout == 0 {
		g.ShutdownTimeout = Duration(DefaultShutdownTimeout)
	}
	if g.LogFormat == "" {
		// llmux serve logs JSON lines by default (with or without a
		// config); json_logs, LiteLLM's switch to JSON, changes nothing.
		g.LogFormat = LogJSON
	}
	if g.LogLevel == "" {
		g.LogLevel = "info"
		if c.LiteLLM.SetVerbose {
			g.LogLevel = "debug"
		}
	}
	c.assignIDs()
}

// strategyUsageV2 is LiteLLM's other name for usage-based routing.
const strategyUsageV2 = "usage-based-routing-v2"

// Fallbacks returns the fallbacks the router uses: litellm_settings'
// fallbacks merged with router_settings', where a model group listed in
// router_settings takes its list from there (router_settings wins, as in
// LiteLLM) and groups listed only in litellm_settings keep theirs. Groups
// come in litellm_settings order, then those only in router_settings.
func (c *Config) Fallbacks() []Fallback {
	return mergeFallbacks(c.LiteLLM.Fallbacks, c.Router.Fallbacks)
}

// ContextWindowFallbacks returns the context-window fallbacks, merged as
// [Config.Fallbacks] merges fallbacks.
func (c *Config) ContextWindowFallbacks() []Fallback {
	return mergeFallbacks(c.LiteLLM.ContextWindowFallbacks, c.Router.ContextWindowFallbacks)
}

func mergeFallbacks(base, over []Fallback) []Fallback {
	if len(base) == 0 && len(over) == 0 {
		return nil
	}
	out := make([]Fallback, 0, len(base)+len(over))
	for _, f := range base {
		if i := slices.IndexFunc(over, func(o Fallback) bool { return o.Group == f.Group }); i >= 0 {
			f = over[i]
		}
		out = append(out, Fallback{Group: f.Group, Models: slices.Clone(f.Models)})
	}
	for _, f := range over {
		if !slices.ContainsFunc(base, func(b Fallback) bool { return b.Group == f.Group }) {
			out = append(out, Fallback{Group: f.Group, Models: slices.Clone(f.Models)})
		}
	}
	return out
}

// NumRetries returns router_settings.num_retries, else
// litellm_settings.num_retries; ok is false when neither is set (the
// client's default applies).
func (c *Config) NumRetries() (n int, ok bool) {
	switch {
	case c.Router.NumRetries != nil:
		return *c.Router.NumRetries, true
	case c.LiteLLM.NumRetries != nil:
		return *c.LiteLLM.NumRetries, true
	}
	return 0, false
}

// Timeout returns router_settings.timeout, else
// litellm_settings.request_timeout, else 0 (the client's default).
func (c *Config) Timeout() time.Duration {
	if c.Router.Timeout != 0 {
		return time.Duration(c.Router.Timeout)
	}
	return time.Duration(c.LiteLLM.RequestTimeout)
}

// CallbackNames returns every logger name in callbacks, success_callback
// and failure_callback, each once, in that order. The proxy maps them to
// loggers; [WithCallbackNames] lets Validate check them first.
func (c *Config) CallbackNames() []string {
	var out []string
	for _, list := range [][]string{c.LiteLLM.Callbacks, c.LiteLLM.SuccessCallback, c.LiteLLM.FailureCallback} {
		for _, n := range list {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// ModelNames returns the model groups of model_list, each once, in file
// order.
func (c *Config) ModelNames() []string {
	var out []string
	for _, d := range c.ModelList {
		if !slices.Contains(out, d.ModelName) {
			out = append(out, d.ModelName)
		}
	}
	return out
}

// Deployments returns the deployments of model group name, in file order.
// They share the caller's Config: treat them as read-only.
func (c *Config) Deployments(name string) []Deployment {
	var out []Deployment
	for _, d := range c.ModelList {
		if d.ModelName == name {
			out = append(out, d)
		}
	}
	return out
}
