package router_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/openai"
	"github.com/llmux/llmux/router"
)

// fakeOpenAI stands in for an OpenAI-compatible deployment.
func fakeOpenAI(status int, body string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
}

// Two deployments serve the model group "gpt-4o". The first one (picked
// first: it alone has a weight) is overloaded, so the router retries the
// call on the second, within the same llmux call: the success event names
// the deployment that answered and the number of tries.
func Example() {
	east := fakeOpenAI(503, `{"error":{"message":"overloaded","type":"server_error"}}`)
	defer east.Close()
	west := fakeOpenAI(200, `{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o",`+
		`"choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],`+
		`"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}`)
	defer west.Close()

	r, err := router.New([]router.Deployment{
		{ID: "eastus", ModelGroup: "gpt-4o", Model: "openai/gpt-4o", APIBase: east.URL + "/v1", Weight: 1},
		{ID: "westus", ModelGroup: "gpt-4o", Model: "openai/gpt-4o", APIBase: west.URL + "/v1"},
	}, router.WithNumRetries(2), router.WithFallbacks(nil))
	if err != nil {
		panic(err)
	}
	report := llmux.SuccessCallback(func(e *llmux.Event, _ any, _, _ time.Time) {
		fmt.Printf("%s served by %s (try %d)\n", e.Route.ModelGroup, e.Route.ModelID, e.Route.Try)
	})
	ctx := context.Background()
	c, err := llmux.New(
		llmux.WithProvider(openai.New(openai.WithAPIKey("sk-example-0000"))),
		llmux.WithMiddleware(r.Middleware()),
		llmux.WithCallbacks(llmux.Inline(report)),
	)
	if err != nil {
		panic(err)
	}
	defer c.Close(ctx)

	resp, err := c.Completion(ctx, &llmux.Request{Model: "gpt-4o", Messages: []llmux.Message{llmux.User("Hi")}})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.Text())
	fmt.Println(r.Groups())
	// Output:
	// gpt-4o served by westus (try 2)
	// Hello!
	// [gpt-4o]
}
