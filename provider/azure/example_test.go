package azure_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/azure"
)

// The llmux client normally builds the Attempt from "azure/<deployment>";
// it is built by hand here to show where the provider sends it.
func ExampleNew() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.URL.Path, r.URL.RawQuery, r.Header.Get("api-key") != "")
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"c1","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}`)
	}))
	defer srv.Close()

	p := azure.New(azure.WithAPIBase(srv.URL), azure.WithAPIKey("my-azure-key"))
	a := &llmux.Attempt{
		Request:    &llmux.Request{Model: "azure/prod-gpt4o", Messages: []llmux.Message{llmux.User("Hello")}},
		Model:      "prod-gpt4o",
		Number:     1,
		HTTPClient: srv.Client(),
	}
	resp, err := p.Chat(context.Background(), a)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())
	// Output:
	// /openai/deployments/prod-gpt4o/chat/completions api-version=2024-10-21 true
	// Hi
}
