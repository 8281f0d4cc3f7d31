package vertex

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

func TestEmbedding_Predict(t *testing.T) {
	f := serve(t, http.StatusOK, "embed-predict.json")
	req := &llmux.Request{Input: []string{"hello world", "bonjour"}, Dimensions: ptr(3),
		Extra: map[string]json.RawMessage{"task_type": json.RawMessage(`"RETRIEVAL_QUERY"`)}}
	resp, err := claudeProvider(f).Embedding(bg, f.attempt(req, "text-embedding-005"))
	if err != nil {
		t.Fatal(err)
	}
	r := last(t, f)
	if want := "/v1/projects/p1/locations/us-east5/publishers/google/models/text-embedding-005:predict"; r.Path != want {
		t.Errorf("path = %s", r.Path)
	}
	if r.Header.Get("Authorization") != "Bearer ya29.test" {
		t.Errorf("Authorization = %q", r.Header.Get("Authorization"))
	}
	providertest.Golden(t, "testdata/golden/embed.json", r.Body)
	if len(resp.Data) != 2 || resp.Data[1].Index != 1 || len(resp.Data[0].Vector) != 3 || resp.Data[1].Vector[2] != 0.125 {
		t.Errorf("data = %+v", resp.Data)
	}
	if resp.Usage.PromptTokens != 7 || resp.Usage.TotalTokens != 7 || resp.Model != "text-embedding-005" {
		t.Errorf("usage %+v model %q", resp.Usage, resp.Model)
	}
}

func TestEmbedding_Base64(t *testing.T) {
	f := serve(t, http.StatusOK, "embed-predict.json")
	resp, err := claudeProvider(f).Embedding(bg, f.attempt(&llmux.Request{Input: []string{"a", "b"}, EncodingFormat: "base64"}, "text-embedding-005"))
	if err != nil {
		t.Fatal(err)
	}
	// 0.5, -0.25, 0.125 as little-endian float32s.
	if got := resp.Data[1].Base64; got != "AAAAPwAAgL4AAAA+" {
		t.Errorf("base64 = %q", got)
	}
	if resp.Data[1].Vector[0] != 0.5 {
		t.Errorf("vector = %v", resp.Data[1].Vector)
	}
}

func TestEmbedding_Errors(t *testing.T) {
	f := serve(t, http.StatusTooManyRequests, "errors/google-429-quota.json")
	_, err := claudeProvider(f).Embedding(bg, f.attempt(&llmux.Request{Input: []string{"x"}}, "gemini-embedding-001"))
	var e *llmux.Error
	if llmux.CodeOf(err) != llmux.CodeRateLimited || !asError(err, &e) || e.Type != "RESOURCE_EXHAUSTED" || e.Provider != "vertex_ai" {
		t.Fatalf("err = %#v", err)
	}
	_, err = claudeProvider(f).Embedding(bg, f.attempt(&llmux.Request{Input: []string{"x"}}, "claude-sonnet-4-5"))
	if llmux.CodeOf(err) != llmux.CodeUnsupported {
		t.Fatalf("claude: err = %v", err)
	}
	f = serve(t, http.StatusOK, "claude-message.json")
	_, err = claudeProvider(f).Embedding(bg, f.attempt(&llmux.Request{Input: []string{"x"}}, "text-embedding-005"))
	if llmux.CodeOf(err) != llmux.CodeBadResponse {
		t.Fatalf("not predictions: err = %v", err)
	}
}

func asError(err error, e **llmux.Error) bool {
	le, ok := err.(*llmux.Error)
	*e = le
	return ok
}
