package gemini

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

func TestMapError_RecordedBodies(t *testing.T) {
	p := New(WithAPIKey(testKey))
	for _, tc := range []struct {
		file       string
		status     int
		header     http.Header
		code       llmux.Code
		typ        string
		retryAfter time.Duration
	}{
		{"400-api-key-invalid.json", 400, nil, llmux.CodeAuthentication, "INVALID_ARGUMENT", 0},
		{"400-token-limit.json", 400, nil, llmux.CodeContextLength, "INVALID_ARGUMENT", 0},
		{"400-invalid-argument.json", 400, nil, llmux.CodeInvalidRequest, "INVALID_ARGUMENT", 0},
		{"401-unauthenticated.json", 401, nil, llmux.CodeAuthentication, "UNAUTHENTICATED", 0},
		{"403-permission-denied.json", 403, nil, llmux.CodePermission, "PERMISSION_DENIED", 0},
		{"403-unregistered-callers.json", 403, nil, llmux.CodeAuthentication, "PERMISSION_DENIED", 0},
		{"404-not-found.json", 404, nil, llmux.CodeNotFound, "NOT_FOUND", 0},
		{"429-resource-exhausted.json", 429, nil, llmux.CodeRateLimited, "RESOURCE_EXHAUSTED", 34 * time.Second},
		{"429-resource-exhausted.json", 429, http.Header{"Retry-After": {"3"}}, llmux.CodeRateLimited, "RESOURCE_EXHAUSTED", 3 * time.Second},
		{"500-internal.json", 500, nil, llmux.CodeServer, "INTERNAL", 0},
		{"503-unavailable.json", 503, nil, llmux.CodeOverloaded, "UNAVAILABLE", 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body := providertest.Fixture(t, "errors/"+tc.file)
			e := p.mapError(tc.status, tc.header, body)
			if e.Code != tc.code || e.Type != tc.typ || e.StatusCode != tc.status || e.Provider != "gemini" {
				t.Errorf("got code %v type %q status %d provider %q, want %v %q %d gemini", e.Code, e.Type, e.StatusCode, e.Provider, tc.code, tc.typ, tc.status)
			}
			if e.RetryAfter != tc.retryAfter {
				t.Errorf("RetryAfter = %v, want %v", e.RetryAfter, tc.retryAfter)
			}
			if e.Message == "" || strings.HasPrefix(e.Message, "{") {
				t.Errorf("Message = %q, want the error message", e.Message)
			}
			if len(e.Body) == 0 {
				t.Error("Body is empty")
			}
		})
	}
}

func TestMapError_ArrayBodyAndMalformed(t *testing.T) {
	p := New(WithAPIKey(testKey))
	e := p.mapError(503, nil, []byte(`[{"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}}]`))
	if e.Code != llmux.CodeOverloaded || e.Message != "overloaded" {
		t.Errorf("array body: %v %q", e.Code, e.Message)
	}
	e = p.mapError(502, nil, []byte(`<html>bad gateway</html>`))
	if e.Code != llmux.CodeServer {
		t.Errorf("html 502: code %v, want server", e.Code)
	}
	e = p.mapError(0, nil, []byte(`{"nope":1}`))
	if e.Code != llmux.CodeBadResponse {
		t.Errorf("malformed in-band error: code %v, want bad response", e.Code)
	}
	e = p.mapError(0, nil, []byte(`{"error":{"code":429,"message":"slow down","status":"RESOURCE_EXHAUSTED"}}`))
	if e.Code != llmux.CodeRateLimited {
		t.Errorf("in-band 429: code %v", e.Code)
	}
}

func TestChat_HTTPErrorsAreMappedAndRedacted(t *testing.T) {
	body := []byte(`{"error":{"code":400,"message":"API key not valid: ` + testKey + `","status":"INVALID_ARGUMENT"}}`)
	f := serveBody(t, 400, "application/json", body)
	_, err := f.provider().Chat(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, "gemini-2.5-flash"))
	e := providertest.AsError(t, err)
	if e.Code != llmux.CodeAuthentication {
		t.Errorf("code = %v", e.Code)
	}
	if strings.Contains(e.Message, testKey) || strings.Contains(string(e.Body), testKey) {
		t.Error("error carries the key")
	}
}

func TestRetryDelay(t *testing.T) {
	for in, want := range map[string]time.Duration{"34s": 34 * time.Second, "1.5s": 1500 * time.Millisecond, "": 0, "x": 0, "5": 0, "-1s": 0} {
		if got := retryDelay(in); got != want {
			t.Errorf("retryDelay(%q) = %v, want %v", in, got, want)
		}
	}
}
