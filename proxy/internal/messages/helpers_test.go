package messages

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/anthropic"
	"github.com/llmux/llmux/provider/openai"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var bg = context.Background()

// fixture returns testdata/name.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// upstream is a fake API that records the bodies it receives and answers a
// streamed request ("stream":true) with one canned body, any other with
// another.
type upstream struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies [][]byte
}

func newUpstream(t testing.TB, answer, streamAnswer []byte) *upstream {
	t.Helper()
	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.bodies = append(u.bodies, b)
		u.mu.Unlock()
		var probe struct {
			Stream bool `json:"stream"`
		}
		_ = json.Unmarshal(b, &probe)
		if probe.Stream {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = w.Write(streamAnswer)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

// last returns the last body received.
func (u *upstream) last(t testing.TB) []byte {
	t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.bodies) == 0 {
		t.Fatal("the upstream received no request")
	}
	return u.bodies[len(u.bodies)-1]
}

// anthropicClient returns a client whose Anthropic provider calls u.
func (u *upstream) anthropicClient(t testing.TB) *llmux.Client {
	t.Helper()
	return newClient(t, anthropic.New(anthropic.WithAPIKey("sk-ant-test-0123456789"), anthropic.WithBaseURL(u.srv.URL)))
}

// openAIClient returns a client whose OpenAI provider calls u.
func (u *upstream) openAIClient(t testing.TB) *llmux.Client {
	t.Helper()
	return newClient(t, openai.New(openai.WithAPIKey("sk-test-0123456789"), openai.WithBaseURL(u.srv.URL)))
}

func newClient(t testing.TB, p llmux.Provider) *llmux.Client {
	t.Helper()
	c, err := llmux.New(llmux.WithProvider(p), llmux.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(bg) })
	return c
}

// call runs req, streamed when req.Stream is set, and returns the response
// (the stream's accumulated one).
func call(t testing.TB, c *llmux.Client, req *llmux.Request) *llmux.Response {
	t.Helper()
	if !req.Stream {
		resp, err := c.Completion(bg, req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	s, err := c.Stream(bg, req)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for s.Next() {
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return s.Response()
}

// relay streams req through c into a StreamWriter, as the gateway does,
// and returns what it wrote and how many times it flushed.
func relay(t testing.TB, c *llmux.Client, req *llmux.Request, model string) ([]byte, int) {
	t.Helper()
	s, err := c.Stream(bg, req)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var buf bytes.Buffer
	flushes := 0
	sw := NewStreamWriter(&buf, func() { flushes++ }, model)
	for s.Next() {
		if err := sw.Chunk(s.Chunk()); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Err(); err != nil {
		if err := sw.Fail(err); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes(), flushes
	}
	if err := sw.Finish(s.Response()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), flushes
}

// sseEvent is one server-sent event, its data decoded.
type sseEvent struct {
	Name string
	Data any
}

// parseSSE splits an event stream into events; it fails the test on an
// event whose name and data type differ or whose data is not JSON.
func parseSSE(t testing.TB, b []byte) []sseEvent {
	t.Helper()
	var (
		out  []sseEvent
		name string
		data []string
	)
	flush := func() {
		if name == "" && data == nil {
			return
		}
		var v any
		if err := json.Unmarshal([]byte(strings.Join(data, "\n")), &v); err != nil {
			t.Fatalf("event %q: data is not JSON: %v", name, err)
		}
		if typ, _ := v.(map[string]any)["type"].(string); typ != name {
			t.Errorf("event %q has data of type %q", name, typ)
		}
		out = append(out, sseEvent{Name: name, Data: v})
		name, data = "", nil
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			flush()
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: "))
		}
	}
	flush()
	return out
}

// decode returns the JSON value of b.
func decode(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return v
}

// jsonDiff returns the difference between two JSON documents, "" when
// they are JSON-equal.
func jsonDiff(t testing.TB, got, want []byte) string {
	t.Helper()
	return cmp.Diff(decode(t, want), decode(t, got))
}
