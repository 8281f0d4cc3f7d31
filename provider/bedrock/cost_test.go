package bedrock

import (
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/record"
)

// The price table knows the Bedrock model names as LiteLLM writes them, for
// each model family, in the client's success event and its cost.
func TestCost_KnownForEachFamily(t *testing.T) {
	isolate(t)
	for _, model := range []string{
		"bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
		"bedrock/us.anthropic.claude-3-5-sonnet-20240620-v1:0",
		"bedrock/converse/anthropic.claude-3-5-sonnet-20240620-v1:0",
		"bedrock/amazon.nova-pro-v1:0",
		"bedrock/us.amazon.nova-pro-v1:0",
		"bedrock/meta.llama3-1-70b-instruct-v1:0",
		"bedrock/us.meta.llama3-1-70b-instruct-v1:0",
	} {
		t.Run(model, func(t *testing.T) {
			f := serveFixture(t, 200, "converse.json")
			rec := &record.Events{}
			c, err := llmux.New(llmux.WithProvider(f.provider()), llmux.WithCallbacks(llmux.Inline(rec)))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(bg)
			resp, err := c.Completion(bg, &llmux.Request{Model: model, Messages: []llmux.Message{llmux.User("Hello")}})
			if err != nil {
				t.Fatal(err)
			}
			f.last(t)
			ev := rec.Last()
			if ev.Type != llmux.EventSuccess || ev.CostErr != nil || ev.ResponseCost <= 0 {
				t.Fatalf("success event cost %v (err %v)", ev.ResponseCost, ev.CostErr)
			}
			b, err := c.Cost(resp, "bedrock")
			if err != nil || b.Total <= 0 {
				t.Fatalf("Client.Cost = %+v, %v", b, err)
			}
		})
	}
}
