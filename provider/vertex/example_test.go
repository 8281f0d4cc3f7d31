package vertex_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"golang.org/x/oauth2"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/vertex"
)

// One provider serves both families: Gemini models through the Gemini
// codec, Claude models through the Anthropic codec. Here a local server
// answers like Vertex AI, and a static token stands in for the
// credentials (in production: vertex.WithCredentialsFile, or
// GOOGLE_APPLICATION_CREDENTIALS, or Application Default Credentials).
func Example() {
	gemini, _ := os.ReadFile("testdata/gemini-generate.json")
	claude, _ := os.ReadFile("testdata/claude-message.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path, r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.URL.Path, "/publishers/anthropic/") {
			_, _ = w.Write(claude)
			return
		}
		_, _ = w.Write(gemini)
	}))
	defer srv.Close()

	c, err := llmux.New(llmux.WithProvider(vertex.New(
		vertex.WithProject("my-project"),
		vertex.WithLocation("us-east5"),
		vertex.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "ya29.example"})),
		vertex.WithBaseURL(srv.URL), // default: https://us-east5-aiplatform.googleapis.com
	)))
	if err != nil {
		panic(err)
	}
	defer c.Close(context.Background())
	for _, model := range []string{"vertex_ai/gemini-2.5-pro", "vertex_ai/claude-sonnet-4-5@20250929"} {
		resp, err := c.Completion(context.Background(), &llmux.Request{Model: model, Messages: []llmux.Message{llmux.User("Hello")}})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(resp.Text())
	}
	// Output:
	// POST /v1/projects/my-project/locations/us-east5/publishers/google/models/gemini-2.5-pro:generateContent Bearer ya29.example
	// Hello! How can I help you today?
	// POST /v1/projects/my-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict Bearer ya29.example
	// Hello! How can I help you today?
}
