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

// TestRun_PrintsTheExportedSpans runs the example offline: the local
// receiver decodes the call span (the remote caller as parent) and its
// attempt span (the call span as parent).
func TestRun_PrintsTheExportedSpans(t *testing.T) {
	var buf bytes.Buffer
	if err := run(context.Background(), &buf, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	t.Log(out)
	for _, want := range []string{
		"answer: Hello from the mock",
		`span "chat gpt-4o" trace 4bf92f3577b34da6a3ce929d0e0e4736 parent 00f067aa0ba902b7`,
		`gen_ai.operation.name="chat"`,
		`gen_ai.request.temperature=0.2`,
		`gen_ai.usage.output_tokens=20`,
		`span "attempt 1 gpt-4o" trace 4bf92f3577b34da6a3ce929d0e0e4736`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// The attempt's parent is the call span, not the remote caller.
	m := regexp.MustCompile(`span "attempt 1 gpt-4o" trace \w+ parent (\w+)`).FindStringSubmatch(out)
	if m == nil || m[1] == "00f067aa0ba902b7" {
		t.Errorf("attempt parent %v, want the call span", m)
	}
}
