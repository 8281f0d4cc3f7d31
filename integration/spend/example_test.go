package spend_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/spend"
)

// A spend log in an SQLite file: every finished call is one row; Totals
// sums them as `llmux spend` prints them.
func Example() {
	dir, _ := os.MkdirTemp("", "spend")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	dsn := filepath.Join(dir, "llmux.db")

	l, err := spend.Open(ctx, dsn, spend.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := llmux.New(llmux.WithCallbacks(l))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, model := range []string{"gpt-4o-mini", "gpt-4o-mini", "mock/unpriced"} {
		_, _ = c.Completion(ctx, &llmux.Request{Model: model, Messages: []llmux.Message{llmux.User("hi")}, MockResponse: "hello"})
	}
	_ = c.Close(ctx) // inserts the queued rows, closes the database

	s, err := spend.OpenStore(ctx, dsn)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	totals, _ := s.Totals(ctx, spend.ByModel, time.Time{})
	for _, t := range totals {
		fmt.Printf("%s: %d requests, %d tokens, $%.6f, %d of unknown cost\n", t.Group, t.Requests, t.TotalTokens, t.Cost, t.UnknownCost)
	}
	// Output:
	// gpt-4o-mini: 2 requests, 60 tokens, $0.000027, 0 of unknown cost
	// mock/unpriced: 1 requests, 30 tokens, $0.000000, 1 of unknown cost
}
