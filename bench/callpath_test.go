// Package bench measures what llmux's call path costs against a
// hand-written net/http + encoding/json call to the same in-process fake
// OpenAI upstream, side by side in one run. Run it with
//
//	go test ./bench -run '^$' -bench . -count 8 | go run ./bench/ratio
//
// which pairs each pass's figures and prints the ratios' medians and
// spread. The benchmarks report ns/op and cpu-ns/op (user + system CPU of
// the whole process, the fake upstream included, per call).
package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cache"
	"github.com/llmux/llmux/provider/openai"
)

// chatBody is a realistic OpenAI chat completion (a fixture of
// provider/openai).
const chatBody = `{"id":"chatcmpl-CZ2xq7n1bN5yKp0Qd8sVw3LmE4rTu","object":"chat.completion","created":1764000000,` +
	`"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I assist you today?",` +
	`"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":10,` +
	`"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,` +
	`"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_560af6e559"}`

// streamChunks is the number of content chunks of the fake stream.
const streamChunks = 50

func streamBody() []byte {
	var b bytes.Buffer
	for i := 0; i < streamChunks; i++ {
		role := ""
		if i == 0 {
			role = `"role":"assistant",`
		}
		b.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1764000001,"model":"gpt-4o-mini-2024-07-18",` +
			`"service_tier":"default","system_fingerprint":"fp_560af6e559","choices":[{"index":0,"delta":{` + role + `"content":"word "},` +
			`"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"a1B2"}` + "\n\n")
	}
	b.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1764000001,"model":"gpt-4o-mini-2024-07-18",` +
		`"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}` + "\n\n")
	b.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1764000001,"model":"gpt-4o-mini-2024-07-18",` +
		`"choices":[],"usage":{"prompt_tokens":19,"completion_tokens":50,"total_tokens":69}}` + "\n\ndata: [DONE]\n\n")
	return b.Bytes()
}

func upstream(b *testing.B) *httptest.Server {
	stream := streamBody()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if strings.HasSuffix(r.URL.Path, "/stream/chat/completions") {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = w.Write(stream)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, chatBody)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// The raw call: what a team would write by hand with net/http and
// encoding/json.
type rawMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type rawRequest struct {
	Model       string       `json:"model"`
	Messages    []rawMessage `json:"messages"`
	Temperature float64      `json:"temperature"`
	Stream      bool         `json:"stream,omitempty"`
}

type rawResponse struct {
	ID      string `json:"id"`
	Model   string `json:"model"`
	Choices []struct {
		Message      rawMessage `json:"message"`
		FinishReason string     `json:"finish_reason"`
	} `json:"choices"`
	Usage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
		TotalTokens      int `json:"total_tokens"`
	} `json:"usage"`
}

type rawChunk struct {
	Choices []struct {
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		TotalTokens int `json:"total_tokens"`
	} `json:"usage"`
}

func rawCall(ctx context.Context, hc *http.Client, url, key string) (string, error) {
	body, err := json.Marshal(rawRequest{Model: "gpt-4o-mini", Temperature: 0.2,
		Messages: []rawMessage{{Role: "system", Content: "Be brief."}, {Role: "user", Content: "Hi 👋 - i'm openai"}}})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var r rawResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return "", err
	}
	return r.Choices[0].Message.Content, nil
}

func rawStream(ctx context.Context, hc *http.Client, url, key string) (int, error) {
	body, _ := json.Marshal(rawRequest{Model: "gpt-4o-mini", Temperature: 0.2, Stream: true,
		Messages: []rawMessage{{Role: "system", Content: "Be brief."}, {Role: "user", Content: "Hi 👋 - i'm openai"}}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/stream/chat/completions", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	var text strings.Builder
	n := 0
	for sc.Scan() {
		line, ok := bytes.CutPrefix(sc.Bytes(), []byte("data: "))
		if !ok {
			continue
		}
		if bytes.Equal(line, []byte("[DONE]")) {
			break
		}
		var c rawChunk
		if err := json.Unmarshal(line, &c); err != nil {
			return n, err
		}
		for _, ch := range c.Choices {
			text.WriteString(ch.Delta.Content)
		}
		n++
	}
	return n, sc.Err()
}

func request() *llmux.Request {
	return &llmux.Request{Model: "openai/gpt-4o-mini", Temperature: llmux.Ptr(0.2),
		Messages: []llmux.Message{llmux.System("Be brief."), llmux.User("Hi 👋 - i'm openai")}}
}

// noop observes every event and does nothing.
type noop struct{}

func (noop) LogPreAPICall(context.Context, *llmux.Event)                {}
func (noop) LogPostAPICall(context.Context, *llmux.Event)               {}
func (noop) LogStreamEvent(context.Context, *llmux.Event, *llmux.Chunk) {}
func (noop) LogSuccessEvent(context.Context, *llmux.Event)              {}
func (noop) LogFailureEvent(context.Context, *llmux.Event)              {}

// sleeper takes 1 ms on every event, like a logger writing to a slow sink.
type sleeper struct{}

func (sleeper) LogPreAPICall(context.Context, *llmux.Event)  { time.Sleep(time.Millisecond) }
func (sleeper) LogPostAPICall(context.Context, *llmux.Event) { time.Sleep(time.Millisecond) }
func (sleeper) LogStreamEvent(context.Context, *llmux.Event, *llmux.Chunk) {
	time.Sleep(time.Millisecond)
}
func (sleeper) LogSuccessEvent(context.Context, *llmux.Event) { time.Sleep(time.Millisecond) }
func (sleeper) LogFailureEvent(context.Context, *llmux.Event) { time.Sleep(time.Millisecond) }

func client(b *testing.B, base string, loggers ...any) *llmux.Client {
	c, err := llmux.New(llmux.WithProvider(openai.New(openai.WithAPIKey("sk-bench-0123456789"), openai.WithBaseURL(base))),
		llmux.WithCallbacks(loggers...), llmux.WithLog(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// cpuNanos returns the process's user + system CPU time.
func cpuNanos() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func measure(b *testing.B, f func() error) {
	// Start each from a collected heap, so one sub-benchmark's garbage
	// does not bill the next.
	runtime.GC()
	b.ReportAllocs()
	start := cpuNanos()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuNanos()-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkCall: one non-streaming chat completion, raw vs llmux with no
// logger, one no-op logger, and one logger taking 1 ms per event.
func BenchmarkCall(b *testing.B) {
	srv := upstream(b)
	ctx := context.Background()
	hc := &http.Client{}
	b.Run("raw", func(b *testing.B) {
		measure(b, func() error { _, err := rawCall(ctx, hc, srv.URL, "sk-bench-0123456789"); return err })
	})
	for _, tc := range []struct {
		name    string
		loggers []any
	}{{"llmux", nil}, {"llmux-noop", []any{noop{}}}, {"llmux-1ms", []any{sleeper{}}}} {
		b.Run(tc.name, func(b *testing.B) {
			c := client(b, srv.URL, tc.loggers...)
			measure(b, func() error {
				_, err := c.Completion(ctx, request())
				return err
			})
		})
	}
}

// BenchmarkStream: one streamed chat completion of 50 content chunks; the
// ratio of ns/op is the ratio per chunk.
func BenchmarkStream(b *testing.B) {
	srv := upstream(b)
	ctx := context.Background()
	hc := &http.Client{}
	b.Run("raw", func(b *testing.B) {
		measure(b, func() error { _, err := rawStream(ctx, hc, srv.URL, "sk-bench-0123456789"); return err })
	})
	for _, tc := range []struct {
		name    string
		loggers []any
	}{{"llmux", nil}, {"llmux-noop", []any{noop{}}}} {
		b.Run(tc.name, func(b *testing.B) {
			c := client(b, srv.URL+"/stream", tc.loggers...)
			measure(b, func() error {
				s, err := c.Stream(ctx, request())
				if err != nil {
					return err
				}
				for s.Next() {
				}
				s.Close()
				return s.Err()
			})
		})
	}
}

// BenchmarkMaxRate: 64 callers answered from the in-memory cache (the
// fastest call there is), with one no-op logger and one success-only
// logger; %dropped is the share of their events lost. A logger that keeps
// up must lose none.
func BenchmarkMaxRate(b *testing.B) {
	mem, err := cache.NewMemory()
	if err != nil {
		b.Fatal(err)
	}
	c, err := llmux.New(llmux.WithCache(mem), llmux.WithCallbacks(noop{}, successCounter{}),
		llmux.WithLog(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	req := func() *llmux.Request {
		return &llmux.Request{Model: "mock/gpt-4o", Messages: []llmux.Message{llmux.User("hi")}, MockResponse: "cached"}
	}
	if _, err := c.Completion(ctx, req()); err != nil { // fills the cache
		b.Fatal(err)
	}
	before := c.Stats()
	b.SetParallelism(32) // 64 callers on 2 CPUs
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Completion(ctx, req()); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	if err := c.Close(ctx); err != nil {
		b.Fatal(err)
	}
	var emitted, dropped uint64
	for i, s := range c.Stats() {
		if i < len(before) {
			emitted += s.Emitted - before[i].Emitted
			dropped += s.Dropped() - before[i].Dropped()
		}
	}
	b.ReportMetric(float64(dropped)/float64(max(emitted, 1))*100, "%dropped")
}

// successCounter observes success events and does nothing.
type successCounter struct{}

func (successCounter) LogSuccessEvent(context.Context, *llmux.Event) {}

// target is one way of making a call, for the paired benchmarks.
type target struct {
	name string
	call func() error
}

// paired runs the targets in rounds, block by block (block calls of one
// target, then of the next): each round measures every target under the
// same machine conditions. It reports, for each target after the first,
// the median over rounds of its wall time and CPU time (process user +
// system) divided by the first target's, and their spread as p10/p90.
func paired(b *testing.B, block int, targets ...target) {
	runtime.GC()
	wall := make([][]float64, len(targets))
	cpu := make([][]float64, len(targets))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, t := range targets {
			c0, w0 := cpuNanos(), time.Now()
			for range block {
				if err := t.call(); err != nil {
					b.Fatal(err)
				}
			}
			wall[j] = append(wall[j], float64(time.Since(w0)))
			cpu[j] = append(cpu[j], float64(cpuNanos()-c0))
		}
	}
	b.StopTimer()
	for j := 1; j < len(targets); j++ {
		for _, m := range []struct {
			unit string
			v    [][]float64
		}{{"wall", wall}, {"cpu", cpu}} {
			rs := make([]float64, b.N)
			for i := range rs {
				rs[i] = m.v[j][i] / m.v[0][i]
			}
			slices.Sort(rs)
			n := len(rs)
			b.ReportMetric(rs[n/2], m.unit+":"+targets[j].name+"/"+targets[0].name)
			b.ReportMetric(rs[n/10], m.unit+"-p10:"+targets[j].name)
			b.ReportMetric(rs[n*9/10], m.unit+"-p90:"+targets[j].name)
		}
	}
	b.ReportMetric(median(wall[0])/float64(block), targets[0].name+"-ns/call")
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkPaired compares, round by round, the raw call, llmux with no
// logger and llmux with one no-op logger: non-streaming and streaming.
// Run with -benchtime 400x (rounds).
func BenchmarkPaired(b *testing.B) {
	srv := upstream(b)
	ctx := context.Background()
	hc := &http.Client{}
	plain, withNoop := client(b, srv.URL), client(b, srv.URL, noop{})
	b.Run("call", func(b *testing.B) {
		paired(b, 32,
			target{"raw", func() error { _, err := rawCall(ctx, hc, srv.URL, "sk-bench-0123456789"); return err }},
			target{"llmux", func() error { _, err := plain.Completion(ctx, request()); return err }},
			target{"noop", func() error { _, err := withNoop.Completion(ctx, request()); return err }})
	})
	splain, snoop := client(b, srv.URL+"/stream"), client(b, srv.URL+"/stream", noop{})
	stream := func(c *llmux.Client) func() error {
		return func() error {
			s, err := c.Stream(ctx, request())
			if err != nil {
				return err
			}
			for s.Next() {
			}
			s.Close()
			return s.Err()
		}
	}
	b.Run("stream", func(b *testing.B) {
		paired(b, 4,
			target{"raw", func() error { _, err := rawStream(ctx, hc, srv.URL, "sk-bench-0123456789"); return err }},
			target{"llmux", stream(splain)},
			target{"noop", stream(snoop)})
	})
}

// BenchmarkSlowLogger measures call latency with a logger taking 1 ms per
// event, at a call rate the logger keeps up with (one call every 4 ms:
// 750 events a second against its 1000) and saturated (calls back to
// back, where it can only drop). Calls with and without the logger
// alternate; it reports the median latency ratio. Run with -benchtime
// 400x; LLMUX_BENCH_SLOW_NOOP=1 runs the control, a no-op logger in the
// sleeper's place.
func BenchmarkSlowLogger(b *testing.B) {
	srv := upstream(b)
	ctx := context.Background()
	plain, slow := client(b, srv.URL), client(b, srv.URL, sleeper{})
	if os.Getenv("LLMUX_BENCH_SLOW_NOOP") != "" { // a control: the same with a no-op logger
		slow = client(b, srv.URL, noop{})
	}
	call := func(c *llmux.Client) float64 {
		t0 := time.Now()
		if _, err := c.Completion(ctx, request()); err != nil {
			b.Fatal(err)
		}
		return float64(time.Since(t0))
	}
	for _, tc := range []struct {
		name string
		gap  time.Duration
	}{{"paced-4ms", 4 * time.Millisecond}, {"saturated", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			var ratios, as, ss []float64
			for i := 0; i < b.N; i++ {
				// Alternate which client goes first: what the previous
				// call left behind (a timer, a woken thread, a CPU coming
				// out of idle) then weighs on both alike.
				var a, s float64
				if i%2 == 0 {
					a = call(plain)
					time.Sleep(tc.gap)
					s = call(slow)
				} else {
					s = call(slow)
					time.Sleep(tc.gap)
					a = call(plain)
				}
				time.Sleep(tc.gap)
				ratios, as, ss = append(ratios, s/a), append(as, a), append(ss, s)
			}
			slices.Sort(ratios)
			slices.Sort(as)
			slices.Sort(ss)
			b.ReportMetric(ratios[len(ratios)/2], "latency:1ms/none")
			b.ReportMetric(as[len(as)/2]/1e3, "µs:none")
			b.ReportMetric(ss[len(ss)/2]/1e3, "µs:1ms")
			b.ReportMetric(ratios[len(ratios)/10], "p10")
			b.ReportMetric(ratios[len(ratios)*9/10], "p90")
		})
	}
}
