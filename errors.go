package llmux

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Code classifies an [Error]. The set is closed: adding a code is an API
// change. [Code.ExceptionName] gives LiteLLM's matching exception class.
type Code int

// The error codes.
const (
	CodeUnknown         Code = iota // not classified
	CodeInvalidRequest              // 400: the request is malformed or has a bad parameter
	CodeAuthentication              // 401: missing or wrong API key
	CodePermission                  // 403: the key may not do this
	CodeNotFound                    // 404: unknown model, deployment or route
	CodeContextLength               // the prompt is longer than the model's context window
	CodeContentFiltered             // the provider's content policy refused the prompt or the answer
	CodeRateLimited                 // 429: too many requests; retryable
	CodeQuota                       // 429: out of credit or quota; not retryable
	CodeTimeout                     // no answer in time; retryable
	CodeCanceled                    // the caller's context was cancelled or the stream closed
	CodeOverloaded                  // 503/529: the service is unavailable; retryable
	CodeServer                      // 5xx: the provider failed; retryable
	CodeConnection                  // no connection to the provider; retryable
	CodeBadResponse                 // the provider answered something we cannot decode
	CodeUnsupported                 // the provider lacks this capability
)

var codeNames = [...]string{
	CodeUnknown:         "unknown",
	CodeInvalidRequest:  "invalid_request",
	CodeAuthentication:  "authentication",
	CodePermission:      "permission",
	CodeNotFound:        "not_found",
	CodeContextLength:   "context_length_exceeded",
	CodeContentFiltered: "content_filtered",
	CodeRateLimited:     "rate_limited",
	CodeQuota:           "quota_exceeded",
	CodeTimeout:         "timeout",
	CodeCanceled:        "canceled",
	CodeOverloaded:      "overloaded",
	CodeServer:          "server_error",
	CodeConnection:      "connection",
	CodeBadResponse:     "bad_response",
	CodeUnsupported:     "unsupported",
}

// LiteLLM's exception class for each code, so payload consumers see the
// names they know.
var exceptionNames = [...]string{
	CodeUnknown:         "APIError",
	CodeInvalidRequest:  "BadRequestError",
	CodeAuthentication:  "AuthenticationError",
	CodePermission:      "PermissionDeniedError",
	CodeNotFound:        "NotFoundError",
	CodeContextLength:   "ContextWindowExceededError",
	CodeContentFiltered: "ContentPolicyViolationError",
	CodeRateLimited:     "RateLimitError",
	CodeQuota:           "RateLimitError",
	CodeTimeout:         "Timeout",
	CodeCanceled:        "APIConnectionError",
	CodeOverloaded:      "ServiceUnavailableError",
	CodeServer:          "InternalServerError",
	CodeConnection:      "APIConnectionError",
	CodeBadResponse:     "APIError",
	CodeUnsupported:     "UnsupportedParamsError",
}

// String returns the code's stable snake_case name.
func (c Code) String() string {
	if c < 0 || int(c) >= len(codeNames) {
		return "code(" + strconv.Itoa(int(c)) + ")"
	}
	return codeNames[c]
}

// MarshalText encodes the code as its name ("rate_limited"), so JSON shows
// the name rather than a number.
func (c Code) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText decodes a code's name.
func (c *Code) UnmarshalText(b []byte) error {
	for i, n := range codeNames {
		if n == string(b) {
			*c = Code(i)
			return nil
		}
	}
	return fmt.Errorf("llmux: unknown error code %q", b)
}

// CodeForException returns the code of one of LiteLLM's exception class
// names ("RateLimitError", "litellm.ContextWindowExceededError"); false
// for a name LiteLLM has no exception for.
func CodeForException(name string) (Code, bool) {
	name = strings.TrimPrefix(name, "litellm.")
	switch name {
	case "UnprocessableEntityError", "BadRequestError":
		return CodeInvalidRequest, true
	case "APIConnectionError":
		return CodeConnection, true
	case "APIError", "APIResponseValidationError":
		return CodeServer, true
	}
	for i, n := range exceptionNames {
		if n == name && Code(i) != CodeUnknown && Code(i) != CodeCanceled && Code(i) != CodeQuota && Code(i) != CodeBadResponse {
			return Code(i), true
		}
	}
	return 0, false
}

// ExceptionName returns LiteLLM's exception class name for the code, such as
// "RateLimitError" or "ContextWindowExceededError".
func (c Code) ExceptionName() string {
	if c < 0 || int(c) >= len(exceptionNames) {
		return "APIError"
	}
	return exceptionNames[c]
}

// HTTPStatus returns the HTTP status a gateway answers with for the code.
func (c Code) HTTPStatus() int {
	switch c {
	case CodeInvalidRequest, CodeContextLength, CodeContentFiltered, CodeUnsupported:
		return http.StatusBadRequest
	case CodeAuthentication:
		return http.StatusUnauthorized
	case CodePermission:
		return http.StatusForbidden
	case CodeNotFound:
		return http.StatusNotFound
	case CodeRateLimited, CodeQuota:
		return http.StatusTooManyRequests
	case CodeTimeout:
		return http.StatusRequestTimeout
	case CodeCanceled:
		return 499
	case CodeOverloaded:
		return http.StatusServiceUnavailable
	case CodeConnection, CodeBadResponse:
		return http.StatusBadGateway
	default:
		return http.StatusInternalServerError
	}
}

// Error is the one error type of llmux calls. Use [errors.As] or [CodeOf].
// Context errors stay visible through Unwrap, so
// errors.Is(err, context.Canceled) works.
type Error struct {
	Code       Code          // provider-independent class
	Provider   string        // "openai", "anthropic", ...
	StatusCode int           // upstream HTTP status; 0 if there was no response
	Type       string        // the provider's own error type or code, verbatim
	Param      string        // the offending parameter, when known
	Message    string        // human-readable, never contains a secret
	RetryAfter time.Duration // from Retry-After / retry-after-ms; 0 if absent
	Body       []byte        // upstream body, truncated to 4 KiB; JSON shows it as text
	Err        error         // cause, returned by Unwrap
}

// Error formats the error as "llmux: <provider>: <code> (<status>): <message>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("llmux: ")
	if e.Provider != "" {
		b.WriteString(e.Provider)
		b.WriteString(": ")
	}
	b.WriteString(e.Code.String())
	if e.StatusCode != 0 {
		b.WriteString(" (")
		b.WriteString(strconv.Itoa(e.StatusCode))
		b.WriteString(")")
	}
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// errorJSON is the JSON of an Error: LiteLLM's exception as events and
// payloads show it.
type errorJSON struct {
	Type       string `json:"type"`        // LiteLLM's exception class: RateLimitError, ...
	Code       Code   `json:"code"`        // the code's name: rate_limited, ...
	StatusCode int    `json:"status_code"` // upstream HTTP status; 0 if none
	Message    string `json:"message"`
	Provider   string `json:"provider"`
	// Also, when set:
	Param        string  `json:"param,omitempty"`
	ProviderType string  `json:"provider_type,omitempty"` // the provider's own error type or code
	RetryAfter   float64 `json:"retry_after,omitempty"`   // seconds
	Body         string  `json:"body,omitempty"`          // the upstream body, as text
}

// MarshalJSON encodes the error as {"type", "code", "status_code",
// "message", "provider"}: type is LiteLLM's exception class, code the
// code's name; param, provider_type, retry_after (seconds) and body (the
// upstream body as text) follow when set.
func (e *Error) MarshalJSON() ([]byte, error) {
	j := errorJSON{Type: e.Code.ExceptionName(), Code: e.Code, StatusCode: e.StatusCode, Message: e.Message,
		Provider: e.Provider, Param: e.Param, ProviderType: e.Type, RetryAfter: e.RetryAfter.Seconds(), Body: string(e.Body)}
	if j.Message == "" && e.Err != nil {
		j.Message = e.Err.Error()
	}
	return json.Marshal(j)
}

// GoString shows the error's fields for %#v, with the cause as its text
// (a cause may hold what the error's own fields were scrubbed of).
func (e *Error) GoString() string {
	cause := ""
	if e.Err != nil {
		cause = e.Err.Error()
	}
	return fmt.Sprintf("&llmux.Error{Code:%s, Provider:%q, StatusCode:%d, Type:%q, Param:%q, Message:%q, RetryAfter:%v, Body:%q, Err:%q}",
		e.Code, e.Provider, e.StatusCode, e.Type, e.Param, e.Message, e.RetryAfter, e.Body, cause)
}

// clone returns a copy of e that can be changed without changing e.
func (e *Error) clone() *Error {
	c := *e
	if e.Body != nil {
		c.Body = append([]byte(nil), e.Body...)
	}
	return &c
}

// CodeOf classifies any error: an *Error's code, context and network errors
// by kind, CodeUnknown otherwise; nil gives CodeUnknown.
func CodeOf(err error) Code {
	if err == nil {
		return CodeUnknown
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	switch {
	case errors.Is(err, context.Canceled):
		return CodeCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return CodeTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) {
		if ne.Timeout() {
			return CodeTimeout
		}
		return CodeConnection
	}
	return CodeUnknown
}

// IsRetryable reports whether another attempt of the same call may
// succeed: rate limits, timeouts, overload, server and connection errors.
// Quota, authentication and bad requests are not retried.
func IsRetryable(err error) bool {
	switch CodeOf(err) {
	case CodeRateLimited, CodeTimeout, CodeOverloaded, CodeServer, CodeConnection:
		return true
	}
	return false
}
