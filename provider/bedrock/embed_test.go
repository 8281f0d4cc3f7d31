package bedrock

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/record"
	"github.com/llmux/llmux/provider/providertest"
)

func embed(t *testing.T, f *fake, model string, req *llmux.Request) (*llmux.EmbeddingResponse, error) {
	t.Helper()
	a := f.attempt(req)
	a.Model = model
	return f.provider().Embedding(bg, a)
}

func TestEmbedding_Titan(t *testing.T) {
	isolate(t)
	f := serveFixture(t, 200, "titan-embed.json")
	resp, err := embed(t, f, "amazon.titan-embed-text-v2:0", &llmux.Request{Input: []string{"hello world"}, Dimensions: ptr(256),
		Extra: map[string]json.RawMessage{"normalize": json.RawMessage(`true`)}})
	if err != nil {
		t.Fatal(err)
	}
	r := f.last(t)
	if r.RawPath != "/model/amazon.titan-embed-text-v2%3A0/invoke" {
		t.Errorf("path = %s", r.RawPath)
	}
	providertest.Golden(t, "testdata/golden/embed-titan.json", r.Body)
	if len(resp.Data) != 1 || len(resp.Data[0].Vector) != 4 || resp.Data[0].Vector[1] != -0.0456 || resp.Object != "list" ||
		resp.Model != "amazon.titan-embed-text-v2:0" || resp.Usage.PromptTokens != 5 || resp.Usage.TotalTokens != 5 {
		t.Fatalf("response %+v", resp)
	}
}

func TestEmbedding_CohereBatchWithHeaderUsage(t *testing.T) {
	isolate(t)
	f := serveFixture(t, 200, "cohere-embed.json")
	f.header.Set("X-Amzn-Bedrock-Input-Token-Count", "4")
	resp, err := embed(t, f, "cohere.embed-english-v3", &llmux.Request{Input: []string{"hello world", "goodbye"},
		Extra: map[string]json.RawMessage{"input_type": json.RawMessage(`"search_query"`), "truncate": json.RawMessage(`"END"`)}})
	if err != nil {
		t.Fatal(err)
	}
	providertest.Golden(t, "testdata/golden/embed-cohere.json", f.last(t).Body)
	if len(resp.Data) != 2 || resp.Data[1].Index != 1 || resp.Data[1].Vector[2] != -0.066 || resp.Usage.PromptTokens != 4 {
		t.Fatalf("response %+v", resp)
	}
}

func TestEmbedding_CohereTypedAndBase64(t *testing.T) {
	isolate(t)
	f := newFake(t, 200, "application/json", []byte(`{"embeddings":{"float":[[1.5,-2]]},"id":"x","response_type":"embeddings_by_type"}`))
	resp, err := embed(t, f, "cohere.embed-v4:0", &llmux.Request{Input: []string{"hi"}, EncodingFormat: "base64"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := base64.StdEncoding.DecodeString(resp.Data[0].Base64)
	if want := []byte{0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0}; string(b) != string(want) {
		t.Fatalf("base64 bytes = %v, want %v", b, want)
	}
}

func TestEmbedding_Refused(t *testing.T) {
	isolate(t)
	for _, tc := range []struct {
		model string
		req   *llmux.Request
		code  llmux.Code
	}{
		{"amazon.titan-embed-text-v2:0", &llmux.Request{Input: []string{"a", "b"}}, llmux.CodeUnsupported},
		{"amazon.titan-embed-text-v1", &llmux.Request{Input: []string{"a"}, Dimensions: ptr(256)}, llmux.CodeInvalidRequest},
		{testModel, &llmux.Request{Input: []string{"a"}}, llmux.CodeUnsupported},
		{"cohere.embed-english-v3", &llmux.Request{}, llmux.CodeInvalidRequest},
		{"cohere.embed-english-v3", &llmux.Request{Input: []string{"a"}, EncodingFormat: "int8"}, llmux.CodeInvalidRequest},
	} {
		p := New(WithStaticCredentials(testKeyID, testSecret, ""))
		_, err := p.Embedding(bg, &llmux.Attempt{Request: tc.req, Model: tc.model, HTTPClient: providertest.NoNetwork(t)})
		if code := llmux.CodeOf(err); code != tc.code {
			t.Errorf("%s %+v: err = %v, want code %v", tc.model, tc.req, err, tc.code)
		}
	}
}

func TestEmbedding_BadResponses(t *testing.T) {
	for _, body := range []string{`{}`, `null`, `{"embeddings":[[1]]}`, `{"embeddings":"x"}`} {
		_, err1 := decodeTitan([]byte(body))
		_, err2 := decodeCohere([]byte(body), 2)
		if llmux.CodeOf(err1) != llmux.CodeBadResponse || llmux.CodeOf(err2) != llmux.CodeBadResponse {
			t.Errorf("%s: %v / %v", body, err1, err2)
		}
	}
}

func TestEmbedding_CostThroughClient(t *testing.T) {
	isolate(t)
	for model, file := range map[string]string{
		"bedrock/amazon.titan-embed-text-v2:0": "titan-embed.json",
		"bedrock/cohere.embed-english-v3":      "cohere-embed.json",
	} {
		t.Run(model, func(t *testing.T) {
			f := serveFixture(t, 200, file)
			f.header.Set("X-Amzn-Bedrock-Input-Token-Count", "5")
			rec := &record.Events{}
			c, err := llmux.New(llmux.WithProvider(f.provider()), llmux.WithCallbacks(llmux.Inline(rec)))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(bg)
			input := []string{"hello world"}
			if strings.Contains(model, "cohere") {
				input = append(input, "goodbye")
			}
			if _, err := c.Embedding(bg, &llmux.Request{Model: model, Input: input}); err != nil {
				t.Fatal(err)
			}
			if got := rec.Sequence(); got != "pre_api_call,post_api_call,successful_api_call" {
				t.Fatalf("events = %s", got)
			}
			if ev := rec.Last(); ev.CostErr != nil || ev.ResponseCost <= 0 {
				t.Fatalf("cost %v (err %v)", ev.ResponseCost, ev.CostErr)
			}
		})
	}
}
