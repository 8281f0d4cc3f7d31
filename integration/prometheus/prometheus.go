package prometheus

import (
	"context"
	"net/http"
	"sync"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/delivery"
	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultBuckets are the latency histogram buckets in seconds, from 5 ms
// to 5 minutes (LLM calls take seconds, streams minutes).
var DefaultBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}

// Logger records call metrics from success and failure events and is a
// [prom.Collector] of the delivery counters. It is safe for concurrent
// use.
type Logger struct {
	reg *prom.Registry

	requests *prom.CounterVec
	duration *prom.HistogramVec
	ttft     *prom.HistogramVec
	tokens   *prom.CounterVec
	costUSD  *prom.CounterVec
	cacheHit *prom.CounterVec
	errs     *prom.CounterVec

	requireAuth bool

	mu    sync.Mutex
	stats func() []llmux.LoggerStats
	sinks func() []delivery.Stats
}

var (
	_ llmux.SuccessLogger = (*Logger)(nil)
	_ llmux.FailureLogger = (*Logger)(nil)
	_ llmux.Named         = (*Logger)(nil)
	_ prom.Collector      = (*Logger)(nil)
)

// Option configures a [Logger].
type Option func(*Logger)

// WithBuckets sets the buckets of both latency histograms, in seconds.
// Default: [DefaultBuckets].
func WithBuckets(b []float64) Option {
	return func(l *Logger) {
		l.duration, l.ttft = latency(b)
	}
}

// WithStats sets the function that gives the loggers' delivery counters,
// usually [llmux.Client.Stats]; see [Logger.SetStats]. Default: none.
func WithStats(f func() []llmux.LoggerStats) Option {
	return func(l *Logger) { l.stats = f }
}

// WithRequireAuth asks the gateway to require its master key on /metrics
// (see [Logger.MetricsRequireAuth]). Default: false, as LiteLLM.
func WithRequireAuth(b bool) Option {
	return func(l *Logger) { l.requireAuth = b }
}

// WithSinks sets the function that gives the network sinks' counters.
// Default: [delivery.All].
func WithSinks(f func() []delivery.Stats) Option {
	return func(l *Logger) { l.sinks = f }
}

var callLabels = []string{"model", "provider", "model_group"}

func latency(b []float64) (d, t *prom.HistogramVec) {
	d = prom.NewHistogramVec(prom.HistogramOpts{
		Name:    "llmux_request_duration_seconds",
		Help:    "Duration of llmux calls, from start to end (for streams, until the stream ended).",
		Buckets: b,
	}, callLabels)
	t = prom.NewHistogramVec(prom.HistogramOpts{
		Name:    "llmux_time_to_first_token_seconds",
		Help:    "Time from the start of a streaming call to its first chunk.",
		Buckets: b,
	}, callLabels)
	return d, t
}

// New returns a logger with its own registry, holding the call metrics and
// the logger itself as the collector of delivery counters.
func New(opts ...Option) *Logger {
	l := &Logger{
		reg: prom.NewRegistry(),
		requests: prom.NewCounterVec(prom.CounterOpts{
			Name: "llmux_requests_total",
			Help: "llmux calls by outcome (status: success or failure).",
		}, append(callLabels[:3:3], "status")),
		tokens: prom.NewCounterVec(prom.CounterOpts{
			Name: "llmux_tokens_total",
			Help: "Tokens of successful calls by type (prompt or completion).",
		}, append(callLabels[:3:3], "type")),
		costUSD: prom.NewCounterVec(prom.CounterOpts{
			Name: "llmux_cost_usd_total",
			Help: "Cost in USD of successful calls whose cost is known.",
		}, callLabels),
		cacheHit: prom.NewCounterVec(prom.CounterOpts{
			Name: "llmux_cache_hits_total",
			Help: "Calls answered from the llmux cache.",
		}, callLabels),
		errs: prom.NewCounterVec(prom.CounterOpts{
			Name: "llmux_errors_total",
			Help: "Failed llmux calls by error code (llmux.CodeOf).",
		}, append(callLabels[:3:3], "code")),
		sinks: delivery.All,
	}
	l.duration, l.ttft = latency(DefaultBuckets)
	for _, o := range opts {
		o(l)
	}
	l.reg.MustRegister(l.requests, l.duration, l.ttft, l.tokens, l.costUSD, l.cacheHit, l.errs, l)
	return l
}

// Name names the logger in the client's statistics.
func (l *Logger) Name() string { return "prometheus" }

// SetStats sets the function giving the loggers' delivery counters, read
// at each scrape: pass the client's Stats once the client exists (the
// client takes its loggers when it is built, so the logger comes first).
func (l *Logger) SetStats(f func() []llmux.LoggerStats) {
	l.mu.Lock()
	l.stats = f
	l.mu.Unlock()
}

// SetSinks sets the function giving the network sinks' counters, read at
// each scrape (see [WithSinks]); the gateway adds the otel exporter's to
// [delivery.All].
func (l *Logger) SetSinks(f func() []delivery.Stats) {
	l.mu.Lock()
	l.sinks = f
	l.mu.Unlock()
}

// Registry returns the logger's registry, to register more collectors or
// to gather from it.
func (l *Logger) Registry() *prom.Registry { return l.reg }

// Handler serves the registry in Prometheus' exposition formats.
func (l *Logger) Handler() http.Handler {
	return promhttp.HandlerFor(l.reg, promhttp.HandlerOpts{Registry: l.reg})
}

// MetricsHandler is [Logger.Handler]; the gateway mounts it at /metrics.
func (l *Logger) MetricsHandler() http.Handler { return l.Handler() }

// MetricsRequireAuth tells the gateway whether /metrics needs the master
// key ([WithRequireAuth]).
func (l *Logger) MetricsRequireAuth() bool { return l.requireAuth }

// labels are the call labels. A call refused as not_found before any
// attempt (a model name nothing serves) is counted with empty model and
// provider labels, so arbitrary names sent to a gateway cannot grow the
// series without bound.
func labels(e *llmux.Event) []string {
	if e.Type == llmux.EventFailure && e.Attempt.Number == 0 && llmux.CodeOf(e.Err) == llmux.CodeNotFound {
		return []string{"", "", e.Route.ModelGroup}
	}
	return []string{e.Model, e.Provider, e.Route.ModelGroup}
}

// LogSuccessEvent records a successful call.
func (l *Logger) LogSuccessEvent(_ context.Context, e *llmux.Event) {
	lv := labels(e)
	l.requests.WithLabelValues(append(lv, "success")...).Inc()
	l.observeLatency(e, lv)
	if n := e.Usage.PromptTokens; n > 0 {
		l.tokens.WithLabelValues(append(lv, "prompt")...).Add(float64(n))
	}
	if n := e.Usage.CompletionTokens; n > 0 {
		l.tokens.WithLabelValues(append(lv, "completion")...).Add(float64(n))
	}
	if e.CostErr == nil && e.ResponseCost > 0 {
		l.costUSD.WithLabelValues(lv...).Add(e.ResponseCost)
	}
	if e.CacheHit {
		l.cacheHit.WithLabelValues(lv...).Inc()
	}
}

// LogFailureEvent records a failed call and its error code.
func (l *Logger) LogFailureEvent(_ context.Context, e *llmux.Event) {
	lv := labels(e)
	l.requests.WithLabelValues(append(lv, "failure")...).Inc()
	l.observeLatency(e, lv)
	l.errs.WithLabelValues(append(lv, llmux.CodeOf(e.Err).String())...).Inc()
}

func (l *Logger) observeLatency(e *llmux.Event, lv []string) {
	if d := e.Duration(); d > 0 {
		l.duration.WithLabelValues(lv...).Observe(d.Seconds())
	}
	if e.Stream && !e.CompletionStartTime.IsZero() && !e.StartTime.IsZero() {
		if d := e.CompletionStartTime.Sub(e.StartTime); d >= 0 {
			l.ttft.WithLabelValues(lv...).Observe(d.Seconds())
		}
	}
}
