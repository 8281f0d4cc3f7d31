package clients

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNode runs the Node suite (../node, node:test with npm openai and
// @anthropic-ai/sdk) against the gateway, then the suite's master-key file
// against the keyed gateway. Without node or ../node/node_modules it
// skips, except under CI=true, where it fails.
func TestNode(t *testing.T) {
	dir := filepath.Join("..", "node")
	missing := func(why string) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s (CI=true: the Node clients must run)", why)
		}
		t.Skipf("skipped: %s", why)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "openai")); err != nil {
		missing("clients/node/node_modules is missing: run `npm ci` in clients/node")
	}
	t.Run("llmux serve", func(t *testing.T) {
		runNode(t, node, dir, gw)
		// Each aborted stream hung up on the upstream too.
		deadline := time.Now().Add(5 * time.Second)
		for {
			pending := fakes.slowNotCancelled("node-")
			if len(pending) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("upstream streams not cancelled after their Node client aborted: %v", pending)
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	t.Run("master key", func(t *testing.T) { runNode(t, node, dir, keyed, "auth.test.mjs") })
}

// runNode runs `node --test [files]` in dir against g and registers the
// request ids the suite sent for the events check.
func runNode(t *testing.T, node, dir string, g *gateway, files ...string) {
	expect := filepath.Join(t.TempDir(), "expect.jsonl")
	c, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(c, node, append([]string{"--test", "--test-reporter=spec"}, files...)...)
	cmd.Dir = dir
	cmd.Env = cleanEnv(map[string]string{
		"LLMUX_GATEWAY_URL":    g.url,
		"LLMUX_GATEWAY_KEY":    g.key,
		"LLMUX_CLIENTS_EXPECT": expect,
		"NO_COLOR":             "1",
	})
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if rerr := g.readExpectations(expect); rerr != nil {
		t.Error(rerr)
	}
	if err != nil {
		t.Fatalf("node --test %s: %v\n%s", strings.Join(files, " "), err, out)
	}
	if testing.Verbose() {
		t.Logf("node --test %s (%v):\n%s", strings.Join(files, " "), time.Since(start).Round(time.Millisecond), out)
		return
	}
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, "ℹ ") || strings.Contains(line, "# SKIP") {
			t.Log(strings.TrimRight(line, "\n"))
		}
	}
}
