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

var (
	callRE  = regexp.MustCompile(`(returned "[^"]*" in )(\S+)`)
	closeRE = regexp.MustCompile(`(Close waited )(\S+)`)
)

// TestRun_CallsReturnBeforeSlowLoggerAndCloseDrainsIt checks that the calls
// return while the logger is blocked (3 queued, 0 delivered), that Close
// waits for the logger (at least 3 × delay) and that afterwards every
// event was delivered, in order, with nothing dropped.
func TestRun_CallsReturnBeforeSlowLoggerAndCloseDrainsIt(t *testing.T) {
	const delay = 20 * time.Millisecond
	var buf bytes.Buffer
	if err := run(context.Background(), &buf, delay); err != nil {
		t.Fatalf("run: %v", err)
	}
	got := callRE.ReplaceAllString(buf.String(), "${1}D")

	m := closeRE.FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("no Close duration in output:\n%s", got)
	}
	waited, err := time.ParseDuration(m[2])
	if err != nil {
		t.Fatalf("Close duration %q: %v", m[2], err)
	}
	if waited < 3*delay-time.Millisecond { // printed rounded to the millisecond
		t.Errorf("Close waited %v, want at least %v (three events of %v)", waited, 3*delay, delay)
	}
	got = closeRE.ReplaceAllString(got, "${1}D")

	want := strings.Join([]string{
		`call 1 returned "answer 1" in D`,
		`call 2 returned "answer 2" in D`,
		`call 3 returned "answer 3" in D`,
		"before Close: slow emitted=3 delivered=0 queued=3 dropped=0",
		"before Close: per-request emitted=0 delivered=0 queued=0 dropped=0",
		`logger: caught up with "answer 1"`,
		`logger: caught up with "answer 2"`,
		`logger: caught up with "answer 3"`,
		"Close waited D for the logger",
		"after Close: slow emitted=3 delivered=3 queued=0 dropped=0",
		"after Close: per-request emitted=0 delivered=0 queued=0 dropped=0",
	}, "\n") + "\n"
	if got != want {
		t.Errorf("output mismatch\n got:\n%s\nwant:\n%s", got, want)
	}
}
