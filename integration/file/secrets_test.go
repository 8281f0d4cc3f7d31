package file

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/openai"
)

// Property: a random key given to a call any way it can be, and echoed
// back by the upstream, never reaches the file unmasked (no 12-character
// window of it in any line, rotated files included).
func TestSecrets_FileNeverHoldsAnUnmaskedKey(t *testing.T) {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	for _, src := range []string{"request", "option", "header", "query"} {
		for _, echo := range []string{"answer", "401"} {
			t.Run(src+"/"+echo, func(t *testing.T) {
				t.Setenv("OPENAI_API_KEY", "")
				b := make([]byte, 40)
				for i := range b {
					b[i] = chars[rand.N(len(chars))]
				}
				key := "sk-" + string(b)
				up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if echo == "401" {
						w.WriteHeader(http.StatusUnauthorized)
						fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s.","type":"invalid_request_error"}}`, key)
						return
					}
					c, _ := json.Marshal("Your key is " + key)
					fmt.Fprintf(w, `{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`, c)
				}))
				defer up.Close()
				req := &llmux.Request{Model: "openai/gpt-4o", Messages: []llmux.Message{llmux.User("hi")}}
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
				dir := t.TempDir()
				l, err := New(filepath.Join(dir, "e.jsonl"), WithMaxBytes(2000), WithMaxBackups(5))
				if err != nil {
					t.Fatal(err)
				}
				c, err := llmux.New(llmux.WithProvider(p), llmux.WithCallbacks(l), llmux.WithMaxRetries(0), llmux.WithLog(quiet))
				if err != nil {
					t.Fatal(err)
				}
				for range 3 {
					_, _ = c.Completion(context.Background(), req)
				}
				if err := c.Close(context.Background()); err != nil {
					t.Fatal(err)
				}
				files, _ := filepath.Glob(filepath.Join(dir, "*"))
				var all strings.Builder
				for _, f := range files {
					b, _ := os.ReadFile(f)
					all.Write(b)
				}
				got := all.String()
				if !strings.Contains(got, `"status"`) {
					t.Fatalf("no payload written: %q", got)
				}
				for i := 0; i+12 <= len(key); i++ {
					if w := key[i : i+12]; strings.Contains(got, w) {
						t.Fatalf("key window %q written to the file", w)
					}
				}
			})
		}
	}
}
