// Command providers calls three providers through one API: Google Gemini,
// AWS Bedrock (signed with SigV4) and Groq (one of the OpenAI-compatible
// services LiteLLM knows by prefix), with one logger seeing every call the
// same way: provider, model, the exact body each API was sent (LiteLLM's
// complete_input_dict), the masked credential, the answer and its cost.
//
// Each upstream is a fake started in the program that speaks the
// provider's real wire format, so it runs offline. Against the real
// services, drop the base URLs and set GEMINI_API_KEY, the AWS
// credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID...) and GROQ_API_KEY.
//
//	go run ./examples/providers
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/bedrock"
	"github.com/llmux/llmux/provider/gemini"
	"github.com/llmux/llmux/provider/openai"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// logger keeps one line per finished call.
type logger struct {
	mu    sync.Mutex
	lines []string
}

func (l *logger) LogSuccessEvent(_ context.Context, e *llmux.Event) {
	var body map[string]any
	_ = json.Unmarshal(e.Attempt.RequestBody, &body)
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %s: %q, %d tokens, $%.8f\n  sent %s with body members %s, credential %s",
		e.Provider, e.Model, e.Response.Text(), e.Response.Usage.TotalTokens, e.ResponseCost,
		path(e.Attempt.APIBase), strings.Join(keys, ","), e.Attempt.APIKey))
}

// path is the URL's path, for output that does not depend on the port.
func path(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.Index(u, "/"); i >= 0 {
		return u[i:]
	}
	return "/"
}

func run(ctx context.Context, out io.Writer) error {
	geminiAPI := fake(`{"candidates":[{"content":{"role":"model","parts":[{"text":"Paris."}]},"finishReason":"STOP"}],`+
		`"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":2,"totalTokenCount":10},"modelVersion":"gemini-2.5-flash"}`, "application/json")
	defer geminiAPI.Close()
	bedrockAPI := fake(`{"output":{"message":{"role":"assistant","content":[{"text":"Paris."}]}},"stopReason":"end_turn",`+
		`"usage":{"inputTokens":12,"outputTokens":3,"totalTokens":15}}`, "application/json")
	defer bedrockAPI.Close()
	groqAPI := fake(`{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"llama-3.3-70b-versatile",`+
		`"choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop"}],`+
		`"usage":{"prompt_tokens":14,"completion_tokens":2,"total_tokens":16}}`, "application/json")
	defer groqAPI.Close()

	groq, err := openai.NewCompatible("groq", openai.WithAPIKey("gsk_example_0123456789abcdef"), openai.WithBaseURL(groqAPI.URL+"/openai/v1"))
	if err != nil {
		return err
	}
	l := &logger{}
	c, err := llmux.New(
		llmux.WithProvider(gemini.New(gemini.WithAPIKey("AIzaSyExample0123456789abcdef"), gemini.WithBaseURL(geminiAPI.URL))),
		llmux.WithProvider(bedrock.New(bedrock.WithRegion("us-east-1"), bedrock.WithBaseURL(bedrockAPI.URL),
			bedrock.WithStaticCredentials("AKIAEXAMPLE012345678", "example-secret-access-key-0123456789", ""))),
		llmux.WithProvider(groq),
		llmux.WithCallbacks(llmux.Inline(l)),
	)
	if err != nil {
		return err
	}
	for _, model := range []string{"gemini/gemini-2.5-flash", "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0", "groq/llama-3.3-70b-versatile"} {
		if _, err := c.Completion(ctx, &llmux.Request{Model: model, Messages: []llmux.Message{
			llmux.System("Answer in one word."), llmux.User("What is the capital of France?")}}); err != nil {
			return fmt.Errorf("%s: %w", model, err)
		}
	}
	if err := c.Close(ctx); err != nil {
		return err
	}
	for _, line := range l.lines {
		fmt.Fprintln(out, line)
	}
	return nil
}

// fake answers every request with body.
func fake(body, contentType string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", contentType)
		_, _ = io.WriteString(w, body)
	}))
}
