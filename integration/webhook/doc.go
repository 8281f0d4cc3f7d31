// Package webhook is LiteLLM's generic_api logger in Go: it POSTs the
// standard logging payload of every finished call (litellm.Payload, the
// standard_logging_object; success and failure events only) to an HTTP
// endpoint, batched as one JSON array per request, as LiteLLM's
// GenericAPILogger does, with your headers and optional gzip.
//
//	l, err := webhook.New("https://logs.example.com/llm",
//		webhook.WithHeader("Authorization", "Bearer "+token),
//		webhook.WithGzip(true))
//	if err != nil { ... }
//	c, err := llmux.New(llmux.WithCallbacks(l))
//	...
//	defer c.Close(ctx) // sends what is queued (Shutdown), honours ctx
//
// Delivery goes through [delivery.Queue]: a slow or failing endpoint never
// slows a call; 429, 5xx and network errors are retried with backoff
// (Retry-After honoured), other 4xx answers drop the batch and count it;
// at most 1 MiB of a response is read. With a spool directory
// ([WithQueueOptions], or LLMUX_SPOOL_DIR from the gateway) batches
// survive an outage and a restart.
//
// From the gateway's config, the names "generic_api" and "webhook" build
// one from the environment ([FromEnv]), named after the config's name:
//
//	GENERIC_LOGGER_ENDPOINT   the URL (required)
//	GENERIC_LOGGER_HEADERS    "Key1=value1,Key2=value2"
//	LLMUX_WEBHOOK_GZIP        true: Content-Encoding: gzip
//	LLMUX_WEBHOOK_LOG_FORMAT  json_array (default), ndjson or single
//	LLMUX_WEBHOOK_BATCH_SIZE  payloads per request (default 100)
//	LLMUX_SPOOL_DIR ...       the disk spool in LLMUX_SPOOL_DIR/<name>, see [delivery.FromEnv]
package webhook
