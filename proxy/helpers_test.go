package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/anthropic"
	"github.com/llmux/llmux/provider/openai"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// upstreamReply is one scripted answer of a fake provider.
type upstreamReply struct {
	status int
	header map[string]string
	body   string
	// hold, when set, makes the handler send body, flush, then wait for
	// hold to close or the request to end.
	hold chan struct{}
	// after is sent once hold is closed.
	after string
}

// fakeUpstream is an httptest server speaking a provider's wire format
// with scripted replies (the last repeats), recording what it received.
type fakeUpstream struct {
	*httptest.Server
	mu      sync.Mutex
	replies []upstreamReply
	bodies  [][]byte
	paths   []string
	headers []http.Header
}

func newFakeUpstream(t *testing.T, replies ...upstreamReply) *fakeUpstream {
	t.Helper()
	u := &fakeUpstream{replies: replies}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		rp := u.replies[min(len(u.bodies), len(u.replies)-1)]
		u.bodies = append(u.bodies, b)
		u.paths = append(u.paths, r.URL.Path)
		u.headers = append(u.headers, r.Header.Clone())
		u.mu.Unlock()
		for k, v := range rp.header {
			w.Header().Set(k, v)
		}
		if strings.HasPrefix(rp.body, "data:") || strings.HasPrefix(rp.body, "event:") {
			w.Header().Set("Content-Type", "text/event-stream")
		} else if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		status := rp.status
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, rp.body)
		if rp.hold != nil {
			w.(http.Flusher).Flush()
			select {
			case <-rp.hold:
				_, _ = io.WriteString(w, rp.after)
			case <-r.Context().Done():
			}
		}
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *fakeUpstream) received() [][]byte {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([][]byte(nil), u.bodies...)
}

// recorder is a logger keeping every event it gets.
type recorder struct {
	mu     sync.Mutex
	events []*llmux.Event
	chunks []*llmux.Chunk
}

func (r *recorder) add(e *llmux.Event, c *llmux.Chunk) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	if c != nil {
		r.chunks = append(r.chunks, c)
	}
}

func (r *recorder) LogPreAPICall(_ context.Context, e *llmux.Event)  { r.add(e, nil) }
func (r *recorder) LogPostAPICall(_ context.Context, e *llmux.Event) { r.add(e, nil) }
func (r *recorder) LogStreamEvent(_ context.Context, e *llmux.Event, c *llmux.Chunk) {
	r.add(e, c)
}
func (r *recorder) LogSuccessEvent(_ context.Context, e *llmux.Event) { r.add(e, nil) }
func (r *recorder) LogFailureEvent(_ context.Context, e *llmux.Event) { r.add(e, nil) }

// types returns the event types, stream events left out.
func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		if e.Type != llmux.EventStream {
			out = append(out, string(e.Type))
		}
	}
	return out
}

// terminal returns the terminal events.
func (r *recorder) terminal() []*llmux.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*llmux.Event
	for _, e := range r.events {
		if e.Type == llmux.EventSuccess || e.Type == llmux.EventFailure {
			out = append(out, e)
		}
	}
	return out
}

const testKey = "sk-upstream-TESTKEY-0123456789abcdef"

// gateway is a Server in front of fake upstreams, with a recorder.
type gateway struct {
	*httptest.Server
	srv *Server
	rec *recorder
	log *bytes.Buffer
}

// newGateway serves OpenAI-compatible calls from oa and Anthropic calls
// from an (either may be nil), with opts.
func newGateway(t *testing.T, oa, an *fakeUpstream, opts ...Option) *gateway {
	t.Helper()
	g := &gateway{rec: &recorder{}, log: &bytes.Buffer{}}
	var copts []llmux.Option
	if oa != nil {
		copts = append(copts, llmux.WithProvider(openai.New(openai.WithAPIKey(testKey), openai.WithBaseURL(oa.URL+"/v1"))))
	}
	if an != nil {
		copts = append(copts, llmux.WithProvider(anthropic.New(anthropic.WithAPIKey(testKey), anthropic.WithBaseURL(an.URL))))
	}
	copts = append(copts, llmux.WithRetryBackoff(time.Millisecond, time.Millisecond, time.Second))
	base := []Option{
		WithClientOptions(copts...),
		WithCallbacks(g.rec),
		WithLog(slog.New(slog.NewJSONHandler(&lockedWriter{w: g.log}, nil))),
	}
	srv, err := New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	g.srv = srv
	g.Server = httptest.NewServer(srv)
	t.Cleanup(func() {
		g.Server.Close()
		if err := srv.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return g
}

// flush waits until every event so far reached the loggers.
func (g *gateway) flush(t *testing.T) {
	t.Helper()
	// A handler emits a call's last events after its answer: wait for
	// the handlers the test's requests started.
	g.srv.inflight.Wait()
	if err := g.srv.Client().Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// post sends body to path and returns the answer's status, headers and
// body.
func (g *gateway) post(t *testing.T, path, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, g.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return send(t, req, header...)
}

// send sends req with the header pairs given and returns the answer's
// status, headers and body.
func send(t *testing.T, req *http.Request, header ...string) (int, http.Header, []byte) {
	t.Helper()
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// readFile reads a test file.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonEqual reports the difference between two JSON documents, "" when
// they are equal as JSON values.
func jsonDiff(t *testing.T, want, got []byte) string {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want is not JSON: %v\n%s", err, want)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %v\n%s", err, got)
	}
	return cmp.Diff(w, g)
}

// sseData returns the data of each event of an SSE body.
func sseData(body []byte) []string {
	var out []string
	for _, block := range strings.Split(string(body), "\n\n") {
		for _, line := range strings.Split(block, "\n") {
			if d, ok := strings.CutPrefix(line, "data: "); ok {
				out = append(out, d)
			}
		}
	}
	return out
}
