package main

import (
	"bytes"
	"context"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRun_GuardAndGuardrail checks that the team over budget is refused
// with one failure event and no API call, and that the other team's
// streamed answer reaches the caller and the success event masked.
func TestRun_GuardAndGuardrail(t *testing.T) {
	var buf bytes.Buffer
	if err := run(context.Background(), &buf); err != nil {
		t.Fatalf("run: %v", err)
	}
	want := `team search:
  event: success, team search, recorded answer "Write to [email] today."
  caller: "Write to [email] today."
team ads:
  event: failure, team ads, permission (API calls made: 0)
  caller: refused: llmux: permission: team "ads" is over its budget
spent by search: $3.5e-05
`
	if got := buf.String(); got != want {
		t.Errorf("output mismatch\n got:\n%s\nwant:\n%s", got, want)
	}
}
