// Package provider is the toolkit for writing llmux providers: the codecs
// that turn an [llmux.Request] into one upstream API's wire format and its
// answers and errors back. Providers implement [llmux.Provider] and, when
// they can, the optional interfaces declared here: [TextCompleter],
// [Embedder], [ModelClaimer] (the model names a provider serves) and
// [ParamSupporter] (the request parameters it can send). This package
// gives them the rest:
//
//   - [Send] sends a [Wire] request for an [llmux.Attempt] and [ReadBody]
//     reads a non-streamed answer. Both report to the client's loggers (the
//     pre-API-call event with the exact body, the post-API-call event with
//     the raw response and headers) and bound what they read. Providers
//     without HTTP call [Begin] and [Received] instead.
//   - [HTTPError], [CodeForStatus], [RetryAfter] and [StatusText] build the
//     [*llmux.Error] of an upstream error response, for each provider's own
//     mapping to refine from the body.
//
// The client, not the provider, retries, caches, prices and emits events;
// and it scrubs every secret a [Wire] carries (its API key, secret headers,
// secret query values) from every event and error, whatever the upstream
// echoes back.
//
// Packages openai, azure and anthropic below are providers built with it;
// package providertest is the conformance suite every provider runs.
package provider
