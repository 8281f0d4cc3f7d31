package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRun_SuccessEventCarriesCompleteStreamingResponse checks that the
// caller sees every chunk and that the success event carries the text
// assembled from them, the finish reason, the usage of the final usage
// chunk and its cost (gpt-4o-mini: 9 × 1.5e-07 + 3 × 6e-07).
func TestRun_SuccessEventCarriesCompleteStreamingResponse(t *testing.T) {
	var buf bytes.Buffer
	if err := run(context.Background(), &buf); err != nil {
		t.Fatalf("run: %v", err)
	}
	want := strings.Join([]string{
		`caller sees: "" "Hello" ", world" "!" "" ""`,
		`complete_streaming_response: id=chatcmpl-42 model=gpt-4o-mini-2024-07-18 text="Hello, world!" finish_reason=stop`,
		"usage: prompt=9 completion=3 total=12",
		"response_cost: 3.15e-06 USD",
	}, "\n") + "\n"
	if got := buf.String(); got != want {
		t.Errorf("output mismatch\n got:\n%s\nwant:\n%s", got, want)
	}
}
