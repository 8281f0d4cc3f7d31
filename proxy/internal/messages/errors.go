package messages

import (
	"errors"
	"net/http"

	"github.com/llmux/llmux"
)

// ErrorStatus returns the HTTP status and the Messages API error type
// answering an error of the given code (https://docs.anthropic.com/en/api/errors):
//
//	invalid_request, context_length_exceeded,
//	content_filtered, unsupported            400 invalid_request_error
//	authentication                           401 authentication_error
//	quota_exceeded                           402 billing_error
//	permission                               403 permission_error
//	not_found                                404 not_found_error
//	rate_limited                             429 rate_limit_error
//	canceled                                 499 api_error (the client is gone)
//	server_error, unknown                    500 api_error
//	connection, bad_response                 502 api_error
//	timeout                                  504 timeout_error
//	overloaded                               529 overloaded_error
//
// Anthropic's clients retry 429, 5xx and 529, as llmux retries the codes
// it deems retryable; quota is 402 so that they do not retry it.
func ErrorStatus(code llmux.Code) (status int, errType string) {
	switch code {
	case llmux.CodeInvalidRequest, llmux.CodeContextLength, llmux.CodeContentFiltered, llmux.CodeUnsupported:
		return http.StatusBadRequest, "invalid_request_error"
	case llmux.CodeAuthentication:
		return http.StatusUnauthorized, "authentication_error"
	case llmux.CodeQuota:
		return http.StatusPaymentRequired, "billing_error"
	case llmux.CodePermission:
		return http.StatusForbidden, "permission_error"
	case llmux.CodeNotFound:
		return http.StatusNotFound, "not_found_error"
	case llmux.CodeRateLimited:
		return http.StatusTooManyRequests, "rate_limit_error"
	case llmux.CodeCanceled:
		return 499, "api_error"
	case llmux.CodeConnection, llmux.CodeBadResponse:
		return http.StatusBadGateway, "api_error"
	case llmux.CodeTimeout:
		return http.StatusGatewayTimeout, "timeout_error"
	case llmux.CodeOverloaded:
		return 529, "overloaded_error"
	}
	return http.StatusInternalServerError, "api_error"
}

// anthropicTypes are the Messages API's error types and their statuses:
// an error an Anthropic upstream answered with keeps its own type.
var anthropicTypes = map[string]int{
	"invalid_request_error": http.StatusBadRequest,
	"authentication_error":  http.StatusUnauthorized,
	"billing_error":         http.StatusPaymentRequired,
	"permission_error":      http.StatusForbidden,
	"not_found_error":       http.StatusNotFound,
	"request_too_large":     http.StatusRequestEntityTooLarge,
	"rate_limit_error":      http.StatusTooManyRequests,
	"api_error":             http.StatusInternalServerError,
	"timeout_error":         http.StatusGatewayTimeout,
	"overloaded_error":      529,
}

// EncodeError returns the HTTP status and the Messages API error body
// answering err:
//
//	{"type":"error","error":{"type":"invalid_request_error","message":"..."}}
//
// The status and type come from the error's code ([ErrorStatus]), except
// that an error from an Anthropic upstream keeps Anthropic's own type
// (request_too_large, billing_error...) and its status, and that any
// upstream 413 is request_too_large. The message is the *llmux.Error's
// Message (already scrubbed of secrets by the client), else the error's
// text.
func EncodeError(err error) (status int, body []byte) {
	status, typ, msg := describe(err)
	ev := errorEvent{Type: "error"}
	ev.Error.Type, ev.Error.Message = typ, msg
	body, _ = marshal(ev) // strings always encode
	return status, body
}

// describe returns the status, error type and message answering err.
func describe(err error) (status int, errType, message string) {
	if err == nil {
		err = errors.New("unknown error")
	}
	status, errType = ErrorStatus(llmux.CodeOf(err))
	message = err.Error()
	var e *llmux.Error
	if errors.As(err, &e) {
		switch {
		case e.Message != "":
			message = e.Message
		case e.Err != nil:
			message = e.Err.Error()
		}
		if st, ok := anthropicTypes[e.Type]; ok && e.Provider == "anthropic" {
			status, errType = st, e.Type
		} else if e.StatusCode == http.StatusRequestEntityTooLarge {
			status, errType = http.StatusRequestEntityTooLarge, "request_too_large"
		}
	}
	if message == "" {
		message = http.StatusText(status)
	}
	return status, errType, message
}
