package gemini_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/gemini"
)

// The provider is handed to llmux.New; here the client talks to a local
// server that answers like the Gemini API.
func Example() {
	fixture, err := os.ReadFile("testdata/generate.json")
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path, r.Header.Get("x-goog-api-key") != "")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(fixture)
	}))
	defer srv.Close()

	c, err := llmux.New(llmux.WithProvider(gemini.New(gemini.WithAPIKey("AIza-example"), gemini.WithBaseURL(srv.URL))))
	if err != nil {
		panic(err)
	}
	defer c.Close(context.Background())
	resp, err := c.Completion(context.Background(), &llmux.Request{
		Model:    "gemini/gemini-2.5-flash",
		Messages: []llmux.Message{llmux.System("Be friendly."), llmux.User("Hello, Gemini")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())
	fmt.Println(resp.Choices[0].FinishReason, resp.Usage.PromptTokens, resp.Usage.CompletionTokens, resp.Usage.TotalTokens)
	// Output:
	// POST /v1beta/models/gemini-2.5-flash:generateContent true
	// Hello! How can I help you today?
	// stop 5 9 14
}

// WithEndpoint runs the same codec against another endpoint with other
// credentials: this is how a Vertex AI provider reuses it.
func ExampleWithEndpoint() {
	fixture, err := os.ReadFile("testdata/generate.json")
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.URL.Path, r.Header.Get("Authorization"))
		_, _ = w.Write(fixture)
	}))
	defer srv.Close()

	endpoint := func(ctx context.Context, a *llmux.Attempt, method string) (string, http.Header, string, error) {
		token := "ya29.example-token" // from the caller's credentials
		url := srv.URL + "/v1/projects/my-project/locations/us-central1/publishers/google/models/" + a.Model + ":" + method
		return url, http.Header{"Authorization": {"Bearer " + token}}, token, nil
	}
	c, err := llmux.New(llmux.WithProvider(gemini.New(gemini.WithEndpoint(endpoint), gemini.WithName("vertex_ai"))))
	if err != nil {
		panic(err)
	}
	defer c.Close(context.Background())
	resp, err := c.Completion(context.Background(), &llmux.Request{
		Model:    "vertex_ai/gemini-2.5-pro",
		Messages: []llmux.Message{llmux.User("Hello")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text())
	// Output:
	// /v1/projects/my-project/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent Bearer ya29.example-token
	// Hello! How can I help you today?
}
