// Package config reads the gateway's configuration: LiteLLM's proxy
// config.yaml, so a LiteLLM user's existing file works with llmux serve.
// It produces typed, validated values; package proxy builds the providers,
// router, loggers and cache from them.
//
// # Quick start
//
//	cfg, err := config.LoadFile("config.yaml")
//	if err != nil {
//		return err // every problem in the file, one per line: "config: config.yaml:12: general_settings.mastr_key: unknown key (did you mean master_key?)"
//	}
//	for _, w := range cfg.Warnings {
//		logger.Warn(w.String()) // LiteLLM keys llmux does not support yet, all in one warning
//	}
//	if err := cfg.Validate(config.WithCallbackNames(proxyLoggerNames...)); err != nil {
//		return err
//	}
//
// Without a file, the gateway runs on [Default]().
//
// # Stages
//
// [Load] (or [LoadFile]) decodes: it parses the YAML (anchors, aliases and
// merge keys included), checks every key, converts every value to its type,
// resolves os.environ/ references and fills in defaults
// ([Config.SetDefaults]). [Config.Validate] checks what the values mean and
// does no I/O. Both report every problem at once, joined with errors.Join;
// each is an [*Error] with the file, line, column and key path, and wraps
// one of [ErrSyntax], [ErrUnknownKey], [ErrEnvNotSet], [ErrType] or
// [ErrInvalid]. Building what the Config describes is package proxy's work.
//
// # Keys
//
// Keys are checked strictly where llmux gives them a meaning: a key that is
// neither llmux's nor LiteLLM's is an error naming it and its line, with a
// suggestion for a likely typo. A key LiteLLM has and llmux does not
// support yet (general_settings.database_url, router_settings.
// model_group_alias, include...; the list is data, in litellm.go, with its
// source) is not an error: all of them go into one [Warning] that Load
// returns in [Config.Warnings] for the caller to log once. Top-level keys
// starting with "x-" are ignored, to hold YAML anchors.
//
//	model_list[]                a deployment; several with one model_name form a model group
//	  model_name                the name clients send ("*" and "openai/*" are wildcards)
//	  litellm_params            model (required), api_base, api_key, api_version, organization,
//	                            rpm, tpm, timeout, stream_timeout, max_retries, weight; any other
//	                            key is kept in Params.Extra and passed to the provider (the
//	                            vertex_* and aws_* settings as llmux.Request.ProviderParams,
//	                            see IsProviderParam)
//	  model_info                id (generated from a hash when absent), mode, base_model,
//	                            max_tokens, input_cost_per_token, output_cost_per_token; others
//	                            kept in ModelInfo.Extra
//	litellm_settings            callbacks, success_callback, failure_callback (a list, or one
//	                            name), cache, cache_params (type memory|local|redis, host, port,
//	                            password, ttl, namespace, supported_call_types), num_retries,
//	                            request_timeout, fallbacks, context_window_fallbacks,
//	                            turn_off_message_logging, drop_params, set_verbose, json_logs
//	router_settings             routing_strategy (simple-shuffle, least-busy,
//	                            latency-based-routing, usage-based-routing, and
//	                            usage-based-routing-v2 read as usage-based-routing), redis_host,
//	                            redis_port, redis_password, allowed_fails, cooldown_time,
//	                            num_retries, timeout, fallbacks, context_window_fallbacks
//	general_settings            master_key, allow_client_side_credentials (LiteLLM's), and
//	                            llmux's own: max_request_body_size (or LiteLLM's
//	                            max_request_size_mb), max_concurrent_streams,
//	                            read_header_timeout, idle_timeout, shutdown_timeout,
//	                            log_format (text|json), log_level (debug|info|warn|error)
//	environment_variables       NAME: value pairs, seen by os.environ/ references
//	callback_settings           <logger name>: {message_logging: false} redacts messages and
//	                            answers for that logger alone
//
// Fallbacks have LiteLLM's shape, a list of single-key maps:
// [{"gpt-4o": ["gpt-4o-mini", "claude"]}]. Where router_settings and
// litellm_settings both set something, router_settings wins, as in LiteLLM:
// see [Config.Fallbacks], [Config.ContextWindowFallbacks],
// [Config.NumRetries] and [Config.Timeout]. set_verbose sets log_level to
// debug when that is not set; json_logs is accepted (llmux logs JSON lines
// unless log_format is text).
//
// Durations are seconds, as LiteLLM writes them (30, 0.5), or Go durations
// ("30s", "1m30s"). Booleans accept YAML 1.1's yes/no and on/off as
// LiteLLM's parser does. Numbers may be quoted or come from the environment.
//
// # Secrets and the environment
//
// A string value written os.environ/NAME is read from the environment, in
// one function, at load time: from environment_variables in the file first
// (llmux never changes the process environment), then from the lookup
// ([WithLookupEnv], os.LookupEnv by default). A variable that is not set is
// an error naming the variable, the key path and the line.
//
// API keys, the master key and passwords are [Secret]s. A Secret keeps its
// reference for display: it prints as "os.environ/NAME", or as a mask
// ("sk-...abcd") when written inline, with every fmt verb, in JSON, as text
// and in log/slog; only [Secret.Value] returns it. Values in Extra maps read
// from the environment or under a secret-looking key are Secrets too.
// Errors and warnings name keys and variables and never quote a value read
// from the environment, and YAML syntax errors do not quote the source. So a
// Config can be logged or served on an admin endpoint as a whole.
//
// # Defaults
//
// An empty model_list means the gateway serves every model name the SDK
// resolves, with keys from the environment. [Default], for a gateway started
// without a file, turns the in-memory cache on; a file turns a cache on
// only with cache: true, as in LiteLLM. [Config.SetDefaults] lists the rest.
//
// Related: package proxy serves a Config; packages cache and cache/redis are
// the backends cache_params selects.
package config
