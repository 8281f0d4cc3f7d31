package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/webhook"
)

func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var batch []map[string]any
		_ = json.Unmarshal(b, &batch)
		fmt.Println(r.Method, r.Header.Get("Authorization"), len(batch), "payloads")
		for _, p := range batch {
			fmt.Println(p["status"], p["model"], p["response_cost"])
		}
	}))
	defer srv.Close()

	hook, err := webhook.New(srv.URL, webhook.WithHeader("Authorization", "Bearer hook-token"))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := llmux.New(llmux.WithCallbacks(hook))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _ = c.Completion(context.Background(), &llmux.Request{Model: "gpt-3.5-turbo",
		Messages: []llmux.Message{llmux.User("hi")}, MockResponse: "hello"})
	_ = c.Close(context.Background()) // sends the batch
	// Output:
	// POST Bearer hook-token 1 payloads
	// success gpt-3.5-turbo 3.5e-05
}
