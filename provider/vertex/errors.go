package vertex

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

// googleError is Google's error shape (google.rpc.Status in JSON), which
// Vertex AI answers with for every model, Claude's included, when the
// error is the platform's (quota, permission, an unknown model) rather
// than the model's:
//
//	{"error":{"code":429,"message":"Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model ...","status":"RESOURCE_EXHAUSTED"}}
//
// Errors of the model itself come in Anthropic's shape, which the Anthropic
// codec maps. See https://cloud.google.com/apis/design/errors.
type googleError struct {
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Details []struct {
			Type       string `json:"@type"`
			RetryDelay string `json:"retryDelay"`
		} `json:"details"`
	} `json:"error"`
}

// decodeGoogleError decodes an error object, or the first of an array of
// them (Vertex AI sometimes answers with [{"error":{...}}]).
func decodeGoogleError(body []byte) (googleError, bool) {
	var ge googleError
	b := bytes.TrimSpace(body)
	if len(b) > 0 && b[0] == '[' {
		var list []googleError
		if json.Unmarshal(b, &list) != nil || len(list) == 0 {
			return ge, false
		}
		ge = list[0]
	} else if json.Unmarshal(b, &ge) != nil {
		return ge, false
	}
	return ge, ge.Error != nil && (ge.Error.Status != "" || ge.Error.Message != "")
}

// mapGoogleError is the one place Vertex AI's Google-shaped errors are
// classified, for the Claude models and embeddings (the Gemini codec maps
// them for Gemini models): the code from the HTTP status, refined by the
// canonical status name. e is the error built from the status and
// headers; it is changed in place, so it must be the caller's own.
func mapGoogleError(e *llmux.Error) *llmux.Error {
	ge, ok := decodeGoogleError(e.Body)
	if !ok {
		return e
	}
	g := ge.Error
	e.Type = g.Status
	if g.Message != "" {
		e.Message = g.Message
	}
	for _, d := range g.Details {
		if d.RetryDelay != "" && e.RetryAfter == 0 {
			e.RetryAfter = retryDelay(d.RetryDelay)
		}
	}
	msg := strings.ToLower(g.Message)
	switch g.Status {
	case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE":
		e.Code = llmux.CodeInvalidRequest
		// An over-long prompt has no status of its own. Example:
		//	{"error":{"code":400,"message":"The input token count (1234567) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}
		if strings.Contains(msg, "exceeds the maximum number of tokens") || strings.Contains(msg, "prompt is too long") {
			e.Code = llmux.CodeContextLength
		}
	case "UNAUTHENTICATED":
		e.Code = llmux.CodeAuthentication
	case "PERMISSION_DENIED":
		e.Code = llmux.CodePermission
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
	return e
}

// retryDelay parses a google.protobuf.Duration in JSON ("34s"); 0 when it
// is not one.
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

// claudeError is an error of the Anthropic codec as Vertex AI's: a copy
// naming this provider and, when the body is Google-shaped (which the
// Anthropic codec does not read), classified from it. The codec's error is
// not changed.
func claudeError(err error) error {
	e, ok := err.(*llmux.Error)
	if !ok || e.Provider == providerName {
		return err
	}
	c := *e
	c.Provider = providerName
	if c.Type == "" && c.StatusCode != 0 && len(c.Body) > 0 {
		return mapGoogleError(&c)
	}
	return &c
}

// claudeStream is a Claude stream whose errors name this provider.
type claudeStream struct{ llmux.ChunkReader }

func (s claudeStream) Recv() (*llmux.Chunk, error) {
	c, err := s.ChunkReader.Recv()
	if err != nil {
		return c, claudeError(err)
	}
	return c, nil
}

// httpError is the *llmux.Error of a non-2xx Vertex AI answer to a call
// this package makes itself (embeddings).
func httpError(status int, h map[string][]string, body []byte) *llmux.Error {
	return mapGoogleError(provider.HTTPError(providerName, status, h, body))
}
