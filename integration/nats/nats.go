package nats

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/delivery"
	"github.com/llmux/llmux/integration/jsonl"
)

// Defaults of [Options].
const (
	DefaultURL     = "nats://127.0.0.1:4222"
	DefaultSubject = "llmux.events"
)

// Options configure a [Logger]. The zero value publishes to
// [DefaultSubject] on [DefaultURL].
type Options struct {
	// URL is the server (default DefaultURL); a comma-separated list
	// names a cluster. Credentials in it are never logged.
	URL string
	// Subject is the subject messages are published to (default
	// DefaultSubject).
	Subject string
	// Stream, when set, names a stream that New creates, capturing
	// Subject, if there is none of that name.
	Stream string
	// AckTimeout bounds the wait for each acknowledgement (default 5 s);
	// a batch with an acknowledgement missing is published again.
	AckTimeout time.Duration
	// Conn are further connection options (credentials, TLS, ...).
	Conn []natsgo.Option
	// Delivery configures the queue (batch size, flush interval,
	// retries); Name defaults to "nats".
	Delivery delivery.Options
}

// Logger publishes each finished call's payload to JetStream. It is safe
// for concurrent use.
type Logger struct {
	nc      *natsgo.Conn
	js      jetstream.JetStream
	subject string
	q       *delivery.Queue
	name    string
}

var (
	_ llmux.SuccessLogger = (*Logger)(nil)
	_ llmux.FailureLogger = (*Logger)(nil)
	_ llmux.Flusher       = (*Logger)(nil)
	_ llmux.Shutdowner    = (*Logger)(nil)
	_ llmux.Named         = (*Logger)(nil)
)

// New connects to the server and returns a logger publishing to it. The
// connection reconnects forever, and a server that is down when New runs
// is retried in the background (New fails only when o.Stream must be
// created and cannot be).
func New(ctx context.Context, o Options) (*Logger, error) {
	if o.URL == "" {
		o.URL = DefaultURL
	}
	if o.Subject == "" {
		o.Subject = DefaultSubject
	}
	if o.AckTimeout <= 0 {
		o.AckTimeout = 5 * time.Second
	}
	if o.Delivery.Name == "" {
		o.Delivery.Name = "nats"
	}
	opts := append([]natsgo.Option{
		natsgo.Name("llmux"),
		natsgo.MaxReconnects(-1),
		natsgo.RetryOnFailedConnect(true),
		natsgo.ReconnectWait(time.Second),
	}, o.Conn...)
	nc, err := natsgo.Connect(o.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("nats: connect: %w", err)
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(o.AckTimeout))
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats: %w", err)
	}
	if o.Stream != "" {
		if err := ensureStream(ctx, js, o.Stream, o.Subject); err != nil {
			nc.Close()
			return nil, err
		}
	}
	l := &Logger{nc: nc, js: js, subject: o.Subject, name: o.Delivery.Name}
	q, err := delivery.New(delivery.SinkFunc(l.send), o.Delivery)
	if err != nil {
		nc.Close()
		return nil, err
	}
	l.q = q
	return l, nil
}

func ensureStream(ctx context.Context, js jetstream.JetStream, name, subject string) error {
	_, err := js.Stream(ctx, name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		_, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{subject}})
	}
	if err != nil {
		return fmt.Errorf("nats: stream %s: %w", name, err)
	}
	return nil
}

// Factory builds the logger the gateway's config names "nats", from
// LLMUX_NATS_URL (default DefaultURL), LLMUX_NATS_SUBJECT (default
// DefaultSubject), LLMUX_NATS_STREAM (a stream to create when missing)
// and LLMUX_NATS_CREDS (a credentials file).
func Factory(getenv func(string) string) (any, error) {
	d, err := delivery.FromEnv("nats", getenv) // LLMUX_SPOOL_DIR and the like: a disk spool
	if err != nil {
		return nil, err
	}
	o := Options{URL: getenv("LLMUX_NATS_URL"), Subject: getenv("LLMUX_NATS_SUBJECT"), Stream: getenv("LLMUX_NATS_STREAM"),
		Delivery: d}
	if creds := getenv("LLMUX_NATS_CREDS"); creds != "" {
		o.Conn = append(o.Conn, natsgo.UserCredentials(creds))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return New(ctx, o)
}

// Name names the logger in the client's statistics and warnings.
func (l *Logger) Name() string { return l.name }

// Stats are the logger's delivery counters.
func (l *Logger) Stats() delivery.Stats { return l.q.Stats() }

// LogSuccessEvent queues the call's payload.
func (l *Logger) LogSuccessEvent(_ context.Context, e *llmux.Event) { l.add(e) }

// LogFailureEvent queues the call's payload.
func (l *Logger) LogFailureEvent(_ context.Context, e *llmux.Event) { l.add(e) }

// Record returns what the logger queues for an event: the call id, a
// newline, and the payload's JSON (as [jsonl.PayloadLine] writes it).
func Record(e *llmux.Event) delivery.Record {
	line := jsonl.PayloadLine(e)
	r := make([]byte, 0, len(e.CallID)+1+len(line))
	r = append(r, e.CallID...)
	r = append(r, '\n')
	return append(r, line...)
}

func (l *Logger) add(e *llmux.Event) { l.q.Add(Record(e)) }

// send publishes a batch and waits for every acknowledgement.
func (l *Logger) send(ctx context.Context, batch []delivery.Record) error {
	futures := make([]jetstream.PubAckFuture, 0, len(batch))
	for _, r := range batch {
		id, data, ok := bytes.Cut(r, []byte{'\n'})
		if !ok {
			return errors.New("nats: malformed record")
		}
		msg := natsgo.NewMsg(l.subject)
		msg.Data = data
		msg.Header.Set(jetstream.MsgIDHeader, string(id))
		msg.Header.Set("Content-Type", "application/json")
		f, err := l.js.PublishMsgAsync(msg)
		if err != nil {
			return classify(err)
		}
		futures = append(futures, f)
	}
	var first error
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			if first == nil {
				first = err
			}
		case <-ctx.Done():
			return delivery.Retryable(ctx.Err(), 0)
		}
	}
	return classify(first)
}

// classify marks err retryable unless the message can never be accepted.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var apiErr *jetstream.APIError
	switch {
	case errors.Is(err, natsgo.ErrMaxPayload), errors.Is(err, natsgo.ErrBadSubject),
		errors.Is(err, natsgo.ErrInvalidMsg), errors.Is(err, natsgo.ErrConnectionClosed):
		return err
	case errors.As(err, &apiErr) && apiErr.Code == 400:
		return err // the stream refused the message (too large, bad header)
	}
	return delivery.Retryable(err, 0)
}

// Flush publishes every payload queued before it, or returns when ctx
// ends.
func (l *Logger) Flush(ctx context.Context) error { return l.q.Flush(ctx) }

// Shutdown publishes what is queued (until ctx ends) and closes the
// connection.
func (l *Logger) Shutdown(ctx context.Context) error {
	err := l.q.Close(ctx)
	l.nc.Close()
	return err
}
