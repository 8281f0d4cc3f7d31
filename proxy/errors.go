package proxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/llmux/llmux"
)

// This file is the one place where errors become HTTP answers: a code
// becomes a status and an OpenAI-shaped {"error": {...}} body (the
// Anthropic shape on /v1/messages is built from the same fields).

// apiError is an error the gateway itself raises (a bad body, an unknown
// model, a missing key), already in the shape it is answered with.
type apiError struct {
	status  int
	typ     string // OpenAI's error type: invalid_request_error, ...
	code    string // OpenAI's error code, "" for null
	param   string // the offending field, "" for null
	message string
}

func (e *apiError) Error() string { return e.message }

// badRequest is a 400 naming the offending field.
func badRequest(param, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, typ: "invalid_request_error", param: param, message: fmt.Sprintf(format, args...)}
}

// errorFields are the members of an error answer, whatever its shape.
type errorFields struct {
	status     int
	typ        string
	code       string
	param      string
	message    string
	retryAfter time.Duration
	// upstream is the provider's own {"error": {...}} object, passed
	// through when it has that shape (already scrubbed of secrets).
	upstream json.RawMessage
	llmCode  llmux.Code
}

// classify turns any error into the fields of its answer. An upstream
// error keeps its status and its provider's type; the gateway's own
// errors carry theirs; anything else is classified by [llmux.CodeOf].
func classify(err error) errorFields {
	var ae *apiError
	if errors.As(err, &ae) {
		return errorFields{status: ae.status, typ: ae.typ, code: ae.code, param: ae.param, message: ae.message, llmCode: codeForStatus(ae.status)}
	}
	var e *llmux.Error
	if !errors.As(err, &e) {
		code := llmux.CodeOf(err)
		return errorFields{status: code.HTTPStatus(), typ: openAIType(code), code: code.String(), message: err.Error(), llmCode: code}
	}
	f := errorFields{
		status:     e.Code.HTTPStatus(),
		typ:        openAIType(e.Code),
		code:       e.Code.String(),
		param:      e.Param,
		message:    e.Message,
		retryAfter: e.RetryAfter,
		llmCode:    e.Code,
	}
	if f.message == "" {
		f.message = err.Error()
	}
	if e.StatusCode >= 400 && e.StatusCode <= 599 {
		f.status = e.StatusCode
	}
	if e.Type != "" {
		f.code = e.Type
	} else if e.Code == llmux.CodeNotFound && e.Param == "model" {
		f.code = "model_not_found" // OpenAI's code for an unknown model
	}
	if obj := upstreamErrorObject(e.Body); obj != nil {
		f.upstream = obj
	}
	return f
}

// upstreamErrorObject returns the "error" object of an OpenAI-shaped error
// body, or nil when body has another shape.
func upstreamErrorObject(body []byte) json.RawMessage {
	if len(body) == 0 {
		return nil
	}
	var v struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &v) != nil || len(v.Error) == 0 || v.Error[0] != '{' {
		return nil
	}
	var obj struct {
		Message *string `json:"message"`
	}
	if json.Unmarshal(v.Error, &obj) != nil || obj.Message == nil {
		return nil
	}
	return v.Error
}

// openAIType is the OpenAI error type the gateway reports for a code.
func openAIType(c llmux.Code) string {
	switch c {
	case llmux.CodeInvalidRequest, llmux.CodeContextLength, llmux.CodeContentFiltered, llmux.CodeUnsupported,
		llmux.CodeNotFound: // OpenAI answers an unknown model 404 invalid_request_error
		return "invalid_request_error"
	case llmux.CodeAuthentication:
		return "authentication_error"
	case llmux.CodePermission:
		return "permission_error"
	case llmux.CodeRateLimited:
		return "rate_limit_error"
	case llmux.CodeQuota:
		return "insufficient_quota"
	case llmux.CodeTimeout:
		return "timeout_error"
	case llmux.CodeOverloaded:
		return "overloaded_error"
	default:
		return "api_error"
	}
}

// codeForStatus classifies the gateway's own errors by their status.
func codeForStatus(status int) llmux.Code {
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusMethodNotAllowed:
		return llmux.CodeInvalidRequest
	case http.StatusUnauthorized:
		return llmux.CodeAuthentication
	case http.StatusForbidden:
		return llmux.CodePermission
	case http.StatusNotFound:
		return llmux.CodeNotFound
	case http.StatusTooManyRequests:
		return llmux.CodeRateLimited
	case http.StatusServiceUnavailable:
		return llmux.CodeOverloaded
	}
	return llmux.CodeServer
}

// openAIErrorBody is {"error": {"message", "type", "param", "code"}}.
func openAIErrorBody(f errorFields) []byte {
	if f.upstream != nil {
		return append(append([]byte(`{"error":`), f.upstream...), '}')
	}
	obj := struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	}{Message: f.message, Type: f.typ, Param: optString(f.param), Code: optString(f.code)}
	b, _ := json.Marshal(struct {
		Error any `json:"error"`
	}{obj})
	return b
}

// writeErrorHeaders sets the headers of an error answer: its content
// type and, for rate limits, when to come back.
func writeErrorHeaders(w http.ResponseWriter, f errorFields) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if f.retryAfter > 0 {
		h.Set("Retry-After", strconv.FormatInt(int64(math.Ceil(f.retryAfter.Seconds())), 10))
		h.Set("Retry-After-Ms", strconv.FormatInt(f.retryAfter.Milliseconds(), 10))
	}
}

// writeOpenAIError answers err in OpenAI's shape.
func writeOpenAIError(w http.ResponseWriter, err error) errorFields {
	f := classify(err)
	writeErrorHeaders(w, f)
	writeBody(w, f.status, openAIErrorBody(f))
	return f
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
