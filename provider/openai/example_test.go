package openai_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/openai"
)

// An OpenAI-compatible server (here a stand-in for vLLM) served under its
// own prefix. The llmux client normally builds the Attempt; it is built by
// hand here to show the codec alone.
func ExampleNew_compatibleServer() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"c1","object":"chat.completion","model":"llama-3","choices":[{"index":0,"message":{"role":"assistant","content":"Hi there"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}`)
	}))
	defer srv.Close()

	p := openai.New(openai.WithName("vllm"), openai.WithBaseURL(srv.URL+"/v1"))
	a := &llmux.Attempt{
		Request:    &llmux.Request{Model: "vllm/llama-3", Messages: []llmux.Message{llmux.User("Hello")}},
		Model:      "llama-3",
		Number:     1,
		HTTPClient: srv.Client(),
	}
	resp, err := p.Chat(context.Background(), a)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Name(), resp.Text(), resp.Usage.TotalTokens)
	// Output:
	// POST /v1/chat/completions
	// vllm Hi there 5
}

// A service of the OpenAI-compatible family by its LiteLLM prefix: Ollama
// (no key; its base from OLLAMA_API_BASE, here a stand-in server, written
// without /v1 as LiteLLM users write it).
func ExampleNewCompatible() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path, "auth:", r.Header.Get("Authorization") != "")
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"c1","object":"chat.completion","model":"llama3.1","choices":[{"index":0,"message":{"role":"assistant","content":"Hi there"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}`)
	}))
	defer srv.Close()

	env := map[string]string{"OLLAMA_API_BASE": srv.URL}
	p, err := openai.NewCompatible("ollama_chat", openai.WithEnv(func(k string) string { return env[k] }))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := llmux.New(llmux.WithProvider(p))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close(context.Background())
	resp, err := c.Completion(context.Background(), &llmux.Request{Model: "ollama_chat/llama3.1",
		Messages: []llmux.Message{llmux.User("Hello")}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())
	// Output:
	// POST /v1/chat/completions auth: false
	// Hi there
}

func ExampleNewChunkReader() {
	body := `data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}

data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}

data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}

data: [DONE]

`
	r := openai.NewChunkReader("openai", io.NopCloser(strings.NewReader(body)))
	defer r.Close()
	for {
		c, err := r.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		if c.Usage != nil {
			fmt.Println("\nusage:", c.Usage.TotalTokens)
			continue
		}
		fmt.Print(c.Text())
	}
	// Output:
	// Hello
	// usage: 6
}

func ExampleMapError() {
	body := []byte(`{"error":{"message":"You exceeded your current quota.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`)
	err := error(openai.MapError("openai", http.StatusTooManyRequests, nil, body))
	var e *llmux.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.Type, llmux.IsRetryable(err))
	}
	// Output:
	// quota_exceeded insufficient_quota false
}
