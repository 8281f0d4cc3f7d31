package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"github.com/llmux/llmux/proxy"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"
	"go.uber.org/goleak"

	"github.com/llmux/llmux/internal/redistest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func run(t *testing.T, env map[string]string, args ...string) (code int, stdout string, events []map[string]any, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	sc := bufio.NewScanner(bytes.NewReader(errb.Bytes()))
	sc.Buffer(nil, 1<<20)
	var rest []string
	for sc.Scan() {
		line := sc.Text()
		var m map[string]any
		if strings.HasPrefix(line, "{") && json.Unmarshal([]byte(line), &m) == nil {
			events = append(events, m)
			continue
		}
		rest = append(rest, line)
	}
	return code, out.String(), events, strings.Join(rest, "\n")
}

func eventTypes(events []map[string]any) string {
	var ts []string
	for _, e := range events {
		ts = append(ts, e["event"].(string))
	}
	return strings.Join(ts, ",")
}

func TestComplete_MockWithEventsShowsCost(t *testing.T) {
	code, out, events, stderr := run(t, nil, "complete", "--model", "gpt-3.5-turbo", "--mock-response", "hi", "--events", "--metadata", "hello=world", "x")
	if code != 0 || out != "hi\n" {
		t.Fatalf("code %d out %q stderr %s", code, out, stderr)
	}
	if got := eventTypes(events); got != "pre_api_call,post_api_call,successful_api_call" {
		t.Fatalf("events %s", got)
	}
	last := events[2]
	if last["response_cost"] != 3.5e-05 || last["model"] != "gpt-3.5-turbo" {
		t.Fatalf("response_cost %v model %v", last["response_cost"], last["model"])
	}
	slo, ok := last["standard_logging_object"].(map[string]any)
	if !ok || slo["status"] != "success" || slo["response_cost"] != 3.5e-05 {
		t.Fatalf("standard_logging_object %v", last["standard_logging_object"])
	}
	lp := last["litellm_params"].(map[string]any)
	if lp["metadata"].(map[string]any)["hello"] != "world" {
		t.Fatalf("metadata %v", lp["metadata"])
	}
	if _, ok := events[0]["standard_logging_object"]; ok {
		t.Fatal("pre-call event has a standard_logging_object")
	}
	if !strings.Contains(sortedKeys(events[0]), "additional_args") {
		t.Fatalf("pre event keys %s", sortedKeys(events[0]))
	}
}

func sortedKeys(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return strings.Join(ks, ",")
}

func TestComplete_MockStream(t *testing.T) {
	code, out, events, _ := run(t, nil, "complete", "--model", "mock/demo", "--stream", "--mock-response", "one two three", "--events", "go")
	if code != 0 || out != "one two three\n" {
		t.Fatalf("code %d out %q", code, out)
	}
	last := events[len(events)-1]
	if last["event"] != "successful_api_call" || last["complete_streaming_response"] == nil {
		t.Fatalf("last event %v", last["event"])
	}
	if n := strings.Count(eventTypes(events), "stream_event"); n != 5 {
		t.Fatalf("%d stream events", n)
	}
}

func TestComplete_RealProviderThroughAPIBaseMasksKey(t *testing.T) {
	body, _ := os.ReadFile("testdata/openai-chat.json")
	var gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	key := "sk-cli-test-abcdefghijklmnop1234"
	code, out, events, stderr := run(t, nil, "complete", "--model", "openai/gpt-4o-mini", "--api-base", srv.URL, "--api-key", key, "--events", "Hello")
	if code != 0 || out != "Hello! How can I assist you today?\n" {
		t.Fatalf("code %d out %q stderr %s", code, out, stderr)
	}
	if gotAuth != "Bearer "+key {
		t.Fatalf("upstream auth %q", gotAuth)
	}
	for _, e := range events {
		b, _ := json.Marshal(e)
		if strings.Contains(string(b), "abcdefghijklmnop") {
			t.Fatalf("key leaked in %v event", e["event"])
		}
	}
	if events[0]["api_key"] != "sk-...1234" {
		t.Fatalf("api_key %v", events[0]["api_key"])
	}
}

func TestComplete_EnvironmentKeys(t *testing.T) {
	body, _ := os.ReadFile("testdata/openai-chat-stream.sse")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer sk-from-env-0000000000" {
			w.WriteHeader(401)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	env := map[string]string{"OPENAI_API_KEY": "sk-from-env-0000000000", "OPENAI_BASE_URL": srv.URL}
	code, out, _, stderr := run(t, env, "complete", "--stream", "--model", "gpt-4o-mini", "Hello")
	if code != 0 || out != "Hello! How can I assist you today?\n" {
		t.Fatalf("code %d out %q stderr %s", code, out, stderr)
	}
}

func TestComplete_FailureExitCodeAndEvent(t *testing.T) {
	code, _, events, stderr := run(t, nil, "complete", "--model", "no-such-model-xyz", "--events", "hi")
	if code != 1 || !strings.Contains(stderr, "no-such-model-xyz") {
		t.Fatalf("code %d stderr %s", code, stderr)
	}
	if got := eventTypes(events); got != "failed_api_call" {
		t.Fatalf("events %s", got)
	}
	if events[0]["exception"] == nil {
		t.Fatalf("failure event has no exception: %s", sortedKeys(events[0]))
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"bogus"},
		{"complete", "hi"},
		{"complete", "--model", "mock/x"},
		{"complete", "--model", "mock/x", "--metadata", "novalue", "hi"},
		{"complete", "--nope", "hi"},
	} {
		if code, _, _, _ := run(t, nil, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
	if code, out, _, _ := run(t, nil, "help"); code != 0 || !strings.Contains(out, "--mock-response") && !strings.Contains(out, "-mock-response") {
		t.Fatalf("help: %d %q", code, out)
	}
}

func TestComplete_EventLinesPrintCostLikeLiteLLM(t *testing.T) {
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"complete", "--model", "gpt-3.5-turbo", "--mock-response", "hi", "--events", "x"},
		strings.NewReader(""), &out, &errb, func(string) string { return "" })
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[2], `"response_cost":3.5e-05`) || !strings.HasPrefix(lines[2], "{") {
		t.Fatalf("success line: %s", lines[len(lines)-1])
	}
}

// Two runs of the command share answers through Redis: the second run is
// a hit, with one success event, cost 0 and the saved cost.
func TestComplete_RedisCacheAnswersTheNextRun(t *testing.T) {
	addr := redistest.Need(t)
	prompt := "cli cache test " + uuid.NewString() // a key of its own
	args := []string{"complete", "--model", "gpt-3.5-turbo", "--mock-response", "cached hi", "--events",
		"--cache", "redis", "--redis-url", "redis://" + addr + "/0", "--cache-ttl", "1m", prompt}
	code, out, events, stderr := run(t, nil, args...)
	if code != 0 || out != "cached hi\n" || eventTypes(events) != "pre_api_call,post_api_call,successful_api_call" {
		t.Fatalf("first run: code %d out %q events %s stderr %s", code, out, eventTypes(events), stderr)
	}
	if events[2]["cache_hit"] != false || events[2]["response_cost"] != 3.5e-05 {
		t.Errorf("first run: cache_hit %v response_cost %v", events[2]["cache_hit"], events[2]["response_cost"])
	}
	code, out, events, stderr = run(t, nil, args...)
	if code != 0 || out != "cached hi\n" || eventTypes(events) != "successful_api_call" {
		t.Fatalf("second run: code %d out %q events %s stderr %s", code, out, eventTypes(events), stderr)
	}
	e := events[0]
	if e["cache_hit"] != true || e["response_cost"] != 0.0 || e["saved_cache_cost"] != 3.5e-05 {
		t.Errorf("second run: cache_hit %v response_cost %v saved_cache_cost %v", e["cache_hit"], e["response_cost"], e["saved_cache_cost"])
	}
	slo := e["standard_logging_object"].(map[string]any)
	if id, _ := slo["id"].(string); !strings.Contains(id, "_cache_hit") {
		t.Errorf("payload id %q", id)
	}
	// --no-cache goes to the provider again.
	code, _, events, _ = run(t, nil, append(args[:len(args)-1], "--no-cache", prompt)...)
	if code != 0 || eventTypes(events) != "pre_api_call,post_api_call,successful_api_call" {
		t.Fatalf("--no-cache: code %d events %s", code, eventTypes(events))
	}
}

// An unreachable Redis costs the call nothing but a logged warning.
func TestComplete_UnreachableRedisStillAnswers(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nobody listens there now
	code, out, _, stderr := run(t, nil, "complete", "--model", "gpt-3.5-turbo", "--mock-response", "still here",
		"--cache", "redis", "--redis-url", "redis://"+addr+"/0", "x")
	if code != 0 || out != "still here\n" {
		t.Fatalf("code %d out %q stderr %s", code, out, stderr)
	}
	if !strings.Contains(stderr, "cache unavailable") {
		t.Errorf("no cache warning on stderr: %s", stderr)
	}
}

func TestComplete_CacheFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"complete", "--model", "mock/x", "--cache", "memcached", "hi"},
		{"complete", "--model", "mock/x", "--cache", "redis", "--redis-url", "http://example.com", "hi"},
	} {
		if code, _, _, stderr := run(t, nil, args...); code != 2 || !strings.Contains(stderr, "--") {
			t.Errorf("%q: exit %d, stderr %s", args, code, stderr)
		}
	}
	if code, out, _, _ := run(t, nil, "complete", "--model", "gpt-3.5-turbo", "--mock-response", "m", "--cache", "memory", "x"); code != 0 || out != "m\n" {
		t.Errorf("--cache memory: %d %q", code, out)
	}
}

// The --events exception object is LiteLLM's exception, not a Go struct:
// {"type", "code", "status_code", "message", "provider"} with the code's
// name.
func TestComplete_EventsExceptionShape(t *testing.T) {
	code, _, events, _ := run(t, nil, "complete", "--model", "gpt-3.5-turbo", "--retries", "0",
		"--mock-response", "litellm.RateLimitError", "--events", "hi")
	if code != exitCall || len(events) == 0 {
		t.Fatalf("exit %d, %d events", code, len(events))
	}
	exc, ok := events[len(events)-1]["exception"].(map[string]any)
	if !ok {
		t.Fatalf("exception = %v", events[len(events)-1]["exception"])
	}
	if exc["type"] != "RateLimitError" || exc["code"] != "rate_limited" || exc["status_code"] != float64(429) ||
		exc["provider"] != "openai" || exc["message"] == "" {
		t.Errorf("exception = %v", exc)
	}
}

// The README's synopsis of "llmux complete" names every flag the command
// has.
func TestReadme_SynopsisListsEveryFlag(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## CLI")
	if !ok {
		t.Fatal("README has no CLI section")
	}
	synopsis, _, _ := strings.Cut(after, "```\n\n")
	f := newCompleteFlags(nil)
	f.fs.VisitAll(func(fl *flag.Flag) {
		if !strings.Contains(synopsis, "--"+fl.Name) {
			t.Errorf("the README synopsis lacks --%s", fl.Name)
		}
	})
	var serve strings.Builder
	proxy.ServeFlags(&serve)
	for _, line := range strings.Split(serve.String(), "\n") {
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), "-"); ok {
			name, _, _ = strings.Cut(name, " ")
			if !strings.Contains(synopsis, "--"+name) {
				t.Errorf("the README synopsis lacks llmux serve's --%s", name)
			}
		}
	}
}
