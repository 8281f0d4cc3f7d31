package config

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// mustLoad loads yaml with env as the whole environment.
func mustLoad(t *testing.T, yaml string, env map[string]string) *Config {
	t.Helper()
	c, err := Load([]byte(yaml), WithFileName("config.yaml"), WithLookupEnv(mapEnv(env)))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

func mapEnv(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// loadErrors loads yaml and returns its *Errors, failing if it loads.
func loadErrors(t *testing.T, yaml string, env map[string]string) []*Error {
	t.Helper()
	_, err := Load([]byte(yaml), WithFileName("config.yaml"), WithLookupEnv(mapEnv(env)))
	if err == nil {
		t.Fatal("Load succeeded, want an error")
	}
	return configErrors(t, err)
}

func configErrors(t *testing.T, err error) []*Error {
	t.Helper()
	var out []*Error
	for _, line := range unjoin(err) {
		var ce *Error
		if !errors.As(line, &ce) {
			t.Fatalf("%v is not a *config.Error", line)
		}
		out = append(out, ce)
	}
	return out
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestLoad_MissingEnvNamesVariableAndLine(t *testing.T) {
	errs := loadErrors(t, `model_list:
  - model_name: gpt-4o
    litellm_params:
      model: azure/gpt-4o
      api_key: os.environ/AZURE_API_KEY
`, nil)
	if len(errs) != 1 {
		t.Fatalf("errors = %v", errs)
	}
	e := errs[0]
	if !errors.Is(e, ErrEnvNotSet) || e.Line != 5 || e.Path != "model_list[0].litellm_params.api_key" {
		t.Errorf("error = %+v", e)
	}
	const want = "config: config.yaml:5: model_list[0].litellm_params.api_key: environment variable AZURE_API_KEY is not set (os.environ/AZURE_API_KEY)"
	if e.Error() != want {
		t.Errorf("message:\n got %s\nwant %s", e.Error(), want)
	}
}

func TestLoad_UnknownKeyNamesKeyAndLine(t *testing.T) {
	errs := loadErrors(t, "model_list: []\n\ngeneral_settings:\n  mastr_key: sk-1234\n", nil)
	if len(errs) != 1 {
		t.Fatalf("errors = %v", errs)
	}
	const want = "config: config.yaml:4: general_settings.mastr_key: unknown key (did you mean master_key?)"
	if got := errs[0].Error(); got != want || !errors.Is(errs[0], ErrUnknownKey) || errs[0].Column != 3 {
		t.Errorf("got %s (column %d), want %s", got, errs[0].Column, want)
	}
}

func TestLoad_EveryProblemAtOnce(t *testing.T) {
	errs := loadErrors(t, `model_list:
  - model_name: a
    litellm_params:
      model: openai/gpt-4o
      rpm: many
      api_key: os.environ/MISSING_ONE
  - model_name: b
    litellm_parms: {}
litellm_settings:
  cache: perhaps
general_settings:
  master_key: os.environ/MISSING_TWO
`, nil)
	var got []string
	for _, e := range errs {
		got = append(got, e.Path)
	}
	want := []string{
		"model_list[0].litellm_params.rpm",
		"model_list[0].litellm_params.api_key",
		"model_list[1].litellm_parms",
		"litellm_settings.cache",
		"general_settings.master_key",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
}

func TestLoad_UnsupportedLiteLLMKeysOneWarning(t *testing.T) {
	c := mustLoad(t, `general_settings:
  database_url: postgres://user:pw@db/litellm
  store_model_in_db: true
  alerting: [slack]
litellm_settings:
  redact_user_api_key_info: true
router_settings:
  enable_pre_call_checks: true
  model_group_alias: {gpt-4: gpt-4o}
include: [more.yaml]
`, nil)
	if len(c.Warnings) != 1 {
		t.Fatalf("warnings = %v, want exactly one", c.Warnings)
	}
	w := c.Warnings[0]
	wantKeys := []KeyRef{
		{"general_settings.database_url", 2},
		{"general_settings.store_model_in_db", 3},
		{"general_settings.alerting", 4},
		{"litellm_settings.redact_user_api_key_info", 6},
		{"router_settings.enable_pre_call_checks", 8},
		{"router_settings.model_group_alias", 9},
		{"include", 10},
	}
	if diff := cmp.Diff(wantKeys, w.Keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	for _, k := range wantKeys {
		if !strings.Contains(w.Msg, k.Path) {
			t.Errorf("warning %q does not name %s", w.Msg, k.Path)
		}
	}
	if strings.Contains(w.Msg, "pw@") {
		t.Errorf("warning quotes a value: %s", w.Msg)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestLoad_EnvironmentVariablesComeFirstAndStayInTheFile(t *testing.T) {
	const name = "LLMUX_CONFIG_TEST_ENV_VARIABLE"
	t.Setenv(name, "from-process")
	c, err := Load([]byte(`
model_list:
  - model_name: m
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/`+name+`
      api_base: os.environ/BASE
environment_variables:
  `+name+`: from-file
  BASE: os.environ/`+name+`
`), WithFileName("config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p := c.ModelList[0].Params
	if p.APIKey.Value() != "from-file" || p.APIBase != "from-process" {
		t.Errorf("api_key = %q, api_base = %q; want the file's value, then the process's", p.APIKey.Value(), p.APIBase)
	}
	if got := os.Getenv(name); got != "from-process" {
		t.Errorf("process environment changed: %s = %q", name, got)
	}
	if got := c.Environment[name].Value(); got != "from-file" {
		t.Errorf("Environment[%s] = %q", name, got)
	}
}

func TestLoad_DefaultLookupIsTheProcessEnvironment(t *testing.T) {
	t.Setenv("LLMUX_CONFIG_TEST_MASTER", "sk-from-process-0123456789")
	c, err := Load([]byte("general_settings:\n  master_key: os.environ/LLMUX_CONFIG_TEST_MASTER\n"), WithLookupEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.General.MasterKey; got.Value() != "sk-from-process-0123456789" || got.String() != "os.environ/LLMUX_CONFIG_TEST_MASTER" {
		t.Errorf("master_key = %q (%s)", got.Value(), got)
	}
}

func TestLoadFile_NamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "proxy.yaml")
	if err := os.WriteFile(path, []byte("router_settings:\n  routing_stratgy: least-busy\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), "config: "+path+":2: router_settings.routing_stratgy: unknown key") {
		t.Errorf("err = %v", err)
	}
	_, err = LoadFile(filepath.Join(t.TempDir(), "missing.yaml"))
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "config: ") {
		t.Errorf("missing file: err = %v", err)
	}
}

func TestLoad_Durations(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"30", 30 * time.Second},
		{"0.5", 500 * time.Millisecond},
		{`"45"`, 45 * time.Second},
		{"30s", 30 * time.Second},
		{"1m30s", 90 * time.Second},
		{`"250ms"`, 250 * time.Millisecond},
		{"-1", -time.Second}, // Validate rejects it, with its line
		{"~", 0},
	}
	for _, tt := range tests {
		c := mustLoad(t, "router_settings:\n  timeout: "+tt.in+"\n", nil)
		if got := time.Duration(c.Router.Timeout); got != tt.want {
			t.Errorf("timeout: %s = %v, want %v", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"soon", "1y", ".inf", "true", "[1]", "1e300"} {
		loadErrors(t, "router_settings:\n  timeout: "+bad+"\n", nil)
	}
}

func TestLoad_Sizes(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"max_request_body_size: 1048576", 1 << 20},
		{"max_request_body_size: 32MiB", 32 << 20},
		{"max_request_body_size: 10MB", 10_000_000},
		{`max_request_body_size: "512 KiB"`, 512 << 10},
		{"max_request_size_mb: 4", 4 << 20},
		{"max_request_size_mb: 0.5", 1 << 19},
		{"max_concurrent_streams: 3", DefaultMaxRequestBodySize},
	}
	for _, tt := range tests {
		c := mustLoad(t, "general_settings:\n  "+tt.in+"\n", nil)
		if c.General.MaxRequestBodySize != tt.want {
			t.Errorf("%s: %d, want %d", tt.in, c.General.MaxRequestBodySize, tt.want)
		}
	}
	errs := loadErrors(t, "general_settings:\n  max_request_body_size: 1MiB\n  max_request_size_mb: 1\n", nil)
	if len(errs) != 1 || !strings.Contains(errs[0].Msg, "not both") {
		t.Errorf("both sizes: %v", errs)
	}
}

func TestLoad_CacheTypeFollowsLiteLLM(t *testing.T) {
	redisEnv := map[string]string{"REDIS_HOST": "redis.internal", "REDIS_PORT": "6380", "REDIS_PASSWORD": "pw-0123456789abcdef"}
	tests := []struct {
		name string
		yaml string
		env  map[string]string
		want CacheParams
	}{
		{"no cache", "litellm_settings:\n  cache: false\n", redisEnv, CacheParams{}},
		{"cache without params or REDIS_HOST", "litellm_settings:\n  cache: true\n", nil, CacheParams{Type: CacheMemory}},
		{"cache without params, REDIS_HOST set", "litellm_settings:\n  cache: true\n", redisEnv,
			CacheParams{Type: CacheRedis, Host: "redis.internal", Port: 6380, Password: EnvSecret("REDIS_PASSWORD", "pw-0123456789abcdef")}},
		{"host without type", "litellm_settings:\n  cache: true\n  cache_params: {host: r}\n", nil, CacheParams{Type: CacheRedis, Host: "r", Port: DefaultRedisPort}},
		{"params without host", "litellm_settings:\n  cache: true\n  cache_params: {ttl: 60}\n", redisEnv, CacheParams{Type: CacheMemory, TTL: Duration(time.Minute)}},
		{"local", "litellm_settings:\n  cache: true\n  cache_params: {type: local}\n", redisEnv, CacheParams{Type: CacheLocal}},
	}
	for _, tt := range tests {
		c := mustLoad(t, tt.yaml, tt.env)
		if diff := cmp.Diff(tt.want, c.LiteLLM.CacheParams); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

func TestLoad_CallbackNames(t *testing.T) {
	c := mustLoad(t, "litellm_settings:\n  callbacks: otel\n  success_callback: [prometheus, otel]\n  failure_callback: webhook\n", nil)
	if diff := cmp.Diff([]string{"otel", "prometheus", "webhook"}, c.CallbackNames()); diff != "" {
		t.Errorf("CallbackNames (-want +got):\n%s", diff)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("without WithCallbackNames nothing is checked: %v", err)
	}
	err := c.Validate(WithCallbackNames("otel", "prometheus"))
	errs := configErrors(t, err)
	if len(errs) != 1 || errs[0].Path != "litellm_settings.failure_callback[0]" || errs[0].Line != 4 {
		t.Errorf("errors = %v", err)
	}
}

func TestLoad_DeploymentIDsAreStable(t *testing.T) {
	a := mustLoad(t, `model_list:
  - model_name: gpt-4o
    litellm_params: {model: azure/gpt-4o, api_base: https://a, api_key: os.environ/K, rpm: 5}
  - model_name: gpt-4o
    litellm_params: {model: azure/gpt-4o, api_base: https://b, api_key: os.environ/K}
  - model_name: gpt-4o
    litellm_params: {model: openai/gpt-4o, api_key: sk-same-inline-0123456789}
  - model_name: gpt-4o
    litellm_params: {model: openai/gpt-4o, api_key: sk-same-inline-0123456789}
  - model_name: explicit
    litellm_params: {model: openai/gpt-4o}
    model_info: {id: my-id}
`, map[string]string{"K": "k1"})
	// Same deployments, keys in another order and another value for K.
	b := mustLoad(t, `model_list:
  - model_name: gpt-4o
    litellm_params: {rpm: 5, api_key: os.environ/K, api_base: https://a, model: azure/gpt-4o}
`, map[string]string{"K": "k2"})
	ids := map[string]bool{}
	for _, d := range a.ModelList {
		if d.Info.ID == "" || ids[d.Info.ID] {
			t.Errorf("id %q empty or repeated", d.Info.ID)
		}
		ids[d.Info.ID] = true
	}
	if a.ModelList[0].Info.ID != b.ModelList[0].Info.ID {
		t.Errorf("ids differ between replicas: %s, %s", a.ModelList[0].Info.ID, b.ModelList[0].Info.ID)
	}
	if got, want := a.ModelList[3].Info.ID, a.ModelList[2].Info.ID+"-2"; got != want {
		t.Errorf("twin deployment id = %s, want %s", got, want)
	}
	if a.ModelList[4].Info.ID != "my-id" {
		t.Errorf("explicit id = %s", a.ModelList[4].Info.ID)
	}
	if err := a.Validate(); err != nil {
		t.Error(err)
	}
}

func TestLoad_AliasExpansionIsBounded(t *testing.T) {
	yaml := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g"} {
		yaml += name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
		prev = name
	}
	yaml += "model_list: *" + prev + "\n"
	errs := loadErrors(t, yaml, nil)
	if !errors.Is(errs[0], ErrSyntax) || !strings.Contains(errs[0].Msg, "aliases") {
		t.Errorf("errors = %v", errs)
	}
}

func TestLoad_EmptyAndDefault(t *testing.T) {
	for _, in := range []string{"", "# nothing\n", "---\n", "model_list: []\n", "model_list:\nlitellm_settings:\n"} {
		c := mustLoad(t, in, nil)
		if c.LiteLLM.Cache || len(c.ModelList) != 0 || c.Router.RoutingStrategy != StrategySimpleShuffle {
			t.Errorf("%q: %+v", in, c)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
	d := Default()
	if !d.LiteLLM.Cache || d.LiteLLM.CacheParams.Type != CacheMemory || d.Router.RoutingStrategy != StrategySimpleShuffle ||
		d.General.MaxRequestBodySize != DefaultMaxRequestBodySize || !d.General.MasterKey.IsZero() || d.ModelList != nil {
		t.Errorf("Default() = %+v", d)
	}
	if err := d.Validate(WithCallbackNames()); err != nil {
		t.Errorf("Default().Validate: %v", err)
	}
	if err := (&Config{}).Validate(); err != nil {
		t.Errorf("zero Config: %v", err)
	}
}

func TestLoad_NotAMapping(t *testing.T) {
	for _, in := range []string{"- a\n- b\n", "just text\n", "42\n"} {
		errs := loadErrors(t, in, nil)
		if !errors.Is(errs[0], ErrType) || errs[0].Line != 1 {
			t.Errorf("%q: %v", in, errs)
		}
	}
}

func TestLoad_YAMLForms(t *testing.T) {
	c := mustLoad(t, `litellm_settings:
  cache: "True"
  drop_params: no
  turn_off_message_logging: on
  num_retries: "2"
  set_verbose: !!bool true
model_list:
  - model_name: !!str 123
    litellm_params:
      model: openai/gpt-4o
      api_version: 2024-02-01
      rpm: 4.0
      tpm: 0x10
      weight: "1.5"
      extra_body: |
        multi
        line
`, nil)
	d := c.ModelList[0]
	if !c.LiteLLM.Cache || c.LiteLLM.DropParams || !c.LiteLLM.TurnOffMessageLogging || *c.LiteLLM.NumRetries != 2 || !c.LiteLLM.SetVerbose {
		t.Errorf("litellm_settings = %+v", c.LiteLLM)
	}
	if d.ModelName != "123" || d.Params.APIVersion != "2024-02-01" || d.Params.RPM != 4 || d.Params.TPM != 16 || d.Params.Weight != 1.5 {
		t.Errorf("deployment = %+v", d)
	}
	if d.Params.Extra["extra_body"] != "multi\nline\n" {
		t.Errorf("extra_body = %q", d.Params.Extra["extra_body"])
	}
	if c.General.LogLevel != "debug" {
		t.Errorf("set_verbose: log_level = %s", c.General.LogLevel)
	}
}

func TestSetDefaults_Idempotent(t *testing.T) {
	c := mustLoad(t, "router_settings: {routing_strategy: usage-based-routing-v2, redis_host: r}\nlitellm_settings: {json_logs: true}\nmodel_list: [{model_name: m, litellm_params: {model: openai/x}}]\n", nil)
	if c.Router.RoutingStrategy != StrategyUsage || c.Router.RedisPort != DefaultRedisPort || c.General.LogFormat != LogJSON {
		t.Errorf("defaults: %+v %+v", c.Router, c.General)
	}
	before, _ := json.Marshal(c)
	c.SetDefaults()
	after, _ := json.Marshal(c)
	if string(before) != string(after) {
		t.Errorf("SetDefaults changed a defaulted config:\n%s\n%s", before, after)
	}
}

func TestConfig_FallbacksMergeRouterWins(t *testing.T) {
	c := mustLoad(t, `model_list:
  - {model_name: a, litellm_params: {model: openai/a}}
  - {model_name: b, litellm_params: {model: openai/b}}
  - {model_name: c, litellm_params: {model: openai/c}}
litellm_settings:
  fallbacks: [{a: [b]}, {b: [c]}]
  num_retries: 5
  request_timeout: 60
router_settings:
  fallbacks: [{b: [a]}, {c: [a, b]}]
`, nil)
	want := []Fallback{{"a", []string{"b"}}, {"b", []string{"a"}}, {"c", []string{"a", "b"}}}
	if diff := cmp.Diff(want, c.Fallbacks()); diff != "" {
		t.Errorf("Fallbacks (-want +got):\n%s", diff)
	}
	if n, ok := c.NumRetries(); !ok || n != 5 {
		t.Errorf("NumRetries = %d, %v", n, ok)
	}
	if c.Timeout() != time.Minute {
		t.Errorf("Timeout = %v", c.Timeout())
	}
	got := c.Fallbacks()
	got[0].Models[0] = "changed"
	if c.LiteLLM.Fallbacks[0].Models[0] != "b" {
		t.Error("Fallbacks shares its lists with the Config")
	}
}

func TestValidate_DoesNotChangeTheConfig(t *testing.T) {
	data, err := os.ReadFile("testdata/litellm_proxy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(data, WithLookupEnv(lookupTestEnv))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := json.Marshal(c)
	saved := *c
	_ = c.Validate(WithCallbackNames("otel"))
	after, _ := json.Marshal(c)
	if string(before) != string(after) {
		t.Error("Validate changed the config")
	}
	if diff := cmp.Diff(saved, *c, cmpopts.IgnoreUnexported(Config{})); diff != "" {
		t.Errorf("Validate changed the config (-before +after):\n%s", diff)
	}
}

func TestValidate_ConfigBuiltInGo(t *testing.T) {
	c := &Config{ModelList: []Deployment{{ModelName: "m"}}}
	c.Router.RoutingStrategy = "random"
	c.SetDefaults()
	errs := configErrors(t, c.Validate())
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	want := []string{
		"config: model_list[0].litellm_params.model: model is required: the upstream model, as provider/model",
		`config: router_settings.routing_strategy: unknown routing strategy "random" (supported: simple-shuffle, least-busy, latency-based-routing, usage-based-routing)`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMatchGroup(t *testing.T) {
	tests := []struct {
		group, name string
		want        bool
	}{
		{"gpt-4o", "gpt-4o", true},
		{"gpt-4o", "gpt-4o-mini", false},
		{"*", "anything/at-all", true},
		{"openai/*", "openai/gpt-4o", true},
		{"openai/*", "azure/gpt-4o", false},
		{"claude-*-latest", "claude-3-5-sonnet-latest", true},
		{"a*a", "a", false},
	}
	for _, tt := range tests {
		if got := matchGroup(tt.group, tt.name); got != tt.want {
			t.Errorf("matchGroup(%q, %q) = %v", tt.group, tt.name, got)
		}
	}
}

func TestSuggest(t *testing.T) {
	keys := []string{"master_key", "max_request_body_size", "log_format"}
	for in, want := range map[string]string{
		"mastr_key":            "master_key",
		"master-key":           "master_key",
		"max_request_bodysize": "max_request_body_size",
		"logformat":            "log_format",
		"completely_different": "",
	} {
		if got := suggest(in, keys); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// The provider settings (vertex_*, aws_*) are supported: they stay in
// Params.Extra for the gateway to pass on, with no warning.
func TestLoad_ProviderSettingsAreNotWarnedAbout(t *testing.T) {
	cfg, err := Load([]byte(`
model_list:
  - model_name: claude
    litellm_params:
      model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0
      aws_region_name: eu-west-1
      aws_profile_name: prod
  - model_name: pro
    litellm_params:
      model: vertex_ai/gemini-2.5-pro
      vertex_project: p
      vertex_location: europe-west4
      vertex_credentials: {type: service_account, private_key: inline-private-key-0123456789}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings: %v", cfg.Warnings)
	}
	if cfg.ModelList[0].Params.Extra["aws_region_name"] != "eu-west-1" || cfg.ModelList[1].Params.Extra["vertex_project"] != "p" {
		t.Errorf("extra: %v %v", cfg.ModelList[0].Params.Extra, cfg.ModelList[1].Params.Extra)
	}
	for _, k := range []string{"vertex_project", "aws_secret_access_key", "aws_bedrock_runtime_endpoint"} {
		if !IsProviderParam(k) {
			t.Errorf("IsProviderParam(%q) = false", k)
		}
	}
	if IsProviderParam("temperature") || IsProviderParam("region_name") {
		t.Error("IsProviderParam takes a body parameter")
	}
}

// callback_settings.<name>.message_logging is read; a setting for a
// logger no callbacks list names, or an unknown setting, is an error.
func TestLoad_CallbackSettings(t *testing.T) {
	cfg, err := Load([]byte(`
litellm_settings:
  callbacks: ["otel", "file"]
callback_settings:
  otel:
    message_logging: false
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings: %v", cfg.Warnings)
	}
	ml := cfg.CallbackSettings["otel"].MessageLogging
	if ml == nil || *ml {
		t.Errorf("otel message_logging = %v", ml)
	}
	if err := cfg.Validate(WithCallbackNames("otel", "file")); err != nil {
		t.Errorf("Validate: %v", err)
	}

	cfg, err = Load([]byte(`
litellm_settings:
  callbacks: ["file"]
callback_settings:
  otel:
    message_logging: false
`), WithFileName("config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate(WithCallbackNames("otel", "file"))
	if err == nil || !strings.Contains(err.Error(), "config.yaml:5") || !strings.Contains(err.Error(), "callback_settings.otel") {
		t.Errorf("a setting for a logger not in use: %v", err)
	}

	_, err = Load([]byte(`
callback_settings:
  otel:
    message_loging: false
`), WithFileName("config.yaml"))
	if err == nil || !strings.Contains(err.Error(), "config.yaml:4") || !strings.Contains(err.Error(), "callback_settings.otel.message_loging") {
		t.Errorf("an unknown setting: %v", err)
	}
}
