package proxy

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"syscall"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cache"
	"github.com/llmux/llmux/integration/jsonl"
	"github.com/llmux/llmux/integration/spend"
	"github.com/llmux/llmux/internal/startpages"
	"github.com/llmux/llmux/provider/anthropic"
	"github.com/llmux/llmux/provider/azure"
	"github.com/llmux/llmux/provider/bedrock"
	"github.com/llmux/llmux/provider/gemini"
	"github.com/llmux/llmux/provider/openai"
	"github.com/llmux/llmux/provider/vertex"
	"github.com/llmux/llmux/proxy/config"
)

// ServeUsage is the usage of `llmux serve`, and of a binary built on Main.
const ServeUsage = `Usage: llmux serve [flags]

Serves OpenAI's and Anthropic's APIs on one address, every request through
one llmux call with its callbacks. Without --config every model name the
SDK resolves is served with keys from the environment (OPENAI_API_KEY,
ANTHROPIC_API_KEY, AZURE_API_KEY/AZURE_API_BASE/AZURE_API_VERSION),
"mock/..." models answer offline, and an in-memory cache is on.

Once listening, the gateway hands back to the kernel the pages of its
executable that only start-up touched (Linux; the pages still in use are
mapped back from the page cache when next touched), which takes its RSS
from about 30 to about 23 MB; LLMUX_KEEP_STARTUP_PAGES=1 keeps them.
Unless the GOGC variable is set, it serves with GOGC=150: its live heap
is small, and at Go's default the collector ran every hundred requests.

Flags:
`

// Main runs the gateway as `llmux serve` does, for a team building its own
// binary with its own loggers and hooks:
//
//	func main() {
//		proxy.Main(proxy.WithCallbacks(&myLogger{}), proxy.WithHooks(&myGuard{}))
//	}
//
// It reads the flags from os.Args[1:] (the same as llmux serve), serves
// until SIGINT or SIGTERM, shuts down gracefully and exits.
func Main(opts ...Option) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv, opts...)
	stop()
	os.Exit(code)
}

type serveFlags struct {
	fs        *flag.FlagSet
	host      string
	port      int
	config    string
	events    bool
	logFormat string
}

func newServeFlags(out io.Writer) *serveFlags {
	f := &serveFlags{fs: flag.NewFlagSet("serve", flag.ContinueOnError)}
	fs := f.fs
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(out, ServeUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&f.host, "host", "127.0.0.1", "address to listen on (0.0.0.0 for every interface)")
	fs.IntVar(&f.port, "port", 4000, "port to listen on (0: any free port, printed at start)")
	fs.StringVar(&f.config, "config", "", "LiteLLM config.yaml to serve (default: embedded defaults)")
	fs.BoolVar(&f.events, "events", false, "print every event to stderr as one JSON line (as llmux complete --events)")
	fs.StringVar(&f.logFormat, "log-format", "json", "format of the gateway's log lines on stderr: json or text")
	return f
}

// ServeFlags prints the flags of `llmux serve` to w.
func ServeFlags(w io.Writer) {
	f := newServeFlags(w)
	f.fs.PrintDefaults()
}

// Run runs the gateway with args (the flags of llmux serve) until ctx is
// done, and returns the exit code: 0 after a graceful shutdown, 1 when
// serving failed, 2 for bad flags or config. getenv supplies provider keys
// and os.environ/ references. opts come after those the flags build.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, opts ...Option) int {
	f := newServeFlags(stderr)
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if f.fs.NArg() > 0 {
		fmt.Fprintf(stderr, "llmux serve: unexpected argument %q\n", f.fs.Arg(0))
		return 2
	}
	formatSet := false
	f.fs.Visit(func(fl *flag.Flag) { formatSet = formatSet || fl.Name == "log-format" })
	var cfg *config.Config
	if f.config != "" {
		c, err := config.LoadFile(f.config, config.WithLookupEnv(lookupFrom(getenv)))
		if err != nil {
			fmt.Fprintf(stderr, "llmux serve: %v\n", err)
			return 2
		}
		cfg = c
		if !formatSet && cfg.General.LogFormat != "" {
			f.logFormat = cfg.General.LogFormat
		}
	}
	level := slog.LevelInfo
	if cfg != nil {
		if err := level.UnmarshalText([]byte(cfg.General.LogLevel)); err != nil {
			level = slog.LevelInfo
		}
	}
	hopts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch f.logFormat {
	case "json":
		h = slog.NewJSONHandler(stderr, hopts)
	case "text":
		h = slog.NewTextHandler(stderr, hopts)
	default:
		fmt.Fprintf(stderr, "llmux serve: --log-format: want json or text, got %q\n", f.logFormat)
		return 2
	}
	log := slog.New(h)
	base := []Option{WithLog(log)}
	if cfg != nil {
		for _, w := range cfg.Warnings {
			log.Warn(w.String())
		}
		base = append(base, WithConfig(cfg, getenv))
	} else {
		def, err := Defaults(getenv)
		if err != nil {
			fmt.Fprintf(stderr, "llmux serve: %v\n", err)
			return 2
		}
		base = append(base, def...)
	}
	if f.events {
		base = append(base, WithCallbacks(jsonl.New(stderr)))
	}
	srv, err := New(append(base, opts...)...)
	if err != nil {
		fmt.Fprintf(stderr, "llmux serve: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(f.host, strconv.Itoa(f.port)))
	if err != nil {
		_ = srv.Close(context.Background())
		fmt.Fprintf(stderr, "llmux serve: %v\n", err)
		return 1
	}
	log.Info("llmux gateway listening", "addr", "http://"+ln.Addr().String())
	if getenv("LLMUX_KEEP_STARTUP_PAGES") == "" {
		// The binary links every integration and provider; their package
		// initialisation and the set-up above touched pages that serving
		// never uses again.
		n, err := startpages.Release()
		if err != nil {
			log.Warn("start-up pages not released", "err", err)
		} else {
			log.Debug("start-up pages released", "bytes", n)
		}
	}
	defer serveGC(os.LookupEnv, log)()
	if err := srv.Serve(ctx, ln); err != nil {
		fmt.Fprintf(stderr, "llmux serve: %v\n", err)
		return 1
	}
	return 0
}

// ServeGCPercent is the collector's GOGC while serving, unless the GOGC
// environment variable sets it. The gateway's live heap is about 1 MB,
// under the runtime's 4 MB floor, while each request allocates about
// 30 KB, so at Go's default of 100 it collected every hundred requests.
// At 150, side by side (gatewaybench, three rounds each): saturated with
// 64 workers 248-258 against 270-282 µs of CPU per request and 7% more
// requests a second; 580 against 620 µs at 500 rps; RSS at 500 rps 25
// against 23 MB. 200 saved a little more CPU but took RSS at 500 rps to
// 27-30 MB.
const ServeGCPercent = 150

// serveGC sets the collector's GOGC to ServeGCPercent unless the GOGC
// variable is set, and returns what puts the previous one back.
func serveGC(lookup func(string) (string, bool), log *slog.Logger) (restore func()) {
	if _, set := lookup("GOGC"); set {
		return func() {}
	}
	old := debug.SetGCPercent(ServeGCPercent)
	log.Debug("GOGC set for serving (the GOGC variable overrides it)", "gogc", ServeGCPercent)
	return func() { debug.SetGCPercent(old) }
}

// Defaults are the gateway's embedded defaults: the providers configured
// from the environment, an in-memory cache and the spend log
// ([spend.Factory]): an SQLite file llmux.db in the working directory,
// or the database $LLMUX_SPEND_DB or $DATABASE_URL names. Set
// LLMUX_SPEND_DB=off to keep no spend log. The log is opened here and
// closed when the server is.
func Defaults(getenv func(string) string) ([]Option, error) {
	mem, err := cache.NewMemory()
	if err != nil {
		return nil, err
	}
	copts := append(EnvProviders(getenv), llmux.WithCache(mem))
	opts := []Option{WithClientOptions(copts...)}
	if getenv("LLMUX_SPEND_DB") != "off" {
		l, err := spend.Factory(getenv)
		if err != nil {
			return nil, fmt.Errorf("spend log (set LLMUX_SPEND_DB=off to run without one): %w", err)
		}
		opts = append(opts, WithCallbacks(l))
	}
	return opts, nil
}

// EnvProviders returns the built-in providers configured from the
// environment, as client options: OpenAI (OPENAI_API_KEY,
// OPENAI_BASE_URL), Azure (AZURE_API_KEY, AZURE_API_BASE,
// AZURE_API_VERSION), Anthropic (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL),
// Gemini (GOOGLE_API_KEY or GEMINI_API_KEY, GEMINI_API_BASE), Vertex AI
// (VERTEXAI_PROJECT, VERTEXAI_LOCATION, GOOGLE_APPLICATION_CREDENTIALS or
// Application Default Credentials, read on first use), Bedrock (the AWS
// credential chain or AWS_BEARER_TOKEN_BEDROCK, AWS_REGION, read on first
// use) and every OpenAI-compatible service of [openai.Family] (groq/,
// together_ai/, ollama/... with their LiteLLM variables). README's
// provider table lists them ([Providers]).
func EnvProviders(getenv func(string) string) []llmux.Option {
	ps := Providers(getenv)
	opts := make([]llmux.Option, len(ps))
	for i, p := range ps {
		opts[i] = llmux.WithProvider(p)
	}
	return opts
}

// Providers returns the built-in providers EnvProviders registers.
func Providers(getenv func(string) string) []llmux.Provider {
	oa := []openai.Option{openai.WithEnv(getenv)}
	if v := getenv("OPENAI_API_KEY"); v != "" {
		oa = append(oa, openai.WithAPIKey(v))
	}
	az := []azure.Option{}
	if v := firstOf(getenv, "AZURE_API_KEY", "AZURE_OPENAI_API_KEY"); v != "" {
		az = append(az, azure.WithAPIKey(v))
	}
	if v := firstOf(getenv, "AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT"); v != "" {
		az = append(az, azure.WithAPIBase(v))
	}
	if v := getenv("AZURE_API_VERSION"); v != "" {
		az = append(az, azure.WithAPIVersion(v))
	}
	an := []anthropic.Option{}
	if v := getenv("ANTHROPIC_API_KEY"); v != "" {
		an = append(an, anthropic.WithAPIKey(v))
	}
	if v := firstOf(getenv, "ANTHROPIC_BASE_URL", "ANTHROPIC_API_BASE"); v != "" {
		an = append(an, anthropic.WithBaseURL(v))
	}
	ge := []gemini.Option{}
	if v := firstOf(getenv, "GOOGLE_API_KEY", "GEMINI_API_KEY"); v != "" {
		ge = append(ge, gemini.WithAPIKey(v))
	}
	if v := getenv("GEMINI_API_BASE"); v != "" {
		ge = append(ge, gemini.WithBaseURL(v))
	}
	ps := []llmux.Provider{openai.New(oa...), azure.New(az...), anthropic.New(an...), gemini.New(ge...),
		vertex.New(vertex.WithEnv(getenv)), bedrock.New(bedrock.WithEnv(getenv))}
	for _, f := range openai.Family {
		p, err := openai.NewCompatible(f.Prefix, openai.WithEnv(getenv))
		if err != nil {
			panic("proxy: " + err.Error()) // Family's own prefixes are always known
		}
		ps = append(ps, p)
	}
	return ps
}

func firstOf(getenv func(string) string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// lookupFrom adapts getenv to config's lookup: an empty value counts as
// unset, as getenv cannot tell the two apart.
func lookupFrom(getenv func(string) string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v := getenv(name)
		return v, v != ""
	}
}

// CheckConfig validates the config file at path as llmux serve would load
// it, without serving or connecting to anything: it prints every problem
// (one per line, with the line number) to stderr and returns 2, or prints
// the warnings and a summary to stdout and returns 0. extra are the
// logger names a custom binary adds (see [WithLoggerFactory]).
func CheckConfig(path string, stdout, stderr io.Writer, getenv func(string) string, extra map[string]LoggerFactory) int {
	cfg, err := config.LoadFile(path, config.WithLookupEnv(lookupFrom(getenv)))
	if err == nil {
		err = cfg.Validate(config.WithCallbackNames(LoggerNames(extra)...))
	}
	if err == nil {
		err = checkRouter(cfg)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	for _, w := range cfg.Warnings {
		fmt.Fprintln(stdout, "warning:", w.String())
	}
	fmt.Fprintf(stdout, "%s: ok (%d deployments in %d model groups, %d loggers)\n", path, len(cfg.ModelList),
		len(cfg.ModelNames()), len(cfg.CallbackNames()))
	return 0
}
