package llmux_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/cache"
	"github.com/llmux/llmux/provider/openai"
)

// Middleware acts on a call: here a budget guard refuses calls of a team
// over its budget, and a footer is added to every answer. A refusal ends
// the call with one failure event and no API call.
func ExampleWithMiddleware() {
	budget := map[string]float64{"search": 0.5, "ads": 0}
	guard := func(next llmux.CallFunc) llmux.CallFunc {
		return func(ctx context.Context, c *llmux.Call) (*llmux.Result, error) {
			team, _ := c.Request.Metadata["team"].(string)
			if budget[team] <= 0 {
				return nil, &llmux.Error{Code: llmux.CodePermission, Message: "team " + team + " is over budget"}
			}
			res, err := next(ctx, c)
			if err != nil || res.Response == nil {
				return res, err
			}
			r := res.Response.Clone() // the result is shared: change a copy
			r.Choices[0].Message.Content += " (checked)"
			return &llmux.Result{Response: r}, nil
		}
	}
	c, err := llmux.New(llmux.WithMiddleware(guard))
	if err != nil {
		panic(err)
	}
	defer c.Close(context.Background())
	for _, team := range []string{"search", "ads"} {
		resp, err := c.Completion(context.Background(), &llmux.Request{Model: "mock/gpt-4o",
			Messages: []llmux.Message{llmux.User("hi")}, Metadata: map[string]any{"team": team}, MockResponse: "hello"})
		if err != nil {
			fmt.Println(team+":", llmux.CodeOf(err), errors.Unwrap(err) == nil)
			continue
		}
		fmt.Println(team+":", resp.Text())
	}
	// Output:
	// search: hello (checked)
	// ads: permission true
}

// A Request decodes from, and encodes to, OpenAI's request body: a gateway
// reads a client's body into one and loses nothing (members it does not
// model go to Extra), while call options never come from the body.
func ExampleRequest_json() {
	body := `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"temperature":0.2,` +
		`"logit_bias":{"50256":-100},"stop":"END","api_key":"from-the-client"}`
	var req llmux.Request
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		panic(err)
	}
	fmt.Println(req.Model, *req.Temperature, req.Stop, req.APIKey == "", len(req.Extra))
	out, _ := json.Marshal(req)
	fmt.Println(string(out))
	// Output:
	// gpt-4o 0.2 [END] true 2
	// {"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"temperature":0.2,"stop":"END","api_key":"from-the-client","logit_bias":{"50256":-100}}
}

// RedactMessages hides messages and answers from one logger while others
// see them: an analytics sink that must not store prompts.
func ExampleRedactMessages() {
	show := func(name string) llmux.SuccessCallback {
		return func(e *llmux.Event, _ any, _, _ time.Time) {
			fmt.Printf("%s: %s -> %s\n", name, e.Messages[0].Content, e.Response.Text())
		}
	}
	c, err := llmux.New(llmux.WithCallbacks(llmux.Inline(show("audit")), llmux.RedactMessages(llmux.Inline(show("analytics")))))
	if err != nil {
		panic(err)
	}
	defer c.Close(context.Background())
	_, _ = c.Completion(context.Background(), &llmux.Request{Model: "mock/x",
		Messages: []llmux.Message{llmux.User("my diary")}, MockResponse: "noted"})
	// Output:
	// audit: my diary -> noted
	// analytics: redacted-by-llmux -> redacted-by-llmux
}

// A parameter the provider cannot honour fails the call, naming it;
// WithDropParams (or Request.DropParams) drops it instead and the event
// says which.
func ExampleWithDropParams() {
	// A provider that cannot send seed, standing in for Anthropic.
	p := seedless{openai.New(openai.WithName("noseed"), openai.WithBaseURL("http://127.0.0.1:1"))}
	strict, _ := llmux.New(llmux.WithProvider(p))
	defer strict.Close(context.Background())
	req := &llmux.Request{Model: "noseed/m", Messages: []llmux.Message{llmux.User("hi")}, Seed: llmux.Ptr(7), MockResponse: "ok"}
	_, err := strict.Completion(context.Background(), req)
	fmt.Println(strings.SplitN(err.Error(), ";", 2)[0])

	var dropped []string
	lenient, _ := llmux.New(llmux.WithProvider(p), llmux.WithDropParams(true), llmux.WithCallbacks(llmux.Inline(
		llmux.SuccessCallback(func(e *llmux.Event, _ any, _, _ time.Time) { dropped = e.DroppedParams }))))
	defer lenient.Close(context.Background())
	resp, err := lenient.Completion(context.Background(), req)
	fmt.Println(resp.Text(), err, dropped)
	// Output:
	// llmux: noseed: invalid_request: seed: noseed does not support "seed" (model m)
	// ok <nil> [seed]
}

type seedless struct{ *openai.Provider }

func (seedless) SupportsParam(_ llmux.CallType, _, name string) bool { return name != "seed" }

// The package-level functions use the default client, which has only the
// mock provider: SetDefault gives them real providers.
func ExampleSetDefault() {
	c, err := llmux.New(llmux.WithProvider(openai.New(openai.WithAPIKey("sk-example-key-0000"))))
	if err != nil {
		panic(err)
	}
	old := llmux.Default()
	llmux.SetDefault(c)
	defer llmux.SetDefault(old)
	defer c.Close(context.Background())
	resp, err := llmux.Completion(context.Background(), &llmux.Request{Model: "gpt-4o",
		Messages: []llmux.Message{llmux.User("hi")}, MockResponse: "served as openai"})
	fmt.Println(resp.Text(), err)
	fmt.Println(llmux.Default().Providers())
	// Output:
	// served as openai <nil>
	// [mock openai]
}

// SetCache gives the package-level calls a cache, as litellm.cache =
// Cache() does.
func ExampleSetCache() {
	mem, err := cache.NewMemory()
	if err != nil {
		panic(err)
	}
	llmux.SetCache(mem)
	defer llmux.SetCache(nil)
	req := func() *llmux.Request {
		return &llmux.Request{Model: "mock/x", Messages: []llmux.Message{llmux.User("hi")}, MockResponse: "hello"}
	}
	for range 2 {
		resp, _ := llmux.Completion(context.Background(), req())
		fmt.Println(resp.Text(), resp.CacheHit)
	}
	// Output:
	// hello false
	// hello true
}
