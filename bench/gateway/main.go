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
// net/http/pprof there, and /debug/stages (internal/stage: where a request's
// time goes, stage by stage, in a binary built with -tags llmuxstages).
// LLMUX_BENCH_REF=127.0.0.1:18090 also serves gatewaybench's ref-json hop
// (internal/refjson) at that address from the same process, sending to
// LLMUX_BENCH_REF_UPSTREAM (default the mock's chat completions URL), so
// the two paths can be compared in one process: same binary, heap and
// runtime.
package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"sync/atomic"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/jsonl"
	"github.com/llmux/llmux/integration/prometheus"
	"github.com/llmux/llmux/internal/refjson"
	"github.com/llmux/llmux/internal/stage"
	"github.com/llmux/llmux/proxy"
)

func main() {
	if addr := os.Getenv("LLMUX_BENCH_PPROF"); addr != "" { // profiles under load: /debug/pprof/
		http.HandleFunc("/debug/stages", func(w http.ResponseWriter, _ *http.Request) { stage.Report(w) })
		go func() { _ = http.ListenAndServe(addr, nil) }()
	}
	if addr := os.Getenv("LLMUX_BENCH_REF"); addr != "" {
		go serveRef(addr, cmp.Or(os.Getenv("LLMUX_BENCH_REF_UPSTREAM"), "http://127.0.0.1:19080/v1/chat/completions"))
	}
	var opts []proxy.Option
	if os.Getenv("LLMUX_BENCH_NO_LOGGERS") == "" { // set it to measure the gateway alone
		opts = append(opts, proxy.WithCallbacks(prometheus.New(), jsonl.NewPayloads(io.Discard), &counter{}))
	}
	proxy.Main(opts...)
}

// serveRef serves the ref-json hop as gatewaybench's refproxy does: its
// server timeouts, its transport.
func serveRef(addr, upstream string) {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 1024,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	hop := refjson.New(&http.Client{Transport: tr, Timeout: 5 * time.Minute}, upstream)
	srv := &http.Server{Addr: addr, Handler: hop, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "ref-json hop:", err)
		os.Exit(1)
	}
}

// counter counts every event, as an event-rate metric does.
type counter struct{ pre, post, stream, ok, failed atomic.Int64 }

func (c *counter) LogPreAPICall(context.Context, *llmux.Event)                { c.pre.Add(1) }
func (c *counter) LogPostAPICall(context.Context, *llmux.Event)               { c.post.Add(1) }
func (c *counter) LogStreamEvent(context.Context, *llmux.Event, *llmux.Chunk) { c.stream.Add(1) }
func (c *counter) LogSuccessEvent(context.Context, *llmux.Event)              { c.ok.Add(1) }
func (c *counter) LogFailureEvent(context.Context, *llmux.Event)              { c.failed.Add(1) }
