package main

import (
	"bytes"
	"context"
	"net"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRun_PrintsTheScrapedSeries runs the example and checks the series
// it scraped from its own /metrics.
func TestRun_PrintsTheScrapedSeries(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := run(context.Background(), &buf, ln, false); err != nil {
		t.Fatal(err)
	}
	// Durations vary: replace the histogram sums.
	out := regexp.MustCompile(`(_seconds_sum\{[^}]*\}) \S+`).ReplaceAllString(buf.String(), "$1 S")
	t.Log(out)
	for _, want := range []string{
		"third call: rate_limited",
		`llmux_requests_total{model="gpt-4o",model_group="",provider="mock",status="success"} 2`,
		`llmux_requests_total{model="gpt-4o",model_group="",provider="mock",status="failure"} 1`,
		`llmux_errors_total{code="rate_limited",model="gpt-4o",model_group="",provider="mock"} 1`,
		`llmux_request_duration_seconds_count{model="gpt-4o",model_group="",provider="mock"} 3`,
		`llmux_time_to_first_token_seconds_count{model="gpt-4o",model_group="",provider="mock"} 1`,
		`llmux_tokens_total{model="gpt-4o",model_group="",provider="mock",type="prompt"} 20`,
		`llmux_logger_events_delivered_total{logger="prometheus"} 3`,
		`llmux_logger_events_dropped_total{logger="prometheus",reason="queue_full"} 0`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s", want)
		}
	}
}
