package webhook

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/delivery"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// receiver is an httptest endpoint that records every request; status
// picks the answer to the n-th request (1-based).
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []received
	status  func(n int) (int, http.Header)
	payload []map[string]any
}

type received struct {
	header http.Header
	body   []byte // decompressed
	raw    []byte
}

func newReceiver(t *testing.T, status func(n int) (int, http.Header)) *receiver {
	r := &receiver{status: status}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		raw, _ := io.ReadAll(req.Body)
		body := raw
		if req.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Errorf("bad gzip: %v", err)
				w.WriteHeader(400)
				return
			}
			body, _ = io.ReadAll(zr)
		}
		r.mu.Lock()
		r.reqs = append(r.reqs, received{header: req.Header.Clone(), body: body, raw: raw})
		n := len(r.reqs)
		r.mu.Unlock()
		code, h := 200, http.Header(nil)
		if r.status != nil {
			code, h = r.status(n)
		}
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(code)
		if code == 200 {
			r.mu.Lock()
			var batch []map[string]any
			if err := json.Unmarshal(body, &batch); err == nil {
				r.payload = append(r.payload, batch...)
			}
			r.mu.Unlock()
		}
		fmt.Fprint(w, `{"status":"ok"}`)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.reqs...)
}

func fastQueue(batch int) delivery.Options {
	return delivery.Options{BatchSize: batch, FlushInterval: 5 * time.Millisecond,
		InitialBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, MaxRetryAfter: 50 * time.Millisecond, Log: quiet}
}

// calls makes n mock completions through a client logging to l, then
// closes the client (which shuts the logger down).
func calls(t *testing.T, l *Logger, n int, mock func(i int) any) {
	t.Helper()
	c, err := llmux.New(llmux.WithCallbacks(l), llmux.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		var m any = fmt.Sprintf("answer %d", i)
		if mock != nil {
			m = mock(i)
		}
		_, _ = c.Completion(context.Background(), &llmux.Request{Model: "gpt-3.5-turbo",
			Messages: []llmux.Message{llmux.User("hello")}, MockResponse: m})
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestLogger_PostsBatchesOfStandardPayloadsWithHeaders(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			r := newReceiver(t, nil)
			l, err := New(r.URL+"/logs", WithHeader("Authorization", "Bearer hook-token"),
				WithHeaders(map[string]string{"X-Team": "ml"}), WithGzip(gz), WithQueueOptions(fastQueue(3)))
			if err != nil {
				t.Fatal(err)
			}
			calls(t, l, 7, func(i int) any {
				if i == 6 {
					return "litellm.RateLimitError" // one failure event
				}
				return fmt.Sprintf("answer %d", i)
			})
			reqs := r.requests()
			if len(reqs) < 3 {
				t.Fatalf("%d requests for 7 payloads in batches of 3", len(reqs))
			}
			for _, q := range reqs {
				want := map[string]string{"Authorization": "Bearer hook-token", "X-Team": "ml", "Content-Type": "application/json"}
				if gz {
					want["Content-Encoding"] = "gzip"
				}
				for k, v := range want {
					if got := q.header.Get(k); got != v {
						t.Errorf("header %s = %q, want %q", k, got, v)
					}
				}
				var batch []json.RawMessage
				if err := json.Unmarshal(q.body, &batch); err != nil || len(batch) == 0 || len(batch) > 3 {
					t.Fatalf("body is not a JSON array of 1..3 payloads (%v): %s", err, q.body)
				}
			}
			statuses := map[string]int{}
			for _, p := range r.payload {
				statuses[fmt.Sprint(p["status"])]++
				for _, k := range []string{"id", "call_type", "model", "response_cost", "startTime", "endTime", "metadata"} {
					if _, ok := p[k]; !ok {
						t.Errorf("payload lacks %q: %v", k, p)
					}
				}
			}
			if d := cmp.Diff(map[string]int{"success": 6, "failure": 1}, statuses); d != "" {
				t.Errorf("payload statuses (-want +got)\n%s", d)
			}
			s := l.Stats()
			if s.Emitted != 7 || s.Delivered != 7 || s.Queued != 0 || len(s.Dropped) != 0 {
				t.Fatalf("stats %+v", s)
			}
		})
	}
}

func TestLogger_NDJSON(t *testing.T) {
	r := newReceiver(t, nil)
	l, err := New(r.URL, WithLogFormat(NDJSON), WithQueueOptions(fastQueue(10)))
	if err != nil {
		t.Fatal(err)
	}
	calls(t, l, 4, nil)
	lines := 0
	for _, q := range r.requests() {
		for _, ln := range bytes.Split(bytes.TrimSpace(q.body), []byte("\n")) {
			var p map[string]any
			if err := json.Unmarshal(ln, &p); err != nil {
				t.Fatalf("line %q: %v", ln, err)
			}
			lines++
		}
	}
	if lines != 4 {
		t.Fatalf("%d lines, want 4", lines)
	}
}

func TestLogger_SingleSendsOnePayloadObjectPerRequest(t *testing.T) {
	r := newReceiver(t, nil)
	l, err := New(r.URL, WithLogFormat(Single), WithQueueOptions(fastQueue(10)))
	if err != nil {
		t.Fatal(err)
	}
	calls(t, l, 3, nil)
	reqs := r.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for _, q := range reqs {
		var p map[string]any
		if err := json.Unmarshal(q.body, &p); err != nil || p["status"] != "success" {
			t.Fatalf("body %s: %v", q.body, err)
		}
	}
}

func TestLogger_RetriesAfter429ThenDelivers(t *testing.T) {
	r := newReceiver(t, func(n int) (int, http.Header) {
		if n <= 2 {
			return http.StatusTooManyRequests, http.Header{"Retry-After": {"0.01"}}
		}
		if n == 3 {
			return http.StatusServiceUnavailable, nil
		}
		return 200, nil
	})
	l, err := New(r.URL, WithQueueOptions(fastQueue(100)))
	if err != nil {
		t.Fatal(err)
	}
	calls(t, l, 5, nil)
	s := l.Stats()
	if s.Delivered != 5 || len(s.Dropped) != 0 || len(r.payload) != 5 || len(r.requests()) != 4 {
		t.Fatalf("stats %+v, %d payloads in %d requests", s, len(r.payload), len(r.requests()))
	}
}

func TestLogger_400DropsTheBatchAndCountsIt(t *testing.T) {
	r := newReceiver(t, func(int) (int, http.Header) { return http.StatusBadRequest, nil })
	l, err := New(r.URL, WithQueueOptions(fastQueue(100)))
	if err != nil {
		t.Fatal(err)
	}
	calls(t, l, 3, nil)
	s := l.Stats()
	if s.Dropped[delivery.DropPermanent] != 3 || s.Delivered != 0 || len(r.requests()) != 1 {
		t.Fatalf("stats %+v after %d requests; want one request and 3 permanent drops", s, len(r.requests()))
	}
}

func TestLogger_RedirectIsNotFollowed(t *testing.T) {
	r := newReceiver(t, func(int) (int, http.Header) {
		return http.StatusFound, http.Header{"Location": {"/elsewhere"}}
	})
	l, err := New(r.URL, WithQueueOptions(fastQueue(10)))
	if err != nil {
		t.Fatal(err)
	}
	calls(t, l, 2, nil)
	if s := l.Stats(); s.Dropped[delivery.DropPermanent] != 2 || len(r.requests()) != 1 {
		t.Fatalf("stats %+v after %d requests", s, len(r.requests()))
	}
}

func TestNew_RejectsBadConfig(t *testing.T) {
	for _, tt := range []struct {
		endpoint string
		opts     []Option
	}{
		{"", nil},
		{"ftp://x", nil},
		{"http://x", []Option{WithLogFormat("xml")}},
		{"http://x", []Option{WithHeader("", "v")}},
		{"http://x", []Option{WithHTTPClient(nil)}},
	} {
		if l, err := New(tt.endpoint, tt.opts...); err == nil {
			_ = l.Shutdown(context.Background())
			t.Errorf("New(%q) accepted", tt.endpoint)
		}
	}
}

func TestFromEnv(t *testing.T) {
	r := newReceiver(t, nil)
	env := map[string]string{
		"GENERIC_LOGGER_ENDPOINT":  r.URL,
		"GENERIC_LOGGER_HEADERS":   "Authorization=Bearer a=b, X-Env = yes",
		"LLMUX_WEBHOOK_GZIP":       "true",
		"LLMUX_WEBHOOK_BATCH_SIZE": "2",
		"LLMUX_SPOOL_DIR":          t.TempDir(),
	}
	l, err := FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	calls(t, l, 3, nil)
	reqs := r.requests()
	if len(reqs) != 2 || reqs[0].header.Get("Authorization") != "Bearer a=b" || reqs[0].header.Get("X-Env") != "yes" ||
		reqs[0].header.Get("Content-Encoding") != "gzip" || len(r.payload) != 3 {
		t.Fatalf("%d requests, headers %v, %d payloads", len(reqs), reqs[0].header, len(r.payload))
	}
	for k, v := range map[string]string{"GENERIC_LOGGER_ENDPOINT": "", "GENERIC_LOGGER_HEADERS": "novalue", "LLMUX_WEBHOOK_GZIP": "maybe", "LLMUX_WEBHOOK_BATCH_SIZE": "0"} {
		bad := map[string]string{"GENERIC_LOGGER_ENDPOINT": r.URL}
		bad[k] = v
		if l, err := FromEnv(func(k string) string { return bad[k] }); err == nil {
			_ = l.Shutdown(context.Background())
			t.Errorf("%s=%q accepted", k, v)
		}
	}
}

func TestParseHeaders(t *testing.T) {
	got, err := ParseHeaders("a=1,b = two=2 ,,c=")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]string{"a": "1", "b": "two=2", "c": ""}, got); d != "" {
		t.Fatal(d)
	}
	if _, err := ParseHeaders("Authorization: Bearer secret-token"); err == nil || bytes.Contains([]byte(err.Error()), []byte("secret")) {
		t.Fatalf("err = %v", err)
	}
}

func TestRedact(t *testing.T) {
	if got := redact("https://user:pw@h.example/x?token=abc&b=1"); got != "https://%2A%2A%2A@h.example/x?b=%2A%2A%2A&token=%2A%2A%2A" {
		t.Fatalf("redact = %q", got)
	}
}
