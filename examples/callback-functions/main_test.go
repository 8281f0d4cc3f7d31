package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var durationRE = regexp.MustCompile(`duration=(\S+)`)

// TestRun_CallbacksSeeModelMessagesResponseAndDuration checks each function
// adapter's output, with the durations (which vary) checked to parse and
// be positive, then replaced by a placeholder.
func TestRun_CallbacksSeeModelMessagesResponseAndDuration(t *testing.T) {
	var buf bytes.Buffer
	if err := run(context.Background(), &buf); err != nil {
		t.Fatalf("run: %v", err)
	}
	got := durationRE.ReplaceAllStringFunc(buf.String(), func(m string) string {
		d, err := time.ParseDuration(strings.TrimPrefix(m, "duration="))
		if err != nil || d <= 0 {
			t.Errorf("%s: want a positive duration (err %v)", m, err)
		}
		return "duration=D"
	})
	want := strings.Join([]string{
		`input:   model=gpt-3.5-turbo messages=[user: "Hi 👋 - i'm openai"]`,
		`success: model=gpt-3.5-turbo messages=[user: "Hi 👋 - i'm openai"] response="Hello! How can I help?" duration=D`,
		`caller:  "Hello! How can I help?"`,
		`input:   model=gpt-3.5-turbo messages=[user: "this one fails"]`,
		`failure: model=gpt-3.5-turbo messages=[user: "this one fails"] error="llmux: mock: unknown: rate limited by the mock" duration=D`,
		`caller:  error "llmux: mock: unknown: rate limited by the mock"`,
	}, "\n") + "\n"
	if got != want {
		t.Errorf("output mismatch\n got:\n%s\nwant:\n%s", got, want)
	}
}
