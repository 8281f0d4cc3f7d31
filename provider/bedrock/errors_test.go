package bedrock

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

const typeSuffix = ":http://internal.amazon.com/coral/com.amazon.bedrock/"

// Each upstream error answer maps to its code, from the status and the
// x-amzn-ErrorType header, refined by the message for over-long prompts.
func TestErrors_Mapping(t *testing.T) {
	isolate(t)
	for _, tc := range []struct {
		status  int
		errType string // x-amzn-ErrorType, without the namespace suffix; "" for none
		body    string // a testdata file, or an inline body
		code    llmux.Code
		msg     string
	}{
		{400, "ValidationException", "errors/400-validation.json", llmux.CodeInvalidRequest, "text content blocks must be non-empty"},
		{429, "ThrottlingException", "errors/429-throttling.json", llmux.CodeRateLimited, "Too many requests"},
		{403, "UnrecognizedClientException", "errors/403-unrecognized-client.json", llmux.CodeAuthentication, "security token"},
		{400, "ValidationException", `{"message":"Input is too long for requested model."}`, llmux.CodeContextLength, "too long"},
		{400, "ValidationException", `{"message":"The model returned the following errors: prompt is too long: 210012 tokens > 200000 maximum"}`, llmux.CodeContextLength, "too long"},
		{400, "ValidationException", `{"message":"This model's maximum context length is 8192 tokens. Please reduce the length of the prompt."}`, llmux.CodeContextLength, "context length"},
		{400, "ValidationException", `{"message":"Malformed input request: too many tokens"}`, llmux.CodeContextLength, "too many tokens"},
		{429, "ServiceQuotaExceededException", `{"message":"Your request exceeded the quota."}`, llmux.CodeRateLimited, "quota"},
		{403, "AccessDeniedException", `{"message":"You don't have access to the model with the specified model ID."}`, llmux.CodePermission, "access"},
		{403, "ExpiredTokenException", `{"message":"The security token included in the request is expired"}`, llmux.CodeAuthentication, "expired"},
		{404, "ResourceNotFoundException", `{"message":"Could not resolve the foundation model from the provided model identifier."}`, llmux.CodeNotFound, "model identifier"},
		{503, "ServiceUnavailableException", `{"message":"Bedrock is unable to process your request."}`, llmux.CodeOverloaded, "unable"},
		{429, "ModelNotReadyException", `{"message":"Model is not ready for inference."}`, llmux.CodeOverloaded, "not ready"},
		{408, "ModelTimeoutException", `{"message":"Model has timed out in processing the request."}`, llmux.CodeTimeout, "timed out"},
		{500, "InternalServerException", `{"Message":"The server encountered an internal error while processing the request."}`, llmux.CodeServer, "internal error"},
		{424, "ModelErrorException", `{"message":"The model returned an error."}`, llmux.CodeServer, "model returned"},
		{400, "", `{"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error detected"}`, llmux.CodeInvalidRequest, "validation error"},
		{502, "", `<html><body>Bad Gateway</body></html>`, llmux.CodeServer, "Bad Gateway"},
	} {
		name := tc.errType
		if name == "" {
			name = "no-header"
		}
		t.Run(name, func(t *testing.T) {
			body := []byte(tc.body)
			if strings.HasPrefix(tc.body, "errors/") {
				body = providertest.Fixture(t, tc.body)
			}
			f := newFake(t, tc.status, "application/json", body)
			if tc.errType != "" {
				f.header.Set("X-Amzn-Errortype", tc.errType+typeSuffix)
			}
			if tc.status == 429 {
				f.header.Set("Retry-After", "7")
			}
			_, err := chatOnce(t, f, f.provider())
			e := providertest.AsError(t, err)
			if e.Code != tc.code || e.StatusCode != tc.status || !strings.Contains(e.Message, tc.msg) || e.Provider != "bedrock" {
				t.Fatalf("err = %v (code %v status %d), want code %v status %d message with %q", err, e.Code, e.StatusCode, tc.code, tc.status, tc.msg)
			}
			if tc.errType != "" && e.Type != tc.errType {
				t.Errorf("type = %q, want %q", e.Type, tc.errType)
			}
			if tc.status == 429 && e.RetryAfter != 7*time.Second {
				t.Errorf("retry after = %v", e.RetryAfter)
			}
			if string(e.Body) != string(body) {
				t.Errorf("body = %s", e.Body)
			}
		})
	}
}

func TestErrorType_Normalised(t *testing.T) {
	for in, want := range map[string]string{
		"ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/": "ThrottlingException",
		"com.amazon.coral.service#UnrecognizedClientException":                     "UnrecognizedClientException",
		"throttlingException": "ThrottlingException",
		"":                    "",
	} {
		if got := errorType(in); got != want {
			t.Errorf("errorType(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzMapError(f *testing.F) {
	f.Add(400, "ValidationException:x", []byte(`{"message":"too long"}`))
	f.Add(0, "", []byte(`null`))
	f.Fuzz(func(t *testing.T, status int, typ string, body []byte) {
		e := mapError(status, http.Header{"X-Amzn-Errortype": {typ}}, body)
		if e == nil || e.Provider != "bedrock" || len(e.Body) > 4<<10 {
			t.Fatalf("mapError = %+v", e)
		}
	})
}
