package llmux_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/litellm"
	"github.com/llmux/llmux/provider/openai"
)

// allLogger keeps every event and chunk it gets.
type allLogger struct {
	mu     sync.Mutex
	events []*llmux.Event
	chunks []*llmux.Chunk
}

func (l *allLogger) add(e *llmux.Event, c *llmux.Chunk) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
	if c != nil {
		l.chunks = append(l.chunks, c)
	}
}

func (l *allLogger) LogPreAPICall(_ context.Context, e *llmux.Event)  { l.add(e, nil) }
func (l *allLogger) LogPostAPICall(_ context.Context, e *llmux.Event) { l.add(e, nil) }
func (l *allLogger) LogStreamEvent(_ context.Context, e *llmux.Event, c *llmux.Chunk) {
	l.add(e, c)
}
func (l *allLogger) LogSuccessEvent(_ context.Context, e *llmux.Event) { l.add(e, nil) }
func (l *allLogger) LogFailureEvent(_ context.Context, e *llmux.Event) { l.add(e, nil) }

func randomKey(n int) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[rand.N(len(chars))]
	}
	return "sk-" + string(b[3:])
}

// echoServer answers as OpenAI does and echoes key back one way.
func echoServer(t *testing.T, key, echo string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Stream bool `json:"stream"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		answer := "Hello."
		switch echo {
		case "header":
			w.Header().Set("X-Request-Debug", "authenticated with "+key)
		case "401":
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s.","type":"invalid_request_error","code":"invalid_api_key"}}`, key)
			return
		case "500":
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, `{"error":{"message":"internal error while checking %s","type":"server_error"}}`, key)
			return
		case "answer":
			answer = "Your key is " + key
		}
		chunk := func(content, finish string) string {
			f := "null"
			if finish != "" {
				f = `"` + finish + `"`
			}
			c, _ := json.Marshal(content)
			return fmt.Sprintf(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":%s},"finish_reason":%s}]}`, c, f)
		}
		if !body.Stream {
			if echo == "stream-error" { // the in-band error of a 200 body
				fmt.Fprintf(w, `{"error":{"message":"upstream rejected key %s","type":"server_error"}}`, key)
				return
			}
			c, _ := json.Marshal(answer)
			fmt.Fprintf(w, `{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":%s},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`, c)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: %s\n\n", chunk(answer, ""))
		if echo == "stream-error" {
			fmt.Fprintf(w, "data: {\"error\":{\"message\":\"stream broke for key %s\",\"type\":\"server_error\"}}\n\n", key)
			return
		}
		fmt.Fprintf(w, "data: %s\n\n", chunk("", "stop"))
		fmt.Fprint(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}\n\ndata: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A random key planted each way a call can know it, echoed back by the
// upstream each way it can, never shows in any event, chunk, error or log
// line: no 12-character window of it appears in anything the call emits.
func TestSecrets_PlantedKeyIsNeverEmitted(t *testing.T) {
	sources := []string{"request", "env", "query", "header", "option", "provider-params", "provider-params-json"}
	echoes := []string{"header", "401", "500", "stream-error", "answer"}
	windows := 0
	for _, src := range sources {
		for _, echo := range echoes {
			for _, stream := range []bool{false, true} {
				name := fmt.Sprintf("%s/%s/stream=%v", src, echo, stream)
				t.Run(name, func(t *testing.T) {
					key := randomKey(40)
					srv := echoServer(t, key, echo)
					t.Setenv("OPENAI_API_KEY", "")
					t.Setenv("OPENAI_BASE_URL", "")
					t.Setenv("OPENAI_API_BASE", "")
					req := &llmux.Request{Model: "openai/gpt-4o", Messages: []llmux.Message{llmux.User("hi")}}
					var p *openai.Provider
					switch src {
					case "request":
						p = openai.New(openai.WithAPIKey("sk-configured-but-unused-0000"), openai.WithBaseURL(srv.URL))
						req.APIKey = key
					case "env":
						t.Setenv("OPENAI_API_KEY", key)
						p = openai.New(openai.WithBaseURL(srv.URL))
					case "query":
						p = openai.New(openai.WithBaseURL(srv.URL + "/v1?key=" + key))
					case "header":
						p = openai.New(openai.WithBaseURL(srv.URL), openai.WithHeader("Authorization", "Bearer "+key))
					case "option":
						p = openai.New(openai.WithAPIKey(key), openai.WithBaseURL(srv.URL))
					case "provider-params": // a Bedrock secret, say, that the upstream echoes
						p = openai.New(openai.WithAPIKey("sk-configured-but-unused-0000"), openai.WithBaseURL(srv.URL))
						req.ProviderParams = map[string]string{"aws_region_name": "us-east-1", "aws_secret_access_key": key}
					case "provider-params-json": // a service-account key given inline
						p = openai.New(openai.WithAPIKey("sk-configured-but-unused-0000"), openai.WithBaseURL(srv.URL))
						req.ProviderParams = map[string]string{"vertex_credentials": `{"type":"service_account","client_email":"a@b.iam",` +
							`"private_key":"` + key + `"}`}
					}
					var logs bytes.Buffer
					rec := &allLogger{}
					c, err := llmux.New(llmux.WithProvider(p), llmux.WithCallbacks(llmux.Inline(rec)), llmux.WithMaxRetries(0),
						llmux.WithLog(slog.New(slog.NewJSONHandler(&logs, nil))))
					if err != nil {
						t.Fatal(err)
					}
					var out []string
					var callErr error
					if stream {
						s, err := c.Stream(context.Background(), req)
						if err != nil {
							callErr = err
						} else {
							for s.Next() {
							}
							callErr = s.Err()
							s.Close()
						}
					} else {
						_, callErr = c.Completion(context.Background(), req)
					}
					if err := c.Close(context.Background()); err != nil {
						t.Fatal(err)
					}
					if callErr != nil {
						b, _ := json.Marshal(callErr)
						out = append(out, callErr.Error(), fmt.Sprintf("%+v", callErr), fmt.Sprintf("%#v", callErr), string(b))
					}
					for _, e := range rec.events {
						k, err := json.Marshal(litellm.Kwargs(e))
						if err != nil {
							t.Fatalf("kwargs: %v", err)
						}
						pl, err := json.Marshal(litellm.Payload(e))
						if err != nil {
							t.Fatalf("payload: %v", err)
						}
						out = append(out, string(k), string(pl), fmt.Sprintf("%+v", *e), fmt.Sprintf("%#v", *e),
							fmt.Sprintf("%v", e.Err), fmt.Sprintf("%#v", e.Err), fmt.Sprintf("%+v", e.Response))
					}
					for _, ch := range rec.chunks {
						b, _ := json.Marshal(ch)
						out = append(out, string(b), string(ch.Raw), fmt.Sprintf("%+v", *ch))
					}
					out = append(out, logs.String())
					all := strings.Join(out, "\n")
					if len(rec.events) == 0 {
						t.Fatal("no event")
					}
					for i := 0; i+12 <= len(key); i++ {
						windows++
						if w := key[i : i+12]; strings.Contains(all, w) {
							at := strings.Index(all, w)
							t.Fatalf("key window %q emitted: ...%s...", w, all[max(0, at-200):min(len(all), at+60)])
						}
					}
				})
			}
		}
	}
	t.Logf("%d windows of %d planted keys checked", windows, len(sources)*len(echoes)*2)
}
