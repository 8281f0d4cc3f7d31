package openai

import (
	"bytes"
	"net/http"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

// badResponse is the error of a 2xx body that cannot be decoded.
func badResponse(name, what string, status int, body []byte, err error) *llmux.Error {
	e := provider.HTTPError(name, status, nil, body)
	e.Code = llmux.CodeBadResponse
	e.Message = what + ": " + err.Error()
	e.Err = err
	return e
}

// DecodeResponse decodes a 2xx Chat Completions or legacy Completions body
// into a [llmux.Response] whose Raw is body; members the type does not
// model are kept (see [llmux.Response]). A body that cannot be decoded
// gives an *llmux.Error with CodeBadResponse; a body that holds only an
// "error" object (some OpenAI-compatible servers answer errors with 200)
// is mapped with [MapError].
func DecodeResponse(name string, body []byte) (*llmux.Response, error) {
	resp := new(llmux.Response)
	if err := resp.UnmarshalJSON(body); err != nil {
		return nil, badResponse(name, "decode response", http.StatusOK, body, err)
	}
	if errBody, ok := resp.Extra["error"]; ok && len(resp.Choices) == 0 && !bytes.Equal(errBody, []byte("null")) {
		return nil, MapError(name, http.StatusOK, nil, body)
	}
	resp.Raw = body
	return resp, nil
}

// DecodeEmbedding decodes a 2xx Embeddings body into a
// [llmux.EmbeddingResponse] whose Raw is body. Each embedding is either an
// array of numbers or, when the request asked for encoding_format
// "base64", a base64 string of little-endian float32s; both decode to
// Vector, and a base64 string is kept in Base64.
func DecodeEmbedding(name string, body []byte) (*llmux.EmbeddingResponse, error) {
	out := new(llmux.EmbeddingResponse)
	if err := out.UnmarshalJSON(body); err != nil {
		return nil, badResponse(name, "decode embedding", http.StatusOK, body, err)
	}
	if errBody, ok := out.Extra["error"]; ok && len(out.Data) == 0 && !bytes.Equal(errBody, []byte("null")) {
		return nil, MapError(name, http.StatusOK, nil, body)
	}
	out.Raw = body
	return out, nil
}
