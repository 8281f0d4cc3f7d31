package openai

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

// apiError is an OpenAI-shaped error object.
type apiError struct {
	Message   string
	Type      string
	Param     string
	Code      string // the "code" field when it is a string
	Status    int    // the "code" field when it is a number (vLLM)
	InnerCode string // Azure's innererror.code
}

// parseAPIError reads {"error":{"message","type","param","code"}}, also
// accepting {"error":"message"} and the bare object vLLM sends
// ({"object":"error","message":...,"type":...,"code":400}). It returns nil
// when body holds no error.
func parseAPIError(body []byte) *apiError {
	var outer struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &outer) != nil {
		return nil
	}
	obj := bytes.TrimSpace(outer.Error)
	switch {
	case len(obj) == 0 || bytes.Equal(obj, []byte("null")):
		obj = body // maybe a bare error object
	case obj[0] == '"':
		var s string
		if json.Unmarshal(obj, &s) != nil {
			return nil
		}
		return &apiError{Message: s}
	}
	var e struct {
		Message json.RawMessage `json:"message"`
		Type    json.RawMessage `json:"type"`
		Param   json.RawMessage `json:"param"`
		Code    json.RawMessage `json:"code"`
		Inner   struct {
			Code json.RawMessage `json:"code"`
		} `json:"innererror"`
	}
	if json.Unmarshal(obj, &e) != nil {
		return nil
	}
	ae := &apiError{
		Message:   str(e.Message),
		Type:      str(e.Type),
		Param:     str(e.Param),
		InnerCode: str(e.Inner.Code),
	}
	if c := bytes.TrimSpace(e.Code); len(c) > 0 && c[0] != '"' {
		ae.Status, _ = strconv.Atoi(string(c))
	} else {
		ae.Code = str(e.Code)
	}
	if ae.Message == "" && ae.Type == "" && ae.Code == "" {
		return nil
	}
	return ae
}

// str returns a JSON string's value, a number's text, or "".
func str(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw)
	}
	return ""
}

// MapError converts an OpenAI-shaped error response into an *llmux.Error.
// It starts from [provider.HTTPError] (code from the status, RetryAfter from
// the headers, Body truncated) and refines it from the body's
// {"error":{"message","type","param","code"}}: Type is the provider's code,
// or its type when there is no code, verbatim; Message and Param are the
// provider's. Refinements:
//
//   - code context_length_exceeded: CodeContextLength
//   - code content_filter or content_policy_violation (Azure, DALL·E):
//     CodeContentFiltered
//   - code or type insufficient_quota: CodeQuota (a 429 otherwise is
//     CodeRateLimited)
//   - code model_not_found or DeploymentNotFound: CodeNotFound
//
// Status is the HTTP status; 200 is accepted for an error object inside a
// 2xx body, which is classified from its type alone. MapError is shared by
// every provider that speaks OpenAI's wire format.
func MapError(name string, status int, h http.Header, body []byte) *llmux.Error {
	e := provider.HTTPError(name, status, h, body)
	ae := parseAPIError(body)
	if ae == nil {
		if status >= 200 && status < 300 {
			e.Code = llmux.CodeBadResponse
			e.Message = "unrecognised error body"
		}
		return e
	}
	if ae.Message != "" {
		e.Message = ae.Message
	}
	e.Type = ae.Code
	if e.Type == "" {
		e.Type = ae.Type
	}
	e.Param = ae.Param
	e.Code = classify(status, ae)
	return e
}

// classify returns the code of an error object received with status.
func classify(status int, ae *apiError) llmux.Code {
	if (status < 100 || (status >= 200 && status < 300)) && ae.Status >= 400 {
		status = ae.Status // an in-band error carrying its HTTP status (vLLM)
	}
	has := func(names ...string) bool {
		for _, n := range names {
			if strings.EqualFold(ae.Code, n) || strings.EqualFold(ae.Type, n) || strings.EqualFold(ae.InnerCode, n) {
				return true
			}
		}
		return false
	}
	code := provider.CodeForStatus(status)
	if status >= 500 {
		return code
	}
	switch {
	case has("context_length_exceeded", "string_above_max_length"):
		return llmux.CodeContextLength
	// vLLM and other compatible servers send no code; the message is the
	// only signal, e.g. "This model's maximum context length is 4096
	// tokens. However, you requested 5000 tokens ...".
	case (code == llmux.CodeInvalidRequest || code == llmux.CodeUnknown) &&
		strings.Contains(strings.ToLower(ae.Message), "maximum context length"):
		return llmux.CodeContextLength
	case has("content_filter", "content_policy_violation", "ResponsibleAIPolicyViolation"):
		return llmux.CodeContentFiltered
	case has("insufficient_quota", "billing_hard_limit_reached"):
		return llmux.CodeQuota
	case has("model_not_found", "DeploymentNotFound"):
		return llmux.CodeNotFound
	}
	if code != llmux.CodeUnknown {
		return code
	}
	// No usable status (an error inside a 2xx body or a stream): use the
	// type.
	switch {
	case has("rate_limit_exceeded", "rate_limit_error", "requests", "tokens"):
		return llmux.CodeRateLimited
	case has("invalid_request_error", "BadRequestError"):
		return llmux.CodeInvalidRequest
	case has("invalid_api_key", "authentication_error"):
		return llmux.CodeAuthentication
	case has("overloaded_error", "service_unavailable"):
		return llmux.CodeOverloaded
	}
	// server_error and anything unrecognised: the provider failed.
	return llmux.CodeServer
}
