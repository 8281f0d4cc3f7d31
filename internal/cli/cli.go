// Package cli implements the llmux command: flags in, a call through the
// llmux client, the answer and (with --events) every callback event out.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cache"
	"github.com/llmux/llmux/cache/redis"
	"github.com/llmux/llmux/integration/jsonl"
	"github.com/llmux/llmux/proxy"
)

// Exit codes.
const (
	exitOK    = 0
	exitCall  = 1 // the call failed
	exitUsage = 2 // bad command line
)

const usage = `llmux calls LLM APIs through one interface.

Usage:
  llmux serve [--config config.yaml] [--host HOST] [--port PORT] [flags]
  llmux config check config.yaml
  llmux complete --model MODEL [flags] PROMPT
  llmux spend [--by model|key|day] [--db DSN] [--since WHEN] [--format table|json]
  llmux help

Run "llmux serve --help" for the gateway's flags.

Flags of complete:
`

// Main runs the command with args (without the program name) and returns
// the exit code. getenv supplies provider keys (OPENAI_API_KEY,
// AZURE_API_KEY + AZURE_API_BASE, ANTHROPIC_API_KEY, ...).
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		newCompleteFlags(io.Discard).fs.SetOutput(stderr)
		printDefaults(stderr)
		return exitUsage
	}
	switch args[0] {
	case "complete":
		return complete(ctx, args[1:], stdin, stdout, stderr, getenv)
	case "serve":
		return proxy.Run(ctx, args[1:], stdout, stderr, getenv)
	case "spend":
		return spendCmd(ctx, args[1:], stdout, stderr, getenv, time.Now())
	case "config":
		if len(args) != 3 || args[1] != "check" {
			fmt.Fprintln(stderr, "usage: llmux config check FILE")
			return exitUsage
		}
		return proxy.CheckConfig(args[2], stdout, stderr, getenv, nil)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		printDefaults(stdout)
		return exitOK
	default:
		fmt.Fprintf(stderr, "llmux: unknown command %q (try \"llmux help\")\n", args[0])
		return exitUsage
	}
}

func printDefaults(w io.Writer) {
	f := newCompleteFlags(w)
	f.fs.SetOutput(w)
	f.fs.PrintDefaults()
}

// metadata collects repeated --metadata k=v flags.
type metadata map[string]any

func (m metadata) String() string { return fmt.Sprint(map[string]any(m)) }

func (m metadata) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", v)
	}
	m[k] = val
	return nil
}

type completeFlags struct {
	fs           *flag.FlagSet
	model        string
	stream       bool
	apiBase      string
	apiKey       string
	apiVersion   string
	system       string
	mockResponse string
	mockSet      bool
	events       bool
	maxTokens    int
	temperature  float64
	timeout      time.Duration
	retries      int
	noLog        bool
	meta         metadata
	cache        string
	redisURL     string
	cacheTTL     time.Duration
	noCache      bool
}

func newCompleteFlags(out io.Writer) *completeFlags {
	f := &completeFlags{fs: flag.NewFlagSet("complete", flag.ContinueOnError), meta: metadata{}}
	fs := f.fs
	fs.SetOutput(out)
	fs.StringVar(&f.model, "model", "", "model, as provider/model or a bare name (required)")
	fs.BoolVar(&f.stream, "stream", false, "stream the answer")
	fs.StringVar(&f.apiBase, "api-base", "", "API base URL for this call")
	fs.StringVar(&f.apiKey, "api-key", "", "API key for this call (default: the provider's environment variable)")
	fs.StringVar(&f.apiVersion, "api-version", "", "API version (Azure)")
	fs.StringVar(&f.system, "system", "", "system prompt")
	fs.Func("mock-response", "answer with this text without calling any API (LiteLLM's mock_response)", func(s string) error {
		f.mockResponse, f.mockSet = s, true
		return nil
	})
	fs.BoolVar(&f.events, "events", false, "print each callback event to stderr as one JSON line")
	fs.IntVar(&f.maxTokens, "max-tokens", 0, "maximum tokens to generate (0: provider default)")
	fs.Float64Var(&f.temperature, "temperature", -1, "sampling temperature (-1: provider default)")
	fs.DurationVar(&f.timeout, "timeout", 0, "timeout per attempt (0: 10m)")
	fs.IntVar(&f.retries, "retries", -1, "retries of retryable failures (-1: 2)")
	fs.BoolVar(&f.noLog, "turn-off-message-logging", false, "redact messages and responses in events")
	fs.Var(f.meta, "metadata", "key=value metadata carried into every event (repeatable)")
	fs.StringVar(&f.cache, "cache", "", `answer identical calls from a cache: "redis" (shared, kept across runs) or "memory" (this process only)`)
	fs.StringVar(&f.redisURL, "redis-url", "", "Redis server for --cache redis, as redis://[user:pass@]host:port/db (default: $REDIS_URL, else $REDIS_HOST/$REDIS_PORT/$REDIS_PASSWORD, else 127.0.0.1:6379)")
	fs.DurationVar(&f.cacheTTL, "cache-ttl", 0, "how long the answer stays cached (0: the cache's default)")
	fs.BoolVar(&f.noCache, "no-cache", false, "skip the cache lookup (the answer is still stored)")
	return f
}

// parse accepts flags before and after the prompt.
func (f *completeFlags) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.fs.Parse(args); err != nil {
			return nil, err
		}
		args = f.fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func complete(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	f := newCompleteFlags(stderr)
	pos, err := f.parse(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if f.model == "" {
		fmt.Fprintln(stderr, "llmux complete: --model is required")
		return exitUsage
	}
	prompt := strings.Join(pos, " ")
	if prompt == "" || prompt == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 16<<20))
		if err != nil {
			fmt.Fprintf(stderr, "llmux complete: read prompt: %v\n", err)
			return exitUsage
		}
		prompt = strings.TrimRight(string(b), "\n")
	}
	if prompt == "" {
		fmt.Fprintln(stderr, "llmux complete: a prompt is required (argument or standard input)")
		return exitUsage
	}

	req := &llmux.Request{
		Model: f.model, APIBase: f.apiBase, APIKey: f.apiKey, APIVersion: f.apiVersion,
		Timeout: f.timeout,
	}
	if f.noLog {
		req.TurnOffMessageLogging = llmux.Ptr(true)
	}
	if len(f.meta) > 0 {
		req.Metadata = f.meta
	}
	if f.system != "" {
		req.Messages = append(req.Messages, llmux.System(f.system))
	}
	req.Messages = append(req.Messages, llmux.User(prompt))
	if f.mockSet {
		req.MockResponse = f.mockResponse
	}
	if f.maxTokens > 0 {
		req.MaxTokens = &f.maxTokens
	}
	if f.temperature >= 0 {
		req.Temperature = &f.temperature
	}
	if f.retries >= 0 {
		req.MaxRetries = &f.retries
	}

	opts := proxy.EnvProviders(getenv)
	opts = append(opts, llmux.WithLog(slog.New(slog.NewTextHandler(stderr, nil))))
	if f.events {
		opts = append(opts, llmux.WithCallbacks(llmux.Inline(jsonl.New(stderr))))
	}
	if f.noCache || f.cacheTTL != 0 {
		req.Cache = &llmux.CacheControl{NoCache: f.noCache, TTL: f.cacheTTL}
	}
	switch f.cache {
	case "":
	case "memory":
		m, err := cache.NewMemory()
		if err != nil {
			fmt.Fprintf(stderr, "llmux: %v\n", err)
			return exitUsage
		}
		opts = append(opts, llmux.WithCache(m))
	case "redis":
		u := f.redisURL
		if u == "" {
			u = getenv("REDIS_URL")
		}
		rc, err := redis.New(redis.Options{URL: u})
		if err != nil {
			fmt.Fprintf(stderr, "llmux complete: --redis-url: %v\n", err)
			return exitUsage
		}
		defer rc.Close()
		opts = append(opts, llmux.WithCache(rc))
	default:
		fmt.Fprintf(stderr, "llmux complete: --cache: want redis or memory, got %q\n", f.cache)
		return exitUsage
	}
	c, err := llmux.New(opts...)
	if err != nil {
		fmt.Fprintf(stderr, "llmux: %v\n", err)
		return exitUsage
	}
	defer c.Close(context.WithoutCancel(ctx))

	if !f.stream {
		resp, err := c.Completion(ctx, req)
		if err != nil {
			fmt.Fprintf(stderr, "%v\n", err)
			return exitCall
		}
		fmt.Fprintln(stdout, resp.Text())
		return exitOK
	}
	s, err := c.Stream(ctx, req)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return exitCall
	}
	defer s.Close()
	for s.Next() {
		fmt.Fprint(stdout, s.Chunk().Text())
	}
	fmt.Fprintln(stdout)
	if err := s.Err(); err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return exitCall
	}
	return exitOK
}
