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
// # Callbacks
//
// A logger implements one or more of [PreAPICallLogger],
// [PostAPICallLogger], [StreamLogger], [SuccessLogger] and [FailureLogger]
// (LiteLLM's CustomLogger hooks), or is a function adapter such as
// [SuccessCallback]. Loggers are registered globally ([SetCallbacks]), per
// client ([WithCallbacks]) or per request ([Request.Callbacks]).
//
// Every upstream attempt emits one pre-API-call event before the request
// and one post-API-call event after it; streams emit one stream event per
// chunk; every call ends with exactly one success or failure event, after
// all retries and after a stream is consumed, closed or cancelled. Pre and
// post events run on the caller's goroutine; the others go through a
// bounded queue per logger, so slow loggers never slow calls. Each
// [Event] is a typed snapshot with everything LiteLLM's kwargs carry:
// the exact request body, the masked API key, the raw response, usage,
// cost from the embedded price table (package cost), metadata and the
// error. [Event.Kwargs] and [Event.StandardLoggingPayload] give LiteLLM's
// key names and standard_logging_object.
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
// # Providers
//
// Providers are codecs in their own packages: provider/openai (also any
// OpenAI-compatible server), provider/azure, provider/anthropic. Each
// passes the provider/providertest conformance suite.
//
// # Errors
//
// Every call returns an [*Error] with a provider-independent [Code]; use
// [CodeOf], [IsRetryable] and errors.As. Context errors stay visible to
// errors.Is.
package llmux
