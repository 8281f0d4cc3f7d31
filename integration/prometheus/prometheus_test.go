package prometheus_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cache"
	"github.com/llmux/llmux/integration/delivery"
	"github.com/llmux/llmux/integration/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// scrape gets h's exposition and parses it.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: status %d: %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse exposition: %v", err)
	}
	return mfs
}

// value returns the value of the series of family name with exactly the
// labels want (counter, gauge, or a histogram's sample count), and
// whether it exists.
func value(mfs map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	mf := mfs[name]
	if mf == nil {
		return 0, false
	}
	for _, m := range mf.GetMetric() {
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

func lbl(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// TestLogger_CallMetrics makes successes, a stream, a cache hit and
// failures through a client and checks every call metric in the parsed
// exposition.
func TestLogger_CallMetrics(t *testing.T) {
	ctx := context.Background()
	m := prometheus.New(prometheus.WithSinks(func() []delivery.Stats { return nil }))
	mem, err := cache.NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	c, err := llmux.New(llmux.WithCallbacks(m), llmux.WithCache(mem))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	m.SetStats(c.Stats)
	msgs := []llmux.Message{llmux.User("hi")}
	for range 2 { // the second is a cache hit
		if _, err := c.Completion(ctx, &llmux.Request{Model: "gpt-4o", Messages: msgs, MockResponse: "Hello!"}); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Stream(ctx, &llmux.Request{Model: "gpt-4o", Messages: msgs, MockResponse: "Hello from a stream"})
	if err != nil {
		t.Fatal(err)
	}
	for s.Next() {
	}
	if err := errors.Join(s.Err(), s.Close()); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.Completion(ctx, &llmux.Request{Model: "gpt-4o", Messages: msgs, MockResponse: "litellm.RateLimitError", MaxRetries: llmux.Ptr(0)}); err == nil {
			t.Fatal("want a rate limit error")
		}
	}
	for _, name := range []string{"nosuch/model-a", "nosuch/model-b"} {
		if _, err := c.Completion(ctx, &llmux.Request{Model: name, Messages: msgs}); err == nil {
			t.Fatalf("%s: want an error", name)
		}
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	mfs := scrape(t, m.Handler())
	if testing.Verbose() {
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		t.Log(rec.Body.String())
	}
	call := func(kv ...string) map[string]string {
		return lbl(append([]string{"model", "gpt-4o", "provider", "mock", "model_group", ""}, kv...)...)
	}
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"llmux_requests_total", call("status", "success"), 3},
		{"llmux_requests_total", call("status", "failure"), 3},
		{"llmux_request_duration_seconds", call(), 6},
		{"llmux_time_to_first_token_seconds", call(), 1},
		{"llmux_cache_hits_total", call(), 1},
		{"llmux_errors_total", call("code", llmux.CodeRateLimited.String()), 3},
		// The mock's usage: 10 prompt + 20 completion tokens per call.
		{"llmux_tokens_total", call("type", "prompt"), 30},
		{"llmux_tokens_total", call("type", "completion"), 60},
		// Names no provider serves share one series.
		{"llmux_errors_total", lbl("model", "", "provider", "", "model_group", "", "code", "not_found"), 2},
		{"llmux_logger_events_emitted_total", lbl("logger", "prometheus"), 8},
		{"llmux_logger_events_delivered_total", lbl("logger", "prometheus"), 8},
		{"llmux_logger_events_dropped_total", lbl("logger", "prometheus", "reason", "queue_full"), 0},
		{"llmux_logger_events_queued", lbl("logger", "prometheus"), 0},
		{"llmux_logger_panics_total", lbl("logger", "prometheus"), 0},
	} {
		got, ok := value(mfs, tc.name, tc.labels)
		if !ok || got != tc.want {
			t.Errorf("%s%v = %v (present %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	// Two priced calls (the cache hit costs 0).
	one, err := llmux.Cost(&llmux.Response{Model: "gpt-4o", Usage: llmux.Usage{PromptTokens: 10, CompletionTokens: 20}}, "openai")
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := value(mfs, "llmux_cost_usd_total", call()); !ok || math.Abs(got-2*one.Total) > 1e-12 {
		t.Errorf("llmux_cost_usd_total = %v (present %v), want %v", got, ok, 2*one.Total)
	}
}
