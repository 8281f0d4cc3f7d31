package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/llmux/llmux"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// received is one post as the test server saw it.
type received struct {
	method, contentType string
	event               TrackEvent
}

// recorder is a tracking endpoint that records what it receives and
// answers with status.
type recorder struct {
	status int
	mu     sync.Mutex
	posts  []received
	errs   []error
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ev TrackEvent
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(&ev)
	rec.mu.Lock()
	if err != nil {
		rec.errs = append(rec.errs, err)
	}
	rec.posts = append(rec.posts, received{method: r.Method, contentType: r.Header.Get("Content-Type"), event: ev})
	rec.mu.Unlock()
	w.WriteHeader(rec.status)
}

func (rec *recorder) snapshot() ([]received, []error) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]received(nil), rec.posts...), append([]error(nil), rec.errs...)
}

func ptr[T any](v T) *T { return &v }

// TestRun_PostsOneEventPerSuccessfulCall checks the three posted payloads,
// in call order: method, content type, every property, the cost (null for
// the unpriced model) and distinct call ids.
func TestRun_PostsOneEventPerSuccessfulCall(t *testing.T) {
	rec := &recorder{status: http.StatusOK}
	srv := httptest.NewServer(rec)
	defer srv.Close()

	var buf bytes.Buffer
	if err := run(context.Background(), &buf, srv.URL+"/track", 5*time.Second); err != nil {
		t.Fatalf("run: %v", err)
	}
	if got, want := buf.String(), "tracked 3 events, 0 failed\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}

	posts, errs := rec.snapshot()
	if len(errs) > 0 {
		t.Fatalf("server could not decode posts: %v", errs)
	}
	if len(posts) != 3 {
		t.Fatalf("server received %d posts, want 3", len(posts))
	}
	ids := map[string]bool{}
	var got []TrackEvent
	for i, p := range posts {
		if p.method != http.MethodPost || p.contentType != "application/json" {
			t.Errorf("post %d: %s with Content-Type %q, want POST application/json", i, p.method, p.contentType)
		}
		props := p.event.Properties
		if props.CallID == "" || ids[props.CallID] {
			t.Errorf("post %d: call_id %q is empty or repeated", i, props.CallID)
		}
		ids[props.CallID] = true
		if props.LatencyMS < 0 {
			t.Errorf("post %d: latency_ms = %v, want >= 0", i, props.LatencyMS)
		}
		props.CallID, props.LatencyMS = "", 0 // checked above; they vary
		got = append(got, TrackEvent{Event: p.event.Event, Properties: props})
	}
	md := map[string]any{"user_id": "u-42"}
	want := []TrackEvent{
		{Event: "llm_call", Properties: Properties{Model: "gpt-3.5-turbo", Provider: "openai", ResponseCost: ptr(3.5e-05), TotalTokens: 30, Metadata: md}},
		{Event: "llm_call", Properties: Properties{Model: "gpt-3.5-turbo", Provider: "openai", ResponseCost: ptr(3.5e-05), TotalTokens: 30, Metadata: md}},
		{Event: "llm_call", Properties: Properties{Model: "mock/my-model", Provider: "mock", ResponseCost: nil, TotalTokens: 30, Metadata: md}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("payloads (-want +got):\n%s", diff)
	}
}

var errLineRE = regexp.MustCompile(`^mixpanel: call [0-9a-f-]{36}: (.*)$`)

// TestRun_ReportsEndpointFailures checks that failing posts are reported
// once each and counted, and that the calls still succeed.
func TestRun_ReportsEndpointFailures(t *testing.T) {
	failing := httptest.NewServer(&recorder{status: http.StatusInternalServerError})
	defer failing.Close()

	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close() // nothing listens there any more: connection refused

	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer slow.Close()
	defer close(release)

	tests := []struct {
		name     string
		endpoint string
		wantErr  string // substring of each reported error
	}{
		{"status 500", failing.URL, "post: endpoint answered 500 Internal Server Error"},
		{"connection refused", closedURL, "connection refused"},
		{"timeout", slow.URL, "deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := run(context.Background(), &buf, tt.endpoint, 50*time.Millisecond); err != nil {
				t.Fatalf("run: %v (a tracking failure must not fail the program)", err)
			}
			lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
			if len(lines) != 4 {
				t.Fatalf("got %d lines, want 3 errors and a summary:\n%s", len(lines), buf.String())
			}
			for _, l := range lines[:3] {
				m := errLineRE.FindStringSubmatch(l)
				if m == nil || !strings.Contains(m[1], tt.wantErr) {
					t.Errorf("error line %q: want \"mixpanel: call <id>: ...%s...\"", l, tt.wantErr)
				}
			}
			if got, want := lines[3], "tracked 0 events, 3 failed"; got != want {
				t.Errorf("summary = %q, want %q", got, want)
			}
		})
	}
}

// TestTracker_UnencodableMetadataIsReportedNotPanicked checks that metadata
// JSON cannot encode gives a reported error and no post.
func TestTracker_UnencodableMetadataIsReportedNotPanicked(t *testing.T) {
	rec := &recorder{status: http.StatusOK}
	srv := httptest.NewServer(rec)
	defer srv.Close()

	var reported []error
	tr := NewTracker(srv.URL, srv.Client(), time.Second, func(err error) { reported = append(reported, err) })
	tr.LogSuccessEvent(context.Background(), &llmux.Event{
		CallID: "call-1", Model: "gpt-3.5-turbo", Metadata: map[string]any{"bad": make(chan int)},
	})

	var unsupported *json.UnsupportedTypeError
	if len(reported) != 1 || !errors.As(reported[0], &unsupported) {
		t.Fatalf("reported %v, want one *json.UnsupportedTypeError", reported)
	}
	if !strings.HasPrefix(reported[0].Error(), "mixpanel: call call-1: encode event: ") {
		t.Errorf("error %q does not name the call", reported[0])
	}
	if sent, failed := tr.Counts(); sent != 0 || failed != 1 {
		t.Errorf("counts = %d sent, %d failed; want 0, 1", sent, failed)
	}
	if posts, _ := rec.snapshot(); len(posts) != 0 {
		t.Errorf("server received %d posts, want 0", len(posts))
	}
}
