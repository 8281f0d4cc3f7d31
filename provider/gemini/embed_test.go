package gemini

import (
	"encoding/json"
	"testing"

	"github.com/llmux/llmux"
)

func TestEmbedding_Single(t *testing.T) {
	f := serve(t, 200, "embed.json")
	resp, err := f.provider().Embedding(bg, f.attempt(&llmux.Request{Input: []string{"hello world"}, Dimensions: ptr(4),
		Extra: map[string]json.RawMessage{"task_type": json.RawMessage(`"RETRIEVAL_QUERY"`)}}, "gemini-embedding-001"))
	if err != nil {
		t.Fatal(err)
	}
	r := f.Only(t)
	if r.Path != "/v1beta/models/gemini-embedding-001:embedContent" || r.Header.Get("x-goog-api-key") != testKey {
		t.Errorf("path %s", r.Path)
	}
	if want := `{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"hello world"}]},"outputDimensionality":4,"taskType":"RETRIEVAL_QUERY"}`; string(r.Body) != want {
		t.Errorf("body = %s\nwant %s", r.Body, want)
	}
	if resp.Object != "list" || resp.Model != "gemini-embedding-001" || len(resp.Data) != 1 || len(resp.Data[0].Vector) != 4 ||
		resp.Data[0].Vector[0] != float32(0.013168523) || resp.Data[0].Object != "embedding" {
		t.Errorf("resp = %+v", resp)
	}
}

func TestEmbedding_Batch(t *testing.T) {
	f := serve(t, 200, "batch-embed.json")
	resp, err := f.provider().Embedding(bg, f.attempt(&llmux.Request{Input: []string{"a", "b"}, EncodingFormat: "base64"}, "text-embedding-004"))
	if err != nil {
		t.Fatal(err)
	}
	r := f.Only(t)
	if r.Path != "/v1beta/models/text-embedding-004:batchEmbedContents" {
		t.Errorf("path %s", r.Path)
	}
	if want := `{"requests":[{"model":"models/text-embedding-004","content":{"parts":[{"text":"a"}]}},{"model":"models/text-embedding-004","content":{"parts":[{"text":"b"}]}}]}`; string(r.Body) != want {
		t.Errorf("body = %s\nwant %s", r.Body, want)
	}
	if len(resp.Data) != 2 || resp.Data[1].Index != 1 || resp.Data[1].Vector[2] != float32(0.0080911) || resp.Data[0].Base64 == "" {
		t.Fatalf("resp = %+v", resp)
	}
	// The base64 form decodes to the same floats.
	b, _ := json.Marshal(resp)
	var back llmux.EmbeddingResponse
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Data[1].Vector[2] != float32(0.0080911) {
		t.Errorf("base64 round trip = %v", back.Data[1].Vector)
	}
}

func TestEmbedding_CountMismatchIsBadResponse(t *testing.T) {
	f := serve(t, 200, "embed.json")
	_, err := f.provider().Embedding(bg, f.attempt(&llmux.Request{Input: []string{"a", "b"}}, "text-embedding-004"))
	if code := llmux.CodeOf(err); code != llmux.CodeBadResponse {
		t.Errorf("err = %v", err)
	}
}

func TestEmbedding_ThroughClient(t *testing.T) {
	f := serve(t, 200, "batch-embed.json")
	c, err := llmux.New(llmux.WithProvider(New(WithAPIKey(testKey), WithBaseURL(f.srv.URL))))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(bg)
	resp, err := c.Embedding(bg, &llmux.Request{Model: "gemini/gemini-embedding-001", Input: []string{"a", "b"}, Dimensions: ptr(3)})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Data) != 2 {
		t.Errorf("data = %d", len(resp.Data))
	}
	if got := string(f.Only(t).Body); got != `{"requests":[{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"a"}]},"outputDimensionality":3},{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"b"}]},"outputDimensionality":3}]}` {
		t.Errorf("body = %s", got)
	}
}
