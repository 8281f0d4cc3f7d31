// Command gateway is llmux serve with three loggers compiled in, the
// gateway the load figures in the README are measured on: the built-in
// prometheus logger (request, latency, token and cost metrics, served at
// /metrics), a JSON lines logger writing LiteLLM's standard payload of
// every finished request (to io.Discard: the formatting is the cost, not
// the disk), as LiteLLM's file and bucket loggers do, and a counter of
// every event (pre, post, stream, success, failure). Run it with the bench
// config, which routes gpt-4o-mini to the harness's mock upstream:
//
//	go run ./bench/gateway --config bench/gateway/config.yaml --port 4000
//
// then point ../shared/tools/gatewaybench at http://127.0.0.1:4000 (or run
// bench/gateway/measure.sh). LLMUX_BENCH_NO_LOGGERS=1 measures the gateway
// without them; with LLMUX_BENCH_PPROF=127.0.0.1:6060 it serves
// net/http/pprof there.
package main

import (
	"context"
	"io"
	"net/http"
	_ "net/http/pprof"
	"os"
	"sync/atomic"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/jsonl"
	"github.com/llmux/llmux/integration/prometheus"
	"github.com/llmux/llmux/proxy"
)

func main() {
	if addr := os.Getenv("LLMUX_BENCH_PPROF"); addr != "" { // profiles under load: /debug/pprof/
		go func() { _ = http.ListenAndServe(addr, nil) }()
	}
	var opts []proxy.Option
	if os.Getenv("LLMUX_BENCH_NO_LOGGERS") == "" { // set it to measure the gateway alone
		opts = append(opts, proxy.WithCallbacks(prometheus.New(), jsonl.NewPayloads(io.Discard), &counter{}))
	}
	proxy.Main(opts...)
}

// counter counts every event, as an event-rate metric does.
type counter struct{ pre, post, stream, ok, failed atomic.Int64 }

func (c *counter) LogPreAPICall(context.Context, *llmux.Event)                { c.pre.Add(1) }
func (c *counter) LogPostAPICall(context.Context, *llmux.Event)               { c.post.Add(1) }
func (c *counter) LogStreamEvent(context.Context, *llmux.Event, *llmux.Chunk) { c.stream.Add(1) }
func (c *counter) LogSuccessEvent(context.Context, *llmux.Event)              { c.ok.Add(1) }
func (c *counter) LogFailureEvent(context.Context, *llmux.Event)              { c.failed.Add(1) }
