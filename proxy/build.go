package proxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cache"
	cacheredis "github.com/llmux/llmux/cache/redis"
	"github.com/llmux/llmux/cost"
	"github.com/llmux/llmux/integration/delivery"
	"github.com/llmux/llmux/proxy/config"
	"github.com/llmux/llmux/router"
	routerredis "github.com/llmux/llmux/router/redis"
)

// WithConfig builds the gateway a LiteLLM config.yaml describes (package
// proxy/config loads it): providers from the environment, each deployment
// of model_list called with its own model, base, key and version through
// the router (router_settings), the cache (litellm_settings.cache), the
// loggers it names, the master key and limits (general_settings). getenv
// gives the providers' default keys (OPENAI_API_KEY, ...). The config is
// validated when New runs; what other options set in Go wins over it.
func WithConfig(cfg *config.Config, getenv func(string) string) Option {
	return func(s *settings) error {
		if cfg == nil {
			return errors.New("proxy: WithConfig: nil config")
		}
		if getenv == nil {
			getenv = func(string) string { return "" }
		}
		s.config, s.getenv = cfg, getenv
		return nil
	}
}

// applyConfig turns the config into settings; New calls it once every
// option is known (a custom binary's logger factories included).
func (s *settings) applyConfig() error {
	cfg, getenv := s.config, s.getenv
	if err := cfg.Validate(config.WithCallbackNames(LoggerNames(s.loggerFactories)...)); err != nil {
		return err
	}
	var copts []llmux.Option
	copts = append(copts, EnvProviders(getenv)...)

	ls := &cfg.LiteLLM
	if ls.Cache {
		c, closer, err := buildCache(&ls.CacheParams)
		if err != nil {
			return err
		}
		copts = append(copts, llmux.WithCache(c))
		if types := cacheCallTypes(ls.CacheParams.SupportedCallTypes); len(types) > 0 {
			copts = append(copts, llmux.WithCacheCallTypes(types...))
		}
		if closer != nil {
			s.closers = append(s.closers, closer)
		}
	}
	if d := cfg.Timeout(); d > 0 {
		copts = append(copts, llmux.WithTimeout(d))
	}
	if ls.TurnOffMessageLogging {
		copts = append(copts, llmux.WithTurnOffMessageLogging(true))
	}
	if ls.DropParams {
		copts = append(copts, llmux.WithDropParams(true))
	}
	retries, retriesSet := cfg.NumRetries()
	if retriesSet && len(cfg.ModelList) == 0 {
		copts = append(copts, llmux.WithMaxRetries(retries))
	}
	if prices := deploymentPrices(cfg.ModelList); prices != nil {
		copts = append(copts, llmux.WithPriceTable(prices))
	}
	loggerEnv := getenv
	if dir := cfg.General.SpoolDir; dir != "" {
		loggerEnv = func(k string) string {
			if v := getenv(k); v != "" || k != delivery.EnvSpoolDir {
				return v
			}
			return dir
		}
	}
	loggers, err := buildLoggers(ls.Callbacks, ls.SuccessCallback, ls.FailureCallback, cfg.CallbackSettings, s.loggerFactories, loggerEnv)
	if err != nil {
		return fmt.Errorf("proxy: %w", err)
	}
	// The config's choices come first: options given in Go after
	// WithConfig are applied after them and win.
	s.clientOpts = append(copts, s.clientOpts...)
	s.callbacks = append(loggers, s.callbacks...)

	if ignored := ignoredParams(cfg.ModelList); len(ignored) > 0 {
		s.log.Warn("proxy: litellm_params keys llmux does not apply yet (the deployment is called without them)", "keys", ignored)
	}
	if len(cfg.ModelList) > 0 {
		r, models, err := s.buildRouter(cfg, retries, retriesSet)
		if err != nil {
			return err
		}
		if r != nil && s.router == nil {
			s.router = r
		}
		if s.models == nil {
			s.models = models
		}
	}
	g := &cfg.General
	if v := g.MasterKey.Value(); v != "" && s.masterKey == "" {
		s.masterKey = v
	}
	if g.MaxRequestBodySize > 0 && !s.maxBodySizeSet {
		s.maxBodySize = g.MaxRequestBodySize
	}
	if g.MaxConcurrentStreams > 0 && s.maxStreams == 0 {
		s.maxStreams = g.MaxConcurrentStreams
	}
	if d := time.Duration(g.ReadHeaderTimeout); d > 0 && !s.timeoutsSet {
		s.readHeaderTimeout = d
	}
	if d := time.Duration(g.IdleTimeout); d > 0 && !s.timeoutsSet {
		s.idleTimeout = d
	}
	if d := time.Duration(g.ShutdownTimeout); d > 0 && !s.timeoutsSet {
		s.shutdownTimeout = d
	}
	if g.AllowClientSideCredentials {
		s.clientCredentials = true
	}
	return nil
}

// buildCache makes the cache litellm_settings.cache_params describes.
func buildCache(p *config.CacheParams) (llmux.Cache, func() error, error) {
	switch p.Type {
	case "", config.CacheMemory, config.CacheLocal:
		var opts []cache.Option
		if p.TTL > 0 {
			opts = append(opts, cache.WithTTL(time.Duration(p.TTL)))
		}
		m, err := cache.NewMemory(opts...)
		if err != nil {
			return nil, nil, fmt.Errorf("proxy: litellm_settings.cache_params: %w", err)
		}
		return m, nil, nil
	case config.CacheRedis:
		port := p.Port
		if port == 0 {
			port = 6379
		}
		ns := p.Namespace
		if ns == "" {
			ns = "llmux"
		}
		rc, err := cacheredis.New(cacheredis.Options{Host: p.Host, Port: port, Password: p.Password.Value(),
			Namespace: ns, TTL: time.Duration(p.TTL)})
		if err != nil {
			return nil, nil, fmt.Errorf("proxy: litellm_settings.cache_params: %w", err)
		}
		return rc, rc.Close, nil
	}
	return nil, nil, fmt.Errorf("proxy: litellm_settings.cache_params.type: %q is not supported", p.Type)
}

// cacheCallTypes maps LiteLLM's supported_call_types to llmux's.
func cacheCallTypes(names []string) []llmux.CallType {
	var out []llmux.CallType
	for _, n := range names {
		switch strings.TrimPrefix(n, "a") { // acompletion, aembedding...
		case "completion":
			out = append(out, llmux.CallCompletion)
		case "text_completion":
			out = append(out, llmux.CallTextCompletion)
		case "embedding":
			out = append(out, llmux.CallEmbedding)
		}
	}
	return out
}

// deploymentPrices returns the price table with the prices model_info
// gives (input/output_cost_per_token, or base_model's prices for an Azure
// deployment), nil when none does.
func deploymentPrices(deps []config.Deployment) *cost.Table {
	var t *cost.Table
	for _, d := range deps {
		info := d.Info
		if info.InputCostPerToken == nil && info.OutputCostPerToken == nil && info.BaseModel == "" {
			continue
		}
		if t == nil {
			t = cost.Default().Clone()
		}
		provider, model, _ := strings.Cut(d.Params.Model, "/")
		var p cost.Price
		if info.BaseModel != "" {
			bp, bm, ok := strings.Cut(info.BaseModel, "/")
			if !ok {
				bp, bm = provider, info.BaseModel
			}
			if base, ok := t.Lookup(bp, bm); ok {
				p = base
			} else if base, ok := t.Lookup("", info.BaseModel); ok {
				p = base
			}
		}
		p.Provider = provider
		if v := info.InputCostPerToken; v != nil {
			p.InputPerToken = *v
		}
		if v := info.OutputCostPerToken; v != nil {
			p.OutputPerToken = *v
		}
		t.Register(model, p)
		t.Register(d.Params.Model, p)
	}
	return t
}

// buildRouter makes the router over model_list and the set of served
// names (wildcard entries pass any matching name to the SDK unrouted).
func (s *settings) buildRouter(cfg *config.Config, retries int, retriesSet bool) (*router.Router, Models, error) {
	var deps []router.Deployment
	models := &configModels{exact: map[string]bool{}}
	for _, d := range cfg.ModelList {
		rd := router.Deployment{
			ID: d.Info.ID, ModelGroup: d.ModelName, Model: d.Params.Model,
			APIBase: d.Params.APIBase, APIKey: d.Params.APIKey.Value(), APIVersion: d.Params.APIVersion,
			ProviderParams: providerParams(d.Params.Extra),
			RPM:            d.Params.RPM, TPM: d.Params.TPM, Weight: d.Params.Weight,
			Timeout: time.Duration(d.Params.Timeout), MaxRetries: d.Params.MaxRetries,
		}
		if strings.Contains(d.ModelName, "*") {
			models.wild = append(models.wild, rd)
			continue
		}
		models.exact[d.ModelName] = true
		deps = append(deps, rd)
	}
	for n := range models.exact {
		models.names = append(models.names, n)
	}
	sort.Strings(models.names)
	if len(deps) == 0 {
		return nil, models, nil
	}
	rs := &cfg.Router
	var opts []router.Option
	if rs.RoutingStrategy != "" {
		st, err := router.ParseStrategy(rs.RoutingStrategy)
		if err != nil {
			return nil, nil, fmt.Errorf("proxy: router_settings.routing_strategy: %w", err)
		}
		opts = append(opts, router.WithStrategy(st))
	}
	if retriesSet {
		opts = append(opts, router.WithNumRetries(retries))
	}
	if fb := fallbackMap(cfg.Fallbacks()); fb != nil {
		opts = append(opts, router.WithFallbacks(fb))
	}
	if fb := fallbackMap(cfg.ContextWindowFallbacks()); fb != nil {
		opts = append(opts, router.WithContextWindowFallbacks(fb))
	}
	if rs.AllowedFails != nil {
		opts = append(opts, router.WithAllowedFails(*rs.AllowedFails))
	}
	if rs.CooldownTime > 0 {
		opts = append(opts, router.WithCooldown(time.Duration(rs.CooldownTime)))
	}
	if s.log != nil {
		opts = append(opts, router.WithLog(s.log))
	}
	host, port, password := rs.RedisHost, rs.RedisPort, rs.RedisPassword.Value()
	if host == "" && cfg.LiteLLM.Cache && cfg.LiteLLM.CacheParams.Type == config.CacheRedis {
		// LiteLLM's router shares state through the cache's Redis when
		// router_settings names none.
		cp := &cfg.LiteLLM.CacheParams
		host, port, password = cp.Host, cp.Port, cp.Password.Value()
	}
	if host != "" {
		if port == 0 {
			port = 6379
		}
		st, err := routerredis.New(routerredis.Options{Addr: net.JoinHostPort(host, strconv.Itoa(port)), Password: password})
		if err != nil {
			return nil, nil, fmt.Errorf("proxy: router_settings.redis_host: %w", err)
		}
		s.closers = append(s.closers, st.Close)
		opts = append(opts, router.WithState(st))
	}
	r, err := router.New(deps, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("proxy: model_list: %w", err)
	}
	return r, models, nil
}

func fallbackMap(fbs []config.Fallback) map[string][]string {
	if len(fbs) == 0 {
		return nil
	}
	m := make(map[string][]string, len(fbs))
	for _, f := range fbs {
		m[f.Group] = slices.Clone(f.Models)
	}
	return m
}

// configModels serves model_list's groups, and any name a wildcard entry
// matches ("*" every name, "openai/*" names with that prefix).
type configModels struct {
	exact map[string]bool
	names []string
	wild  []router.Deployment // the wildcard entries: ModelGroup is the pattern
}

func (m *configModels) Serves(name string) bool {
	return m.exact[name] || m.wildFor(name) >= 0
}

// wildFor returns the index of the first wildcard entry matching name,
// -1 for none.
func (m *configModels) wildFor(name string) int {
	for i := range m.wild {
		w := m.wild[i].ModelGroup
		if w == "*" {
			return i
		}
		if prefix, ok := strings.CutSuffix(w, "*"); ok && strings.HasPrefix(name, prefix) {
			return i
		}
	}
	return -1
}

// apply gives a request that a wildcard entry serves (and no exact entry)
// the entry's key, base, version and provider settings, as the router does
// for a deployment: the entry's key or credentials go to the entry's base,
// never to one the caller chose.
func (m *configModels) apply(req *llmux.Request) {
	if len(m.wild) == 0 || m.exact[req.Model] {
		return
	}
	if i := m.wildFor(req.Model); i >= 0 {
		router.ApplyEndpoint(req, &m.wild[i])
	}
}

func (m *configModels) List() []string {
	out := slices.Clone(m.names)
	for i := range m.wild {
		out = append(out, m.wild[i].ModelGroup)
	}
	return out
}

// checkRouter builds the router cfg describes without its shared state,
// to report what router.New refuses (no I/O).
func checkRouter(cfg *config.Config) error {
	c := *cfg
	c.Router.RedisHost = ""
	c.LiteLLM.Cache = false
	var s settings
	retries, ok := c.NumRetries()
	_, _, err := s.buildRouter(&c, retries, ok)
	return err
}

// providerParams returns the provider settings among a deployment's
// litellm_params (see config.IsProviderParam) as strings: a secret as its value,
// a number or boolean as written, an object or list (vertex_credentials
// given inline as YAML) as JSON. nil when there are none.
func providerParams(extra map[string]any) map[string]string {
	var out map[string]string
	for k, v := range extra {
		if !config.IsProviderParam(k) || v == nil {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		if c, ok := paramAliases[k]; ok {
			k = c
		}
		out[k] = paramString(v)
	}
	return out
}

// paramAliases are LiteLLM's older spellings of provider settings, read
// under the current name so that a deployment's setting wins over a
// request's however either is spelled.
var paramAliases = map[string]string{
	"vertex_ai_project": "vertex_project", "vertex_ai_location": "vertex_location",
	"vertex_ai_credentials": "vertex_credentials",
}

func paramString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case config.Secret:
		return v.Value()
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	b, err := json.Marshal(revealSecrets(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// revealSecrets replaces the config.Secret values in a decoded YAML value
// with their values, for a provider to read (config.Secret marshals
// masked).
func revealSecrets(v any) any {
	switch v := v.(type) {
	case config.Secret:
		return v.Value()
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = revealSecrets(x)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = revealSecrets(x)
		}
		return s
	}
	return v
}

// ignoredParams lists the litellm_params keys of model_list that the
// gateway does not apply (Params.Extra but the provider settings, and
// organization), as
// "model_list[i].litellm_params.key".
func ignoredParams(deps []config.Deployment) []string {
	var out []string
	for i, d := range deps {
		var keys []string
		for k := range d.Params.Extra {
			if !config.IsProviderParam(k) {
				keys = append(keys, k)
			}
		}
		if d.Params.Organization != "" {
			keys = append(keys, "organization")
		}
		if d.Params.StreamTimeout > 0 {
			keys = append(keys, "stream_timeout")
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, fmt.Sprintf("model_list[%d].litellm_params.%s", i, k))
		}
	}
	return out
}
