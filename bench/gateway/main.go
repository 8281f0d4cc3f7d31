// Command gateway is llmux serve with three loggers compiled in, the
// gateway the load figures in the README are measured on: a spend log
// building LiteLLM's standard payload of every finished request, a JSON
// lines logger writing that payload (to io.Discard: the formatting is the
// cost, not the disk), as LiteLLM's file and bucket loggers do, and a
// counter of every event, as a metrics logger does. Run it with the bench
// config, which routes gpt-4o-mini to the harness's mock upstream:
//
//	go run ./bench/gateway --config bench/gateway/config.yaml --port 4000
//
// then point ../shared/tools/gatewaybench at http://127.0.0.1:4000. With
// LLMUX_BENCH_PPROF=127.0.0.1:6060 it serves net/http/pprof there.
package main

import (
	"context"
	"io"
	"math"
	"net/http"
	_ "net/http/pprof"
	"os"
	"sync/atomic"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/jsonl"
	"github.com/llmux/llmux/litellm"
	"github.com/llmux/llmux/proxy"
)

func main() {
	if addr := os.Getenv("LLMUX_BENCH_PPROF"); addr != "" { // profiles under load: /debug/pprof/
		go func() { _ = http.ListenAndServe(addr, nil) }()
	}
	var opts []proxy.Option
	if os.Getenv("LLMUX_BENCH_NO_LOGGERS") == "" { // set it to measure the gateway alone
		opts = append(opts, proxy.WithCallbacks(&spendLog{}, jsonl.NewPayloads(io.Discard), &counter{}))
	}
	proxy.Main(opts...)
}

// spendLog keeps the total cost from the standard payload of each
// finished request, as a spend-tracking logger does.
type spendLog struct{ micros atomic.Int64 }

func (l *spendLog) add(e *llmux.Event) {
	p := litellm.Payload(e)
	l.micros.Add(int64(math.Round(p.ResponseCost * 1e6)))
}

func (l *spendLog) LogSuccessEvent(_ context.Context, e *llmux.Event) { l.add(e) }
func (l *spendLog) LogFailureEvent(_ context.Context, e *llmux.Event) { l.add(e) }

// counter counts events, as a metrics logger does.
type counter struct{ pre, post, stream, ok, failed atomic.Int64 }

func (c *counter) LogPreAPICall(context.Context, *llmux.Event)                { c.pre.Add(1) }
func (c *counter) LogPostAPICall(context.Context, *llmux.Event)               { c.post.Add(1) }
func (c *counter) LogStreamEvent(context.Context, *llmux.Event, *llmux.Chunk) { c.stream.Add(1) }
func (c *counter) LogSuccessEvent(context.Context, *llmux.Event)              { c.ok.Add(1) }
func (c *counter) LogFailureEvent(context.Context, *llmux.Event)              { c.failed.Add(1) }
