package vertex

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonobj"
	"github.com/llmux/llmux/provider"
)

// embedRequest is the body of Vertex AI's predict method for text
// embedding models (text-embedding-005, text-multilingual-embedding-002,
// gemini-embedding-001):
// https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/text-embeddings-api
type embedRequest struct {
	Instances  []embedInstance  `json:"instances"`
	Parameters *embedParameters `json:"parameters,omitempty"`
}

type embedInstance struct {
	Content  string `json:"content"`
	TaskType string `json:"task_type,omitempty"`
	Title    string `json:"title,omitempty"`
}

type embedParameters struct {
	OutputDimensionality *int  `json:"outputDimensionality,omitempty"`
	AutoTruncate         *bool `json:"autoTruncate,omitempty"`
}

type embedResponse struct {
	Predictions []struct {
		Embeddings struct {
			Values     []float32 `json:"values"`
			Statistics struct {
				TokenCount float64 `json:"token_count"`
			} `json:"statistics"`
		} `json:"embeddings"`
	} `json:"predictions"`
}

// Embedding embeds a.Request.Input with the model's predict method, all
// texts in one call. Dimensions is sent as outputDimensionality; the
// request's Extra "task_type" and "title" go on every instance and
// "auto_truncate" becomes autoTruncate. Claude models have no embeddings
// (CodeUnsupported).
func (p *Provider) Embedding(ctx context.Context, a *llmux.Attempt) (*llmux.EmbeddingResponse, error) {
	if isClaude(a.Model) {
		return nil, &llmux.Error{Code: llmux.CodeUnsupported, Provider: providerName, Message: "Claude models have no embeddings"}
	}
	body, err := embedBody(a.Request)
	if err != nil {
		return nil, err
	}
	t, err := p.resolve(ctx, a)
	if err != nil {
		return nil, err
	}
	h := make(http.Header, len(p.cfg.header)+2)
	for k, v := range p.cfg.header {
		h[k] = append([]string(nil), v...)
	}
	h.Set("Authorization", "Bearer "+t.token)
	h.Set("Content-Type", "application/json")
	resp, err := provider.Send(ctx, a, provider.Wire{
		Method: http.MethodPost,
		URL:    t.url("google", a.Model, "predict"),
		Header: h,
		Body:   body,
		APIKey: t.token,
		Input:  a.Request.Input,
	})
	if err != nil {
		return nil, provider.Named(err, providerName)
	}
	b, err := provider.ReadBody(a, resp)
	if err != nil {
		return nil, provider.Named(err, providerName)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, httpError(resp.StatusCode, resp.Header, b)
	}
	return decodeEmbedding(a.Model, b, a.Request.EncodingFormat == "base64")
}

func embedBody(r *llmux.Request) ([]byte, error) {
	if len(r.Input) == 0 {
		return nil, &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: providerName, Param: "input", Message: "no input to embed"}
	}
	var inst embedInstance
	for k, dst := range map[string]*string{"task_type": &inst.TaskType, "title": &inst.Title} {
		if raw, ok := r.Extra[k]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return nil, &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: providerName, Param: k, Message: k + " must be a string"}
			}
		}
	}
	req := embedRequest{Instances: make([]embedInstance, len(r.Input))}
	for i, s := range r.Input {
		req.Instances[i] = inst
		req.Instances[i].Content = s
	}
	var params embedParameters
	params.OutputDimensionality = r.Dimensions
	if raw, ok := r.Extra["auto_truncate"]; ok {
		var v bool
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: providerName, Param: "auto_truncate", Message: "auto_truncate must be a boolean"}
		}
		params.AutoTruncate = &v
	}
	if params != (embedParameters{}) {
		req.Parameters = &params
	}
	b, err := jsonobj.Marshal(req)
	if err != nil {
		return nil, &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: providerName, Message: "encode request: " + err.Error(), Err: err}
	}
	return b, nil
}

// decodeEmbedding decodes a predict answer. With asBase64 (the request's
// encoding_format "base64", which Vertex AI does not have) each vector
// also carries OpenAI's base64 form: its float32s, little-endian.
func decodeEmbedding(model string, b []byte, asBase64 bool) (*llmux.EmbeddingResponse, error) {
	var er embedResponse
	if err := json.Unmarshal(b, &er); err != nil {
		return nil, &llmux.Error{Code: llmux.CodeBadResponse, Provider: providerName, Message: "decode embeddings: " + err.Error(), Err: err}
	}
	if len(er.Predictions) == 0 {
		return nil, &llmux.Error{Code: llmux.CodeBadResponse, Provider: providerName, Message: "decode embeddings: no predictions"}
	}
	out := &llmux.EmbeddingResponse{Object: "list", Model: model, Raw: append(json.RawMessage(nil), b...)}
	tokens := 0
	for i, pr := range er.Predictions {
		v := llmux.EmbeddingVector{Object: "embedding", Index: i, Vector: pr.Embeddings.Values}
		if asBase64 {
			raw := make([]byte, 0, 4*len(v.Vector))
			for _, f := range v.Vector {
				raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(f))
			}
			v.Base64 = base64.StdEncoding.EncodeToString(raw)
		}
		out.Data = append(out.Data, v)
		tokens += int(pr.Embeddings.Statistics.TokenCount)
	}
	out.Usage.PromptTokens = tokens
	out.Usage.TotalTokens = tokens
	return out, nil
}

// embeddingParams are the OpenAI parameters of embeddings the provider
// sends: dimensions (outputDimensionality) and encoding_format (base64
// made from the floats).
var embeddingParams = map[string]bool{"dimensions": true, "encoding_format": true}
