package nats

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/delivery"
	"github.com/llmux/llmux/integration/jsonl"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// need returns the test server's URL ($LLMUX_TEST_NATS, else DefaultURL),
// skipping t when it does not answer, or failing it under CI=true.
func need(t *testing.T) string {
	t.Helper()
	url := DefaultURL
	if v := os.Getenv("LLMUX_TEST_NATS"); v != "" {
		url = v
	}
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "nats://"), time.Second)
	if err != nil {
		msg := "nats: no NATS server at " + url + " (" + err.Error() + "); start one with: nats-server -js"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: a missing NATS fails instead of skipping)")
		}
		t.Skip(msg)
	}
	conn.Close()
	return url
}

// unique returns a stream name and a subject of t's own; the stream is
// deleted when t ends.
func unique(t *testing.T, url string) (stream, subject string) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	stream, subject = "LLMUX_TEST_"+id, "llmux.test."+id
	t.Cleanup(func() {
		nc, err := natsgo.Connect(url)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer nc.Close()
		js, _ := jetstream.New(nc)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := js.DeleteStream(ctx, stream); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
			t.Errorf("cleanup: delete stream %s: %v", stream, err)
		}
	})
	return stream, subject
}

// messages returns every message of the stream.
func messages(t *testing.T, url, stream string) []*jetstream.RawStreamMsg {
	t.Helper()
	nc, err := natsgo.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []*jetstream.RawStreamMsg
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func fast(url, subject, stream string) Options {
	return Options{URL: url, Subject: subject, Stream: stream, AckTimeout: 2 * time.Second,
		Delivery: delivery.Options{Name: "nats-test", FlushInterval: time.Millisecond, InitialBackoff: time.Millisecond}}
}

var t0 = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

func testEvents() []*llmux.Event {
	return []*llmux.Event{
		{Type: llmux.EventSuccess, CallID: "call-1", Model: "gpt-4o", Provider: "openai", StartTime: t0, EndTime: t0.Add(time.Second),
			Usage: llmux.Usage{PromptTokens: 1, CompletionTokens: 2, TotalTokens: 3}, ResponseCost: 0.5},
		{Type: llmux.EventFailure, CallID: "call-2", Model: "claude", Provider: "anthropic", StartTime: t0, EndTime: t0.Add(time.Second),
			Err: &llmux.Error{Code: llmux.CodeServer, StatusCode: 500, Message: "boom"}},
	}
}

// TestLogger_PublishesPayloadsWithAck: one acknowledged message per
// terminal event, the standard payload as its body and the call id as
// its Nats-Msg-Id.
func TestLogger_PublishesPayloadsWithAck(t *testing.T) {
	t.Parallel()
	url := need(t)
	stream, subject := unique(t, url)
	ctx := context.Background()
	l, err := New(ctx, fast(url, subject, stream))
	if err != nil {
		t.Fatal(err)
	}
	evs := testEvents()
	l.LogSuccessEvent(ctx, evs[0])
	l.LogFailureEvent(ctx, evs[1])
	if err := l.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if s := l.Stats(); s.Emitted != 2 || s.Delivered != 2 || s.Queued != 0 || len(s.Dropped) != 0 {
		t.Fatalf("stats %+v", s)
	}
	msgs := messages(t, url, stream)
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	for i, m := range msgs {
		if m.Subject != subject || m.Header.Get(jetstream.MsgIDHeader) != evs[i].CallID {
			t.Errorf("message %d: subject %q id %q", i, m.Subject, m.Header.Get(jetstream.MsgIDHeader))
		}
		if d := cmp.Diff(string(jsonl.PayloadLine(evs[i])), string(m.Data)); d != "" {
			t.Errorf("message %d body (-want +got):\n%s", i, d)
		}
		var p map[string]any
		if err := json.Unmarshal(m.Data, &p); err != nil || p["id"] != evs[i].CallID {
			t.Errorf("message %d: %v id %v", i, err, p["id"])
		}
	}
	if msgs[1].Data == nil || !strings.Contains(string(msgs[1].Data), `"status":"failure"`) {
		t.Errorf("failure payload %s", msgs[1].Data)
	}
}

// TestSend_RetriedBatchIsDeduplicated publishes one batch three times
// (as the queue does after a missing ack): the stream keeps one copy.
func TestSend_RetriedBatchIsDeduplicated(t *testing.T) {
	t.Parallel()
	url := need(t)
	stream, subject := unique(t, url)
	ctx := context.Background()
	l, err := New(ctx, fast(url, subject, stream))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Shutdown(ctx)
	var batch []delivery.Record
	for _, e := range testEvents() {
		batch = append(batch, Record(e))
	}
	for range 3 {
		if err := l.send(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(messages(t, url, stream)); n != 2 {
		t.Fatalf("%d messages after 3 sends of a 2-message batch, want 2", n)
	}
}

// TestSend_MissingAckIsRetryable: with no stream on the subject nobody
// acknowledges, and the batch is kept for a retry.
func TestSend_MissingAckIsRetryable(t *testing.T) {
	t.Parallel()
	url := need(t)
	_, subject := unique(t, url)
	ctx := context.Background()
	o := fast(url, subject, "")
	o.AckTimeout = 200 * time.Millisecond
	l, err := New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Shutdown(ctx)
	var re *delivery.RetryableError
	if err := l.send(ctx, []delivery.Record{Record(testEvents()[0])}); !errors.As(err, &re) {
		t.Fatalf("send without a stream = %v, want retryable", err)
	}
}

// TestLogger_ServerDownNeverBlocks: a logger started while the
// server is unreachable queues and retries; nothing blocks the caller.
func TestLogger_ServerDownNeverBlocks(t *testing.T) {
	ctx := context.Background()
	o := fast("nats://127.0.0.1:1", "llmux.down", "")
	o.AckTimeout = 50 * time.Millisecond
	o.Delivery.MaxElapsed = 300 * time.Millisecond
	l, err := New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for _, e := range testEvents() {
		l.LogSuccessEvent(ctx, e)
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("logging with the server down took %v", d)
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	s := l.Stats()
	if s.Emitted != 2 || s.Dropped[delivery.DropGaveUp] != 2 {
		t.Fatalf("stats %+v, want 2 given up after MaxElapsed", s)
	}
}

func TestClassify(t *testing.T) {
	var re *delivery.RetryableError
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{jetstream.ErrNoStreamResponse, true},
		{jetstream.ErrAsyncPublishTimeout, true},
		{natsgo.ErrTimeout, true},
		{natsgo.ErrNoResponders, true},
		{natsgo.ErrMaxPayload, false},
		{&jetstream.APIError{Code: 400, Description: "message size exceeds maximum allowed"}, false},
		{&jetstream.APIError{Code: 503}, true},
	} {
		if got := errors.As(classify(tc.err), &re); got != tc.want {
			t.Errorf("classify(%v) retryable = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestLogger_NoSecretInMessages runs calls through a client with a real
// key and checks that the published payloads never carry it.
func TestLogger_NoSecretInMessages(t *testing.T) {
	t.Parallel()
	url := need(t)
	stream, subject := unique(t, url)
	ctx := context.Background()
	const secret = "sk-test-0123456789abcdefghijSECRET"
	l, err := New(ctx, fast(url, subject, stream))
	if err != nil {
		t.Fatal(err)
	}
	c, err := llmux.New(llmux.WithCallbacks(l))
	if err != nil {
		t.Fatal(err)
	}
	msgs := []llmux.Message{llmux.User("hi " + "there")}
	if _, err := c.Completion(ctx, &llmux.Request{Model: "gpt-4o-mini", Messages: msgs, APIKey: secret, MockResponse: "ok"}); err != nil {
		t.Fatal(err)
	}
	_, _ = c.Completion(ctx, &llmux.Request{Model: "gpt-4o-mini", Messages: msgs, APIKey: secret, MockResponse: "litellm.AuthenticationError"})
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	got := messages(t, url, stream)
	if len(got) != 2 {
		t.Fatalf("%d messages, want 2", len(got))
	}
	for _, m := range got {
		if strings.Contains(string(m.Data), secret) || strings.Contains(strings.Join(m.Header.Values(jetstream.MsgIDHeader), ""), secret) {
			t.Errorf("secret published: %s", m.Data)
		}
	}
	if strings.Contains(l.Name(), "@") {
		t.Errorf("name %q", l.Name())
	}
}

func TestFactory_ReadsTheEnvironment(t *testing.T) {
	t.Parallel()
	url := need(t)
	stream, subject := unique(t, url)
	env := map[string]string{"LLMUX_NATS_URL": url, "LLMUX_NATS_SUBJECT": subject, "LLMUX_NATS_STREAM": stream}
	v, err := Factory(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	l := v.(*Logger)
	l.LogSuccessEvent(context.Background(), testEvents()[0])
	if err := l.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(messages(t, url, stream)); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
}
