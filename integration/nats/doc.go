// Package nats is the "nats" integration: every finished call's standard
// logging payload (LiteLLM's standard_logging_object, the JSON of
// [litellm.Payload]) published to a NATS JetStream subject, for teams that
// feed call events into their own pipeline.
//
// Publishes are acknowledged: a batch counts as delivered only when
// JetStream acknowledged every message of it. Messages are queued without
// blocking the call and published in batches by an [delivery.Queue]; a
// batch with a missing or failed acknowledgement is published again
// (backoff, Retry-After-less), and since each message carries the call id
// as its Nats-Msg-Id header, JetStream drops the copies of messages it
// already stored (within the stream's duplicate window, 2 minutes by
// default). A message larger than the server's maximum payload is dropped
// and counted.
//
//	l, err := nats.New(ctx, nats.Options{URL: "nats://127.0.0.1:4222", Subject: "llmux.events"})
//	if err != nil { ... }
//	c, err := llmux.New(llmux.WithCallbacks(l))
//	...
//	defer c.Close(ctx) // publishes what is queued, then closes the connection
//
// A stream must capture the subject; [Options.Stream] creates one when it
// is missing. The gateway's config turns the logger on with
// callbacks: ["nats"], configured by LLMUX_NATS_URL, LLMUX_NATS_SUBJECT,
// LLMUX_NATS_STREAM and LLMUX_NATS_CREDS (LiteLLM has no NATS logger, so
// no variable of its own).
package nats
