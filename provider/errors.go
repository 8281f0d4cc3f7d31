package provider

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/llmux/llmux"
)

// MaxErrorBody caps [llmux.Error.Body].
const MaxErrorBody = 4 << 10

// CodeForStatus gives the default code of an HTTP status, for providers
// to refine with the body's error type.
func CodeForStatus(status int) llmux.Code {
	switch {
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity, status == http.StatusRequestEntityTooLarge:
		return llmux.CodeInvalidRequest
	case status == http.StatusUnauthorized:
		return llmux.CodeAuthentication
	case status == http.StatusForbidden:
		return llmux.CodePermission
	case status == http.StatusNotFound:
		return llmux.CodeNotFound
	case status == http.StatusRequestTimeout, status == http.StatusGatewayTimeout:
		return llmux.CodeTimeout
	case status == http.StatusTooManyRequests:
		return llmux.CodeRateLimited
	case status == http.StatusServiceUnavailable, status == 529:
		return llmux.CodeOverloaded
	case status >= 500:
		return llmux.CodeServer
	}
	return llmux.CodeUnknown
}

// statusTexts names statuses Go's net/http does not know but LLM APIs and
// the proxies in front of them send.
var statusTexts = map[int]string{
	499: "client closed request",
	520: "unknown error (Cloudflare)",
	521: "web server is down (Cloudflare)",
	522: "connection timed out (Cloudflare)",
	523: "origin is unreachable (Cloudflare)",
	524: "a timeout occurred (Cloudflare)",
	529: "overloaded",
}

// StatusText returns the text of an HTTP status: Go's ("Bad Gateway"),
// else the one LLM APIs and the proxies in front of them mean (529:
// "overloaded"), else "status <n>"; never "". An [llmux.Error] shows the
// number with it: "overloaded (529): overloaded".
func StatusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return t
	}
	if t := statusTexts[status]; t != "" {
		return t
	}
	return "status " + strconv.Itoa(status)
}

// RetryAfter reads the retry-after-ms and Retry-After headers (seconds or
// an HTTP date); 0 when absent or unparsable.
func RetryAfter(h http.Header) time.Duration {
	if v := h.Get("retry-after-ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// HTTPError builds the *llmux.Error of an upstream error response: the
// code from the status, the message [StatusText],
// RetryAfter from the headers, Body a copy truncated to [MaxErrorBody].
// Providers refine Code, Type and Message from the body.
func HTTPError(provider string, status int, h http.Header, body []byte) *llmux.Error {
	if len(body) > MaxErrorBody {
		body = body[:MaxErrorBody]
	}
	return &llmux.Error{
		Code:       CodeForStatus(status),
		Provider:   provider,
		StatusCode: status,
		Message:    StatusText(status),
		RetryAfter: RetryAfter(h),
		Body:       append([]byte(nil), body...),
	}
}

// TransportError classifies an error of sending a request: the caller's
// cancellation stays CodeCanceled, a deadline CodeTimeout, anything else a
// connection error.
func TransportError(ctx context.Context, err error) *llmux.Error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		code := llmux.CodeCanceled
		if ctxErr == context.DeadlineExceeded {
			code = llmux.CodeTimeout
		}
		return &llmux.Error{Code: code, Message: "request: " + ctxErr.Error(), Err: ctxErr}
	}
	code := llmux.CodeOf(err)
	if code == llmux.CodeUnknown {
		code = llmux.CodeConnection
	}
	return &llmux.Error{Code: code, Message: "request: " + err.Error(), Err: err}
}

// IsCorrupt reports whether err comes from a response body whose
// Content-Encoding is a lie: a gzip or deflate stream that is not one. That
// is a bad response, not a connection failure, and retrying it wastes
// attempts.
func IsCorrupt(err error) bool {
	var ce flate.CorruptInputError
	return errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.As(err, &ce)
}

// ReadError classifies an error of reading a response body of the given
// status: a corrupt encoding is CodeBadResponse, a cancellation or
// deadline keeps its code, anything else is CodeConnection.
func ReadError(status int, err error) *llmux.Error {
	code := llmux.CodeOf(err)
	switch {
	case IsCorrupt(err):
		code = llmux.CodeBadResponse
	case code == llmux.CodeUnknown:
		code = llmux.CodeConnection
	}
	return &llmux.Error{Code: code, StatusCode: status, Message: "read response: " + err.Error(), Err: err}
}

// Redact removes secrets from an error's message and body, in case an
// upstream echoes one back, for errors a provider returns before the
// client (which scrubs every secret it knows) sees them. Empty secrets are
// skipped.
func Redact(e *llmux.Error, secrets ...string) *llmux.Error {
	for _, s := range secrets {
		if strings.TrimSpace(s) == "" {
			continue
		}
		e.Message = strings.ReplaceAll(e.Message, s, "[REDACTED]")
		e.Body = bytes.ReplaceAll(e.Body, []byte(s), []byte("[REDACTED]"))
	}
	return e
}

// Truncate cuts s to at most n bytes followed by "...", for quoting a
// caller's value in a message.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Named sets the provider of err, when it is (or wraps) an *llmux.Error
// naming none, and returns err: every error a provider returns names it.
func Named(err error, name string) error {
	var e *llmux.Error
	if errors.As(err, &e) && e.Provider == "" {
		e.Provider = name
	}
	return err
}

// BadResponse is the error of an answer that cannot be decoded
// (CodeBadResponse): what went wrong, the cause, and a copy of the body
// cut to [MaxErrorBody].
func BadResponse(name, what string, err error, body []byte) *llmux.Error {
	e := &llmux.Error{Code: llmux.CodeBadResponse, Provider: name, Message: what, Err: err}
	if err != nil {
		e.Message = what + ": " + err.Error()
	}
	if len(body) > MaxErrorBody {
		body = body[:MaxErrorBody]
	}
	e.Body = append([]byte(nil), body...)
	return e
}
