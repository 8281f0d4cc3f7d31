package openai

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"

	"github.com/llmux/llmux"
)

// badResponse is the error of a 2xx body that cannot be decoded.
func badResponse(provider, what string, status int, body []byte, err error) *llmux.Error {
	e := llmux.HTTPError(provider, status, nil, body)
	e.Code = llmux.CodeBadResponse
	e.Message = what + ": " + err.Error()
	e.Err = err
	return e
}

// DecodeResponse decodes a 2xx Chat Completions or legacy Completions body
// into a [llmux.Response] whose Raw is body. A body that cannot be decoded
// gives an *llmux.Error with CodeBadResponse; a body that holds only an
// "error" object (some OpenAI-compatible servers answer errors with 200)
// is mapped with [MapError].
func DecodeResponse(provider string, body []byte) (*llmux.Response, error) {
	var r struct {
		llmux.Response
		Error json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, badResponse(provider, "decode response", http.StatusOK, body, err)
	}
	if len(r.Choices) == 0 && len(r.Error) > 0 && !bytes.Equal(r.Error, []byte("null")) {
		return nil, MapError(provider, http.StatusOK, nil, body)
	}
	resp := r.Response
	resp.Raw = json.RawMessage(body)
	return &resp, nil
}

// DecodeEmbedding decodes a 2xx Embeddings body into a
// [llmux.EmbeddingResponse] whose Raw is body. Each embedding is either an
// array of numbers or, when the request asked for encoding_format
// "base64", a base64 string of little-endian float32s; both decode to
// Vector.
func DecodeEmbedding(provider string, body []byte) (*llmux.EmbeddingResponse, error) {
	var r struct {
		Object string `json:"object"`
		Model  string `json:"model"`
		Data   []struct {
			Object    string          `json:"object"`
			Index     int             `json:"index"`
			Embedding json.RawMessage `json:"embedding"`
		} `json:"data"`
		Usage llmux.Usage     `json:"usage"`
		Error json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, badResponse(provider, "decode embedding", http.StatusOK, body, err)
	}
	if len(r.Data) == 0 && len(r.Error) > 0 && !bytes.Equal(r.Error, []byte("null")) {
		return nil, MapError(provider, http.StatusOK, nil, body)
	}
	out := &llmux.EmbeddingResponse{
		Object: r.Object,
		Model:  r.Model,
		Data:   make([]llmux.EmbeddingVector, len(r.Data)),
		Usage:  r.Usage,
		Raw:    json.RawMessage(body),
	}
	for i, d := range r.Data {
		v, err := decodeVector(d.Embedding)
		if err != nil {
			return nil, badResponse(provider, fmt.Sprintf("decode embedding %d", i), http.StatusOK, body, err)
		}
		out.Data[i] = llmux.EmbeddingVector{Object: d.Object, Index: d.Index, Vector: v}
	}
	return out, nil
}

// decodeVector decodes a JSON array of numbers or a base64 string of
// little-endian float32s.
func decodeVector(raw json.RawMessage) ([]float32, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		var v []float32
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		return v, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("base64 embedding: %w", err)
	}
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("base64 embedding: %d bytes is not a whole number of float32s", len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}
