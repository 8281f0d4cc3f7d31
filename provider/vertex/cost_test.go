package vertex_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cost"
	"github.com/llmux/llmux/internal/record"
	"github.com/llmux/llmux/provider/vertex"
)

// TestCost_PriceTableFindsVertexModels: the price table prices LiteLLM's
// Vertex AI names of both families, and a call's cost is that of the
// upstream model (not of the model the answer names).
func TestCost_PriceTableFindsVertexModels(t *testing.T) {
	for _, tc := range []struct{ model, file string }{
		{"vertex_ai/gemini-2.5-pro", "gemini-generate.json"},
		{"vertex_ai/gemini-2.5-flash", "gemini-generate.json"},
		{"vertex_ai/claude-sonnet-4-5@20250929", "claude-message.json"},
		{"vertex_ai/claude-opus-4-1@20250805", "claude-message.json"},
		{"vertex_ai_beta/gemini-2.5-pro", "gemini-generate.json"},
	} {
		t.Run(tc.model, func(t *testing.T) {
			body := fixture(t, tc.file)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(body))
			}))
			defer srv.Close()
			rec := &record.Events{}
			p := vertex.New(vertex.WithBaseURL(srv.URL), vertex.WithProject("p"),
				vertex.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "ya29.x"})))
			c, err := llmux.New(llmux.WithProvider(p), llmux.WithCallbacks(llmux.Inline(rec)), llmux.WithRetryBackoff(0, 0, time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(context.Background())
			resp, err := c.Completion(context.Background(), &llmux.Request{Model: tc.model, Messages: []llmux.Message{llmux.User("Hello")}})
			if err != nil {
				t.Fatal(err)
			}
			ev := rec.All()[len(rec.All())-1]
			if ev.CostErr != nil || ev.ResponseCost <= 0 {
				t.Fatalf("cost %v, err %v", ev.ResponseCost, ev.CostErr)
			}
			price, ok := cost.Lookup(ev.Provider, ev.UpstreamModel)
			if !ok {
				t.Fatalf("no price for %s %s", ev.Provider, ev.UpstreamModel)
			}
			b, err := price.Cost(cost.Usage{PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens})
			if err != nil || b.Total != ev.ResponseCost {
				t.Errorf("event cost %v, price of %s/%s gives %v (%v)", ev.ResponseCost, ev.Provider, ev.UpstreamModel, b.Total, err)
			}
		})
	}
}
