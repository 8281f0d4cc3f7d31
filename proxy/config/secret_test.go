package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// planted are secret values no output may contain. Env ones are read through
// os.environ/ references, inline ones are written in the file.
var planted = map[string]string{
	"ENV_API_KEY":   "sk-planted-env-api-key-7f3a9c1e5b",
	"ENV_MASTER":    "sk-planted-env-master-2d8e4f6a0c",
	"ENV_REDIS_PW":  "planted-env-redis-password-91b7",
	"ENV_NOT_INT":   "planted-env-not-a-number-4c2e8a",
	"ENV_VAR_VALUE": "planted-env-var-value-secret-55aa",
	"ENV_EXTRA":     "planted-env-extra-credential-66bb",
}

const (
	inlineKey     = "sk-planted-inline-api-key-0a1b2c3d"
	inlineMaster  = "sk-planted-inline-master-4e5f6a7b"
	inlinePW      = "planted-inline-router-password-8c9d"
	inlineToken   = "planted-inline-azure-ad-token-1f2e"
	inlineEnvFile = "planted-inline-environment-value-3d4c"
)

func allPlanted() []string {
	out := []string{inlineKey, inlineMaster, inlinePW, inlineToken, inlineEnvFile}
	for _, v := range planted {
		out = append(out, v)
	}
	return out
}

func plantedLookup(name string) (string, bool) {
	v, ok := planted[name]
	return v, ok
}

const plantedYAML = `
environment_variables:
  FILE_SECRET: ` + inlineEnvFile + `
  FILE_FROM_ENV: os.environ/ENV_VAR_VALUE
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: azure/gpt-4o
      api_base: https://example.openai.azure.com
      api_key: os.environ/ENV_API_KEY
      azure_ad_token: ` + inlineToken + `
      vertex_credentials: os.environ/ENV_EXTRA
      extra_headers: {Authorization: "Bearer ` + inlineKey + `"}
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: ` + inlineKey + `
  - model_name: from-file-env
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/FILE_SECRET
litellm_settings:
  cache: true
  cache_params: {type: redis, host: localhost, password: os.environ/ENV_REDIS_PW}
router_settings:
  redis_host: localhost
  redis_password: ` + inlinePW + `
general_settings:
  master_key: os.environ/ENV_MASTER
  database_url: os.environ/ENV_API_KEY
`

// checkClean fails when out contains a planted secret.
func checkClean(t *testing.T, what, out string) {
	t.Helper()
	for _, s := range allPlanted() {
		if strings.Contains(out, s) {
			t.Errorf("%s contains the planted secret %q:\n%s", what, s, out)
		}
	}
}

func TestSecrets_NeverPrinted(t *testing.T) {
	c, err := Load([]byte(plantedYAML), WithFileName("planted.yaml"), WithLookupEnv(plantedLookup))
	if err != nil {
		t.Fatal(err)
	}
	// The values are there for whoever calls Value.
	if got := c.ModelList[0].Params.APIKey.Value(); got != planted["ENV_API_KEY"] {
		t.Fatalf("api_key value = %q", got)
	}
	if got := c.ModelList[2].Params.APIKey.Value(); got != inlineEnvFile {
		t.Fatalf("api_key from environment_variables = %q", got)
	}
	if got := c.General.MasterKey.Value(); got != planted["ENV_MASTER"] {
		t.Fatalf("master_key value = %q", got)
	}

	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"} {
		checkClean(t, "fmt "+verb+" of *Config", fmt.Sprintf(verb, c))
		checkClean(t, "fmt "+verb+" of Config", fmt.Sprintf(verb, *c))
		checkClean(t, "fmt "+verb+" of a deployment", fmt.Sprintf(verb, c.ModelList[1]))
		checkClean(t, "fmt "+verb+" of a Secret", fmt.Sprintf(verb, c.ModelList[1].Params.APIKey))
		checkClean(t, "fmt "+verb+" of Extra", fmt.Sprintf(verb, c.ModelList[0].Params.Extra))
		checkClean(t, "fmt "+verb+" of Environment", fmt.Sprintf(verb, c.Environment))
	}
	checkClean(t, "fmt.Sprint", fmt.Sprint(c, *c, c.General, c.Router, c.LiteLLM))
	checkClean(t, "fmt.Sprintln", fmt.Sprintln(c.General.MasterKey, c.Router.RedisPassword))

	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	checkClean(t, "JSON", string(b))
	b, _ = json.Marshal(c.Environment)
	checkClean(t, "JSON of Environment", string(b))

	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		log := slog.New(h(&buf))
		log.Info("loaded", "config", c, "value", *c, "key", c.ModelList[1].Params.APIKey,
			"master", c.General.MasterKey, slog.Any("extra", c.ModelList[0].Params.Extra))
		checkClean(t, "slog", buf.String())
	}

	for _, w := range c.Warnings {
		checkClean(t, "warning", w.String())
		checkClean(t, "warning %+v", fmt.Sprintf("%+v", w))
	}
	if len(c.Warnings) != 1 {
		t.Errorf("warnings = %v, want one", c.Warnings)
	}
}

// TestSecrets_NotInErrors loads files that fail at places holding secrets
// (values of the wrong type read from the environment, a syntax error on a
// line with a key) and checks every message.
func TestSecrets_NotInErrors(t *testing.T) {
	files := map[string]string{
		"types from env": `
model_list:
  - model_name: m
    litellm_params:
      model: openai/gpt-4o
      rpm: os.environ/ENV_NOT_INT
      timeout: os.environ/ENV_API_KEY
      weight: os.environ/ENV_MASTER
litellm_settings:
  cache: os.environ/ENV_REDIS_PW
  num_retries: os.environ/ENV_NOT_INT
general_settings:
  max_request_body_size: os.environ/ENV_API_KEY
  max_request_size_mb: os.environ/ENV_MASTER
`,
		"syntax error next to a key": "model_list:\n  - model_name: m\n    litellm_params:\n      api_key: " + inlineKey + "\n      model: [unclosed\n",
		"tab error next to a key":    "general_settings:\n  master_key: " + inlineMaster + "\n\t bad: indent\n",
		"duplicate secret key":       "general_settings:\n  master_key: " + inlineMaster + "\n  master_key: " + inlineKey + "\n",
		"secret in a list":           "general_settings:\n  master_key: [" + inlineMaster + "]\n",
		"secret as a key":            "general_settings:\n  " + inlineMaster + ": 1\n",
		"secret as a strategy":       "router_settings:\n  routing_strategy: os.environ/ENV_API_KEY\n",
	}
	for name, yaml := range files {
		t.Run(name, func(t *testing.T) {
			c, err := Load([]byte(yaml), WithFileName("planted.yaml"), WithLookupEnv(plantedLookup))
			if err == nil {
				err = c.Validate(WithCallbackNames("otel"))
			}
			if err == nil {
				if name == "secret as a key" {
					t.Fatal("a secret-looking unknown key loaded")
				}
				return
			}
			for _, line := range errorLines(err) {
				checkClean(t, "error", line)
			}
			checkClean(t, "error %+v", fmt.Sprintf("%+v", err))
		})
	}
}

func TestSecret_Forms(t *testing.T) {
	env := EnvSecret("OPENAI_API_KEY", "sk-abcdefghijklmnop")
	inline := NewSecret("sk-abcdefghijklmnop")
	short := NewSecret("hunter2")
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"env String", env.String(), "os.environ/OPENAI_API_KEY"},
		{"env %v", fmt.Sprintf("%v", env), "os.environ/OPENAI_API_KEY"},
		{"env %#v", fmt.Sprintf("%#v", env), `config.Secret("os.environ/OPENAI_API_KEY")`},
		{"inline String", inline.String(), "sk-...mnop"},
		{"inline %q", fmt.Sprintf("%q", inline), `"sk-...mnop"`},
		{"inline %+v", fmt.Sprintf("%+v", inline), "sk-...mnop"},
		{"inline %#v", fmt.Sprintf("%#v", inline), `config.Secret("sk-...mnop")`},
		{"short", short.String(), "****"},
		{"zero", Secret{}.String(), ""},
		{"ref", env.Ref(), "os.environ/OPENAI_API_KEY"},
		{"inline ref", inline.Ref(), ""},
		{"value", inline.Value(), "sk-abcdefghijklmnop"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	b, _ := json.Marshal(struct {
		K Secret `json:"k"`
		Z Secret `json:"z,omitzero"`
	}{K: inline})
	if string(b) != `{"k":"sk-...mnop"}` {
		t.Errorf("JSON = %s", b)
	}
	if !env.Equal(EnvSecret("OPENAI_API_KEY", "sk-abcdefghijklmnop")) || env.Equal(inline) {
		t.Error("Equal compares reference and value")
	}
	if !(Secret{}).IsZero() || inline.IsZero() {
		t.Error("IsZero")
	}
}
