// Package llmux calls LLM APIs — OpenAI, Azure OpenAI, Anthropic and any
// OpenAI-compatible server — through one OpenAI-shaped API, and reports
// every call to loggers through a typed callback system modelled on
// LiteLLM's.
//
// # Quick start
//
//	c, err := llmux.New(
//		llmux.WithProvider(openai.New()),    // OPENAI_API_KEY
//		llmux.WithProvider(anthropic.New()), // ANTHROPIC_API_KEY
//		llmux.WithCallbacks(myLogger),
//	)
//	if err != nil { ... }
//	defer c.Close(context.Background()) // delivers queued events
//	resp, err := c.Completion(ctx, &llmux.Request{
//		Model:    "anthropic/claude-sonnet-4-5",
//		Messages: []llmux.Message{llmux.User("Hi")},
//		Metadata: map[string]any{"team": "search"},
//	})
//
// Package-level [Completion], [Stream], [TextCompletion] and [Embedding]
// use a default client ([Default], [SetDefault]) and the global loggers set
// with [SetCallbacks]. A [Request.MockResponse] answers without any
// network, with the full event sequence, for testing loggers.
//
// # Models and providers
//
// A model is "provider/model" or a bare name that a registered provider
// claims ("gpt-4o" for openai, "claude-sonnet-4-5" for anthropic): each
// provider package declares its own names, and the price table only
// prices. Providers are codecs in their own packages: provider/openai
// (also any OpenAI-compatible server), provider/azure, provider/anthropic,
// built with package provider's toolkit; each passes the
// provider/providertest conformance suite. A parameter a provider cannot
// honour fails the call naming it, unless dropped ([WithDropParams]).
//
// # Wire types
//
// [Request], [Message], [Response], [Chunk], [EmbeddingResponse] and their
// parts are in OpenAI's shape and lossless: each keeps the JSON members it
// does not model in Extra, and a decoded value is written back as it came,
// nulls and zeros included, so a gateway loses nothing in either
// direction. A Request's JSON is the request body; its call options (keys,
// timeouts, callbacks, mocks) are not part of it.
//
// # Callbacks
//
// A logger implements one or more of [PreAPICallLogger],
// [PostAPICallLogger], [StreamLogger], [SuccessLogger] and [FailureLogger]
// (LiteLLM's CustomLogger hooks), or is a function adapter such as
// [SuccessCallback]. Loggers are registered globally ([SetCallbacks]), per
// client ([WithCallbacks]) or per request ([Request.Callbacks]); the same
// logger registered twice gets each event once.
//
// Every upstream attempt emits one pre-API-call event before the request
// and one post-API-call event after it; streams emit one stream event per
// chunk; every call ends with exactly one success or failure event, after
// all retries and after a stream is consumed, closed or cancelled. Every
// event goes through a bounded queue per logger, so a slow logger never
// slows a call ([Inline] opts into the caller's goroutine). Each [Event]
// is a typed snapshot with everything LiteLLM's kwargs carry — the exact
// request body, the masked API key, the raw response, usage, cost from the
// embedded price table (package cost), metadata and the error — that
// shares no memory with the caller and holds no secret: every key the call
// knows is scrubbed by value. Package litellm gives LiteLLM's kwargs and
// standard_logging_object.
//
// # Middleware
//
// Loggers observe; [Middleware] acts: it can rewrite a request, reject it
// or replace its result or stream (budgets, auth, guardrails, a gateway's
// hooks). It runs inside the event model.
//
// # Caching
//
// [WithCache] (or [SetCache] for the package-level calls) answers an
// identical call from a [Cache]: package cache has the in-memory one,
// cache/redis the Redis one. A hit makes no API call: it fires one success
// event with [Event.CacheHit] set, a cost of 0 and [Event.SavedCacheCost].
// [Request.Cache] adjusts one request; [Client.CacheKey] documents the key.
// A cache that fails or hangs never fails a call.
//
// # Errors
//
// Every call returns an [*Error] with a provider-independent [Code]; use
// [CodeOf], [IsRetryable] and errors.As. Context errors stay visible to
// errors.Is.
package llmux
