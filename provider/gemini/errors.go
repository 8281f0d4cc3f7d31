package gemini

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

// errorBody is Google's error shape (google.rpc.Status in JSON), for HTTP
// errors and in-band stream errors alike:
//
//	{"error":{"code":429,"message":"You exceeded your current quota...","status":"RESOURCE_EXHAUSTED",
//	  "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"34s"}]}}
//
// See https://ai.google.dev/gemini-api/docs/troubleshooting and
// https://cloud.google.com/apis/design/errors.
type errorBody struct {
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Details []struct {
			Type       string `json:"@type"`
			Reason     string `json:"reason"`
			RetryDelay string `json:"retryDelay"`
		} `json:"details"`
	} `json:"error"`
}

// decodeErrorBody decodes an error object, or the first of an array of
// them (the shape of errors of streamGenerateContent without alt=sse).
func decodeErrorBody(body []byte) (errorBody, bool) {
	var eb errorBody
	b := bytes.TrimSpace(body)
	if len(b) > 0 && b[0] == '[' {
		var list []errorBody
		if json.Unmarshal(b, &list) != nil || len(list) == 0 {
			return eb, false
		}
		eb = list[0]
	} else if json.Unmarshal(b, &eb) != nil {
		return eb, false
	}
	return eb, eb.Error != nil && (eb.Error.Status != "" || eb.Error.Message != "" || eb.Error.Code != 0)
}

// mapError builds the error of a Gemini answer: the code starts from the
// HTTP status and is refined by the body ([RefineError]). status is 0 for
// an in-band stream error; h may be nil.
func (p *Provider) mapError(status int, h http.Header, body []byte) *llmux.Error {
	e := provider.HTTPError(p.cfg.name, status, h, body)
	eb, ok := decodeErrorBody(body)
	if !ok {
		if status == 0 {
			e.Code = llmux.CodeBadResponse
			e.Message = "malformed error event"
		}
		return e
	}
	if status == 0 && eb.Error.Code != 0 {
		e.Code = provider.CodeForStatus(eb.Error.Code)
	}
	refine(e, h, eb)
	if e.Code == llmux.CodeUnknown && status == 0 {
		e.Code = llmux.CodeServer
	}
	return e
}

// RefineError is the one place Google-shaped errors (google.rpc.Status in
// JSON, in e.Body) are classified: the code e has from the HTTP status is
// refined by the body's canonical status name, and Type, Message and
// RetryAfter (RetryInfo.retryDelay, unless h has a Retry-After header, or
// h is nil and e has a RetryAfter) are
// taken from it. Vertex AI's errors use it too. e is an error built by
// [provider.HTTPError]; it is changed in place, so it must be the
// caller's own. A body that is not Google's leaves e as it was.
func RefineError(e *llmux.Error, h http.Header) *llmux.Error {
	if eb, ok := decodeErrorBody(e.Body); ok {
		refine(e, h, eb)
	}
	return e
}

func refine(e *llmux.Error, h http.Header, eb errorBody) {
	ge := eb.Error
	e.Type = ge.Status
	if ge.Message != "" {
		e.Message = ge.Message
	}
	// RetryInfo.retryDelay counts only when no Retry-After header came:
	// a header, even "0", is the transport's word. Without the headers, a
	// RetryAfter e already has came from one.
	headerRetry := h.Get("Retry-After") != "" || h.Get("retry-after-ms") != "" || (h == nil && e.RetryAfter > 0)
	var reason string
	for _, d := range ge.Details {
		if d.Reason != "" && reason == "" {
			reason = d.Reason
		}
		if d.RetryDelay != "" && !headerRetry {
			e.RetryAfter = retryDelay(d.RetryDelay)
		}
	}
	msg := strings.ToLower(ge.Message)
	switch ge.Status {
	case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE":
		e.Code = llmux.CodeInvalidRequest
		switch {
		// A bad key is a 400, not a 401. Example body:
		//	{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT",
		//	  "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID",...}]}}
		case reason == "API_KEY_INVALID" || strings.Contains(msg, "api key not valid") || strings.Contains(msg, "api key expired"):
			e.Code = llmux.CodeAuthentication
		// An over-long prompt has no error type of its own. Examples:
		//	{"error":{"code":400,"message":"The input token count (1234567) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}
		// and Claude on Vertex AI's "prompt is too long: 210000 tokens > 200000 maximum".
		case strings.Contains(msg, "exceeds the maximum number of tokens"),
			strings.Contains(msg, "token count") && strings.Contains(msg, "exceeds"),
			strings.Contains(msg, "input context is too long"),
			strings.Contains(msg, "prompt is too long"):
			e.Code = llmux.CodeContextLength
		}
	case "UNAUTHENTICATED":
		e.Code = llmux.CodeAuthentication
	case "PERMISSION_DENIED":
		// A missing, leaked or unknown key is a 403 too:
		//	{"error":{"code":403,"message":"Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.","status":"PERMISSION_DENIED"}}
		e.Code = llmux.CodePermission
		if strings.Contains(msg, "api key") || strings.Contains(msg, "unregistered callers") || strings.HasPrefix(reason, "API_KEY") {
			e.Code = llmux.CodeAuthentication
		}
	case "NOT_FOUND":
		e.Code = llmux.CodeNotFound
	case "RESOURCE_EXHAUSTED":
		e.Code = llmux.CodeRateLimited
	case "UNAVAILABLE":
		e.Code = llmux.CodeOverloaded
	case "DEADLINE_EXCEEDED":
		e.Code = llmux.CodeTimeout
	case "INTERNAL", "UNKNOWN", "DATA_LOSS", "ABORTED":
		e.Code = llmux.CodeServer
	case "UNIMPLEMENTED":
		e.Code = llmux.CodeUnsupported
	}
}

// retryDelay parses a google.protobuf.Duration in JSON ("34s", "1.5s");
// 0 when it is not one.
func retryDelay(s string) time.Duration {
	v, ok := strings.CutSuffix(s, "s")
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}
