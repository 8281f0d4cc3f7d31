package proxy

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/jsonl"
	"github.com/llmux/llmux/integration/prometheus"
	"github.com/llmux/llmux/internal/refjson"
	"github.com/llmux/llmux/provider/openai"
	"github.com/llmux/llmux/proxy/config"
)

// The gateway's per-request CPU cost without the network: the upstream is
// an in-memory RoundTripper answering gatewaybench's mock reply, the
// client side an httptest.ResponseRecorder. "ref" is gatewaybench's
// ref-json hop (typed decode, re-encode, decode the answer, re-encode,
// async log record) on the same transport: the floor for a gateway that
// parses. Compare ns/op and allocs side by side:
//
//	go test ./proxy -run '^$' -bench Gateway_Chat -count 6

// refURL is where the ref-json hop sends requests: the in-memory upstream
// answers any URL.
const refURL = "http://upstream.invalid/v1/chat/completions"

// benchBody is gatewaybench's default request.
const benchBody = `{"max_tokens":256,"messages":[{"content":"You are a concise assistant. Answer in one paragraph.","role":"system"},{"content":"In a few sentences, explain what an LLM gateway does and why its added latency matters.","role":"user"}],"model":"gpt-4o-mini","temperature":0.2,"user":"bench-user-1"}`

// memUpstream answers every request with one fixed body, as the mock does.
type memUpstream struct{ body []byte }

func (m memUpstream) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(m.body)),
		ContentLength: int64(len(m.body)),
		Request:       r,
	}, nil
}

func benchUpstream(b *testing.B) memUpstream {
	body, err := os.ReadFile("testdata/bench_upstream_chat.json")
	if err != nil {
		b.Fatal(err)
	}
	return memUpstream{body: body}
}

type countEvents struct{ n atomic.Int64 }

func (c *countEvents) LogPreAPICall(context.Context, *llmux.Event)  { c.n.Add(1) }
func (c *countEvents) LogPostAPICall(context.Context, *llmux.Event) { c.n.Add(1) }
func (c *countEvents) LogSuccessEvent(context.Context, *llmux.Event) {
	c.n.Add(1)
}

func BenchmarkGateway_Chat(b *testing.B) {
	up := benchUpstream(b)
	hc := &http.Client{Transport: up}
	// serve reports, beside ns/op, the process's CPU per request
	// (cpu-µs/op), which counts the loggers' work on their own goroutines
	// too: h is closed (its events delivered) before the clock stops.
	serve := func(b *testing.B, h interface {
		http.Handler
		Close(context.Context) error
	}) {
		runtime.GC()
		b.ReportAllocs()
		start := cpuNanos()
		for b.Loop() {
			req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", bytes.NewReader([]byte(benchBody)))
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
		_ = h.Close(context.Background())
		b.ReportMetric(float64(cpuNanos()-start)/1e3/float64(b.N), "cpu-µs/op")
	}
	b.Run("ref", func(b *testing.B) {
		serve(b, refCloser{refjson.New(hc, refURL)})
	})
	gw := func(b *testing.B, loggers ...any) {
		srv, err := New(
			WithClientOptions(
				llmux.WithProvider(openai.New(openai.WithAPIKey("sk-bench-not-a-real-key"), openai.WithBaseURL("http://upstream.invalid/v1"))),
				llmux.WithHTTPClient(hc),
			),
			WithCallbacks(loggers...),
			WithLog(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))),
		)
		if err != nil {
			b.Fatal(err)
		}
		serve(b, srv)
	}
	b.Run("llmux", func(b *testing.B) { gw(b) })
	b.Run("llmux+router", func(b *testing.B) { serve(b, routedGateway(b, hc)) })
	// Each of bench/gateway's loggers alone, to see what each costs: a
	// counter of the pre-call, post-call and success events (the events
	// themselves: the provider request body, masked key and headers, the
	// raw response), LiteLLM's payload line of the success event, and the
	// prometheus metrics of the success event.
	b.Run("llmux+counter", func(b *testing.B) { gw(b, &countEvents{}) })
	b.Run("llmux+payloads", func(b *testing.B) { gw(b, jsonl.NewPayloads(io.Discard)) })
	b.Run("llmux+prometheus", func(b *testing.B) { gw(b, prometheus.New()) })
	b.Run("llmux+3loggers", func(b *testing.B) {
		gw(b, &countEvents{}, jsonl.NewPayloads(io.Discard), &countEvents{})
	})
	// bench/gateway's shape: the model through model_list, its three
	// loggers (prometheus, payload lines, an event counter).
	b.Run("bench-gateway", func(b *testing.B) {
		serve(b, routedGateway(b, hc, prometheus.New(), jsonl.NewPayloads(io.Discard), &countEvents{}))
	})
}

// refCloser gives the ref-json hop the gateway's Close.
type refCloser struct{ *refjson.Hop }

func (r refCloser) Close(context.Context) error { r.Hop.Close(); return nil }

// cpuNanos returns the process's user + system CPU time.
func cpuNanos() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// routedGateway is a gateway of bench/gateway/config.yaml's shape (the
// model through model_list) on hc, with loggers; closed when b ends.
func routedGateway(b *testing.B, hc *http.Client, loggers ...any) *Server {
	cfg, err := config.Load([]byte(`
model_list:
  - model_name: gpt-4o-mini
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: http://upstream.invalid/v1
      api_key: sk-bench-not-a-real-key
`))
	if err != nil {
		b.Fatal(err)
	}
	srv, err := New(WithConfig(cfg, func(string) string { return "" }), WithClientOptions(llmux.WithHTTPClient(hc)),
		WithCallbacks(loggers...),
		WithLog(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close(context.Background()) })
	return srv
}

// evictBuf is larger than the machine's last-level cache (32 MiB here).
var evictBuf []byte

// evict touches every cache line of a buffer larger than the caches, so the
// next request finds its code and data out of cache and its TLB entries
// gone, as a live gateway at tens of requests per second does (the
// driver, the upstream and other processes run in between).
func evict() {
	if evictBuf == nil {
		evictBuf = make([]byte, 48<<20)
	}
	for i := 0; i < len(evictBuf); i += 64 {
		evictBuf[i]++
	}
}

// BenchmarkGateway_ChatCold serves one request with each gateway in turn
// per iteration, each with the caches evicted first: the cost a request
// meets at low rates, where the live gateway's Δp50 against ref-json is
// widest. Taking the targets in turn in one loop keeps the machine's
// drift out of the comparison. llmux is bench/gateway's shape: the model
// through model_list, with and without its three loggers (prometheus,
// payload lines, an event counter). Reported: each target's median µs.
//
//	go test ./proxy -run '^$' -bench Gateway_ChatCold -benchtime 2000x
func BenchmarkGateway_ChatCold(b *testing.B) {
	up := benchUpstream(b)
	hc := &http.Client{Transport: up}
	ref := refjson.New(hc, refURL)
	defer ref.Close()
	targets := []struct {
		name string
		h    http.Handler
		took []time.Duration
	}{
		{name: "ref", h: ref},
		{name: "llmux", h: routedGateway(b, hc)},
		{name: "llmux+3loggers", h: routedGateway(b, hc, prometheus.New(), jsonl.NewPayloads(io.Discard), &countEvents{})},
	}
	n := 0
	for b.Loop() {
		for k := range targets {
			t := &targets[(k+n)%len(targets)] // each target first in turn
			req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", bytes.NewReader([]byte(benchBody)))
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			evict()
			start := time.Now()
			t.h.ServeHTTP(w, req)
			t.took = append(t.took, time.Since(start))
			if w.Code != 200 {
				b.Fatalf("%s: status %d: %s", t.name, w.Code, w.Body)
			}
		}
		n++
	}
	// Medians: a request that met a GC cycle or a logger's batch on the
	// other core says little about the path itself.
	for _, t := range targets {
		slices.Sort(t.took)
		b.ReportMetric(float64(t.took[len(t.took)/2].Nanoseconds())/1e3, t.name+"-p50-µs")
	}
	b.ReportMetric(0, "ns/op")
}
