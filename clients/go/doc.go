// Package clients checks the llmux gateway with the official OpenAI and
// Anthropic SDKs. Its tests start fake upstreams, build and run
// `llmux serve` as a real process in front of them, and call it with
// openai-go and anthropic-sdk-go, then with openai-node and
// @anthropic-ai/sdk (../node). It is a module of its own so that the main
// module's go.mod never gains the SDKs.
package clients
