package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/openai"
)

func randomKey() string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 40)
	for i := range b {
		b[i] = chars[rand.N(len(chars))]
	}
	return "sk-" + string(b)
}

// upstream answers as OpenAI does, echoing key in its answer or error.
func upstream(t *testing.T, key, echo string) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if echo == "401" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s.","type":"invalid_request_error","code":"invalid_api_key"}}`, key)
			return
		}
		w.Header().Set("X-Debug", "key "+key)
		c, _ := json.Marshal("Your key is " + key)
		fmt.Fprintf(w, `{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`, c)
	}))
	t.Cleanup(s.Close)
	return s
}

// Property: a random key given to a call any way it can be, and echoed
// back by the upstream, never reaches the webhook receiver unmasked (no
// 12-character window of it in any header or body it got).
func TestSecrets_WebhookNeverReceivesAnUnmaskedKey(t *testing.T) {
	for _, src := range []string{"request", "option", "header", "query"} {
		for _, echo := range []string{"answer", "401"} {
			for _, gz := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/gzip=%v", src, echo, gz), func(t *testing.T) {
					t.Setenv("OPENAI_API_KEY", "")
					key := randomKey()
					up := upstream(t, key, echo)
					req := &llmux.Request{Model: "openai/gpt-4o", Messages: []llmux.Message{llmux.User("hi " + "there")},
						Metadata: map[string]any{"team": "a"}}
					var p *openai.Provider
					switch src {
					case "request":
						p = openai.New(openai.WithAPIKey("sk-unused-0000"), openai.WithBaseURL(up.URL))
						req.APIKey = key
					case "option":
						p = openai.New(openai.WithAPIKey(key), openai.WithBaseURL(up.URL))
					case "header":
						p = openai.New(openai.WithBaseURL(up.URL), openai.WithHeader("Authorization", "Bearer "+key))
					case "query":
						p = openai.New(openai.WithBaseURL(up.URL + "/v1?key=" + key))
					}
					r := newReceiver(t, nil)
					l, err := New(r.URL, WithGzip(gz), WithQueueOptions(fastQueue(10)))
					if err != nil {
						t.Fatal(err)
					}
					c, err := llmux.New(llmux.WithProvider(p), llmux.WithCallbacks(l), llmux.WithMaxRetries(0))
					if err != nil {
						t.Fatal(err)
					}
					_, _ = c.Completion(context.Background(), req)
					if err := c.Close(context.Background()); err != nil {
						t.Fatal(err)
					}
					var all strings.Builder
					reqs := r.requests()
					if len(reqs) == 0 {
						t.Fatal("the receiver got nothing")
					}
					for _, q := range reqs {
						fmt.Fprintf(&all, "%v\n%s\n%s\n", q.header, q.body, q.raw)
					}
					got := all.String()
					for i := 0; i+12 <= len(key); i++ {
						if w := key[i : i+12]; strings.Contains(got, w) {
							at := strings.Index(got, w)
							t.Fatalf("key window %q reached the webhook: ...%s...", w, got[max(0, at-150):min(len(got), at+50)])
						}
					}
				})
			}
		}
	}
}
