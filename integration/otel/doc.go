// Package otel is a logger that sends every llmux call to OpenTelemetry as
// traces following the GenAI semantic conventions (LiteLLM's "otel"
// callback).
//
// Each call is one span of kind client named "{operation} {model}" ("chat
// gpt-4o"), from the call's start to its end, with one child span per
// upstream attempt ("attempt 1 openai/gpt-4o": its own timing, deployment
// and api_base; a router's fallbacks and retries are further attempts of
// the same call). The call span's parent is the caller's span in the
// call's context, when there is one; on the gateway, the request's W3C
// traceparent ([Logger.RequestContext]). Attributes:
//
//	gen_ai.operation.name        chat, text_completion, embeddings
//	gen_ai.provider.name         openai, anthropic, azure.ai.openai, ...
//	gen_ai.request.model         the model asked for (a router's model group)
//	gen_ai.request.temperature, .max_tokens, .top_p, .top_k, .frequency_penalty,
//	  .presence_penalty, .stop_sequences, .seed, .choice.count, .encoding_formats
//	gen_ai.response.model, .id, .finish_reasons
//	gen_ai.usage.input_tokens, .output_tokens
//	server.address, server.port  the final attempt's host
//	error.type                   the llmux error code (failures)
//	llmux.cost_usd               the cost in USD, absent when unknown
//	llmux.cache_hit, llmux.model_group, llmux.call_id, llmux.trace_id, llmux.stream
//
// Failures set the span status to error and record an "exception" event.
// Messages and responses are recorded as a span event named
// gen_ai.client.inference.operation.details (attributes
// gen_ai.input.messages and gen_ai.output.messages, JSON in the
// conventions' message format) only when message logging is on: never
// for events whose messages were redacted ([llmux.WithTurnOffMessageLogging],
// LiteLLM's turn_off_message_logging, or [llmux.RedactMessages] for this
// logger alone).
//
// Spans are made after the fact (the logger runs on its own queue), with
// the call's and attempts' own timestamps. Events carry no attempt end
// time: an attempt ends when the logger saw its post-API-call event, never
// after the next attempt started nor after the call ended.
//
// Delivery: [NewExporter] builds an OpenTelemetry SDK TracerProvider with
// the SDK's OTLP trace exporter behind a batch span processor. The last
// step, sending the encoded export request, is this package's own
// transport: OTLP/HTTP (protobuf) or OTLP/gRPC (HTTP/2, gRPC framing,
// status from the trailers), written here because the SDK's transports
// link google.golang.org/grpc, and with it golang.org/x/net/trace, into
// every binary that imports this package (+17 MB of binary and +5.6 MB of
// RSS for the gateway, measured). It retries what the OTLP specification
// calls retryable (HTTP 429, 502, 503, 504; gRPC UNAVAILABLE,
// RESOURCE_EXHAUSTED and the like) with exponential backoff (5 s doubling
// to 30 s, or the server's Retry-After) for up to a minute, and reports a
// collector's partial success through the OTel error handler. The batch
// queue is the delivery mechanism for this sink (not package delivery: no
// disk spool). A span ended while Config.MaxQueueSize spans are waiting or
// being exported (a collector slower than the calls, or down) is dropped
// and counted: neither the calls nor the logger ever wait for the
// collector. [Logger.SinkStats] counts spans ended, exported, dropped by
// reason and queued.
//
//	l, err := otel.NewExporter(ctx, otel.Config{Endpoint: "http://localhost:4318/v1/traces"})
//	if err != nil { ... }
//	c, err := llmux.New(llmux.WithCallbacks(l))
//	...
//	defer c.Close(ctx) // delivers queued events, then flushes and shuts the exporter down
//
// With a TracerProvider of your own, use [New]; its Shutdown flushes the
// provider and leaves shutting it down to you.
package otel
