// Package prometheus is a logger that keeps Prometheus metrics of every
// llmux call (LiteLLM's "prometheus" callback) and exports, at scrape
// time, the delivery counters of every logger and every network sink.
//
// Call metrics, labelled by model (the deployment's model, as the event's
// Model), provider, model_group (the router's group; empty when the call
// was not routed; a call refused as not_found before any attempt, a model
// name nothing serves, has empty model and provider labels, so arbitrary
// names cannot grow the series without bound):
//
//	llmux_requests_total{model,provider,model_group,status}       status: success|failure
//	llmux_request_duration_seconds{model,provider,model_group}    histogram, call start to end
//	llmux_time_to_first_token_seconds{model,provider,model_group} histogram, streams only
//	llmux_tokens_total{model,provider,model_group,type}           type: prompt|completion
//	llmux_cost_usd_total{model,provider,model_group}              calls whose cost is known
//	llmux_cache_hits_total{model,provider,model_group}
//	llmux_errors_total{model,provider,model_group,code}           code: llmux.CodeOf(err)
//
// Delivery metrics, read when scraped:
//
//	llmux_logger_events_emitted_total{logger}     from llmux.Client.Stats
//	llmux_logger_events_delivered_total{logger}
//	llmux_logger_events_dropped_total{logger,reason}  reason: queue_full|closed
//	llmux_logger_panics_total{logger}
//	llmux_logger_events_queued{logger}            gauge
//	llmux_sink_records_emitted_total{sink}        from delivery.All
//	llmux_sink_records_delivered_total{sink}
//	llmux_sink_records_dropped_total{sink,reason} reason: queue_full|closed|permanent|gave_up|...
//	llmux_sink_records_queued{sink}               gauge
//	llmux_sink_records_spooled{sink}              gauge
//
// Each Logger has its own registry (no global state); serve it with
// [Logger.Handler]:
//
//	m := prometheus.New()
//	c, err := llmux.New(llmux.WithCallbacks(m))
//	...
//	m.SetStats(c.Stats)
//	http.Handle("/metrics", m.Handler())
//
// The gateway serves it at /metrics when its config names the
// "prometheus" callback.
package prometheus
