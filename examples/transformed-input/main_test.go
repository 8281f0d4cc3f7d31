package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// wantBody is the exact /v1/complete body for claude-2 and
// [User("Hi 👋 - i'm openai")]: the emoji and the quote are sent as they
// are, not escaped.
const wantBody = `{"model":"claude-2","prompt":"\n\nHuman: Hi 👋 - i'm openai\n\nAssistant: ","max_tokens_to_sample":256}`

var apiBaseRE = regexp.MustCompile(`(?m)^api_base: http://127\.0\.0\.1:\d+/v1/complete$`)

// TestRun_LogsExactProviderBodyAndMaskedKey checks that the pre-API-call
// event carries the exact body the fake server received, that the key is
// logged masked while the server got the real one, and that the real key
// appears nowhere in the output.
func TestRun_LogsExactProviderBodyAndMaskedKey(t *testing.T) {
	var buf bytes.Buffer
	if err := run(context.Background(), &buf); err != nil {
		t.Fatalf("run: %v", err)
	}
	out := buf.String()
	if strings.Contains(out, apiKey) {
		t.Errorf("the output shows the API key in clear:\n%s", out)
	}
	if !apiBaseRE.MatchString(out) {
		t.Errorf("no api_base line for the fake server's /v1/complete in:\n%s", out)
	}
	got := apiBaseRE.ReplaceAllString(out, "api_base: http://127.0.0.1:PORT/v1/complete")
	want := strings.Join([]string{
		"model: claude-2 (provider anthropic, upstream claude-2)",
		"api_base: http://127.0.0.1:PORT/v1/complete",
		"api_key: sk-...cdef",
		"complete_input_dict: " + wantBody,
		`kwargs["additional_args"]["complete_input_dict"] is the same: true`,
		`response: " Hello!" (model claude-2.1)`,
		"upstream received: " + wantBody,
		"upstream got the real key: true",
	}, "\n") + "\n"
	if got != want {
		t.Errorf("output mismatch\n got:\n%s\nwant:\n%s", got, want)
	}
}
