package gemini

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"slices"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonobj"
	"github.com/llmux/llmux/provider"
)

// embedResponse is the answer of embedContent (Embedding) or
// batchEmbedContents (Embeddings):
// https://ai.google.dev/api/embeddings
type embedResponse struct {
	Embedding *struct {
		Values []float32 `json:"values"`
	} `json:"embedding"`
	Embeddings []struct {
		Values []float32 `json:"values"`
	} `json:"embeddings"`
	UsageMetadata *usageMetadata `json:"usageMetadata"`
}

// Embedding embeds a.Request.Input: one text with embedContent, several
// with batchEmbedContents. dimensions becomes outputDimensionality; Extra
// keys are members of each embed request ("task_type" is renamed
// taskType: RETRIEVAL_QUERY, SEMANTIC_SIMILARITY...; "title" passes).
// encoding_format "base64" encodes the floats Gemini returns as OpenAI
// does.
func (p *Provider) Embedding(ctx context.Context, a *llmux.Attempt) (*llmux.EmbeddingResponse, error) {
	r := a.Request
	if len(r.Input) == 0 {
		return nil, p.invalidParam("input", "input is empty")
	}
	if r.EncodingFormat != "" && r.EncodingFormat != "float" && r.EncodingFormat != "base64" {
		return nil, p.invalidParam("encoding_format", "encoding_format %q is not float or base64", r.EncodingFormat)
	}
	model, ok := modelPath(a.Model)
	if !ok {
		model = "models/" + a.Model // the body's; the URL refuses the name (endpoint)
	}
	one := func(text string) (*object, error) {
		o := &object{}
		if err := o.SetEach([]field{
			{Key: "model", Val: model, When: true},
			{Key: "content", Val: content{Parts: []part{{Text: text}}}, When: true},
			{Key: "outputDimensionality", Val: r.Dimensions, When: r.Dimensions != nil},
		}); err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(r.Extra))
		for k := range r.Extra {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			v, err := p.compact(r.Extra[k], k, "extra")
			if err != nil {
				return nil, err
			}
			name := k
			if k == "task_type" {
				name = "taskType"
			}
			o.SetRaw(name, v)
		}
		return o, nil
	}
	var (
		body   []byte
		method = MethodEmbed
	)
	if len(r.Input) == 1 {
		o, err := one(r.Input[0])
		if err != nil {
			return nil, err
		}
		body = o.Bytes()
	} else {
		method = MethodBatchEmbed
		reqs := make([]*object, len(r.Input))
		for i, text := range r.Input {
			o, err := one(text)
			if err != nil {
				return nil, err
			}
			reqs[i] = o
		}
		b, err := jsonobj.Marshal(map[string][]*object{"requests": reqs})
		if err != nil {
			return nil, err
		}
		body = b
	}
	resp, err := p.send(ctx, a, method, body, r.Input)
	if err != nil {
		return nil, err
	}
	b, err := provider.ReadBody(a, resp)
	if err != nil {
		return nil, provider.Named(err, p.cfg.name)
	}
	var er embedResponse
	if err := json.Unmarshal(b, &er); err != nil {
		return nil, provider.BadResponse(p.cfg.name, "decode embeddings", err, b)
	}
	var vectors [][]float32
	switch {
	case method == MethodEmbed && er.Embedding != nil:
		vectors = [][]float32{er.Embedding.Values}
	case method == MethodBatchEmbed && er.Embeddings != nil:
		for _, e := range er.Embeddings {
			vectors = append(vectors, e.Values)
		}
	}
	if len(vectors) != len(r.Input) {
		return nil, provider.BadResponse(p.cfg.name, "embeddings: want one vector per input", nil, b)
	}
	out := &llmux.EmbeddingResponse{Object: "list", Model: a.Model, Data: make([]llmux.EmbeddingVector, len(vectors)),
		Usage: er.UsageMetadata.toLLMux(), Raw: json.RawMessage(b)}
	for i, v := range vectors {
		out.Data[i] = llmux.EmbeddingVector{Object: "embedding", Index: i, Vector: v}
		if r.EncodingFormat == "base64" {
			out.Data[i].Base64 = base64Vector(v)
		}
	}
	return out, nil
}

// base64Vector encodes floats as OpenAI's base64 embeddings:
// little-endian float32s.
func base64Vector(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(b)
}
