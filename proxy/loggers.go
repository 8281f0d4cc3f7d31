package proxy

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/file"
	"github.com/llmux/llmux/integration/jsonl"
	"github.com/llmux/llmux/integration/nats"
	"github.com/llmux/llmux/integration/otel"
	"github.com/llmux/llmux/integration/prometheus"
	"github.com/llmux/llmux/integration/spend"
	"github.com/llmux/llmux/integration/webhook"
	"github.com/llmux/llmux/proxy/config"
)

// LoggerFactory builds a logger that a config names in
// litellm_settings.callbacks (or success_callback, failure_callback).
// getenv gives the environment the config sees.
type LoggerFactory func(getenv func(string) string) (any, error)

// builtinLoggers is the one table of the loggers a config may name.
// Integrations register here.
var builtinLoggers = map[string]LoggerFactory{
	"stdout": func(func(string) string) (any, error) { return jsonl.New(os.Stdout), nil },
	"stderr": func(func(string) string) (any, error) { return jsonl.New(os.Stderr), nil },
	"jsonl":  func(func(string) string) (any, error) { return jsonl.New(os.Stdout), nil },
	// One standard_logging_object line per finished request on stdout.
	"payloads": func(func(string) string) (any, error) { return jsonl.NewPayloads(os.Stdout), nil },
	"sql":      spend.Factory, // spend log: $LLMUX_SPEND_DB, else $DATABASE_URL, else llmux.db
	"nats":     nats.Factory,  // JetStream: $LLMUX_NATS_URL, $LLMUX_NATS_SUBJECT, $LLMUX_NATS_STREAM, $LLMUX_NATS_CREDS

	"prometheus": prometheus.FromEnv, // metrics at /metrics (LLMUX_METRICS_REQUIRE_AUTH)
	"otel":       otel.FromEnv,       // OTLP traces (OTEL_EXPORTER, OTEL_ENDPOINT, OTEL_HEADERS, OTEL_EXPORTER_OTLP_*)
	// LiteLLM's generic API logger: GENERIC_LOGGER_ENDPOINT, GENERIC_LOGGER_HEADERS.
	"generic_api": func(getenv func(string) string) (any, error) {
		return webhook.FromEnv(getenv, webhook.WithName("generic_api"))
	},
	"webhook": func(getenv func(string) string) (any, error) { return webhook.FromEnv(getenv) },
	// Payload lines to LLMUX_FILE_PATH, rotated by size.
	"file": func(getenv func(string) string) (any, error) { return file.FromEnv(getenv) },
}

// LoggerNames returns the names a config may use in its callbacks: the
// built-in ones and those added with extra.
func LoggerNames(extra map[string]LoggerFactory) []string {
	var names []string
	for n := range builtinLoggers {
		names = append(names, n)
	}
	for n := range extra {
		if _, ok := builtinLoggers[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// WithLoggerFactory lets a config name a logger of yours in its
// callbacks: a custom binary (see [Main]) registers it, and
// litellm_settings.callbacks: [name] turns it on. It replaces a built-in
// logger of the same name.
func WithLoggerFactory(name string, f LoggerFactory) Option {
	return func(s *settings) error {
		if name == "" || f == nil {
			return fmt.Errorf("proxy: WithLoggerFactory: empty name or nil factory")
		}
		if s.loggerFactories == nil {
			s.loggerFactories = map[string]LoggerFactory{}
		}
		s.loggerFactories[name] = f
		return nil
	}
}

// buildLoggers makes the loggers a config names: callbacks get every
// event, success_callback only successes, failure_callback only failures
// (LiteLLM's three lists). A name in several lists gets one logger that
// sees the union.
func buildLoggers(callbacks, success, failure []string, settings map[string]config.CallbackSettings, extra map[string]LoggerFactory, getenv func(string) string) ([]any, error) {
	type want struct{ all, success, failure bool }
	wants := map[string]*want{}
	var order []string
	add := func(names []string, f func(*want)) {
		for _, n := range names {
			w, ok := wants[n]
			if !ok {
				w = &want{}
				wants[n] = w
				order = append(order, n)
			}
			f(w)
		}
	}
	add(callbacks, func(w *want) { w.all = true })
	add(success, func(w *want) { w.success = true })
	add(failure, func(w *want) { w.failure = true })
	var out []any
	for _, n := range order {
		f, ok := extra[n]
		if !ok {
			f, ok = builtinLoggers[n]
		}
		if !ok {
			return nil, fmt.Errorf("callback %q: no such logger (known: %v)", n, LoggerNames(extra))
		}
		l, err := f(getenv)
		if err != nil {
			return nil, fmt.Errorf("callback %q: %w", n, err)
		}
		w := wants[n]
		switch {
		case w.all || (w.success && w.failure):
		case w.success:
			l = onlySuccess{l}
		default:
			l = onlyFailure{l}
		}
		if cs, ok := settings[n]; ok && cs.MessageLogging != nil && !*cs.MessageLogging {
			l = llmux.RedactMessages(l) // callback_settings.<n>.message_logging: false
		}
		out = append(out, l)
	}
	return out, nil
}

// onlySuccess passes a logger success events only (success_callback).
type onlySuccess struct{ l any }

func (o onlySuccess) LogSuccessEvent(ctx context.Context, e *llmux.Event) {
	if s, ok := o.l.(llmux.SuccessLogger); ok {
		s.LogSuccessEvent(ctx, e)
	}
}

func (o onlySuccess) Shutdown(ctx context.Context) error { return shutdown(ctx, o.l) }

// onlyFailure passes a logger failure events only (failure_callback).
type onlyFailure struct{ l any }

func (o onlyFailure) LogFailureEvent(ctx context.Context, e *llmux.Event) {
	if s, ok := o.l.(llmux.FailureLogger); ok {
		s.LogFailureEvent(ctx, e)
	}
}

func (o onlyFailure) Shutdown(ctx context.Context) error { return shutdown(ctx, o.l) }

func shutdown(ctx context.Context, l any) error {
	switch v := l.(type) {
	case llmux.Shutdowner:
		return v.Shutdown(ctx)
	case llmux.Flusher:
		return v.Flush(ctx)
	case io.Closer:
		return v.Close()
	}
	return nil
}
