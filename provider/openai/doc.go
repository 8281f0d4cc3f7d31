// Package openai is the llmux provider for OpenAI's Chat Completions,
// legacy Completions and Embeddings APIs, and for every server that speaks
// the same wire format (vLLM, Ollama, Groq, Together, OpenRouter, ...):
// point [WithBaseURL] at it and give it its own prefix with [WithName].
//
// Quick start:
//
//	c, err := llmux.New(llmux.WithProvider(openai.New())) // key from OPENAI_API_KEY
//	...
//	resp, err := c.Completion(ctx, &llmux.Request{Model: "openai/gpt-4o-mini", Messages: msgs})
//
// The OpenAI-compatible services LiteLLM knows by prefix (groq, together_ai,
// fireworks_ai, deepseek, mistral, openrouter, xai, perplexity, deepinfra,
// cerebras, ollama, ollama_chat, hosted_vllm, lm_studio) are one table,
// [Family], with LiteLLM's default bases and key variables:
//
//	groq, err := openai.NewCompatible("groq") // GROQ_API_KEY
//	// serves "groq/llama-3.3-70b-versatile"
//
// Any other OpenAI-compatible server:
//
//	vllm := openai.New(openai.WithName("my-vllm"),
//		openai.WithBaseURL("http://gpu-box:8000/v1"))
//	// serves "my-vllm/meta-llama/Llama-3.1-8B-Instruct"
//
// The provider is a codec: it builds the wire body from the request's JSON
// (so a body decoded into an [llmux.Request] reaches the server as it
// came), sends it with [provider.Send] and decodes the answer, keeping the
// members llmux does not model. Retries, caching, cost, callbacks and the
// scrubbing of keys from errors happen in the llmux client. The provider
// named "openai" claims OpenAI's bare model names ([Provider.ClaimModel]). The codec functions ([EncodeChat],
// [DecodeResponse], [NewChunkReader], [MapError], ...) are exported so that
// providers sharing the wire format, such as
// [github.com/llmux/llmux/provider/azure], differ only in endpoint and auth.
package openai
