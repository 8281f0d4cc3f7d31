package proxy

import (
	"net/http"

	"github.com/llmux/llmux"
)

// MetricsLogger is a logger that serves metrics (the "prometheus"
// callback): the gateway serves the handler of the first configured one
// at GET /metrics. Like LiteLLM's, /metrics needs no key unless the logger
// also has MetricsRequireAuth() returning true; then it needs the master
// key as every API route does. A logger that also has
// SetStats(func() []llmux.LoggerStats) gets the gateway client's
// [llmux.Client.Stats], so it can export every logger's delivery counters.
type MetricsLogger interface {
	MetricsHandler() http.Handler
}

// mountMetrics serves /metrics when a logger serves metrics.
func (s *Server) mountMetrics(m *http.ServeMux) {
	for _, l := range s.set.callbacks {
		switch w := l.(type) {
		case onlySuccess:
			l = w.l
		case onlyFailure:
			l = w.l
		}
		ml, ok := l.(MetricsLogger)
		if !ok {
			continue
		}
		if st, ok := l.(interface {
			SetStats(func() []llmux.LoggerStats)
		}); ok {
			st.SetStats(s.client.Stats)
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
