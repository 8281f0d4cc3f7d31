package proxy

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/llmux/llmux/internal/redistest"
)

// TestReplicas_ShareCooldownsThroughRedis runs two llmux serve processes on
// one config whose router shares state through the real Redis: a
// deployment that failed behind the first is skipped by the second.
func TestReplicas_ShareCooldownsThroughRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the llmux binary")
	}
	addr := redistest.Need(t)
	host, port, _ := strings.Cut(addr, ":")
	east := newFakeUpstream(t, upstreamReply{status: 503, body: `{"error":{"message":"down","type":"server_error"}}`})
	west := newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/openai-chat.json"))})
	run := fmt.Sprintf("%x", rand.Uint64()) // deployment ids unique to this run: the Redis is shared
	cfg := fmt.Sprintf(`
model_list:
  - model_name: gpt-4o
    litellm_params: {model: openai/gpt-4o-east, api_base: %s/v1, api_key: sk-east-0123456789}
    model_info: {id: east-%s}
  - model_name: gpt-4o
    litellm_params: {model: openai/gpt-4o-west, api_base: %s/v1, api_key: sk-west-0123456789}
    model_info: {id: west-%s}
router_settings:
  redis_host: %s
  redis_port: %s
  allowed_fails: 0
  cooldown_time: 60
`, east.URL, run, west.URL, run, host, port)
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "llmux")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/llmux").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	a, b := startGateway(t, bin, path), startGateway(t, bin, path)

	ask := func(base string) {
		t.Helper()
		resp, err := http.Post(base+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
	}
	for i := 0; len(east.received()) == 0; i++ {
		if i == 50 {
			t.Fatal("the first gateway never tried the failing deployment")
		}
		ask(a.url)
	}
	for range 12 {
		ask(b.url)
	}
	if n := len(east.received()); n != 1 {
		t.Errorf("the failing deployment got %d requests; the second gateway should have skipped it (cooled down by the first)", n)
	}
	a.stop(t)
	b.stop(t)
}

type gatewayProc struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
}

// startGateway runs llmux serve --config path on a free port and waits
// until it listens.
func startGateway(t *testing.T, bin, path string) *gatewayProc {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--config", path, "--port", "0")
	cmd.Env = append(os.Environ(), "OPENAI_API_KEY=", "ANTHROPIC_API_KEY=")
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	g := &gatewayProc{cmd: cmd, stderr: &syncBuffer{}}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		re := regexp.MustCompile(`"addr":"(http://[^"]+)"`)
		for sc.Scan() {
			fmt.Fprintln(g.stderr, sc.Text())
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	select {
	case g.url = <-found:
	case <-time.After(20 * time.Second):
		t.Fatalf("llmux serve did not start:\n%s", g.stderr.String())
	}
	return g
}

// stop sends SIGTERM and checks the gateway exits 0.
func (g *gatewayProc) stop(t *testing.T) {
	t.Helper()
	if err := g.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := g.cmd.Wait(); err != nil {
		t.Errorf("llmux serve exited with %v:\n%s", err, g.stderr.String())
	}
}
