package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun_RetriesThe503AndDeliversEveryPayload(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	want := `receiver: 503 (try again)
receiver: batch of 3 payloads, Authorization "Bearer hook-token"
  success gpt-3.5-turbo cost=3.5e-05
  success gpt-3.5-turbo cost=3.5e-05
  failure gpt-3.5-turbo cost=0
webhook: emitted=3 delivered=3 dropped=0 queued=0 spooled=0
`
	if d := cmp.Diff(want, out.String()); d != "" {
		t.Fatalf("output (-want +got)\n%s", d)
	}
}
