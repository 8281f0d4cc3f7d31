package azure_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/azure"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const testKey = "azure-test-key-0123456789abcdef"

type captured struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

type capture struct {
	mu   sync.Mutex
	reqs []captured
}

func (c *capture) last(t *testing.T) captured {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.reqs) != 1 {
		t.Fatalf("server received %d requests, want 1", len(c.reqs))
	}
	return c.reqs[0]
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func serve(t testing.TB, status int, header http.Header, body []byte) (*httptest.Server, *capture) {
	t.Helper()
	c := &capture{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.reqs = append(c.reqs, captured{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: b})
		c.mu.Unlock()
		for k, vs := range header {
			w.Header()[k] = vs
		}
		if bytes.HasPrefix(body, []byte("data:")) {
			w.Header().Set("Content-Type", "text/event-stream")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, c
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("body differs from %s\n got: %s\nwant: %s", path, got, want)
	}
}

func newProvider(base string, opts ...azure.Option) *azure.Provider {
	return azure.New(append([]azure.Option{azure.WithAPIKey(testKey), azure.WithAPIBase(base)}, opts...)...)
}

func attempt(srv *httptest.Server, req *llmux.Request, deployment string) *llmux.Attempt {
	return &llmux.Attempt{Request: req, Model: deployment, Number: 1, HTTPClient: srv.Client()}
}

func hello() *llmux.Request { return &llmux.Request{Messages: []llmux.Message{llmux.User("Hello!")}} }

func asError(t *testing.T, err error) *llmux.Error {
	t.Helper()
	var e *llmux.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *llmux.Error", err, err)
	}
	return e
}

func checkRequest(t *testing.T, got captured, path, version string) {
	t.Helper()
	if got.Method != http.MethodPost || got.Path != path || got.Query != "api-version="+version {
		t.Errorf("request %s %s?%s, want POST %s?api-version=%s", got.Method, got.Path, got.Query, path, version)
	}
	if h := got.Header.Get("api-key"); h != testKey {
		t.Errorf("api-key = %q", h)
	}
	if h := got.Header.Get("Authorization"); h != "" {
		t.Errorf("Authorization = %q, want none", h)
	}
}

func TestChat_EndpointAuthAndBody(t *testing.T) {
	body := fixture(t, "azure-chat.json")
	srv, c := serve(t, http.StatusOK, nil, body)
	p := newProvider(srv.URL + "/")
	req := hello()
	req.MaxTokens = new(int)
	*req.MaxTokens = 50
	resp, err := p.Chat(context.Background(), attempt(srv, req, "prod-gpt4o"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.last(t)
	checkRequest(t, got, "/openai/deployments/prod-gpt4o/chat/completions", azure.DefaultAPIVersion)
	golden(t, "chat.json", got.Body)
	if resp.Text() != "Hello! How can I assist you today?" || resp.Choices[0].FinishReason != "stop" || resp.Usage.TotalTokens != 29 {
		t.Errorf("response = %+v", resp)
	}
	if !bytes.Equal(resp.Raw, body) {
		t.Error("Raw is not the upstream body")
	}
	if p.Name() != "azure" {
		t.Errorf("Name() = %q", p.Name())
	}
}

func TestChat_OutputFilteredStaysAResponse(t *testing.T) {
	srv, _ := serve(t, http.StatusOK, nil, fixture(t, "azure-chat-output-filtered.json"))
	resp, err := newProvider(srv.URL).Chat(context.Background(), attempt(srv, hello(), "prod-gpt4o"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].FinishReason != "content_filter" || resp.Text() != "" || resp.Usage.CompletionTokens != 14 {
		t.Errorf("response = %+v", resp)
	}
}

func TestChat_PromptFilteredIsContentFilteredError(t *testing.T) {
	srv, _ := serve(t, http.StatusBadRequest, nil, fixture(t, "errors/content-filter-400.json"))
	_, err := newProvider(srv.URL).Chat(context.Background(), attempt(srv, hello(), "prod-gpt4o"))
	e := asError(t, err)
	if e.Code != llmux.CodeContentFiltered || e.Provider != "azure" || e.Type != "content_filter" || e.StatusCode != 400 ||
		!strings.HasPrefix(e.Message, "The response was filtered") {
		t.Errorf("error = %+v", e)
	}
}

func TestChat_RateLimitedWithRetryAfter(t *testing.T) {
	srv, _ := serve(t, http.StatusTooManyRequests, http.Header{"Retry-After": {"20"}}, fixture(t, "errors/openai-error-429-rate-limit.json"))
	_, err := newProvider(srv.URL).ChatStream(context.Background(), attempt(srv, hello(), "prod-gpt4o"))
	if e := asError(t, err); e.Code != llmux.CodeRateLimited || e.RetryAfter != 20*time.Second || e.Provider != "azure" {
		t.Errorf("error = %+v", e)
	}
}

func TestChatStream_SkipsPromptFilterChunk(t *testing.T) {
	srv, c := serve(t, http.StatusOK, nil, fixture(t, "azure-chat-stream.sse"))
	r, err := newProvider(srv.URL).ChatStream(context.Background(), attempt(srv, hello(), "prod-gpt4o"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := c.last(t)
	checkRequest(t, got, "/openai/deployments/prod-gpt4o/chat/completions", azure.DefaultAPIVersion)
	golden(t, "chat-stream.json", got.Body)
	var chunks []*llmux.Chunk
	for {
		ch, err := r.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, ch)
	}
	if len(chunks) != 5 {
		t.Fatalf("%d chunks, want 5 (the prompt-filter chunk skipped)", len(chunks))
	}
	var text strings.Builder
	for _, ch := range chunks {
		text.WriteString(ch.Text())
	}
	if text.String() != "Hello! How can I assist you today?" || chunks[0].ID != "chatcmpl-CZ3bZureHd2Kw9Qs4Nb1Vm6Rt" {
		t.Errorf("text %q, first %+v", text.String(), chunks[0])
	}
	if u := chunks[4].Usage; u == nil || u.PromptTokens != 19 || u.CompletionTokens != 10 {
		t.Errorf("usage = %+v", u)
	}
}

func TestTextCompletionAndEmbedding_Endpoints(t *testing.T) {
	srv, c := serve(t, http.StatusOK, nil, fixture(t, "openai-completions.json"))
	p := newProvider(srv.URL, azure.WithAPIVersion("2024-06-01"))
	resp, err := p.TextCompletion(context.Background(), attempt(srv, &llmux.Request{Prompt: "Say this is a test"}, "instruct"))
	if err != nil {
		t.Fatal(err)
	}
	checkRequest(t, c.last(t), "/openai/deployments/instruct/completions", "2024-06-01")
	if resp.Text() != "\n\nThis is indeed a test" {
		t.Errorf("text = %q", resp.Text())
	}

	srv, c = serve(t, http.StatusOK, nil, fixture(t, "openai-embeddings.json"))
	a := attempt(srv, &llmux.Request{Input: []string{"hi"}}, "embed")
	a.APIVersion = "2025-01-01-preview" // per-request override
	emb, err := newProvider(srv.URL+"/openai").Embedding(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	got := c.last(t)
	checkRequest(t, got, "/openai/deployments/embed/embeddings", "2025-01-01-preview")
	golden(t, "embeddings.json", got.Body)
	if len(emb.Data) != 1 || len(emb.Data[0].Vector) != 4 {
		t.Errorf("embedding = %+v", emb)
	}
}

func TestADToken(t *testing.T) {
	t.Setenv("AZURE_API_KEY", "")
	t.Setenv("AZURE_OPENAI_API_KEY", "")
	srv, c := serve(t, http.StatusOK, nil, fixture(t, "azure-chat.json"))
	p := azure.New(azure.WithAPIBase(srv.URL), azure.WithADToken("ad-token-0123456789"))
	if _, err := p.Chat(context.Background(), attempt(srv, hello(), "d")); err != nil {
		t.Fatal(err)
	}
	got := c.last(t)
	if got.Header.Get("Authorization") != "Bearer ad-token-0123456789" || got.Header.Get("api-key") != "" {
		t.Errorf("headers = %v", got.Header)
	}
}

func TestEnvironmentDefaults(t *testing.T) {
	srv, c := serve(t, http.StatusOK, nil, fixture(t, "azure-chat.json"))
	t.Setenv("AZURE_API_KEY", "")
	t.Setenv("AZURE_OPENAI_API_KEY", testKey)
	t.Setenv("AZURE_API_BASE", "")
	t.Setenv("AZURE_OPENAI_ENDPOINT", srv.URL)
	t.Setenv("AZURE_API_VERSION", "2024-02-01")
	if _, err := azure.New().Chat(context.Background(), attempt(srv, hello(), "d")); err != nil {
		t.Fatal(err)
	}
	checkRequest(t, c.last(t), "/openai/deployments/d/chat/completions", "2024-02-01")
}

func TestMissingSettings_FailBeforeAnyRequest(t *testing.T) {
	for _, k := range []string{"AZURE_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT", "AZURE_API_VERSION"} {
		t.Setenv(k, "")
	}
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request to %s", r.URL)
		return nil, errors.New("no network")
	})}
	a := &llmux.Attempt{Request: hello(), Model: "d", Number: 1, HTTPClient: client}

	_, err := azure.New(azure.WithAPIKey(testKey)).Chat(context.Background(), a)
	if e := asError(t, err); e.Code != llmux.CodeInvalidRequest || !strings.Contains(e.Message, "AZURE_API_BASE") {
		t.Errorf("missing base: %+v", e)
	}
	_, err = azure.New(azure.WithAPIBase("https://example.openai.azure.com")).ChatStream(context.Background(), a)
	if e := asError(t, err); e.Code != llmux.CodeAuthentication || e.Provider != "azure" || !strings.Contains(e.Message, "AZURE_API_KEY") {
		t.Errorf("missing key: %+v", e)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestKeyNeverInErrors(t *testing.T) {
	body := []byte(`{"error":{"code":"401","message":"Access denied due to invalid subscription key ` + testKey + `. Make sure to provide a valid key."}}`)
	srv, _ := serve(t, http.StatusUnauthorized, nil, body)
	_, err := newProvider(srv.URL).Chat(context.Background(), attempt(srv, hello(), "d"))
	e := asError(t, err)
	if e.Code != llmux.CodeAuthentication {
		t.Errorf("code = %v", e.Code)
	}
	for _, s := range []string{err.Error(), e.Message, string(e.Body)} {
		if strings.Contains(s, testKey) {
			t.Errorf("key leaked: %s", s)
		}
	}
}
