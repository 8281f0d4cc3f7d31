package proxy

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/proxy/config"
)

const gatewayYAML = `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o-east
      api_base: os.environ/EAST_BASE
      api_key: os.environ/EAST_KEY
    model_info: {id: east}
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o-west
      api_base: os.environ/WEST_BASE
      api_key: os.environ/WEST_KEY
    model_info: {id: west}
  - model_name: backup
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: os.environ/WEST_BASE
      api_key: os.environ/WEST_KEY
litellm_settings:
  num_retries: 3
  fallbacks: [{"gpt-4o": ["backup"]}]
router_settings:
  routing_strategy: simple-shuffle
  allowed_fails: 1
  cooldown_time: 60
general_settings:
  master_key: os.environ/LLMUX_MASTER_KEY
`

func configEnv(east, west string) func(string) string {
	env := map[string]string{
		"EAST_BASE": east + "/v1", "EAST_KEY": "sk-east-0123456789abcdef",
		"WEST_BASE": west + "/v1", "WEST_KEY": "sk-west-0123456789abcdef",
		"LLMUX_MASTER_KEY": masterKey,
	}
	return func(k string) string { return env[k] }
}

// TestConfig_ServesModelListThroughTheRouter: a LiteLLM config with two
// deployments of one group, one of them down: requests succeed on the
// other, with one terminal event each naming the route.
func TestConfig_ServesModelListThroughTheRouter(t *testing.T) {
	east := newFakeUpstream(t, upstreamReply{status: 503, body: `{"error":{"message":"down","type":"server_error"}}`})
	west := newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/openai-chat.json"))})
	getenv := configEnv(east.URL, west.URL)
	cfg, err := config.Load([]byte(gatewayYAML), config.WithLookupEnv(lookupFrom(getenv)))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	srv, err := New(WithConfig(cfg, getenv), WithCallbacks(rec), WithLog(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Close(context.Background())
	g := &gateway{Server: ts, srv: srv, rec: rec}

	for range 4 {
		status, _, body := g.post(t, "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`,
			"Authorization", "Bearer "+masterKey)
		if status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
	}
	if status, _, _ := g.post(t, "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`); status != 401 {
		t.Errorf("without the master key: %d, want 401", status)
	}
	status, _, body := g.post(t, "/v1/chat/completions", `{"model":"gpt-5","messages":[{"role":"user","content":"hi"}]}`,
		"Authorization", "Bearer "+masterKey)
	if status != 404 || !strings.Contains(string(body), "served: backup, gpt-4o") {
		t.Errorf("unknown model: %d %s", status, body)
	}
	if len(east.received()) > 2 {
		t.Errorf("the failing deployment got %d requests: it should cool down once it failed more than allowed_fails=1 times", len(east.received()))
	}
	for _, b := range west.received() {
		if !strings.Contains(string(b), `"model":"gpt-4o-west"`) {
			t.Errorf("upstream body %s, want the deployment's model", b)
		}
	}
	if h := west.headers[0].Get("Authorization"); h != "Bearer sk-west-0123456789abcdef" {
		t.Errorf("west got Authorization %q, want its own key", h)
	}
	g.flush(t)
	ts2 := rec.terminal()
	if len(ts2) != 4 { // the 401 and the 404 were refused before any call
		t.Fatalf("%d terminal events, want one per request that reached the router", len(ts2))
	}
	for _, e := range ts2[:4] {
		if e.Type != llmux.EventSuccess || e.Route.ModelGroup != "gpt-4o" || e.Route.ModelID != "west" {
			t.Errorf("event %s route %+v, want success on west", e.Type, e.Route)
		}
	}

	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/v1/models", nil)
	req.Header.Set("Authorization", "Bearer "+masterKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"id":"gpt-4o"`) || !strings.Contains(string(b), `"id":"backup"`) {
		t.Errorf("/v1/models: %s", b)
	}
}

// TestRun_ServesAConfigFileAndShutsDownOnSignal runs llmux serve --config
// as the command does, then ends it as SIGTERM would.
func TestRun_ServesAConfigFileAndShutsDownOnSignal(t *testing.T) {
	west := newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/openai-chat.json"))})
	path := filepath.Join(t.TempDir(), "config.yaml")
	// the extra key is not LiteLLM's: config check must refuse it
	if err := os.WriteFile(path, []byte(gatewayYAML+"\n  unsupported_thing: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := CheckConfig(path, &out, &errb, configEnv(west.URL, west.URL), nil); code != 2 ||
		!regexp.MustCompile(`config\.yaml:\d+: general_settings\.unsupported_thing: unknown key`).MatchString(errb.String()) {
		t.Errorf("config check of a bad file: exit %d, stderr %q", code, errb.String())
	}
	if err := os.WriteFile(path, []byte(gatewayYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := CheckConfig(path, &out, io.Discard, configEnv(west.URL, west.URL), nil); code != 0 || !strings.Contains(out.String(), "ok (3 deployments in 2 model groups") {
		t.Errorf("config check: exit %d, stdout %q", code, out.String())
	}

	g := runServe(t, []string{"--config", path, "--port", "0", "--log-format", "json"}, configEnv(west.URL, west.URL), jsonListening)
	addr, stderr := g.addr, g.stderr
	req, _ := http.NewRequest(http.MethodPost, addr+"/v1/chat/completions", strings.NewReader(`{"model":"backup","messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("Authorization", "Bearer "+masterKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	if code := g.stop(); code != 0 {
		t.Errorf("exit code %d after shutdown, want 0:\n%s", code, stderr.String())
	}
	for _, secret := range []string{masterKey, "sk-west-0123456789abcdef", "sk-east-0123456789abcdef"} {
		if strings.Contains(stderr.String(), secret) {
			t.Errorf("the gateway's log holds a secret")
		}
	}
}

// TestRun_HostAndPortFlags serves the embedded defaults on the --host and
// --port given (LiteLLM's flags): a mock model answers on that address; a
// port already taken is exit 1 naming the address; a bad flag value is
// exit 2.
func TestRun_HostAndPortFlags(t *testing.T) {
	g := runServe(t, []string{"--host", "127.0.0.2", "--port", "0"}, quietEnv, jsonListening)
	defer func() {
		if code := g.stop(); code != 0 {
			t.Errorf("exit code %d after shutdown, want 0:\n%s", code, g.stderr.String())
		}
	}()
	addr := g.addr
	if !strings.HasPrefix(addr, "http://127.0.0.2:") {
		t.Fatalf("listening on %q, want 127.0.0.2 (--host):\n%s", addr, g.stderr.String())
	}
	resp, err := http.Post(addr+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"mock/gpt-4o","messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"choices"`) {
		t.Errorf("mock model on the embedded defaults: status %d, body %s", resp.StatusCode, body)
	}

	port := strings.TrimPrefix(addr, "http://127.0.0.2:")
	var errb bytes.Buffer
	if code := Run(context.Background(), []string{"--host", "127.0.0.2", "--port", port}, io.Discard, &errb, quietEnv); code != 1 ||
		!strings.Contains(errb.String(), "127.0.0.2:"+port) {
		t.Errorf("port taken: exit %d, stderr %q; want 1 naming the address", code, errb.String())
	}
	errb.Reset()
	if code := Run(context.Background(), []string{"--port", "many"}, io.Discard, &errb, quietEnv); code != 2 ||
		!strings.Contains(errb.String(), "-port") {
		t.Errorf("--port many: exit %d, stderr %q; want 2 naming the flag", code, errb.String())
	}
}

// TestRun_LogFormatText writes the gateway's log as slog text lines
// with --log-format text, the request id on the request's line; an
// unknown format is exit 2 naming the flag.
func TestRun_LogFormatText(t *testing.T) {
	g := runServe(t, []string{"--port", "0", "--log-format", "text"}, quietEnv, `msg="llmux gateway listening" addr=(http://\S+)`)
	addr, stderr := g.addr, g.stderr
	req, _ := http.NewRequest(http.MethodPost, addr+"/v1/chat/completions", strings.NewReader(`{"model":"mock/gpt-4o","messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set("X-Request-Id", "rid-text-1")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if code := g.stop(); code != 0 || err != nil || resp.StatusCode != 200 {
		t.Fatalf("exit %d, request error %v:\n%s", code, err, stderr.String())
	}
	if !regexp.MustCompile(`(?m)^time=\S+ level=INFO .*request_id=rid-text-1`).MatchString(stderr.String()) {
		t.Errorf("no text line with the request id:\n%s", stderr.String())
	}
	var errb bytes.Buffer
	if code := Run(context.Background(), []string{"--log-format", "yaml"}, io.Discard, &errb, quietEnv); code != 2 ||
		!strings.Contains(errb.String(), "--log-format") {
		t.Errorf("--log-format yaml: exit %d, stderr %q; want 2 naming the flag", code, errb.String())
	}
}

// quietEnv is the environment of a gateway run by a test: the embedded
// default spend log off (no llmux.db in the package directory), and the
// test binary's pages left mapped.
func quietEnv(k string) string {
	return map[string]string{"LLMUX_SPEND_DB": "off", "LLMUX_KEEP_STARTUP_PAGES": "1"}[k]
}

// jsonListening finds the address in the JSON listening line.
const jsonListening = `"addr":"(http://[^"]+)"`

// running is a gateway Run by runServe.
type running struct {
	addr   string
	stderr *syncBuffer
	stop   func() int // cancels Run and returns its exit code
}

// runServe runs Run(args) on a goroutine with getenv and waits up to 10 s
// for its listening line, which listening (a regexp whose one group is the
// address) finds in its log. The gateway is stopped when the test ends,
// if stop was not called before.
func runServe(t *testing.T, args []string, getenv func(string) string, listening string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	g := &running{stderr: &syncBuffer{}}
	done := make(chan int, 1)
	go func() { done <- Run(ctx, args, io.Discard, g.stderr, getenv) }()
	var once sync.Once
	code := -1
	g.stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(10 * time.Second):
				t.Error("Run did not return")
			}
		})
		return code
	}
	t.Cleanup(func() { g.stop() }) // a test that failed half-way leaves no gateway running
	re := regexp.MustCompile(listening)
	for deadline := time.Now().Add(10 * time.Second); g.addr == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(g.stderr.String()); m != nil {
			g.addr = m[1]
		}
	}
	if g.addr == "" {
		code := g.stop()
		t.Fatalf("no listening line (exit %d):\n%s", code, g.stderr.String())
	}
	return g
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
