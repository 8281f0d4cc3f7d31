package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	llmuxnats "github.com/llmux/llmux/integration/nats"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun_PublishesAndReadsBack(t *testing.T) {
	url := llmuxnats.DefaultURL
	if v := os.Getenv("LLMUX_TEST_NATS"); v != "" {
		url = v
	}
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "nats://"), time.Second)
	if err != nil {
		msg := "examples/nats: no NATS server at " + url + " (" + err.Error() + "); start one with: nats-server -js"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: a missing NATS fails instead of skipping)")
		}
		t.Skip(msg)
	}
	conn.Close()
	var out bytes.Buffer
	if err := run(context.Background(), url, &out); err != nil {
		t.Fatal(err)
	}
	want := `published: emitted=3 delivered=3 queued=0
message 1: success gpt-3.5-turbo, Nats-Msg-Id is the call id: true
message 2: success gpt-3.5-turbo, Nats-Msg-Id is the call id: true
message 3: failure gpt-3.5-turbo, Nats-Msg-Id is the call id: true
`
	if d := cmp.Diff(want, out.String()); d != "" {
		t.Fatalf("output (-want +got)\n%s", d)
	}
}
