package config

// Config is a gateway configuration: LiteLLM's config.yaml, decoded, with
// every os.environ/ reference resolved, and typed. [Load] and [LoadFile]
// return one with the defaults filled in ([Config.SetDefaults]);
// [Config.Validate] checks it. The proxy builds its providers, router,
// loggers and cache from it and does not read the file again.
//
// Each section keeps LiteLLM's key names in its JSON form, so a JSON dump
// reads like the file; secrets in it show as their references or masks
// ([Secret]).
//
// A Config is plain data: it is safe to read from many goroutines once
// loaded, and nothing in it changes unless the caller changes it.
type Config struct {
	// ModelList is model_list: the deployments, in file order. Entries
	// sharing a ModelName form one model group. Empty means the gateway
	// serves every model the SDK resolves, with keys from the environment.
	ModelList []Deployment `json:"model_list"`

	LiteLLM LiteLLMSettings `json:"litellm_settings"` // litellm_settings
	Router  RouterSettings  `json:"router_settings"`  // router_settings
	General GeneralSettings `json:"general_settings"` // general_settings

	// Environment is environment_variables: values LiteLLM sets in the
	// process environment before it loads the rest. llmux does not change
	// the environment: os.environ/NAME references elsewhere in the file see
	// these first, then the real environment; references among these read
	// the real environment only. Values print as secrets.
	Environment map[string]Secret `json:"environment_variables,omitempty"`

	// CallbackSettings is callback_settings: per-logger settings, by the
	// logger's name in the callbacks lists.
	CallbackSettings map[string]CallbackSettings `json:"callback_settings,omitempty"`

	// File is the name used in messages: the path given to LoadFile or the
	// name given with WithFileName.
	File string `json:"-"`

	// Warnings are what the caller should log once after loading: at most
	// one, listing every LiteLLM key in the file that llmux does not
	// support yet.
	Warnings []Warning `json:"-"`

	// pos maps a key path ("model_list[0].litellm_params.rpm") to where its
	// value is in the file, for Validate's messages. Empty for a Config
	// built in Go.
	pos map[string]position

	// envRefs maps a key path to the environment variable its value was
	// read from, so Validate quotes such values by reference: they may be
	// secrets.
	envRefs map[string]string
}

// position is a line and column in the file, 1-based.
type position struct{ line, col int }

// Deployment is one entry of model_list: one upstream model behind the
// model group ModelName.
type Deployment struct {
	ModelName string    `json:"model_name"`     // the name clients send; "*" or "openai/*" for wildcards
	Params    Params    `json:"litellm_params"` // how to call the upstream
	Info      ModelInfo `json:"model_info"`     // what the upstream is
}

// Params is litellm_params: how to call one deployment.
type Params struct {
	Model         string   `json:"model"`                    // "provider/model" upstream, "azure/prod-gpt4o"; required
	APIBase       string   `json:"api_base,omitempty"`       // the endpoint; the provider's default when empty
	APIKey        Secret   `json:"api_key,omitzero"`         // the provider's key from the environment when empty
	APIVersion    string   `json:"api_version,omitempty"`    // Azure's api-version
	Organization  string   `json:"organization,omitempty"`   // OpenAI-Organization
	RPM           int      `json:"rpm,omitempty"`            // requests per minute this deployment takes; 0: no limit
	TPM           int      `json:"tpm,omitempty"`            // tokens per minute; 0: no limit
	Timeout       Duration `json:"timeout,omitempty"`        // per call; 0: the router's timeout
	StreamTimeout Duration `json:"stream_timeout,omitempty"` // per streaming call; 0: Timeout
	MaxRetries    *int     `json:"max_retries,omitempty"`    // nil: the router's num_retries
	Weight        float64  `json:"weight,omitempty"`         // relative share in simple-shuffle; 0: 1

	// Extra holds every other litellm_params key: LiteLLM passes them to
	// the provider call (temperature, max_tokens, seed, extra_headers...).
	// The gateway passes the provider settings among them, the vertex_*
	// and aws_* keys (vertex_project, aws_region_name...), to the provider
	// as llmux.Request.ProviderParams.
	// Values are string, int64, float64, bool, nil, []any, map[string]any,
	// or Secret for a value read from the environment or under a key whose
	// name looks secret (token, key, secret, password...).
	Extra map[string]any `json:"extra,omitempty"`
}

// CallbackSettings are one logger's settings under callback_settings.
type CallbackSettings struct {
	// MessageLogging false gives this logger every event with messages,
	// inputs, request bodies and responses redacted, as
	// turn_off_message_logging does for all (LiteLLM's
	// callback_settings.<name>.message_logging). nil or true: unchanged.
	MessageLogging *bool `json:"message_logging,omitempty"`
}

// ModelInfo is model_info: what a deployment is, for routing, pricing and
// /model/info.
type ModelInfo struct {
	// ID identifies the deployment. When the file gives none, it is made
	// from a hash of the model name and litellm_params (secrets as their
	// references or masks), so replicas reading the same file agree.
	ID                 string   `json:"id"`
	Mode               string   `json:"mode,omitempty"`                  // chat, completion, embedding...
	BaseModel          string   `json:"base_model,omitempty"`            // the model to price an Azure deployment as
	MaxTokens          int      `json:"max_tokens,omitempty"`            // context window; 0: unknown
	InputCostPerToken  *float64 `json:"input_cost_per_token,omitempty"`  // USD; nil: the price table's
	OutputCostPerToken *float64 `json:"output_cost_per_token,omitempty"` // USD; nil: the price table's

	// Extra holds every other model_info key (supports_vision, version...),
	// with the value types of [Params.Extra].
	Extra map[string]any `json:"extra,omitempty"`
}

// LiteLLMSettings is litellm_settings.
type LiteLLMSettings struct {
	// Callbacks, SuccessCallback and FailureCallback name loggers (a single
	// name is accepted for a list). The proxy owns the names: check them
	// with [WithCallbackNames] or [Config.CallbackNames].
	Callbacks       []string `json:"callbacks,omitempty"`
	SuccessCallback []string `json:"success_callback,omitempty"`
	FailureCallback []string `json:"failure_callback,omitempty"`

	Cache       bool        `json:"cache"`        // cache answers, with CacheParams
	CacheParams CacheParams `json:"cache_params"` // used when Cache is true

	NumRetries     *int     `json:"num_retries,omitempty"`     // overridden by router_settings.num_retries
	RequestTimeout Duration `json:"request_timeout,omitempty"` // overridden by router_settings.timeout

	Fallbacks              []Fallback `json:"fallbacks,omitempty"`                // merged with router_settings' ([Config.Fallbacks])
	ContextWindowFallbacks []Fallback `json:"context_window_fallbacks,omitempty"` // merged likewise

	TurnOffMessageLogging bool `json:"turn_off_message_logging,omitempty"` // loggers get no messages or responses
	DropParams            bool `json:"drop_params,omitempty"`              // drop parameters a provider cannot honour
	SetVerbose            bool `json:"set_verbose,omitempty"`              // sets general_settings.log_level to debug when that is unset
	JSONLogs              bool `json:"json_logs,omitempty"`                // accepted: llmux logs JSON unless log_format is text
}

// Cache backends for [CacheParams.Type].
const (
	CacheMemory = "memory" // in-process LRU (package cache)
	CacheLocal  = "local"  // LiteLLM's name for the in-process cache; same as CacheMemory
	CacheRedis  = "redis"  // shared Redis (package cache/redis)
)

// CacheParams is litellm_settings.cache_params.
type CacheParams struct {
	// Type is CacheMemory, CacheLocal or CacheRedis. When the file sets
	// cache: true without a type, Load picks redis as LiteLLM does if
	// cache_params names a host or REDIS_HOST is set (taking host, port and
	// password from REDIS_HOST, REDIS_PORT and REDIS_PASSWORD when
	// cache_params is empty), and memory otherwise.
	Type               string   `json:"type,omitempty"`
	Host               string   `json:"host,omitempty"`      // redis
	Port               int      `json:"port,omitempty"`      // redis; 6379 by default
	Password           Secret   `json:"password,omitzero"`   // redis
	TTL                Duration `json:"ttl,omitempty"`       // per entry; 0: the backend's default
	Namespace          string   `json:"namespace,omitempty"` // key prefix
	SupportedCallTypes []string `json:"supported_call_types,omitempty"`
}

// Routing strategies for [RouterSettings.RoutingStrategy].
const (
	StrategySimpleShuffle = "simple-shuffle" // the default: random, weighted by weight, rpm or tpm
	StrategyLeastBusy     = "least-busy"
	StrategyLatency       = "latency-based-routing"
	StrategyUsage         = "usage-based-routing" // "usage-based-routing-v2" is read as this
)

// RouterSettings is router_settings. Where a key exists in litellm_settings
// too, the router_settings value wins, as in LiteLLM.
type RouterSettings struct {
	RoutingStrategy string   `json:"routing_strategy"`     // one of the Strategy* constants
	RedisHost       string   `json:"redis_host,omitempty"` // shares usage and cooldowns among replicas
	RedisPort       int      `json:"redis_port,omitempty"` // 6379 by default when RedisHost is set
	RedisPassword   Secret   `json:"redis_password,omitzero"`
	AllowedFails    *int     `json:"allowed_fails,omitempty"` // failures in a minute before a cooldown; nil: the router's default
	CooldownTime    Duration `json:"cooldown_time,omitempty"` // how long a failing deployment rests; 0: the router's default
	NumRetries      *int     `json:"num_retries,omitempty"`   // wins over litellm_settings.num_retries
	Timeout         Duration `json:"timeout,omitempty"`       // wins over litellm_settings.request_timeout

	Fallbacks              []Fallback `json:"fallbacks,omitempty"`                // win per group over litellm_settings'
	ContextWindowFallbacks []Fallback `json:"context_window_fallbacks,omitempty"` // likewise
}

// Fallback is one entry of a fallbacks list: when a call to model group
// Group fails, try Models in order. LiteLLM writes it as a single-key map,
// {"gpt-4o": ["gpt-4o-mini", "claude"]}.
type Fallback struct {
	Group  string   `json:"group"`
	Models []string `json:"models"`
}

// Log formats for [GeneralSettings.LogFormat].
const (
	LogText = "text"
	LogJSON = "json"
)

// GeneralSettings is general_settings: the master key and how the gateway
// itself runs. Except master_key and allow_client_side_credentials, these
// keys are llmux's own.
type GeneralSettings struct {
	// MasterKey, when set, is the key every client must send
	// (Authorization: Bearer <key>).
	MasterKey Secret `json:"master_key,omitzero"`

	// MaxRequestBodySize caps a request body, in bytes
	// (DefaultMaxRequestBodySize). Written as bytes or with a unit
	// ("32MiB", "10MB"), or in LiteLLM's max_request_size_mb (MiB).
	MaxRequestBodySize int64 `json:"max_request_body_size"`

	// MaxConcurrentStreams caps the streams served at once; 0: no cap.
	MaxConcurrentStreams int `json:"max_concurrent_streams,omitempty"`

	ReadHeaderTimeout Duration `json:"read_header_timeout"` // DefaultReadHeaderTimeout
	IdleTimeout       Duration `json:"idle_timeout"`        // keep-alive idle; DefaultIdleTimeout
	ShutdownTimeout   Duration `json:"shutdown_timeout"`    // drain on shutdown; DefaultShutdownTimeout

	// AllowClientSideCredentials lets a client send its own api_key and
	// api_base in the request body (LiteLLM's name). Off by default: the
	// gateway's keys are then never sent to a host a client chose.
	AllowClientSideCredentials bool `json:"allow_client_side_credentials,omitempty"`

	LogFormat string `json:"log_format"` // LogJSON (the default) or LogText
	LogLevel  string `json:"log_level"`  // debug, info, warn or error; litellm_settings.set_verbose sets debug

	// SpoolDir, when set, gives the network loggers (sql, nats, webhook)
	// a disk spool: each queues to SpoolDir/<name> and loses nothing
	// written there to a sink outage or a crash. LLMUX_SPOOL_DIR in the
	// environment wins.
	SpoolDir string `json:"spool_dir,omitempty"`
}
