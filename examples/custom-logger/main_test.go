package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRun_EventsInOrderPerCall checks the whole output: each call's events
// arrive pre, post, chunks, then exactly one success or failure, and a mock
// error gives pre then failure (no post: no response was received).
func TestRun_EventsInOrderPerCall(t *testing.T) {
	var buf bytes.Buffer
	if err := run(context.Background(), &buf); err != nil {
		t.Fatalf("run: %v", err)
	}
	want := strings.Join([]string{
		"== completion",
		"Pre-API Call   model=gpt-3.5-turbo stream=false",
		"Post-API Call  model=gpt-3.5-turbo",
		`On Success     response="Hello there!"`,
		`caller got "Hello there!"`,
		"== stream",
		"Pre-API Call   model=gpt-3.5-turbo stream=true",
		"Post-API Call  model=gpt-3.5-turbo",
		`On Stream      chunk="Hello"`,
		`On Stream      chunk=" from"`,
		`On Stream      chunk=" a"`,
		`On Stream      chunk=" stream"`,
		"On Stream      finish_reason=stop",
		"On Stream      usage=30 tokens",
		`On Success     response="Hello from a stream"`,
		`caller got "Hello from a stream"`,
		"== failure",
		"Pre-API Call   model=gpt-3.5-turbo stream=false",
		"On Failure     code=unknown err=llmux: mock: unknown: the mock failed on purpose",
		"caller got error code=unknown",
	}, "\n") + "\n"
	if got := buf.String(); got != want {
		t.Errorf("output mismatch\n got:\n%s\nwant:\n%s", got, want)
	}
}
