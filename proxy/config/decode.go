package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/llmux/llmux/internal/mask"
)

// field is one key llmux reads in a mapping, and how.
type field struct {
	key    string
	decode func(path string, v *node)
}

// object decodes mapping n at path. Each key in fields is decoded by its
// function. A key LiteLLM has that llmux does not support yet
// (litellmKeys[section]) goes into the warning, and to extra when given
// (litellm_params keeps them); any other key goes to extra when given, and
// is an error otherwise, with the closest known key as a suggestion.
func (d *decoder) object(path string, n *node, section string, fields []field, extra func(key, path string, v *node)) {
	d.mark(path, n)
	if !d.mapping(path, n, "a mapping") {
		return
	}
	for _, e := range n.entries {
		p := join(path, e.key)
		if section == sectionTop && strings.HasPrefix(e.key, "x-") {
			continue // an extension field holding YAML anchors
		}
		d.pos[p] = position{e.line, e.col}
		if i := slices.IndexFunc(fields, func(f field) bool { return f.key == e.key }); i >= 0 {
			fields[i].decode(p, e.val)
			continue
		}
		known := slices.Contains(litellmKeys[section], e.key)
		if known {
			d.unsupported = append(d.unsupported, KeyRef{Path: p, Line: e.line})
		}
		if extra != nil {
			extra(e.key, p, e.val)
			continue
		}
		if known {
			continue
		}
		if !isKeyName(e.key) { // a pasted value, perhaps a secret: do not repeat it
			p = join(path, mask.Key(e.key))
		}
		msg := "unknown key"
		ours := make([]string, len(fields))
		for i, f := range fields {
			ours[i] = f.key
		}
		if s := suggest(e.key, ours, litellmKeys[section]); s != "" {
			msg += " (did you mean " + s + "?)"
		}
		d.errs = append(d.errs, &Error{File: d.file, Line: e.line, Column: e.col, Path: p, Msg: msg, Err: ErrUnknownKey})
	}
}

// isKeyName reports whether k looks like a key name (snake_case, as all of
// LiteLLM's are) rather than a value written where a key goes.
func isKeyName(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// join appends key to a key path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// mapping reports whether n is a mapping to decode: a null is an empty
// one (false, no error), any other kind a type error naming what was
// expected.
func (d *decoder) mapping(path string, n *node, expected string) bool {
	switch n.kind {
	case mapKind:
		return true
	case nullKind:
	default:
		d.fail(n, path, ErrType, "expected %s, got %s", expected, n.kind)
	}
	return false
}

// decode builds the Config from the root of the file.
func (d *decoder) decode(root *node) *Config {
	c := &Config{File: d.file}
	if !d.mapping("", root, "a mapping of sections (model_list, litellm_settings, router_settings, general_settings)") {
		return c
	}
	// environment_variables first, wherever it is in the file: every
	// os.environ/ reference sees them.
	if ev := root.get("environment_variables"); ev != nil {
		c.Environment = d.environment("environment_variables", ev)
	}
	d.object("", root, sectionTop, []field{
		{"model_list", func(p string, v *node) { c.ModelList = d.modelList(p, v) }},
		{"litellm_settings", func(p string, v *node) { c.LiteLLM = d.litellmSettings(p, v) }},
		{"router_settings", func(p string, v *node) { c.Router = d.routerSettings(p, v) }},
		{"general_settings", func(p string, v *node) { c.General = d.generalSettings(p, v) }},
		{"environment_variables", func(string, *node) {}}, // read above
		{"callback_settings", func(p string, v *node) { c.CallbackSettings = d.callbackSettings(p, v) }},
	}, nil)
	return c
}

// callbackSettings decodes callback_settings: logger names to their
// settings.
func (d *decoder) callbackSettings(path string, n *node) map[string]CallbackSettings {
	d.mark(path, n)
	if !d.mapping(path, n, "a mapping of logger names to their settings") {
		return nil
	}
	out := make(map[string]CallbackSettings, len(n.entries))
	for _, e := range n.entries {
		p := join(path, e.key)
		d.pos[p] = position{e.line, e.col}
		var cs CallbackSettings
		d.object(p, e.val, sectionCallback, []field{
			{"message_logging", func(k string, v *node) { b := d.boolean(k, v); cs.MessageLogging = &b }},
		}, nil)
		out[e.key] = cs
	}
	return out
}

// environment decodes environment_variables: names to scalar values, each
// of which may itself be an os.environ/ reference to the real environment.
func (d *decoder) environment(path string, n *node) map[string]Secret {
	d.mark(path, n)
	if !d.mapping(path, n, "a mapping of variable names to values") {
		return nil
	}
	// References here read the process environment, not each other: the
	// result does not depend on the order of the keys.
	env := make(map[string]Secret, len(n.entries))
	defer func() { d.env = env }()
	for _, e := range n.entries {
		p := join(path, e.key)
		if e.key == "" {
			d.errs = append(d.errs, &Error{File: d.file, Line: e.line, Column: e.col, Path: p, Msg: "empty variable name", Err: ErrInvalid})
			continue
		}
		s, ref, ok := d.scalar(p, e.val, "a string")
		if !ok {
			continue
		}
		if ref != "" {
			env[e.key] = EnvSecret(ref, s)
		} else {
			env[e.key] = NewSecret(s)
		}
	}
	return env
}

func (d *decoder) modelList(path string, n *node) []Deployment {
	d.mark(path, n)
	switch n.kind {
	case nullKind:
		return nil
	case seqKind:
	default:
		d.fail(n, path, ErrType, "expected a list of deployments, got %s", n.kind)
		return nil
	}
	out := make([]Deployment, 0, len(n.items))
	for i, it := range n.items {
		var dep Deployment
		d.object(fmt.Sprintf("%s[%d]", path, i), it, sectionDeployment, []field{
			{"model_name", func(p string, v *node) { dep.ModelName = d.str(p, v) }},
			{"litellm_params", func(p string, v *node) { dep.Params = d.params(p, v) }},
			{"model_info", func(p string, v *node) { dep.Info = d.modelInfo(p, v) }},
		}, nil)
		out = append(out, dep)
	}
	return out
}

func (d *decoder) params(path string, n *node) Params {
	var p Params
	d.object(path, n, sectionParams, []field{
		{"model", func(k string, v *node) { p.Model = d.str(k, v) }},
		{"api_base", func(k string, v *node) { p.APIBase = d.str(k, v) }},
		{"api_key", func(k string, v *node) { p.APIKey = d.secret(k, v) }},
		{"api_version", func(k string, v *node) { p.APIVersion = d.str(k, v) }},
		{"organization", func(k string, v *node) { p.Organization = d.str(k, v) }},
		{"rpm", func(k string, v *node) { p.RPM, _ = d.integer(k, v) }},
		{"tpm", func(k string, v *node) { p.TPM, _ = d.integer(k, v) }},
		{"timeout", func(k string, v *node) { p.Timeout = d.duration(k, v) }},
		{"stream_timeout", func(k string, v *node) { p.StreamTimeout = d.duration(k, v) }},
		{"max_retries", func(k string, v *node) { p.MaxRetries = d.intPtr(k, v) }},
		{"weight", func(k string, v *node) { p.Weight = d.float(k, v) }},
	}, func(key, k string, v *node) {
		if p.Extra == nil {
			p.Extra = map[string]any{}
		}
		p.Extra[key] = d.value(key, k, v)
	})
	return p
}

func (d *decoder) modelInfo(path string, n *node) ModelInfo {
	var m ModelInfo
	d.object(path, n, sectionModelInfo, []field{
		{"id", func(k string, v *node) { m.ID = d.str(k, v) }},
		{"mode", func(k string, v *node) { m.Mode = d.str(k, v) }},
		{"base_model", func(k string, v *node) { m.BaseModel = d.str(k, v) }},
		{"max_tokens", func(k string, v *node) { m.MaxTokens, _ = d.integer(k, v) }},
		{"input_cost_per_token", func(k string, v *node) { m.InputCostPerToken = d.floatPtr(k, v) }},
		{"output_cost_per_token", func(k string, v *node) { m.OutputCostPerToken = d.floatPtr(k, v) }},
	}, func(key, k string, v *node) {
		if m.Extra == nil {
			m.Extra = map[string]any{}
		}
		m.Extra[key] = d.value(key, k, v)
	})
	return m
}

func (d *decoder) litellmSettings(path string, n *node) LiteLLMSettings {
	var s LiteLLMSettings
	cacheParams := false
	d.object(path, n, sectionLiteLLM, []field{
		{"callbacks", func(k string, v *node) { s.Callbacks = d.names(k, v) }},
		{"success_callback", func(k string, v *node) { s.SuccessCallback = d.names(k, v) }},
		{"failure_callback", func(k string, v *node) { s.FailureCallback = d.names(k, v) }},
		{"cache", func(k string, v *node) { s.Cache = d.boolean(k, v) }},
		{"cache_params", func(k string, v *node) {
			s.CacheParams = d.cacheParams(k, v)
			cacheParams = v.kind == mapKind && len(v.entries) > 0
		}},
		{"num_retries", func(k string, v *node) { s.NumRetries = d.intPtr(k, v) }},
		{"request_timeout", func(k string, v *node) { s.RequestTimeout = d.duration(k, v) }},
		{"fallbacks", func(k string, v *node) { s.Fallbacks = d.fallbacks(k, v) }},
		{"context_window_fallbacks", func(k string, v *node) { s.ContextWindowFallbacks = d.fallbacks(k, v) }},
		{"turn_off_message_logging", func(k string, v *node) { s.TurnOffMessageLogging = d.boolean(k, v) }},
		{"drop_params", func(k string, v *node) { s.DropParams = d.boolean(k, v) }},
		{"set_verbose", func(k string, v *node) { s.SetVerbose = d.boolean(k, v) }},
		{"json_logs", func(k string, v *node) { s.JSONLogs = d.boolean(k, v) }},
	}, nil)
	if s.Cache && s.CacheParams.Type == "" {
		d.cacheType(join(path, "cache"), n.get("cache"), &s.CacheParams, cacheParams)
	}
	return s
}

// cacheType picks the backend for cache: true without cache_params.type, as
// LiteLLM does (its default type is redis): redis when cache_params names a
// host; with no cache_params at all, redis from REDIS_HOST, REDIS_PORT and
// REDIS_PASSWORD when REDIS_HOST is set. Otherwise, where LiteLLM would try
// a Redis nobody configured, llmux uses the in-memory cache.
func (d *decoder) cacheType(path string, at *node, cp *CacheParams, hasParams bool) {
	switch {
	case cp.Host != "":
		cp.Type = CacheRedis
		return
	case hasParams:
		cp.Type = CacheMemory
		return
	}
	host, ok := d.getenv("REDIS_HOST")
	if !ok || host == "" {
		cp.Type = CacheMemory
		return
	}
	cp.Type, cp.Host = CacheRedis, host
	if port, ok := d.getenv("REDIS_PORT"); ok && port != "" {
		v, err := strconv.Atoi(strings.TrimSpace(port))
		if err != nil {
			d.fail(at, path, ErrType, "REDIS_PORT is not a port number")
		}
		cp.Port = v
	}
	if pw, ok := d.getenv("REDIS_PASSWORD"); ok {
		cp.Password = EnvSecret("REDIS_PASSWORD", pw)
	}
}

func (d *decoder) cacheParams(path string, n *node) CacheParams {
	var c CacheParams
	d.object(path, n, sectionCacheParams, []field{
		{"type", func(k string, v *node) { c.Type = d.str(k, v) }},
		{"host", func(k string, v *node) { c.Host = d.str(k, v) }},
		{"port", func(k string, v *node) { c.Port, _ = d.integer(k, v) }},
		{"password", func(k string, v *node) { c.Password = d.secret(k, v) }},
		{"ttl", func(k string, v *node) { c.TTL = d.duration(k, v) }},
		{"namespace", func(k string, v *node) { c.Namespace = d.str(k, v) }},
		{"supported_call_types", func(k string, v *node) { c.SupportedCallTypes = d.names(k, v) }},
	}, nil)
	return c
}

func (d *decoder) routerSettings(path string, n *node) RouterSettings {
	var r RouterSettings
	d.object(path, n, sectionRouter, []field{
		{"routing_strategy", func(k string, v *node) { r.RoutingStrategy = d.str(k, v) }},
		{"redis_host", func(k string, v *node) { r.RedisHost = d.str(k, v) }},
		{"redis_port", func(k string, v *node) { r.RedisPort, _ = d.integer(k, v) }},
		{"redis_password", func(k string, v *node) { r.RedisPassword = d.secret(k, v) }},
		{"allowed_fails", func(k string, v *node) { r.AllowedFails = d.intPtr(k, v) }},
		{"cooldown_time", func(k string, v *node) { r.CooldownTime = d.duration(k, v) }},
		{"num_retries", func(k string, v *node) { r.NumRetries = d.intPtr(k, v) }},
		{"timeout", func(k string, v *node) { r.Timeout = d.duration(k, v) }},
		{"fallbacks", func(k string, v *node) { r.Fallbacks = d.fallbacks(k, v) }},
		{"context_window_fallbacks", func(k string, v *node) { r.ContextWindowFallbacks = d.fallbacks(k, v) }},
	}, nil)
	return r
}

func (d *decoder) generalSettings(path string, n *node) GeneralSettings {
	var g GeneralSettings
	var bodyAt, mbAt *node
	d.object(path, n, sectionGeneral, []field{
		{"master_key", func(k string, v *node) { g.MasterKey = d.secret(k, v) }},
		{"max_request_body_size", func(k string, v *node) {
			bodyAt = v
			g.MaxRequestBodySize = d.size(k, v)
		}},
		{"max_request_size_mb", func(k string, v *node) {
			mbAt = v
			if mb, ok := d.number(k, v, "a number of MiB"); ok {
				if mb > 1<<40 || mb < -(1<<40) {
					d.fail(v, k, ErrInvalid, "%v MiB is too large", mb)
					return
				}
				g.MaxRequestBodySize = int64(mb * (1 << 20))
			}
		}},
		{"max_concurrent_streams", func(k string, v *node) { g.MaxConcurrentStreams, _ = d.integer(k, v) }},
		{"read_header_timeout", func(k string, v *node) { g.ReadHeaderTimeout = d.duration(k, v) }},
		{"idle_timeout", func(k string, v *node) { g.IdleTimeout = d.duration(k, v) }},
		{"shutdown_timeout", func(k string, v *node) { g.ShutdownTimeout = d.duration(k, v) }},
		{"allow_client_side_credentials", func(k string, v *node) { g.AllowClientSideCredentials = d.boolean(k, v) }},
		{"log_format", func(k string, v *node) { g.LogFormat = d.str(k, v) }},
		{"log_level", func(k string, v *node) { g.LogLevel = d.str(k, v) }},
		{"spool_dir", func(k string, v *node) { g.SpoolDir = d.str(k, v) }},
	}, nil)
	if bodyAt != nil && mbAt != nil {
		d.fail(mbAt, join(path, "max_request_size_mb"), ErrInvalid, "set max_request_body_size or max_request_size_mb, not both")
	}
	if bodyAt != nil || mbAt != nil {
		// Validate reports a bad size at whichever key set it.
		at := "max_request_body_size"
		if mbAt != nil {
			at = "max_request_size_mb"
		}
		if p, ok := d.pos[join(path, at)]; ok {
			d.pos[join(path, "max_request_body_size")] = p
		}
	}
	return g
}

// warning builds the one warning listing the LiteLLM keys llmux does not
// support yet, or returns nil when there are none.
func (d *decoder) warning() []Warning {
	if len(d.unsupported) == 0 {
		return nil
	}
	slices.SortStableFunc(d.unsupported, func(a, b KeyRef) int { return a.Line - b.Line })
	var b strings.Builder
	b.WriteString("config: ")
	if d.file != "" {
		b.WriteString(d.file + ": ")
	}
	fmt.Fprintf(&b, "%d LiteLLM setting", len(d.unsupported))
	if len(d.unsupported) > 1 {
		b.WriteString("s")
	}
	b.WriteString(" not supported by llmux yet: ")
	for i, k := range d.unsupported {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (line %d)", k.Path, k.Line)
	}
	kept := 0
	for _, k := range d.unsupported {
		if strings.Contains(k.Path, ".litellm_params.") {
			kept++
		}
	}
	they := "they are"
	if len(d.unsupported) == 1 {
		they = "it is"
	}
	switch kept {
	case 0:
		b.WriteString("; " + they + " ignored")
	case len(d.unsupported):
		b.WriteString("; " + they + " passed to the provider unread")
	default:
		b.WriteString("; the litellm_params ones are passed to the provider unread, the others are ignored")
	}
	return []Warning{{Msg: b.String(), Keys: d.unsupported}}
}
