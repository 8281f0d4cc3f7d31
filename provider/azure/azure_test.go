package azure_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/azure"
	"github.com/llmux/llmux/provider/providertest"
)

const testKey = "azure-test-key-0123456789abcdef"

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newProvider(base string, opts ...azure.Option) *azure.Provider {
	return azure.New(append([]azure.Option{azure.WithAPIKey(testKey), azure.WithAPIBase(base)}, opts...)...)
}

func attempt(srv *httptest.Server, req *llmux.Request, deployment string) *llmux.Attempt {
	return &llmux.Attempt{Request: req, Model: deployment, Number: 1, HTTPClient: srv.Client()}
}

func hello() *llmux.Request { return &llmux.Request{Messages: []llmux.Message{llmux.User("Hello!")}} }

func checkRequest(t *testing.T, got providertest.Request, path, version string) {
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
	body := providertest.Fixture(t, "azure-chat.json")
	srv, c := providertest.Serve(t, http.StatusOK, nil, body)
	p := newProvider(srv.URL + "/")
	req := hello()
	req.MaxTokens = new(int)
	*req.MaxTokens = 50
	resp, err := p.Chat(context.Background(), attempt(srv, req, "prod-gpt4o"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Only(t)
	checkRequest(t, got, "/openai/deployments/prod-gpt4o/chat/completions", azure.DefaultAPIVersion)
	providertest.Golden(t, "testdata/golden/chat.json", got.Body)
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
	srv, _ := providertest.Serve(t, http.StatusOK, nil, providertest.Fixture(t, "azure-chat-output-filtered.json"))
	resp, err := newProvider(srv.URL).Chat(context.Background(), attempt(srv, hello(), "prod-gpt4o"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].FinishReason != "content_filter" || resp.Text() != "" || resp.Usage.CompletionTokens != 14 {
		t.Errorf("response = %+v", resp)
	}
}

func TestChat_PromptFilteredIsContentFilteredError(t *testing.T) {
	srv, _ := providertest.Serve(t, http.StatusBadRequest, nil, providertest.Fixture(t, "errors/content-filter-400.json"))
	_, err := newProvider(srv.URL).Chat(context.Background(), attempt(srv, hello(), "prod-gpt4o"))
	e := providertest.AsError(t, err)
	if e.Code != llmux.CodeContentFiltered || e.Provider != "azure" || e.Type != "content_filter" || e.StatusCode != 400 ||
		!strings.HasPrefix(e.Message, "The response was filtered") {
		t.Errorf("error = %+v", e)
	}
}

func TestChat_RateLimitedWithRetryAfter(t *testing.T) {
	srv, _ := providertest.Serve(t, http.StatusTooManyRequests, http.Header{"Retry-After": {"20"}}, providertest.Fixture(t, "errors/openai-error-429-rate-limit.json"))
	_, err := newProvider(srv.URL).ChatStream(context.Background(), attempt(srv, hello(), "prod-gpt4o"))
	if e := providertest.AsError(t, err); e.Code != llmux.CodeRateLimited || e.RetryAfter != 20*time.Second || e.Provider != "azure" {
		t.Errorf("error = %+v", e)
	}
}

func TestChatStream_KeepsPromptFilterChunk(t *testing.T) {
	srv, c := providertest.Serve(t, http.StatusOK, nil, providertest.Fixture(t, "azure-chat-stream.sse"))
	r, err := newProvider(srv.URL).ChatStream(context.Background(), attempt(srv, hello(), "prod-gpt4o"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := c.Only(t)
	checkRequest(t, got, "/openai/deployments/prod-gpt4o/chat/completions", azure.DefaultAPIVersion)
	providertest.Golden(t, "testdata/golden/chat-stream.json", got.Body)
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
	if len(chunks) != 6 {
		t.Fatalf("%d chunks, want 6 (the prompt-filter chunk kept)", len(chunks))
	}
	if len(chunks[0].Choices) != 0 || len(chunks[0].Extra["prompt_filter_results"]) == 0 {
		t.Fatalf("first chunk = %+v, want Azure's prompt_filter_results chunk", chunks[0])
	}
	chunks = chunks[1:]
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
	srv, c := providertest.Serve(t, http.StatusOK, nil, providertest.Fixture(t, "openai-completions.json"))
	p := newProvider(srv.URL, azure.WithAPIVersion("2024-06-01"))
	resp, err := p.TextCompletion(context.Background(), attempt(srv, &llmux.Request{Prompt: "Say this is a test"}, "instruct"))
	if err != nil {
		t.Fatal(err)
	}
	checkRequest(t, c.Only(t), "/openai/deployments/instruct/completions", "2024-06-01")
	if resp.Text() != "\n\nThis is indeed a test" {
		t.Errorf("text = %q", resp.Text())
	}

	srv, c = providertest.Serve(t, http.StatusOK, nil, providertest.Fixture(t, "openai-embeddings.json"))
	a := attempt(srv, &llmux.Request{Input: []string{"hi"}}, "embed")
	a.APIVersion = "2025-01-01-preview" // per-request override
	emb, err := newProvider(srv.URL+"/openai").Embedding(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	got := c.Only(t)
	checkRequest(t, got, "/openai/deployments/embed/embeddings", "2025-01-01-preview")
	providertest.Golden(t, "testdata/golden/embeddings.json", got.Body)
	if len(emb.Data) != 1 || len(emb.Data[0].Vector) != 4 {
		t.Errorf("embedding = %+v", emb)
	}
}

func TestADToken(t *testing.T) {
	t.Setenv("AZURE_API_KEY", "")
	t.Setenv("AZURE_OPENAI_API_KEY", "")
	srv, c := providertest.Serve(t, http.StatusOK, nil, providertest.Fixture(t, "azure-chat.json"))
	p := azure.New(azure.WithAPIBase(srv.URL), azure.WithADToken("ad-token-0123456789"))
	if _, err := p.Chat(context.Background(), attempt(srv, hello(), "d")); err != nil {
		t.Fatal(err)
	}
	got := c.Only(t)
	if got.Header.Get("Authorization") != "Bearer ad-token-0123456789" || got.Header.Get("api-key") != "" {
		t.Errorf("headers = %v", got.Header)
	}
}

func TestEnvironmentDefaults(t *testing.T) {
	srv, c := providertest.Serve(t, http.StatusOK, nil, providertest.Fixture(t, "azure-chat.json"))
	t.Setenv("AZURE_API_KEY", "")
	t.Setenv("AZURE_OPENAI_API_KEY", testKey)
	t.Setenv("AZURE_API_BASE", "")
	t.Setenv("AZURE_OPENAI_ENDPOINT", srv.URL)
	t.Setenv("AZURE_API_VERSION", "2024-02-01")
	if _, err := azure.New().Chat(context.Background(), attempt(srv, hello(), "d")); err != nil {
		t.Fatal(err)
	}
	checkRequest(t, c.Only(t), "/openai/deployments/d/chat/completions", "2024-02-01")
}

func TestMissingSettings_FailBeforeAnyRequest(t *testing.T) {
	for _, k := range []string{"AZURE_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT", "AZURE_API_VERSION"} {
		t.Setenv(k, "")
	}
	a := &llmux.Attempt{Request: hello(), Model: "d", Number: 1, HTTPClient: providertest.NoNetwork(t)}

	_, err := azure.New(azure.WithAPIKey(testKey)).Chat(context.Background(), a)
	if e := providertest.AsError(t, err); e.Code != llmux.CodeInvalidRequest || !strings.Contains(e.Message, "AZURE_API_BASE") {
		t.Errorf("missing base: %+v", e)
	}
	_, err = azure.New(azure.WithAPIBase("https://example.openai.azure.com")).ChatStream(context.Background(), a)
	if e := providertest.AsError(t, err); e.Code != llmux.CodeAuthentication || e.Provider != "azure" || !strings.Contains(e.Message, "AZURE_API_KEY") {
		t.Errorf("missing key: %+v", e)
	}
}

// The client scrubs the key an upstream echoes from the caller's error.
func TestKeyNeverInErrors(t *testing.T) {
	body := []byte(`{"error":{"code":"401","message":"Access denied due to invalid subscription key ` + testKey + `. Make sure to provide a valid key."}}`)
	srv, _ := providertest.Serve(t, http.StatusUnauthorized, nil, body)
	c, err := llmux.New(llmux.WithProvider(newProvider(srv.URL)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	_, err = c.Completion(context.Background(), &llmux.Request{Model: "azure/d", Messages: hello().Messages})
	e := providertest.AsError(t, err)
	if e.Code != llmux.CodeAuthentication {
		t.Errorf("code = %v", e.Code)
	}
	for _, s := range []string{err.Error(), e.Message, string(e.Body)} {
		if strings.Contains(s, testKey) {
			t.Errorf("key leaked: %s", s)
		}
	}
}
