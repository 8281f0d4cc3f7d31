package anthropic

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

// errorBody is Anthropic's error shape, for HTTP errors and in-band stream
// error events alike:
//
//	{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_..."}
//
// See https://docs.anthropic.com/en/api/errors.
type errorBody struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
	RequestID string `json:"request_id"`
}

// mapError is the one place Anthropic errors are classified: the code
// starts from the HTTP status and is refined by the body's error type.
// status is 0 for an in-band stream error event, h may be nil.
func mapError(status int, h http.Header, body []byte) *llmux.Error {
	e := provider.HTTPError(providerName, status, h, body)
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil || eb.Error.Type == "" {
		if status == 0 {
			e.Code = llmux.CodeBadResponse
			e.Message = "malformed error event"
		}
		return e
	}
	e.Type = eb.Error.Type
	if eb.Error.Message != "" {
		e.Message = eb.Error.Message
	}
	switch eb.Error.Type {
	case "invalid_request_error":
		e.Code = llmux.CodeInvalidRequest
		// The API has no distinct type for an over-long prompt; only the
		// message tells. Example 400 bodies:
		//	{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 208310 tokens > 200000 maximum"}}
		//	{"type":"error","error":{"type":"invalid_request_error","message":"input length and `max_tokens` exceed context limit: 198010 + 4096 > 200000, decrease input length or `max_tokens` and try again"}}
		msg := strings.ToLower(eb.Error.Message)
		if strings.Contains(msg, "prompt is too long") || strings.Contains(msg, "exceed context limit") {
			e.Code = llmux.CodeContextLength
		}
	case "authentication_error":
		e.Code = llmux.CodeAuthentication
	case "permission_error":
		e.Code = llmux.CodePermission
	case "not_found_error":
		e.Code = llmux.CodeNotFound
	case "request_too_large":
		e.Code = llmux.CodeInvalidRequest
	case "rate_limit_error":
		e.Code = llmux.CodeRateLimited
	case "billing_error":
		e.Code = llmux.CodeQuota
	case "timeout_error":
		e.Code = llmux.CodeTimeout
	case "api_error":
		e.Code = llmux.CodeServer
	case "overloaded_error":
		e.Code = llmux.CodeOverloaded
	default:
		if e.Code == llmux.CodeUnknown && status == 0 {
			e.Code = llmux.CodeServer
		}
	}
	return e
}
