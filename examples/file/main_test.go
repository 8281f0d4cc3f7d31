package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun_RotatesAndKeepsEveryPayload(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	want := `events.jsonl (mode -rw-------):
  failure gpt-3.5-turbo cost=0
events.jsonl.1 (mode -rw-------):
  success gpt-3.5-turbo cost=3.5e-05
  success gpt-3.5-turbo cost=3.5e-05
events.jsonl.2 (mode -rw-------):
  success gpt-3.5-turbo cost=3.5e-05
  success gpt-3.5-turbo cost=3.5e-05
`
	if d := cmp.Diff(want, out.String()); d != "" {
		t.Fatalf("output (-want +got)\n%s", d)
	}
}
