package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRun_CostsOfCompletionStreamUnpricedAndCustomPrices checks the exact
// costs: 3.5e-05 USD for gpt-3.5-turbo's mock usage, streamed or not;
// "cost unknown" (not 0) for an unpriced model; 1e-04 with Request.Price
// and 5e-05 with a price registered in the client's table.
func TestRun_CostsOfCompletionStreamUnpricedAndCustomPrices(t *testing.T) {
	var buf bytes.Buffer
	if err := run(context.Background(), &buf); err != nil {
		t.Fatalf("run: %v", err)
	}
	want := strings.Join([]string{
		"completion gpt-3.5-turbo  response_cost=3.5e-05 (input 5e-06 + output 3e-05) tokens=30",
		"stream     gpt-3.5-turbo  response_cost=3.5e-05 (input 5e-06 + output 3e-05) tokens=30",
		`completion mock/my-model  cost unknown: cost: no price for model "mock/my-model": not in the table`,
		"completion mock/my-model  response_cost=0.0001 (input 2e-05 + output 8e-05) tokens=30",
		"completion mock/my-model  response_cost=5e-05 (input 1e-05 + output 4e-05) tokens=30",
		"total known cost: 0.00022 USD; calls with unknown cost: 1",
	}, "\n") + "\n"
	if got := buf.String(); got != want {
		t.Errorf("output mismatch\n got:\n%s\nwant:\n%s", got, want)
	}
}
