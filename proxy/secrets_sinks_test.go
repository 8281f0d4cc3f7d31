package proxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/llmux/llmux/proxy/config"
)

// sinkCapture is an HTTP receiver keeping every header and body it got:
// the webhook's endpoint and the OTLP/HTTP collector.
type sinkCapture struct {
	mu   sync.Mutex
	seen [][]byte
}

func (c *sinkCapture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var h bytes.Buffer
	_ = r.Header.Write(&h)
	c.mu.Lock()
	c.seen = append(c.seen, []byte(r.URL.String()), h.Bytes(), b)
	c.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (c *sinkCapture) all() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.seen...)
}

// randomKey is a key in OpenAI's shape, different on every call.
func randomKey(r *rand.Rand, prefix string) string {
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := []byte(prefix)
	for range 40 {
		b = append(b, alnum[r.IntN(len(alnum))])
	}
	return string(b)
}

// TestSecrets_NoSinkEverGetsAnUnmaskedKey is the property across every
// sink the gateway's config can name: with random upstream and master
// keys, and an upstream that echoes the key in its error (as a careless
// proxy in front of a provider may), nothing the webhook (generic_api),
// the file, the spend log (the SQLite file and its WAL), the OTLP
// collector or /metrics received holds either key, or any 16-character
// piece of one. The nats sink publishes the same payload line as the file
// and webhook (its own test checks the messages on a live server).
func TestSecrets_NoSinkEverGetsAnUnmaskedKey(t *testing.T) {
	chat := string(readFile(t, "testdata/openai-chat.json"))
	stream := string(readFile(t, "testdata/openai-chat-stream.sse"))
	r := rand.New(rand.NewPCG(7, 11))
	for round := range 3 {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			upKey, master := randomKey(r, "sk-proj-"), randomKey(r, "sk-master-")
			up := newFakeUpstream(t,
				upstreamReply{body: chat},
				upstreamReply{body: stream},
				upstreamReply{status: http.StatusUnauthorized,
					body: `{"error":{"message":"Incorrect API key provided: ` + upKey + `","type":"invalid_request_error","code":"invalid_api_key"}}`},
			)
			hook, otlp := &sinkCapture{}, &sinkCapture{}
			hookSrv, otlpSrv := httptest.NewServer(hook), httptest.NewServer(otlp)
			defer hookSrv.Close()
			defer otlpSrv.Close()
			dir := t.TempDir()
			env := map[string]string{
				"UP_BASE": up.URL + "/v1", "UP_KEY": upKey, "MASTER": master,
				"GENERIC_LOGGER_ENDPOINT": hookSrv.URL + "/log",
				"GENERIC_LOGGER_HEADERS":  "X-Team=blue",
				"LLMUX_FILE_PATH":         filepath.Join(dir, "events.jsonl"),
				"LLMUX_SPEND_DB":          filepath.Join(dir, "spend.db"),
				"OTEL_EXPORTER":           "otlp_http",
				"OTEL_ENDPOINT":           otlpSrv.URL,
			}
			getenv := func(k string) string { return env[k] }
			cfg, err := config.Load([]byte(`
model_list:
  - model_name: gpt-4o
    litellm_params: {model: openai/gpt-4o, api_base: os.environ/UP_BASE, api_key: os.environ/UP_KEY}
litellm_settings:
  callbacks: ["generic_api", "file", "sql", "otel", "prometheus"]
  num_retries: 0
general_settings:
  master_key: os.environ/MASTER
`), config.WithLookupEnv(lookupFrom(getenv)))
			if err != nil {
				t.Fatal(err)
			}
			srv, err := New(WithConfig(cfg, getenv), WithLog(slog.New(slog.NewTextHandler(io.Discard, nil))))
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv)
			g := &gateway{Server: ts, srv: srv}
			auth := []string{"Authorization", "Bearer " + master}
			for i, body := range []string{
				`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`,
				`{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}`,
				`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`,
			} {
				status, _, answer := g.post(t, "/v1/chat/completions", body, auth...)
				if want := []int{200, 200, 401}[i]; status != want {
					t.Fatalf("request %d: status %d, want %d: %s", i, status, want, answer)
				}
				if bytes.Contains(answer, []byte(upKey)) {
					t.Errorf("request %d: the client got the upstream key back: %s", i, answer)
				}
			}
			resp, err := http.Get(ts.URL + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			metrics, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/metrics: %d: %s", resp.StatusCode, metrics)
			}
			ts.Close()
			if err := srv.Close(context.Background()); err != nil {
				t.Fatal(err)
			}

			outputs := map[string][][]byte{"/metrics": {metrics}}
			outputs["webhook"] = hook.all()
			outputs["otel"] = otlp.all()
			for _, f := range []string{"events.jsonl", "spend.db", "spend.db-wal"} {
				if b, err := os.ReadFile(filepath.Join(dir, f)); err == nil {
					outputs[f] = [][]byte{b}
				}
			}
			for _, sink := range []string{"webhook", "otel", "events.jsonl", "spend.db", "/metrics"} {
				if n := len(outputs[sink]); n == 0 || len(bytes.Join(outputs[sink], nil)) == 0 {
					t.Errorf("%s received nothing: the property would hold vacuously", sink)
				}
			}
			for sink, parts := range outputs {
				for _, p := range parts {
					for _, key := range []string{upKey, master} {
						for i := 0; i+16 <= len(key); i += 4 {
							if piece := key[i : i+16]; bytes.Contains(p, []byte(piece)) {
								t.Errorf("%s holds %q, a piece of a key", sink, piece)
								break
							}
						}
					}
				}
			}
		})
	}
}
