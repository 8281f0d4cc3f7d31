package responses

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/openai"
	"github.com/llmux/llmux/provider/providertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testKey = "sk-test-0123456789abcdef"

// fixedClockAndIDs makes the clock and the ids of this test's responses
// deterministic: 2025-11-24T16:16:39Z, and bases 000...001, 000...002, ...
func fixedClockAndIDs(t testing.TB) {
	t.Helper()
	oldNow, oldBase := now, newBase
	now = func() time.Time { return time.Unix(1764000999, 0) }
	n := 0
	newBase = func() string { n++; return fmt.Sprintf("%048x", n) }
	t.Cleanup(func() { now, newBase = oldNow, oldBase })
}

// decodeFixture decodes testdata/name, a chat.completion body, as the
// OpenAI provider does.
func decodeFixture(t testing.TB, name string) *llmux.Response {
	t.Helper()
	resp, err := openai.DecodeResponse("openai", providertest.Fixture(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// streamFixture streams testdata/name, a chat SSE body, through an llmux
// client and the OpenAI provider, and returns its chunks and the
// accumulated response, as the gateway would see them.
func streamFixture(t testing.TB, name string) ([]*llmux.Chunk, *llmux.Response) {
	t.Helper()
	srv, _ := providertest.Serve(t, http.StatusOK, nil, providertest.Fixture(t, name))
	ctx := context.Background()
	c, err := llmux.New(llmux.WithProvider(openai.New(openai.WithBaseURL(srv.URL), openai.WithAPIKey(testKey))))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close(ctx) }()
	s, err := c.Stream(ctx, &llmux.Request{Model: "openai/gpt-4o-mini", Messages: []llmux.Message{llmux.User("hi")}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	var chunks []*llmux.Chunk
	for s.Next() {
		chunks = append(chunks, s.Chunk())
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return chunks, s.Response()
}

// event is one parsed server-sent event.
type event struct {
	name string
	data map[string]any
	raw  string
}

// parseSSE splits an event stream, failing on anything but "event:" and
// "data:" lines in pairs.
func parseSSE(t testing.TB, b []byte) []event {
	t.Helper()
	var out []event
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	var cur event
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.raw = strings.TrimPrefix(line, "data: ")
			if err := json.Unmarshal([]byte(cur.raw), &cur.data); err != nil {
				t.Fatalf("event %d: %v: %s", len(out), err, cur.raw)
			}
		case line == "":
			if cur.name == "" || cur.data == nil {
				t.Fatalf("event %d: incomplete event %+v", len(out), cur)
			}
			out = append(out, cur)
			cur = event{}
		default:
			t.Fatalf("unexpected line %q", line)
		}
	}
	if cur.name != "" {
		t.Fatalf("stream ends inside an event: %+v", cur)
	}
	return out
}

// pretty indents JSON for golden files.
func pretty(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	out.WriteByte('\n')
	return out.Bytes()
}
