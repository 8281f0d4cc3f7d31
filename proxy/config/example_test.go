package config_test

import (
	"fmt"
	"time"

	"github.com/llmux/llmux/proxy/config"
)

// A LiteLLM config.yaml, loaded and validated. Keys come from the
// environment (here a fixed lookup) and print as their references.
func Example() {
	const file = `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: azure/prod-gpt4o
      api_base: https://example.openai.azure.com
      api_key: os.environ/AZURE_OPENAI_KEY
      rpm: 600
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
  - model_name: claude
    litellm_params:
      model: anthropic/claude-sonnet-4-5
      api_key: os.environ/ANTHROPIC_API_KEY
litellm_settings:
  callbacks: ["otel", "prometheus"]
  cache: true
  cache_params: { type: redis, host: localhost, port: 6379 }
  fallbacks: [{"gpt-4o": ["claude"]}]
router_settings:
  routing_strategy: least-busy
  timeout: 30
general_settings:
  master_key: os.environ/LLMUX_MASTER_KEY
  database_url: postgres://localhost/litellm
`
	env := map[string]string{
		"AZURE_OPENAI_KEY":  "azure-key-0123456789",
		"OPENAI_API_KEY":    "sk-openai-0123456789",
		"ANTHROPIC_API_KEY": "sk-ant-0123456789",
		"LLMUX_MASTER_KEY":  "sk-master-0123456789",
	}
	cfg, err := config.Load([]byte(file),
		config.WithFileName("config.yaml"),
		config.WithLookupEnv(func(name string) (string, bool) { v, ok := env[name]; return v, ok }),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range cfg.Warnings {
		fmt.Println("warning:", w)
	}
	if err := cfg.Validate(config.WithCallbackNames("otel", "prometheus")); err != nil {
		fmt.Println(err) // every problem, one per line, with its line number
	}
	for _, d := range cfg.ModelList {
		fmt.Printf("%s -> %s key=%v\n", d.ModelName, d.Params.Model, d.Params.APIKey)
	}
	fmt.Println("cache:", cfg.LiteLLM.CacheParams.Type, cfg.LiteLLM.CacheParams.Host)
	fmt.Println("routing:", cfg.Router.RoutingStrategy, cfg.Timeout())
	fmt.Println("master key:", cfg.General.MasterKey, len(cfg.General.MasterKey.Value()) > 0)
	// Output:
	// warning: config: config.yaml: 1 LiteLLM setting not supported by llmux yet: general_settings.database_url (line 27); it is ignored
	// gpt-4o -> azure/prod-gpt4o key=os.environ/AZURE_OPENAI_KEY
	// gpt-4o -> openai/gpt-4o key=os.environ/OPENAI_API_KEY
	// claude -> anthropic/claude-sonnet-4-5 key=os.environ/ANTHROPIC_API_KEY
	// cache: redis localhost
	// routing: least-busy 30s
	// master key: os.environ/LLMUX_MASTER_KEY true
}

// Secrets print as their reference or a mask, whatever the verb.
func ExampleSecret() {
	key := config.NewSecret("sk-proj-abcdefghijklmnop")
	env := config.EnvSecret("OPENAI_API_KEY", "sk-proj-abcdefghijklmnop")
	fmt.Printf("%v %s %q %#v\n", key, env, key, env)
	fmt.Println(key.Value() == env.Value())
	// Output:
	// sk-...mnop os.environ/OPENAI_API_KEY "sk-...mnop" config.Secret("os.environ/OPENAI_API_KEY")
	// true
}

// Validate reports every problem at once, each with its key path and line.
func ExampleConfig_Validate() {
	cfg, err := config.Load([]byte(`model_list:
  - model_name: gpt-4o
    litellm_params:
      rpm: -1
router_settings:
  routing_strategy: fastest
  cooldown_time: 1m
`), config.WithFileName("config.yaml"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(time.Duration(cfg.Router.CooldownTime))
	fmt.Println(cfg.Validate())
	// Output:
	// 1m0s
	// config: config.yaml:3: model_list[0].litellm_params.model: model is required: the upstream model, as provider/model
	// config: config.yaml:4: model_list[0].litellm_params.rpm: must not be negative, got -1
	// config: config.yaml:6: router_settings.routing_strategy: unknown routing strategy "fastest" (supported: simple-shuffle, least-busy, latency-based-routing, usage-based-routing)
}

// With no config file the gateway runs on Default.
func ExampleDefault() {
	cfg := config.Default()
	fmt.Println(cfg.LiteLLM.Cache, cfg.LiteLLM.CacheParams.Type, cfg.Router.RoutingStrategy, cfg.General.MaxRequestBodySize, cfg.Validate())
	// Output:
	// true memory simple-shuffle 33554432 <nil>
}
