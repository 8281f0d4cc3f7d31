package stage

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestReport_SaysWhereTimeWent runs requests through both tracks, with
// one overlap, and reads the report: in a build without the tag it says
// nothing was recorded.
func TestReport_SaysWhereTimeWent(t *testing.T) {
	var b strings.Builder
	Report(&b) // start clean
	b.Reset()
	for range 5 {
		Mark(Enter)
		Mark(BodyRead)
		time.Sleep(2 * time.Millisecond)
		Mark(Decoded)
		Mark(Send)
		Mark(Received)
		Mark(Written)
	}
	// A request entering while another is on its track spoils it.
	Mark(Enter)
	Mark(Enter)
	Mark(Send)
	Report(&b)
	out := b.String()
	if !recording {
		if !strings.Contains(out, "not recorded") {
			t.Fatalf("report without the tag: %q", out)
		}
		return
	}
	for _, want := range []string{
		"pre-upstream: 5 requests (1 spoiled by an overlap or left unfinished)",
		"post-upstream: 5 requests (0 spoiled by an overlap or left unfinished)",
		"body read", "decoded", "send", "written",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "prepared") {
		t.Errorf("a point no request reached is reported:\n%s", out)
	}
	// The 2 ms sleep lies between body read and decoded.
	m := regexp.MustCompile(`decoded +p50 +[0-9.]+ µs +p90 +[0-9.]+ µs +step +\+([0-9.]+) µs`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no decoded line:\n%s", out)
	}
	if step, _ := strconv.ParseFloat(m[1], 64); step < 2000 {
		t.Errorf("decoded step %v µs, want ≥ 2000 (the sleep):\n%s", step, out)
	}
	b.Reset()
	Report(&b) // reading resets
	if !strings.Contains(b.String(), "pre-upstream: 0 requests") {
		t.Errorf("second report:\n%s", b.String())
	}
}

// TestMark_ConcurrentSafe marks from many goroutines at once: under -race
// nothing is reported racing, and the report is still made.
func TestMark_ConcurrentSafe(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				Mark(Enter)
				Mark(Decoded)
				Mark(Send)
				Mark(Received)
				Mark(Written)
			}
		})
	}
	wg.Wait()
	var b strings.Builder
	Report(&b)
	if recording && !strings.Contains(b.String(), "pre-upstream:") {
		t.Fatalf("report:\n%s", b.String())
	}
}

// TestMark_UnfinishedTrackIsDropped: a request that ends before its
// track's last point (an error answer) does not block the ones after it.
func TestMark_UnfinishedTrackIsDropped(t *testing.T) {
	var b strings.Builder
	Report(&b)
	b.Reset()
	Mark(Enter)
	Mark(BodyRead) // a 400: nothing more
	time.Sleep(abandoned + 20*time.Millisecond)
	Mark(Enter)
	Mark(Send)
	Report(&b)
	if recording && !strings.Contains(b.String(), "pre-upstream: 1 requests (1 spoiled by an overlap or left unfinished)") {
		t.Fatalf("report:\n%s", b.String())
	}
}

func TestPoint_String(t *testing.T) {
	if Enter.String() != "enter" || Written.String() != "written" || Point(200).String() != "?" {
		t.Fatal(Enter, Written, Point(200))
	}
}
