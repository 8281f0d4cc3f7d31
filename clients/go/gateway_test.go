package clients

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// gateway is one llmux gateway under test and what its clients expect of
// its events.
type gateway struct {
	name   string
	url    string // http://127.0.0.1:port, no /v1
	key    string // master key, "" for none
	stdout *syncBuffer
	stderr *syncBuffer
	stop   func() (exitCode int, err error)

	mu     sync.Mutex
	expect map[string]string // request id -> "success", "failure" or "none"
	order  []string
}

// expect registers a request id sent by a client and the terminal event
// it must produce: "success", "failure" or "none" (no call was made).
func (g *gateway) expectEvent(id, want string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, dup := g.expect[id]; !dup {
		g.order = append(g.order, id)
	}
	g.expect[id] = want
}

// requestID returns a new request id for t's next request, registered
// with the terminal event it must produce.
func (g *gateway) requestID(t *testing.T, want string) string {
	t.Helper()
	g.mu.Lock()
	n := len(g.order) + 1
	g.mu.Unlock()
	name := strings.NewReplacer("/", "-", " ", "_").Replace(t.Name())
	id := fmt.Sprintf("go-%s-%d", name, n)
	g.expectEvent(id, want)
	return id
}

// readExpectations reads the JSON lines {"id", "want"} the Node suite
// wrote.
func (g *gateway) readExpectations(path string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var e struct{ ID, Want string }
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return fmt.Errorf("%s: %v: %s", path, err, sc.Bytes())
		}
		g.expectEvent(e.ID, e.Want)
	}
	return sc.Err()
}

// checkEvents checks the gateway's stderr after it stopped: every client
// request has exactly the terminal event it expects (and no other request
// has one), and no line holds an upstream key or the master key.
func (g *gateway) checkEvents() []string {
	var problems []string
	out := g.stdout.String() + g.stderr.String()
	for _, secret := range []string{openaiKey, anthropicKey, g.key} {
		if secret != "" && strings.Contains(out, secret) {
			problems = append(problems, fmt.Sprintf("%s: its output holds the key %s...", g.name, secret[:12]))
		}
	}
	if strings.Contains(out, "WARNING: DATA RACE") {
		problems = append(problems, g.name+": data race in the gateway")
	}
	terminal := map[string][]string{}
	lines := 0
	for line := range strings.Lines(g.stderr.String()) {
		var ev struct {
			Event   string `json:"event"`
			TraceID string `json:"litellm_trace_id"`
			SLO     struct {
				Metadata struct {
					KeyHash string `json:"user_api_key_hash"`
				} `json:"metadata"`
			} `json:"standard_logging_object"`
		}
		if json.Unmarshal([]byte(line), &ev) != nil || ev.Event == "" {
			continue // a log line
		}
		lines++
		if ev.Event != "successful_api_call" && ev.Event != "failed_api_call" {
			continue
		}
		kind := map[string]string{"successful_api_call": "success", "failed_api_call": "failure"}[ev.Event]
		terminal[ev.TraceID] = append(terminal[ev.TraceID], kind)
		if g.key != "" && ev.SLO.Metadata.KeyHash == "" {
			problems = append(problems, fmt.Sprintf("%s: request %s: terminal event without user_api_key_hash", g.name, ev.TraceID))
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, id := range g.order {
		want, got := g.expect[id], terminal[id]
		switch {
		case want == "none" && len(got) > 0:
			problems = append(problems, fmt.Sprintf("%s: request %s: want no terminal event, got %v", g.name, id, got))
		case want != "none" && !slices.Equal(got, []string{want}):
			problems = append(problems, fmt.Sprintf("%s: request %s: want one %s event, got %v", g.name, id, want, got))
		}
	}
	for id, got := range terminal {
		if _, ok := g.expect[id]; !ok {
			problems = append(problems, fmt.Sprintf("%s: terminal events %v for request %q that no client sent", g.name, got, id))
		}
	}
	if len(problems) == 0 && testing.Verbose() {
		fmt.Printf("%s: %d event lines, one terminal event for each of %d client requests, no key in any line\n",
			g.name, lines, len(g.order))
	}
	return problems
}

// gatewayEnv is what both gateways read: the upstream keys, and the fake
// upstreams as the providers' base URLs.
func gatewayEnv(f *fakeUpstreams) map[string]string {
	return map[string]string{
		"OPENAI_API_KEY":     openaiKey,
		"OPENAI_BASE_URL":    f.openai.URL + "/v1",
		"ANTHROPIC_API_KEY":  anthropicKey,
		"ANTHROPIC_BASE_URL": f.anthropic.URL,
	}
}

// providerEnv reports whether an environment variable configures a
// provider; those of the test's environment are dropped, so only the fake
// upstreams are reached.
func providerEnv(kv string) bool {
	for _, p := range []string{"OPENAI_", "ANTHROPIC_", "AZURE_", "LLMUX_GATEWAY_"} {
		if strings.HasPrefix(kv, p) {
			return true
		}
	}
	return false
}

// cleanEnv returns the environment without provider settings, plus extra.
func cleanEnv(extra map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !providerEnv(kv) {
			env = append(env, kv)
		}
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

// buildLLMux builds ../../cmd/llmux in the main module (so the binary is
// the one its go.mod pins), with the race detector when this test has it.
func buildLLMux(dir string) (string, error) {
	bin := filepath.Join(dir, "llmux")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "./cmd/llmux")...)
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/llmux: %v\n%s", err, out)
	}
	return bin, nil
}

// freePort returns a port nothing listens on right now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startProcess runs `llmux serve --port <free> --events [args...]` with
// env and waits until it is ready.
func startProcess(name, bin string, env map[string]string, args ...string) (*gateway, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	g := &gateway{name: name, url: "http://127.0.0.1:" + strconv.Itoa(port), stdout: &syncBuffer{}, stderr: &syncBuffer{},
		expect: map[string]string{}}
	cmd := exec.Command(bin, append([]string{"serve", "--port", strconv.Itoa(port), "--events"}, args...)...)
	cmd.Env = cleanEnv(env)
	cmd.Stdout, cmd.Stderr = g.stdout, g.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	g.stop = func() (int, error) {
		select {
		case <-exited:
			return cmd.ProcessState.ExitCode(), fmt.Errorf("exited before SIGTERM: %v", waitErr)
		default:
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			return -1, err
		}
		select {
		case <-exited:
			return cmd.ProcessState.ExitCode(), nil
		case <-time.After(45 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			return -1, errors.New("still running 45s after SIGTERM: killed")
		}
	}
	if err := waitReady(g.url, exited); err != nil {
		_, _ = g.stop()
		return nil, fmt.Errorf("%v\nstderr:\n%s", err, g.stderr.String())
	}
	return g, nil
}

// waitReady polls /health/readiness until it answers 200.
func waitReady(url string, exited <-chan struct{}) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("gateway exited before it was ready")
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/health/readiness", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				cancel()
				return nil
			}
		}
		cancel()
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("gateway not ready after 30s")
}

// healthy fails t unless the gateway answers its readiness probe.
func healthy(t *testing.T, g *gateway) {
	t.Helper()
	resp, err := http.Get(g.url + "/health/readiness")
	if err != nil {
		t.Fatalf("readiness: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("readiness: %s", resp.Status)
	}
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a
// process's output and of loggers.
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
