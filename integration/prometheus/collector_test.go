package prometheus_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/delivery"
	"github.com/llmux/llmux/integration/prometheus"
)

// TestCollector_DeliveryCounters checks that the logger and sink counters
// given at scrape time are exported as they are, that entries sharing a
// name are summed and that every drop reason is present.
func TestCollector_DeliveryCounters(t *testing.T) {
	stats := []llmux.LoggerStats{
		{Name: "otel", Emitted: 10, Delivered: 6, Queued: 1, DroppedQueueFull: 2, DroppedClosed: 1, Panics: 1},
		{Name: "webhook", Emitted: 5, Delivered: 5},
		{Name: "webhook", Emitted: 3, Delivered: 1, Queued: 2},
	}
	sinks := []delivery.Stats{
		{Name: "sql", Emitted: 100, Delivered: 90, Queued: 3, Spooled: 4, Dropped: map[string]uint64{delivery.DropGaveUp: 2, delivery.DropPermanent: 1}},
		{Name: "nats", Emitted: 7, Delivered: 7},
	}
	m := prometheus.New(prometheus.WithStats(func() []llmux.LoggerStats { return stats }),
		prometheus.WithSinks(func() []delivery.Stats { return sinks }))
	mfs := scrape(t, m.Handler())
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"llmux_logger_events_emitted_total", lbl("logger", "otel"), 10},
		{"llmux_logger_events_delivered_total", lbl("logger", "otel"), 6},
		{"llmux_logger_events_dropped_total", lbl("logger", "otel", "reason", "queue_full"), 2},
		{"llmux_logger_events_dropped_total", lbl("logger", "otel", "reason", "closed"), 1},
		{"llmux_logger_panics_total", lbl("logger", "otel"), 1},
		{"llmux_logger_events_queued", lbl("logger", "otel"), 1},
		{"llmux_logger_events_emitted_total", lbl("logger", "webhook"), 8},
		{"llmux_logger_events_delivered_total", lbl("logger", "webhook"), 6},
		{"llmux_logger_events_queued", lbl("logger", "webhook"), 2},
		{"llmux_sink_records_emitted_total", lbl("sink", "sql"), 100},
		{"llmux_sink_records_delivered_total", lbl("sink", "sql"), 90},
		{"llmux_sink_records_dropped_total", lbl("sink", "sql", "reason", "gave_up"), 2},
		{"llmux_sink_records_dropped_total", lbl("sink", "sql", "reason", "permanent"), 1},
		{"llmux_sink_records_dropped_total", lbl("sink", "sql", "reason", "queue_full"), 0},
		{"llmux_sink_records_dropped_total", lbl("sink", "sql", "reason", "closed"), 0},
		{"llmux_sink_records_queued", lbl("sink", "sql"), 3},
		{"llmux_sink_records_spooled", lbl("sink", "sql"), 4},
		{"llmux_sink_records_delivered_total", lbl("sink", "nats"), 7},
	} {
		got, ok := value(mfs, tc.name, tc.labels)
		if !ok || got != tc.want {
			t.Errorf("%s%v = %v (present %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	// Values change between scrapes: they are read at scrape time.
	stats[0].Delivered = 9
	if got, _ := value(scrape(t, m.Handler()), "llmux_logger_events_delivered_total", lbl("logger", "otel")); got != 9 {
		t.Errorf("second scrape: delivered = %v, want 9", got)
	}
}

// TestCollector_DeliveryAll exports a real delivery queue (the default
// source is delivery.All): one record delivered, one refused for good.
func TestCollector_DeliveryAll(t *testing.T) {
	ctx := context.Background()
	var n int
	q, err := delivery.New(delivery.SinkFunc(func(_ context.Context, b []delivery.Record) error {
		n++
		if n == 2 {
			return errors.New("refused")
		}
		return nil
	}), delivery.Options{Name: "test-prometheus-sink", BatchSize: 1, FlushInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close(ctx)
	q.Add(delivery.Record("a"))
	if err := q.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	q.Add(delivery.Record("b"))
	if err := q.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	mfs := scrape(t, prometheus.New().Handler())
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"llmux_sink_records_emitted_total", lbl("sink", "test-prometheus-sink"), 2},
		{"llmux_sink_records_delivered_total", lbl("sink", "test-prometheus-sink"), 1},
		{"llmux_sink_records_dropped_total", lbl("sink", "test-prometheus-sink", "reason", "permanent"), 1},
		{"llmux_sink_records_queued", lbl("sink", "test-prometheus-sink"), 0},
	} {
		got, ok := value(mfs, tc.name, tc.labels)
		if !ok || got != tc.want {
			t.Errorf("%s%v = %v (present %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
}
