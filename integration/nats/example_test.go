package nats_test

import (
	"context"
	"log"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/nats"
)

// Publishing every finished call's standard logging payload to a
// JetStream subject; Stream creates the stream when it is missing.
func Example() {
	ctx := context.Background()
	l, err := nats.New(ctx, nats.Options{URL: "nats://127.0.0.1:4222", Subject: "llmux.events", Stream: "LLMUX"})
	if err != nil {
		log.Fatal(err)
	}
	c, err := llmux.New(llmux.WithCallbacks(l))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close(ctx) // publishes what is queued, waits for the acks, closes the connection
	_, _ = c.Completion(ctx, &llmux.Request{Model: "gpt-4o-mini", Messages: []llmux.Message{llmux.User("hi")}, MockResponse: "hello"})
}
