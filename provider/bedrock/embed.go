package bedrock

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

var _ provider.Embedder = (*Provider)(nil)

// Embedding computes embeddings with InvokeModel
// (POST /model/{modelId}/invoke), in the model family's own body:
//
//   - Amazon Titan text embeddings (amazon.titan-embed-text-v1,
//     amazon.titan-embed-text-v2:0, amazon.titan-embed-g1-text-02):
//     {"inputText": ...}, one input per request; dimensions becomes
//     "dimensions" (v2 only).
//   - Cohere (cohere.embed-english-v3, cohere.embed-multilingual-v3,
//     cohere.embed-v4:0): {"texts": [...], "input_type": ...}, up to 96
//     inputs; input_type defaults to "search_document" as in LiteLLM, and
//     the request's Extra may set input_type and truncate.
//
// Other models are CodeUnsupported. The usage is the
// X-Amzn-Bedrock-Input-Token-Count header, else Titan's
// inputTextTokenCount.
// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html
// https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html
func (p *Provider) Embedding(ctx context.Context, a *llmux.Attempt) (*llmux.EmbeddingResponse, error) {
	model := modelID(a.Model)
	r := a.Request
	if len(r.Input) == 0 {
		return nil, invalidParam("input", "embedding input is empty")
	}
	if r.EncodingFormat != "" && r.EncodingFormat != "float" && r.EncodingFormat != "base64" {
		return nil, invalidParam("encoding_format", "encoding_format %q is not float or base64", r.EncodingFormat)
	}
	var (
		body []byte
		err  error
	)
	family := embeddingFamily(model)
	switch family {
	case "titan":
		body, err = titanBody(r, model)
	case "cohere":
		body, err = cohereBody(r)
	default:
		return nil, &llmux.Error{Code: llmux.CodeUnsupported, Provider: providerName,
			Message: "embeddings are supported for Amazon Titan and Cohere embedding models, not " + model}
	}
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, a, model, "/invoke", body)
	if err != nil {
		return nil, err
	}
	header := resp.Header
	b, err := provider.ReadBody(a, resp)
	if err != nil {
		return nil, provider.Named(err, providerName)
	}
	var out *llmux.EmbeddingResponse
	if family == "titan" {
		out, err = decodeTitan(b)
	} else {
		out, err = decodeCohere(b, len(r.Input))
	}
	if err != nil {
		return nil, err
	}
	out.Object, out.Model, out.Raw = "list", model, json.RawMessage(b)
	if n, err := strconv.Atoi(header.Get("X-Amzn-Bedrock-Input-Token-Count")); err == nil && n > 0 {
		out.Usage = llmux.Usage{PromptTokens: n, TotalTokens: n}
	}
	if r.EncodingFormat == "base64" {
		// Bedrock answers floats; OpenAI's base64 is their little-endian
		// float32 bytes, which OpenAI's SDKs ask for by default.
		for i := range out.Data {
			out.Data[i].Base64 = base64Floats(out.Data[i].Vector)
		}
	}
	return out, nil
}

// embeddingFamily returns "titan", "cohere" or "" for a model id,
// cross-region prefixes included.
func embeddingFamily(model string) string {
	switch {
	case strings.Contains(model, "amazon.titan-embed-text"), strings.Contains(model, "amazon.titan-embed-g1-text"):
		return "titan"
	case strings.Contains(model, "cohere.embed"):
		return "cohere"
	}
	return ""
}

type titanRequest struct {
	InputText  string `json:"inputText"`
	Dimensions *int   `json:"dimensions,omitempty"`
	Normalize  *bool  `json:"normalize,omitempty"`
}

// titanBody builds a Titan body: one input; dimensions and the request's
// Extra "normalize" for v2.
func titanBody(r *llmux.Request, model string) ([]byte, error) {
	if len(r.Input) > 1 {
		return nil, &llmux.Error{Code: llmux.CodeUnsupported, Provider: providerName, Param: "input",
			Message: "Titan text embedding models embed one input per request: send one input per call"}
	}
	body := titanRequest{InputText: r.Input[0], Dimensions: r.Dimensions}
	if r.Dimensions != nil && !strings.Contains(model, "titan-embed-text-v2") {
		return nil, invalidParam("dimensions", "dimensions is supported by amazon.titan-embed-text-v2 only")
	}
	if raw, ok := r.Extra["normalize"]; ok {
		var v bool
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, invalidParam("normalize", "normalize must be a boolean")
		}
		body.Normalize = &v
	}
	return marshal(body)
}

type cohereRequest struct {
	Texts           []string `json:"texts"`
	InputType       string   `json:"input_type"`
	Truncate        string   `json:"truncate,omitempty"`
	OutputDimension *int     `json:"output_dimension,omitempty"`
}

// cohereBody builds a Cohere embed body.
func cohereBody(r *llmux.Request) ([]byte, error) {
	body := cohereRequest{Texts: r.Input, InputType: "search_document", OutputDimension: r.Dimensions}
	for _, k := range []string{"input_type", "truncate"} {
		raw, ok := r.Extra[k]
		if !ok {
			continue
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, invalidParam(k, "%s must be a string", k)
		}
		if k == "input_type" {
			body.InputType = v
		} else {
			body.Truncate = v
		}
	}
	return marshal(body)
}

// decodeTitan converts {"embedding":[...],"inputTextTokenCount":n}.
func decodeTitan(b []byte) (*llmux.EmbeddingResponse, error) {
	var r struct {
		Embedding           []float32 `json:"embedding"`
		InputTextTokenCount int       `json:"inputTextTokenCount"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, provider.BadResponse(providerName, "decode embedding", err, b)
	}
	if r.Embedding == nil {
		return nil, provider.BadResponse(providerName, "response without embedding", nil, b)
	}
	return &llmux.EmbeddingResponse{
		Data:  []llmux.EmbeddingVector{{Object: "embedding", Index: 0, Vector: r.Embedding}},
		Usage: llmux.Usage{PromptTokens: r.InputTextTokenCount, TotalTokens: r.InputTextTokenCount},
	}, nil
}

// decodeCohere converts {"embeddings":[[...],...]} or, when embedding
// types were asked for (embed v4), {"embeddings":{"float":[[...],...]}}.
func decodeCohere(b []byte, n int) (*llmux.EmbeddingResponse, error) {
	var r struct {
		Embeddings json.RawMessage `json:"embeddings"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, provider.BadResponse(providerName, "decode embeddings", err, b)
	}
	var vectors [][]float32
	if err := json.Unmarshal(r.Embeddings, &vectors); err != nil || vectors == nil {
		var typed struct {
			Float [][]float32 `json:"float"`
		}
		if err := json.Unmarshal(r.Embeddings, &typed); err != nil || typed.Float == nil {
			return nil, provider.BadResponse(providerName, "response without float embeddings", nil, b)
		}
		vectors = typed.Float
	}
	if len(vectors) != n {
		return nil, provider.BadResponse(providerName, "response has "+strconv.Itoa(len(vectors))+" embeddings for "+strconv.Itoa(n)+" inputs", nil, b)
	}
	out := &llmux.EmbeddingResponse{Data: make([]llmux.EmbeddingVector, len(vectors))}
	for i, v := range vectors {
		out.Data[i] = llmux.EmbeddingVector{Object: "embedding", Index: i, Vector: v}
	}
	return out, nil
}

// base64Floats encodes v as OpenAI's base64 embeddings: little-endian
// float32s.
func base64Floats(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// embeddingParam reports whether embeddings of model take the OpenAI
// parameter name: dimensions for Titan v2 and Cohere embed v4,
// encoding_format (float, or base64 encoded here) for all.
func embeddingParam(model, name string) bool {
	return name == "dimensions" && (strings.Contains(model, "titan-embed-text-v2") || strings.Contains(model, "cohere.embed-v4")) ||
		name == "encoding_format"
}
