package clients

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	anthropicoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// masterKey is the master key of the keyed gateway.
const masterKey = "sk-llmux-master-FAKE0123456789abcdef"

var (
	fakes *fakeUpstreams
	// gw is `llmux serve --events` as a real process on the embedded
	// defaults, without a master key.
	gw *gateway
	// keyed is a second llmux serve process with a config file whose
	// general_settings.master_key guards it, serving every model ("*").
	keyed *gateway
)

// TestMain starts the fake upstreams and the gateways, runs the tests (the
// Go clients here, the Node suite from TestNode), then stops the gateways
// with SIGTERM and checks their exit and their --events lines.
func TestMain(m *testing.M) { os.Exit(runMain(m)) }

func runMain(m *testing.M) int {
	flag.Parse() // for testing.Verbose before m.Run
	for _, kv := range os.Environ() {
		if providerEnv(kv) {
			name, _, _ := strings.Cut(kv, "=")
			os.Unsetenv(name) // the SDKs read OPENAI_BASE_URL and the like
		}
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "clients: "+format+"\n", args...)
		return 1
	}
	if err := loadFixtures(filepath.Join("..", "testdata")); err != nil {
		return fail("%v", err)
	}
	fakes = startFakes()
	defer fakes.Close()
	dir, err := os.MkdirTemp("", "llmux-clients-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	bin, err := buildLLMux(dir)
	if err != nil {
		return fail("%v", err)
	}
	built := time.Since(start)
	spendDB := filepath.Join(dir, "spend.db")
	genv := gatewayEnv(fakes)
	genv["LLMUX_SPEND_DB"] = spendDB // the embedded default spend log, here instead of ./llmux.db
	if gw, err = startProcess("llmux serve", bin, genv); err != nil {
		return fail("start llmux serve: %v", err)
	}
	cfg := filepath.Join(dir, "keyed.yaml")
	if err := os.WriteFile(cfg, []byte(keyedConfig), 0o600); err != nil {
		return fail("%v", err)
	}
	env := gatewayEnv(fakes)
	env["LLMUX_MASTER_KEY"] = masterKey
	if keyed, err = startProcess("llmux serve --config (master key)", bin, env, "--config", cfg); err != nil {
		_, _ = gw.stop()
		return fail("start the keyed gateway: %v", err)
	}
	keyed.key = masterKey
	if testing.Verbose() {
		fmt.Printf("llmux built in %v (race: %v), serving at %s; keyed gateway at %s\n",
			built.Round(time.Millisecond), raceEnabled, gw.url, keyed.url)
	}
	code := m.Run()
	var problems []string
	for _, g := range []*gateway{gw, keyed} {
		exit, err := g.stop()
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: stop: %v", g.name, err))
		case exit != 0:
			problems = append(problems, fmt.Sprintf("%s: exit code %d after SIGTERM, want 0", g.name, exit))
		}
		problems = append(problems, g.checkEvents()...)
	}
	problems = append(problems, checkSpendLog(bin, spendDB)...)
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "--- FAIL: gateway events and shutdown\n")
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "    %s\n", p)
		}
		for _, g := range []*gateway{gw, keyed} {
			f, err := os.CreateTemp("", "llmux-clients-*.stderr")
			if err == nil {
				_, _ = f.WriteString(g.stderr.String())
				_ = f.Close()
				fmt.Fprintf(os.Stderr, "    %s: its stderr (events and log lines) is in %s\n", g.name, f.Name())
			}
		}
		return 1
	}
	return code
}

// keyedConfig is LiteLLM's config for a gateway that serves every model
// the SDK resolves ("*") behind a master key.
const keyedConfig = `model_list:
  - model_name: "*"
    litellm_params: {model: "*"}
general_settings:
  master_key: os.environ/LLMUX_MASTER_KEY
`

// clientKey is the key a client of g sends: the master key, or anything.
func clientKey(g *gateway) string {
	if g.key != "" {
		return g.key
	}
	return "sk-client-anything"
}

// openaiClient is openai-go pointed at g, without retries (one client
// request is one gateway request) or settings from the environment.
func openaiClient(g *gateway, opts ...option.RequestOption) openai.Client {
	base := []option.RequestOption{option.WithBaseURL(g.url + "/v1"), option.WithAPIKey(clientKey(g)), option.WithMaxRetries(0),
		option.WithRequestTimeout(30 * time.Second)}
	return openai.NewClient(append(base, opts...)...)
}

// anthropicClient is anthropic-sdk-go pointed at g, likewise.
func anthropicClient(g *gateway, opts ...anthropicoption.RequestOption) anthropic.Client {
	base := []anthropicoption.RequestOption{anthropicoption.WithoutEnvironmentDefaults(), anthropicoption.WithBaseURL(g.url),
		anthropicoption.WithAPIKey(clientKey(g)), anthropicoption.WithMaxRetries(0), anthropicoption.WithRequestTimeout(30 * time.Second)}
	return anthropic.NewClient(append(base, opts...)...)
}

// ctx returns a context for one test, ended with it.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// checkSpendLog reads the default gateway's spend log with `llmux spend`:
// the requests served are there, and no upstream key is in the file.
func checkSpendLog(bin, db string) []string {
	out, err := exec.Command(bin, "spend", "--db", db, "--format", "json").CombinedOutput()
	if err != nil {
		return []string{fmt.Sprintf("llmux spend: %v: %s", err, out)}
	}
	var rows []struct {
		Group    string `json:"group"`
		Requests int    `json:"requests"`
	}
	if err := json.Unmarshal(out, &rows); err != nil {
		return []string{fmt.Sprintf("llmux spend --format json: %v: %s", err, out)}
	}
	total := 0
	for _, r := range rows {
		total += r.Requests
	}
	var problems []string
	if total == 0 {
		problems = append(problems, fmt.Sprintf("the default spend log %s has no request: %s", db, out))
	}
	for _, f := range []string{db, db + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, k := range []string{openaiKey, anthropicKey} {
			if bytes.Contains(b, []byte(k)) {
				problems = append(problems, fmt.Sprintf("%s holds an upstream key in clear", f))
			}
		}
	}
	return problems
}
