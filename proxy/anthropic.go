package proxy

import (
	"encoding/json"
	"net/http"

	"github.com/llmux/llmux"
)

// anthropicType is Anthropic's error type for a code.
func anthropicType(c llmux.Code, status int) string {
	switch {
	case status == http.StatusRequestEntityTooLarge:
		return "request_too_large"
	case status == 529:
		return "overloaded_error"
	}
	switch c {
	case llmux.CodeInvalidRequest, llmux.CodeContextLength, llmux.CodeContentFiltered, llmux.CodeUnsupported:
		return "invalid_request_error"
	case llmux.CodeAuthentication:
		return "authentication_error"
	case llmux.CodePermission:
		return "permission_error"
	case llmux.CodeNotFound:
		return "not_found_error"
	case llmux.CodeRateLimited, llmux.CodeQuota:
		return "rate_limit_error"
	case llmux.CodeOverloaded:
		return "overloaded_error"
	case llmux.CodeTimeout:
		return "timeout_error"
	}
	return "api_error"
}

// anthropicErrorBody is {"type":"error","error":{"type","message"}}.
func anthropicErrorBody(f errorFields) []byte {
	b, _ := json.Marshal(map[string]any{
		"type":  "error",
		"error": map[string]string{"type": anthropicType(f.llmCode, f.status), "message": f.message},
	})
	return b
}

// writeAnthropicError answers err in Anthropic's shape.
func writeAnthropicError(w http.ResponseWriter, err error) errorFields {
	f := classify(err)
	writeErrorHeaders(w, f)
	w.WriteHeader(f.status)
	_, _ = w.Write(anthropicErrorBody(f))
	return f
}

// messages serves Anthropic's Messages API.
func (s *Server) messages(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	rc.fail(w, &apiError{status: http.StatusNotImplemented, typ: "api_error", message: "/v1/messages is not available yet"})
}
