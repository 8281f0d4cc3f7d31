package router

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/record"
	"github.com/llmux/llmux/provider/openai"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testKey = "sk-test-router-0123456789"

// fixture returns testdata/name.
func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// reply is one answer of a fake upstream.
type reply struct {
	status int
	body   string // JSON, or an SSE transcript (starts with "data:")
	sse    string // when set, the body for stream requests
	header map[string]string
	// cut, for an SSE body, sends only the body's first cut bytes and then
	// drops the connection: a stream that breaks after it started.
	cut int
	// hold, when set, delays the answer until it is closed or the client
	// goes away.
	hold chan struct{}
}

// upstream is a fake OpenAI-compatible server answering its replies in
// order, the last one repeating.
type upstream struct {
	*httptest.Server
	mu      sync.Mutex
	replies []reply
	n       int
	bodies  []string
}

func newUpstream(t testing.TB, replies ...reply) *upstream {
	t.Helper()
	u := &upstream{replies: replies}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.bodies = append(u.bodies, string(b))
		rp := u.replies[min(u.n, len(u.replies)-1)]
		u.n++
		u.mu.Unlock()
		if rp.hold != nil {
			select {
			case <-rp.hold:
			case <-r.Context().Done():
				return
			}
		}
		for k, v := range rp.header {
			w.Header().Set(k, v)
		}
		body := rp.body
		if rp.sse != "" && strings.Contains(string(b), `"stream":true`) {
			body = rp.sse
		}
		if strings.HasPrefix(body, "data:") {
			w.Header().Set("Content-Type", "text/event-stream")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		status := rp.status
		if status == 0 {
			status = http.StatusOK
		}
		if rp.cut > 0 {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body[:rp.cut])
			w.(http.Flusher).Flush()
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				_ = conn.Close()
			}
			return
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(u.Close)
	return u
}

// set replaces the replies from now on.
func (u *upstream) set(replies ...reply) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.replies, u.n = replies, 0
}

// requests returns how many requests the upstream got.
func (u *upstream) requests() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.bodies)
}

// base is the upstream's API base, as a deployment's APIBase.
func (u *upstream) base() string { return u.URL + "/v1" }

func ok(t testing.TB) reply       { return reply{body: fixture(t, "openai-chat.json")} }
func okStream(t testing.TB) reply { return reply{body: fixture(t, "openai-chat-stream.sse")} }

// okBoth answers a stream request with the SSE fixture, others with JSON.
func okBoth(t testing.TB) reply {
	return reply{body: fixture(t, "openai-chat.json"), sse: fixture(t, "openai-chat-stream.sse")}
}

func serverError() reply {
	return reply{status: 503, body: `{"error":{"message":"the server is overloaded","type":"server_error","param":null,"code":null}}`}
}

func contextLength(t testing.TB) reply {
	return reply{status: 400, body: fixture(t, "openai-error-400-context-length.json")}
}

func invalidRequest() reply {
	return reply{status: 400, body: `{"error":{"message":"Invalid value for 'temperature'","type":"invalid_request_error","param":"temperature","code":"invalid_value"}}`}
}

// dep returns a deployment of group served by u.
func deployment(id, group string, u *upstream) Deployment {
	return Deployment{ID: id, ModelGroup: group, Model: "openai/gpt-4o-mini-" + id, APIBase: u.base()}
}

// clock is a fake clock for WithNow.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *clock) now() time.Time                    { return time.Unix(0, c.ns.Load()) }
func (c *clock) advance(d time.Duration)           { c.ns.Add(int64(d)) }
func discardLog() *slog.Logger                     { return slog.New(slog.DiscardHandler) }
func noSleep(context.Context, time.Duration) error { return nil }

// newRouter builds a router that logs nowhere and never sleeps; the
// backoffs it would have waited are appended to *waits when waits is not
// nil.
func newRouter(t testing.TB, deps []Deployment, opts ...Option) *Router {
	t.Helper()
	r, err := New(deps, append([]Option{WithLog(discardLog())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	r.sleep = noSleep
	return r
}

// newClient returns a client with the OpenAI provider and r's middleware,
// recording every event inline.
func newClient(t testing.TB, r *Router, opts ...llmux.Option) (*llmux.Client, *record.Events) {
	t.Helper()
	rec := &record.Events{}
	tr := &http.Transport{}
	c, err := llmux.New(append([]llmux.Option{
		llmux.WithProvider(openai.New(openai.WithAPIKey(testKey))),
		llmux.WithMiddleware(r.Middleware()),
		llmux.WithCallbacks(llmux.Inline(rec)),
		llmux.WithHTTPClient(&http.Client{Transport: tr}),
		llmux.WithLog(discardLog()),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.Close(context.Background())
		tr.CloseIdleConnections()
	})
	return c, rec
}

func chat(model string) *llmux.Request {
	return &llmux.Request{Model: model, Messages: []llmux.Message{llmux.User("Hi 👋 - i'm openai")}}
}

// status returns the state's status of deployment id now.
func status(t testing.TB, r *Router, id string) Status {
	t.Helper()
	out := make([]Status, 1)
	r.book.load(context.Background(), []string{id}, r.cfg.now(), out)
	return out[0]
}

// depOf returns r's deployment id.
func depOf(t testing.TB, r *Router, id string) *dep {
	t.Helper()
	for _, g := range r.groups {
		for _, d := range g.deps {
			if d.ID == id {
				return d
			}
		}
	}
	t.Fatalf("no deployment %q", id)
	return nil
}

// routes returns "type attempt id try" for each event.
func routes(rec *record.Events) []string {
	var out []string
	for _, e := range rec.All() {
		out = append(out, string(e.Type)+" "+strconv.Itoa(e.Attempt.Number)+" "+e.Route.ModelGroup+"/"+e.Route.ModelID+" "+strconv.Itoa(e.Route.Try))
	}
	return out
}
