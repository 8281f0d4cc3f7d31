package bedrock

import (
	"cmp"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

// errorBody is the body of a Bedrock runtime error, and the payload of an
// exception frame in a stream:
//
//	{"message":"Too many requests, please wait before trying again."}
//
// The error type comes in the x-amzn-ErrorType header
// ("ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"),
// or for some front ends in the body's "__type" or "code".
// https://docs.aws.amazon.com/bedrock/latest/APIReference/CommonErrors.html
type errorBody struct {
	Message     string `json:"message"`
	MessageCaps string `json:"Message"`
	Type        string `json:"__type"`
	Code        string `json:"code"`
}

// errorType normalises an AWS error type: the part before ":" (the
// header's namespace URL), after "#" (a Coral shape id), with an upper-case
// first letter (stream exception frames say "throttlingException").
func errorType(t string) string {
	t, _, _ = strings.Cut(strings.TrimSpace(t), ":")
	if i := strings.LastIndexByte(t, '#'); i >= 0 {
		t = t[i+1:]
	}
	if t != "" && t[0] >= 'a' && t[0] <= 'z' {
		t = string(t[0]-'a'+'A') + t[1:]
	}
	return t
}

// mapError is the one place Bedrock errors are classified: the code starts
// from the HTTP status and is refined by the error type. status is 0 for an
// exception frame of a stream, whose type is typ; h may be nil.
func mapError(status int, h http.Header, body []byte) *llmux.Error {
	e := provider.HTTPError(providerName, status, h, body)
	var eb errorBody
	_ = json.Unmarshal(body, &eb) // a body that is not JSON keeps the status's message
	typ := ""
	if h != nil {
		typ = h.Get("X-Amzn-Errortype")
	}
	typ = errorType(cmp.Or(typ, eb.Type, eb.Code))
	if msg := cmp.Or(eb.Message, eb.MessageCaps); msg != "" {
		e.Message = msg
	}
	e.Type = typ
	classify(e, typ)
	return e
}

// streamError maps an exception frame of a stream (":message-type"
// "exception", its type in ":exception-type") or an error frame
// (":message-type" "error", ":error-code" and ":error-message").
func streamError(typ, message string, payload []byte) *llmux.Error {
	e := &llmux.Error{Code: llmux.CodeServer, Provider: providerName, Message: message}
	if len(payload) > provider.MaxErrorBody {
		payload = payload[:provider.MaxErrorBody]
	}
	e.Body = append([]byte(nil), payload...)
	var eb errorBody
	if json.Unmarshal(payload, &eb) == nil && cmp.Or(eb.Message, eb.MessageCaps) != "" && message == "" {
		e.Message = cmp.Or(eb.Message, eb.MessageCaps)
	}
	if e.Message == "" {
		e.Message = "stream exception " + typ
	}
	e.Type = errorType(typ)
	classify(e, e.Type)
	return e
}

// classify refines e.Code from the error type.
func classify(e *llmux.Error, typ string) {
	switch typ {
	case "ThrottlingException", "ServiceQuotaExceededException", "TooManyRequestsException":
		e.Code = llmux.CodeRateLimited
	case "ValidationException":
		e.Code = llmux.CodeInvalidRequest
		// Converse has no distinct type for an over-long prompt; only the
		// message tells. Example 400 bodies:
		//	{"message":"Input is too long for requested model."}
		//	{"message":"The model returned the following errors: prompt is too long: 210012 tokens > 200000 maximum"}
		//	{"message":"This model's maximum context length is 8192 tokens. Please reduce the length of the prompt."}
		//	{"message":"too many tokens"}
		msg := strings.ToLower(e.Message)
		if strings.Contains(msg, "too long") || strings.Contains(msg, "too many tokens") ||
			strings.Contains(msg, "context length") || strings.Contains(msg, "context window") || strings.Contains(msg, "context limit") {
			e.Code = llmux.CodeContextLength
		}
	case "AccessDeniedException":
		e.Code = llmux.CodePermission
	case "UnrecognizedClientException", "ExpiredTokenException", "InvalidSignatureException",
		"IncompleteSignatureException", "MissingAuthenticationTokenException", "InvalidClientTokenId":
		e.Code = llmux.CodeAuthentication
	case "ResourceNotFoundException":
		e.Code = llmux.CodeNotFound
	case "ServiceUnavailableException", "ModelNotReadyException":
		e.Code = llmux.CodeOverloaded
	case "ModelTimeoutException":
		e.Code = llmux.CodeTimeout
	case "InternalServerException", "ModelErrorException", "ModelStreamErrorException":
		e.Code = llmux.CodeServer
	case "ConflictException":
		e.Code = llmux.CodeInvalidRequest
	default:
		if e.Code == llmux.CodeUnknown && e.StatusCode == 0 {
			e.Code = llmux.CodeServer
		}
	}
}
