package prometheus

import (
	"sort"

	"github.com/llmux/llmux/integration/delivery"
	prom "github.com/prometheus/client_golang/prometheus"
)

var (
	loggerEmitted = prom.NewDesc("llmux_logger_events_emitted_total",
		"Events handed to a logger of the llmux client.", []string{"logger"}, nil)
	loggerDelivered = prom.NewDesc("llmux_logger_events_delivered_total",
		"Events a logger's methods returned from (or panicked in).", []string{"logger"}, nil)
	loggerDropped = prom.NewDesc("llmux_logger_events_dropped_total",
		"Events dropped before a logger saw them, by reason (queue_full, closed).", []string{"logger", "reason"}, nil)
	loggerPanics = prom.NewDesc("llmux_logger_panics_total",
		"Logger deliveries that panicked (recovered).", []string{"logger"}, nil)
	loggerQueued = prom.NewDesc("llmux_logger_events_queued",
		"Events waiting in a logger's queue.", []string{"logger"}, nil)

	sinkEmitted = prom.NewDesc("llmux_sink_records_emitted_total",
		"Records added to a network sink's delivery queue.", []string{"sink"}, nil)
	sinkDelivered = prom.NewDesc("llmux_sink_records_delivered_total",
		"Records a network sink acknowledged.", []string{"sink"}, nil)
	sinkDropped = prom.NewDesc("llmux_sink_records_dropped_total",
		"Records a network sink's queue dropped, by reason.", []string{"sink", "reason"}, nil)
	sinkQueued = prom.NewDesc("llmux_sink_records_queued",
		"Records in a network sink's memory queue, waiting or being sent.", []string{"sink"}, nil)
	sinkSpooled = prom.NewDesc("llmux_sink_records_spooled",
		"Records in a network sink's disk spool only.", []string{"sink"}, nil)
)

// Describe sends the descriptors of the delivery metrics.
func (l *Logger) Describe(ch chan<- *prom.Desc) {
	for _, d := range []*prom.Desc{loggerEmitted, loggerDelivered, loggerDropped, loggerPanics, loggerQueued,
		sinkEmitted, sinkDelivered, sinkDropped, sinkQueued, sinkSpooled} {
		ch <- d
	}
}

// Collect reads the delivery counters of the loggers and sinks now.
// Entries sharing a name are summed (a metric's labels must be unique).
func (l *Logger) Collect(ch chan<- prom.Metric) {
	l.mu.Lock()
	stats, sinks := l.stats, l.sinks
	l.mu.Unlock()
	if stats != nil {
		type acc struct{ emitted, delivered, full, closed, panics, queued uint64 }
		byName := map[string]*acc{}
		for _, s := range stats() {
			a := byName[s.Name]
			if a == nil {
				a = &acc{}
				byName[s.Name] = a
			}
			a.emitted += s.Emitted
			a.delivered += s.Delivered
			a.full += s.DroppedQueueFull
			a.closed += s.DroppedClosed
			a.panics += s.Panics
			a.queued += s.Queued
		}
		for _, n := range sortedKeys(byName) {
			a := byName[n]
			ch <- prom.MustNewConstMetric(loggerEmitted, prom.CounterValue, float64(a.emitted), n)
			ch <- prom.MustNewConstMetric(loggerDelivered, prom.CounterValue, float64(a.delivered), n)
			ch <- prom.MustNewConstMetric(loggerDropped, prom.CounterValue, float64(a.full), n, "queue_full")
			ch <- prom.MustNewConstMetric(loggerDropped, prom.CounterValue, float64(a.closed), n, "closed")
			ch <- prom.MustNewConstMetric(loggerPanics, prom.CounterValue, float64(a.panics), n)
			ch <- prom.MustNewConstMetric(loggerQueued, prom.GaugeValue, float64(a.queued), n)
		}
	}
	if sinks != nil {
		type acc struct {
			emitted, delivered, queued, spooled uint64
			dropped                             map[string]uint64
		}
		byName := map[string]*acc{}
		for _, s := range sinks() {
			a := byName[s.Name]
			if a == nil {
				a = &acc{dropped: map[string]uint64{}}
				for _, r := range []string{delivery.DropQueueFull, delivery.DropClosed, delivery.DropPermanent, delivery.DropGaveUp} {
					a.dropped[r] = 0
				}
				byName[s.Name] = a
			}
			a.emitted += s.Emitted
			a.delivered += s.Delivered
			a.queued += s.Queued
			a.spooled += s.Spooled
			for r, n := range s.Dropped {
				a.dropped[r] += n
			}
		}
		for _, n := range sortedKeys(byName) {
			a := byName[n]
			ch <- prom.MustNewConstMetric(sinkEmitted, prom.CounterValue, float64(a.emitted), n)
			ch <- prom.MustNewConstMetric(sinkDelivered, prom.CounterValue, float64(a.delivered), n)
			for _, r := range sortedKeys(a.dropped) {
				ch <- prom.MustNewConstMetric(sinkDropped, prom.CounterValue, float64(a.dropped[r]), n, r)
			}
			ch <- prom.MustNewConstMetric(sinkQueued, prom.GaugeValue, float64(a.queued), n)
			ch <- prom.MustNewConstMetric(sinkSpooled, prom.GaugeValue, float64(a.spooled), n)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
