package bedrock_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/bedrock"
)

// A provider is normally handed to llmux.New; here it is driven directly
// against a local server that answers like the Converse API.
func Example() {
	fixture, err := os.ReadFile("testdata/converse.json")
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		fmt.Println(r.Method, r.URL.EscapedPath(), scheme)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(fixture)
	}))
	defer srv.Close()

	p := bedrock.New(
		bedrock.WithRegion("us-east-1"),
		bedrock.WithStaticCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
		bedrock.WithBaseURL(srv.URL), // normally https://bedrock-runtime.us-east-1.amazonaws.com
	)
	req := &llmux.Request{
		Model:    "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
		Messages: []llmux.Message{llmux.System("Be friendly."), llmux.User("Hello, Claude")},
	}
	a := &llmux.Attempt{Request: req, Model: "anthropic.claude-3-5-sonnet-20240620-v1:0", Number: 1, HTTPClient: srv.Client()}
	resp, err := p.Chat(context.Background(), a)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())
	fmt.Println(resp.Choices[0].FinishReason, resp.Usage.PromptTokens, resp.Usage.CompletionTokens, resp.Usage.TotalTokens)
	// Output:
	// POST /model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse AWS4-HMAC-SHA256
	// Hello! How can I help you today?
	// stop 12 10 22
}
