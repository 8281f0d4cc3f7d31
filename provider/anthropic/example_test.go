package anthropic_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/anthropic"
)

// A provider is normally handed to llmux.New; here it is driven directly
// against a local server that answers like the Messages API.
func Example() {
	fixture, err := os.ReadFile("testdata/message.json")
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path, r.Header.Get("anthropic-version"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(fixture)
	}))
	defer srv.Close()

	p := anthropic.New(anthropic.WithAPIKey("sk-ant-example"), anthropic.WithBaseURL(srv.URL))
	req := &llmux.Request{
		Model:    "anthropic/claude-sonnet-4-5",
		Messages: []llmux.Message{llmux.System("Be friendly."), llmux.User("Hello, Claude")},
	}
	resp, err := p.Chat(context.Background(), &llmux.Attempt{Request: req, Model: "claude-sonnet-4-5", Number: 1, HTTPClient: srv.Client()})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())
	fmt.Println(resp.Choices[0].FinishReason, resp.Usage.PromptTokens, resp.Usage.CompletionTokens, resp.Usage.TotalTokens)
	// Output:
	// POST /v1/messages 2023-06-01
	// Hello! How can I help you today?
	// stop 12 12 24
}
