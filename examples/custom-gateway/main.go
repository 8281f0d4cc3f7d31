// Command custom-gateway is llmux serve with a team's own logger and hook
// compiled in: the Go answer to LiteLLM's
// `callbacks: custom_callbacks.proxy_handler_instance`. It takes the same
// flags as llmux serve (--config, --host, --port, --events, ...).
package main

import "github.com/llmux/llmux/proxy"

func main() {
	proxy.Main(proxy.WithCallbacks(&SpendLog{}), proxy.WithHooks(&TopicGuard{Banned: "stock tips"}))
}
