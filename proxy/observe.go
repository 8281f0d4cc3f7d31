package proxy

import (
	"context"
	"net/http"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/delivery"
)

// MetricsLogger is a logger that serves metrics (the "prometheus"
// callback): the gateway serves the handler of the first configured one
// at GET /metrics. Like LiteLLM's, /metrics needs no key unless the logger
// also has MetricsRequireAuth() returning true; then it needs the master
// key as every API route does. A logger that also has
// SetStats(func() []llmux.LoggerStats) gets the gateway client's
// [llmux.Client.Stats], so it can export every logger's delivery counters;
// one with SetSinks(func() []delivery.Stats) gets [delivery.All] plus the
// SinkStats() of every logger that has it (the otel exporter's).
type MetricsLogger interface {
	MetricsHandler() http.Handler
}

// mountMetrics serves /metrics when a logger serves metrics.
func (s *Server) mountMetrics(m *http.ServeMux) {
	loggers := make([]any, len(s.set.callbacks))
	var sinks []interface{ SinkStats() delivery.Stats }
	for i, l := range s.set.callbacks {
		switch w := l.(type) {
		case onlySuccess:
			l = w.l
		case onlyFailure:
			l = w.l
		}
		loggers[i] = l
		if ss, ok := l.(interface{ SinkStats() delivery.Stats }); ok {
			sinks = append(sinks, ss)
		}
	}
	for _, l := range loggers {
		ml, ok := l.(MetricsLogger)
		if !ok {
			continue
		}
		if st, ok := l.(interface {
			SetStats(func() []llmux.LoggerStats)
		}); ok {
			st.SetStats(s.client.Stats)
		}
		if ss, ok := l.(interface {
			SetSinks(func() []delivery.Stats)
		}); ok && len(sinks) > 0 {
			ss.SetSinks(func() []delivery.Stats {
				out := delivery.All()
				for _, s := range sinks {
					out = append(out, s.SinkStats())
				}
				return out
			})
		}
		auth := false
		if a, ok := l.(interface{ MetricsRequireAuth() bool }); ok {
			auth = a.MetricsRequireAuth()
		}
		h := ml.MetricsHandler()
		m.Handle("/metrics", s.wrap("/metrics", http.MethodGet, auth, func(w http.ResponseWriter, r *http.Request, _ *reqCtx) {
			h.ServeHTTP(w, r)
		}))
		return
	}
}

// requestContexter is a logger that reads a request's trace context (the
// otel callback reads W3C traceparent), so a call's spans continue the
// client's trace.
type requestContexter interface {
	RequestContext(r *http.Request) context.Context
}

// requestContexters returns the loggers that read a request's context,
// once, so a request does not ask every logger.
func requestContexters(loggers []any) []requestContexter {
	var out []requestContexter
	for _, l := range loggers {
		switch w := l.(type) {
		case onlySuccess:
			l = w.l
		case onlyFailure:
			l = w.l
		}
		if rc, ok := l.(requestContexter); ok {
			out = append(out, rc)
		}
	}
	return out
}

// withRequestContext gives r the context of every logger that reads one.
func (s *Server) withRequestContext(r *http.Request) *http.Request {
	for _, rc := range s.reqCtx {
		r = r.WithContext(rc.RequestContext(r))
	}
	return r
}
