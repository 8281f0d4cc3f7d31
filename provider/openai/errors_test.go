package openai_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/openai"
)

func TestMapError_RecordedBodies(t *testing.T) {
	for _, tc := range []struct {
		file       string
		status     int
		header     http.Header
		code       llmux.Code
		typ, param string
		msgPrefix  string
		retryAfter time.Duration
	}{
		{"openai-error-400-context-length.json", 400, nil, llmux.CodeContextLength, "context_length_exceeded", "messages", "This model's maximum context length is 128000 tokens", 0},
		{"openai-error-401.json", 401, nil, llmux.CodeAuthentication, "invalid_api_key", "", "Incorrect API key provided", 0},
		{"openai-error-404-model.json", 404, nil, llmux.CodeNotFound, "model_not_found", "", "The model `gpt-9-nonexistent` does not exist", 0},
		{"openai-error-429-rate-limit.json", 429, http.Header{"Retry-After": {"20"}}, llmux.CodeRateLimited, "rate_limit_exceeded", "", "Rate limit reached for gpt-4o-mini", 20 * time.Second},
		{"openai-error-429-rate-limit.json", 429, http.Header{"Retry-After-Ms": {"1500"}}, llmux.CodeRateLimited, "rate_limit_exceeded", "", "Rate limit reached", 1500 * time.Millisecond},
		{"openai-error-429-quota.json", 429, nil, llmux.CodeQuota, "insufficient_quota", "", "You exceeded your current quota", 0},
		{"openai-error-500.json", 500, nil, llmux.CodeServer, "server_error", "", "The server had an error", 0},
		{"openai-error-503.json", 503, nil, llmux.CodeOverloaded, "server_error", "", "The engine is currently overloaded", 0},
		{"azure-content-filter-400.json", 400, nil, llmux.CodeContentFiltered, "content_filter", "prompt", "The response was filtered", 0},
		{"vllm-error-400-context-length.json", 400, nil, llmux.CodeContextLength, "BadRequestError", "", "This model's maximum context length is 4096", 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "errors", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			e := openai.MapError("openai", tc.status, tc.header, body)
			if e.Code != tc.code || e.Type != tc.typ || e.Param != tc.param || e.StatusCode != tc.status ||
				e.RetryAfter != tc.retryAfter || e.Provider != "openai" || !strings.HasPrefix(e.Message, tc.msgPrefix) {
				t.Errorf("MapError = %+v", e)
			}
			if string(e.Body) != string(body) {
				t.Error("Body is not the upstream body")
			}
		})
	}
}

func TestMapError_UnparsableBodyKeepsStatusCode(t *testing.T) {
	for status, code := range map[int]llmux.Code{
		400: llmux.CodeInvalidRequest, 401: llmux.CodeAuthentication, 403: llmux.CodePermission, 404: llmux.CodeNotFound,
		429: llmux.CodeRateLimited, 500: llmux.CodeServer, 502: llmux.CodeServer, 503: llmux.CodeOverloaded,
	} {
		e := openai.MapError("openai", status, nil, []byte("<html>Bad Gateway</html>"))
		if e.Code != code || e.Message != http.StatusText(status) {
			t.Errorf("%d: %+v", status, e)
		}
	}
	if e := openai.MapError("x", 400, nil, []byte(`{"error":"plain message"}`)); e.Message != "plain message" || e.Code != llmux.CodeInvalidRequest {
		t.Errorf("string error: %+v", e)
	}
}

func FuzzMapError(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "errors", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(400, b)
		f.Add(429, b)
	}
	f.Add(200, []byte(`{"error":{"code":123456789012345678901234567890}}`))
	f.Add(0, []byte(`{"error":null,"message":"m","code":"x"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := openai.MapError("openai", status, nil, body)
		if e == nil {
			t.Fatal("nil error")
		}
		if e.StatusCode != status || e.Provider != "openai" || len(e.Body) > 4<<10 {
			t.Fatalf("bad error %+v", e)
		}
		if strings.HasPrefix(e.Code.String(), "code(") {
			t.Fatalf("code out of the closed set: %d", e.Code)
		}
		_ = e.Error()
	})
}
