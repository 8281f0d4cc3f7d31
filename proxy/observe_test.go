package proxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/llmux/llmux/proxy/config"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

const metricsYAML = `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: mock/gpt-4o
litellm_settings:
  callbacks: ["prometheus"]
  num_retries: 0
general_settings:
  master_key: os.environ/LLMUX_MASTER_KEY
`

// metricsGateway serves metricsYAML with the given environment.
func metricsGateway(t *testing.T, env map[string]string) *gateway {
	t.Helper()
	getenv := func(k string) string { return env[k] }
	cfg, err := config.Load([]byte(metricsYAML), config.WithLookupEnv(lookupFrom(getenv)))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(WithConfig(cfg, getenv), WithLog(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		_ = srv.Close(context.Background())
	})
	return &gateway{Server: ts, srv: srv}
}

func getMetrics(t *testing.T, url string, header ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	status, _, b := send(t, req, header...)
	return status, b
}

// metricValue finds the series of family name with exactly the labels
// want in a parsed exposition.
func metricValue(mfs map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	for _, m := range mfs[name].GetMetric() {
		got := map[string]string{}
		for _, lp := range m.GetLabel() {
			got[lp.GetName()] = lp.GetValue()
		}
		if !cmp.Equal(got, want) {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

// TestMetrics_PrometheusCallbackServesMetrics: with the "prometheus"
// callback, the gateway serves /metrics without the master key (as
// LiteLLM does); a scrape parsed with expfmt shows the requests by
// status, the error code, tokens and the delivery counters of the
// client's loggers.
func TestMetrics_PrometheusCallbackServesMetrics(t *testing.T) {
	g := metricsGateway(t, map[string]string{"LLMUX_MASTER_KEY": masterKey})
	auth := []string{"Authorization", "Bearer " + masterKey}
	for range 2 {
		if status, _, body := g.post(t, "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`, auth...); status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
	}
	if status, _, body := g.post(t, "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"mock_response":"litellm.RateLimitError"}`, auth...); status != 429 {
		t.Fatalf("status %d, want 429: %s", status, body)
	}
	g.flush(t)

	status, body := getMetrics(t, g.URL)
	if status != 200 {
		t.Fatalf("GET /metrics without a key: %d %s", status, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, body)
	}
	call := func(kv ...string) map[string]string {
		m := map[string]string{"model": "mock/gpt-4o", "provider": "mock", "model_group": "gpt-4o"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"llmux_requests_total", call("status", "success"), 2},
		{"llmux_requests_total", call("status", "failure"), 1},
		{"llmux_errors_total", call("code", "rate_limited"), 1},
		{"llmux_request_duration_seconds", call(), 3},
		{"llmux_tokens_total", call("type", "prompt"), 20},
		{"llmux_tokens_total", call("type", "completion"), 40},
		{"llmux_logger_events_emitted_total", map[string]string{"logger": "prometheus"}, 3},
		{"llmux_logger_events_delivered_total", map[string]string{"logger": "prometheus"}, 3},
		{"llmux_logger_events_dropped_total", map[string]string{"logger": "prometheus", "reason": "queue_full"}, 0},
		{"llmux_logger_events_queued", map[string]string{"logger": "prometheus"}, 0},
	} {
		got, ok := metricValue(mfs, tc.name, tc.labels)
		if !ok || got != tc.want {
			t.Errorf("%s%v = %v (present %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	if t.Failed() {
		t.Logf("exposition:\n%s", body)
	}
}

// TestMetrics_RequireAuth: LLMUX_METRICS_REQUIRE_AUTH=true makes /metrics
// need the master key; without the prometheus callback there is no
// /metrics.
func TestMetrics_RequireAuth(t *testing.T) {
	g := metricsGateway(t, map[string]string{"LLMUX_MASTER_KEY": masterKey, "LLMUX_METRICS_REQUIRE_AUTH": "true"})
	if status, _ := getMetrics(t, g.URL); status != 401 {
		t.Errorf("without the key: %d, want 401", status)
	}
	if status, body := getMetrics(t, g.URL, "Authorization", "Bearer "+masterKey); status != 200 {
		t.Errorf("with the key: %d %s", status, body)
	}

	none := newGateway(t, nil, nil)
	if status, _ := getMetrics(t, none.URL); status != 404 {
		t.Errorf("without the prometheus callback: %d, want 404", status)
	}
}

// TestMetrics_OtelCallbackExportsAndIsCounted: a config naming "otel"
// (OTEL_ENDPOINT at an in-test OTLP/HTTP receiver, LiteLLM's variable)
// and "prometheus": the call's spans reach the receiver, the request's
// traceparent as the call span's parent, and /metrics shows the otel
// exporter's spans as delivered.
func TestMetrics_OtelCallbackExportsAndIsCounted(t *testing.T) {
	var mu sync.Mutex
	var names []string
	parents := map[string]string{} // span name -> trace id/parent span id
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var req coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(b, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		for _, rs := range req.GetResourceSpans() {
			for _, ss := range rs.GetScopeSpans() {
				for _, sp := range ss.GetSpans() {
					names = append(names, sp.GetName())
					parents[sp.GetName()] = fmt.Sprintf("%x/%x", sp.GetTraceId(), sp.GetParentSpanId())
				}
			}
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer recv.Close()
	yaml := strings.Replace(metricsYAML, `callbacks: ["prometheus"]`, `callbacks: ["prometheus", "otel"]`, 1)
	getenv := func(k string) string {
		return map[string]string{"LLMUX_MASTER_KEY": masterKey, "OTEL_EXPORTER": "otlp_http", "OTEL_ENDPOINT": recv.URL}[k]
	}
	cfg, err := config.Load([]byte(yaml), config.WithLookupEnv(lookupFrom(getenv)))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(WithConfig(cfg, getenv), WithLog(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Close(context.Background())
	g := &gateway{Server: ts, srv: srv}
	if status, _, body := g.post(t, "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`,
		"Authorization", "Bearer "+masterKey, "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"); status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	g.flush(t) // delivers the events, then flushes the exporter
	mu.Lock()
	got := append([]string(nil), names...)
	mu.Unlock()
	sort.Strings(got)
	if diff := cmp.Diff([]string{"attempt 1 mock/gpt-4o", "chat gpt-4o"}, got); diff != "" {
		t.Errorf("spans received (-want +got):\n%s", diff)
	}
	// The client's traceparent is the call span's parent.
	mu.Lock()
	callParent := parents["chat gpt-4o"]
	mu.Unlock()
	if callParent != "4bf92f3577b34da6a3ce929d0e0e4736/00f067aa0ba902b7" {
		t.Errorf("call span trace/parent %q, want the request's traceparent", callParent)
	}
	_, body := getMetrics(t, g.URL)
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sink := "otel:" + recv.URL + "/v1/traces"
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"llmux_sink_records_emitted_total", map[string]string{"sink": sink}, 2},
		{"llmux_sink_records_delivered_total", map[string]string{"sink": sink}, 2},
		{"llmux_sink_records_queued", map[string]string{"sink": sink}, 0},
		{"llmux_sink_records_dropped_total", map[string]string{"sink": sink, "reason": "export_failed"}, 0},
		{"llmux_logger_events_delivered_total", map[string]string{"logger": "otel"}, 3}, // pre, post, success
	} {
		if v, ok := metricValue(mfs, tc.name, tc.labels); !ok || v != tc.want {
			t.Errorf("%s%v = %v (present %v), want %v", tc.name, tc.labels, v, ok, tc.want)
		}
	}
	if t.Failed() {
		t.Logf("exposition:\n%s", body)
	}
}
