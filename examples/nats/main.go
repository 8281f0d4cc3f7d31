// Command nats publishes every finished call's standard logging payload to
// a NATS JetStream subject, for teams that feed call events into their own
// pipeline: each publish is acknowledged by the server, and the message id
// is the call id, so a retried batch is stored once. It then reads the
// stream back as a consumer of that pipeline would.
//
// It needs a NATS server with JetStream (nats-server -js) at
// $LLMUX_NATS_URL, default nats://127.0.0.1:4222. The gateway's config
// turns the same logger on with callbacks: ["nats"].
//
//	go run ./examples/nats
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/llmux/llmux"
	llmuxnats "github.com/llmux/llmux/integration/nats"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func main() {
	url := os.Getenv("LLMUX_NATS_URL")
	if url == "" {
		url = llmuxnats.DefaultURL
	}
	if err := run(context.Background(), url, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, url string, out io.Writer) error {
	var b [4]byte
	_, _ = rand.Read(b[:])
	stream, subject := "LLMUX_EXAMPLE_"+hex.EncodeToString(b[:]), "llmux.example."+hex.EncodeToString(b[:])

	l, err := llmuxnats.New(ctx, llmuxnats.Options{URL: url, Subject: subject, Stream: stream})
	if err != nil {
		return err
	}
	c, err := llmux.New(llmux.WithCallbacks(l), llmux.WithMaxRetries(0))
	if err != nil {
		return err
	}
	calls := []string{"hello", "world", "litellm.RateLimitError"}
	for _, m := range calls {
		_, _ = c.Completion(ctx, &llmux.Request{Model: "gpt-3.5-turbo",
			Messages: []llmux.Message{llmux.User("hi")}, MockResponse: m})
	}
	if err := c.Close(ctx); err != nil { // publishes what is queued and waits for the acks
		return err
	}
	s := l.Stats()
	fmt.Fprintf(out, "published: emitted=%d delivered=%d queued=%d\n", s.Emitted, s.Delivered, s.Queued)

	// The pipeline's side: read the stream, then delete it.
	nc, err := natsgo.Connect(url)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	defer func() { _ = js.DeleteStream(context.WithoutCancel(ctx), stream) }()
	cons, err := js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return err
	}
	msgs, err := cons.Fetch(len(calls), jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		return err
	}
	i := 0
	for m := range msgs.Messages() {
		var p struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Model  string `json:"model"`
		}
		if err := json.Unmarshal(m.Data(), &p); err != nil {
			return err
		}
		sameID := p.ID != "" && m.Headers().Get(jetstream.MsgIDHeader) == p.ID
		fmt.Fprintf(out, "message %d: %s %s, Nats-Msg-Id is the call id: %v\n", i+1, p.Status, p.Model, sameID)
		i++
	}
	return msgs.Error()
}
