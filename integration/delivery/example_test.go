package delivery_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/llmux/llmux/integration/delivery"
)

func Example() {
	// A receiver that says "slow down" once, then accepts.
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.Header().Set("Retry-After", "0.01")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()

	sink := delivery.SinkFunc(func(ctx context.Context, batch []delivery.Record) error {
		var body strings.Builder
		for _, r := range batch {
			body.Write(r)
			body.WriteByte('\n')
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader(body.String()))
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return delivery.Retryable(err, 0)
		}
		defer resp.Body.Close()
		return delivery.HTTPError(resp)
	})

	dir, _ := os.MkdirTemp("", "spool")
	defer os.RemoveAll(dir)
	q, err := delivery.New(sink, delivery.Options{Name: "example", SpoolDir: dir, FlushInterval: time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range 3 {
		q.Add(delivery.Record(fmt.Sprintf(`{"n":%d}`, i)))
	}
	_ = q.Close(context.Background())
	s := q.Stats()
	fmt.Println("emitted", s.Emitted, "delivered", s.Delivered, "queued", s.Queued, "spooled", s.Spooled, "requests", calls)
	// Output: emitted 3 delivered 3 queued 0 spooled 0 requests 2
}
