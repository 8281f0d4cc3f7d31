package router

import (
	"context"
	"strconv"
	"testing"

	"github.com/llmux/llmux"
)

// BenchmarkMiddleware measures the router's own work per call — pick,
// request copy, bookkeeping in the in-memory state — with a next that
// answers at once.
func BenchmarkMiddleware(b *testing.B) {
	res := &llmux.Result{Response: &llmux.Response{Usage: llmux.Usage{PromptTokens: 19, CompletionTokens: 10, TotalTokens: 29}}}
	next := func(context.Context, *llmux.Call) (*llmux.Result, error) { return res, nil }
	for _, s := range []Strategy{SimpleShuffle, LeastBusy, LatencyBased, UsageBased} {
		for _, n := range []int{1, 10} {
			b.Run(s.String()+"/deployments="+strconv.Itoa(n), func(b *testing.B) {
				deps := make([]Deployment, n)
				for i := range deps {
					deps[i] = Deployment{ID: "d" + strconv.Itoa(i), ModelGroup: "gpt-4o", Model: "openai/gpt-4o", RPM: 1_000_000_000, TPM: 1_000_000_000}
				}
				r := newRouter(b, deps, WithStrategy(s))
				h := r.Middleware()(next)
				req := chat("gpt-4o")
				c := &llmux.Call{}
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					c.Request = req
					if _, err := h(ctx, c); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
	b.Run("passthrough", func(b *testing.B) {
		r := newRouter(b, []Deployment{{ID: "a", ModelGroup: "gpt-4o", Model: "openai/gpt-4o"}})
		h := r.Middleware()(next)
		c, req, ctx := &llmux.Call{}, chat("other"), context.Background()
		b.ReportAllocs()
		for b.Loop() {
			c.Request = req
			if _, err := h(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
	})
}
