package prometheus_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/prometheus"
)

// A client whose calls are counted, and its /metrics.
func Example() {
	ctx := context.Background()
	m := prometheus.New()
	c, err := llmux.New(llmux.WithCallbacks(m))
	if err != nil {
		panic(err)
	}
	defer c.Close(ctx)
	m.SetStats(c.Stats) // the loggers' delivery counters, read at scrape time

	if _, err := c.Completion(ctx, &llmux.Request{Model: "gpt-4o", Messages: []llmux.Message{llmux.User("Hi")}, MockResponse: "Hello!"}); err != nil {
		panic(err)
	}
	c.Flush(ctx)

	srv := httptest.NewServer(m.Handler()) // or http.Handle("/metrics", m.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		panic(err)
	}
	for line := range strings.Lines(string(body)) {
		if strings.HasPrefix(line, "llmux_requests_total") || strings.HasPrefix(line, "llmux_tokens_total") {
			fmt.Print(line)
		}
	}
	// Output:
	// llmux_requests_total{model="gpt-4o",model_group="",provider="mock",status="success"} 1
	// llmux_tokens_total{model="gpt-4o",model_group="",provider="mock",type="completion"} 20
	// llmux_tokens_total{model="gpt-4o",model_group="",provider="mock",type="prompt"} 10
}
