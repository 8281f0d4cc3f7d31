package messages

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/anthropic"
	"github.com/llmux/llmux/provider/openai"
)

func TestErrorStatus_EveryCode(t *testing.T) {
	want := map[llmux.Code]struct {
		status int
		typ    string
	}{
		llmux.CodeUnknown:         {500, "api_error"},
		llmux.CodeInvalidRequest:  {400, "invalid_request_error"},
		llmux.CodeAuthentication:  {401, "authentication_error"},
		llmux.CodePermission:      {403, "permission_error"},
		llmux.CodeNotFound:        {404, "not_found_error"},
		llmux.CodeContextLength:   {400, "invalid_request_error"},
		llmux.CodeContentFiltered: {400, "invalid_request_error"},
		llmux.CodeRateLimited:     {429, "rate_limit_error"},
		llmux.CodeQuota:           {402, "billing_error"},
		llmux.CodeTimeout:         {504, "timeout_error"},
		llmux.CodeCanceled:        {499, "api_error"},
		llmux.CodeOverloaded:      {529, "overloaded_error"},
		llmux.CodeServer:          {500, "api_error"},
		llmux.CodeConnection:      {502, "api_error"},
		llmux.CodeBadResponse:     {502, "api_error"},
		llmux.CodeUnsupported:     {400, "invalid_request_error"},
	}
	// The code set is closed: every named code is in the table.
	for c := llmux.Code(0); c.String() != fmt.Sprintf("code(%d)", int(c)); c++ {
		w, ok := want[c]
		if !ok {
			t.Errorf("code %s is not mapped by the test", c)
			continue
		}
		status, typ := ErrorStatus(c)
		if status != w.status || typ != w.typ {
			t.Errorf("%s: %d %s, want %d %s", c, status, typ, w.status, w.typ)
		}
	}
}

func TestEncodeError(t *testing.T) {
	for name, tc := range map[string]struct {
		err    error
		status int
		body   string
	}{
		"llmux error": {&llmux.Error{Code: llmux.CodeRateLimited, Provider: "openai", Type: "rate_limit_exceeded", Message: "slow down"},
			429, `{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`},
		"anthropic's own type": {&llmux.Error{Code: llmux.CodeInvalidRequest, Provider: "anthropic", StatusCode: 413, Type: "request_too_large", Message: "too big"},
			413, `{"type":"error","error":{"type":"request_too_large","message":"too big"}}`},
		"another provider's 413": {&llmux.Error{Code: llmux.CodeInvalidRequest, Provider: "openai", StatusCode: 413, Message: "too big"},
			413, `{"type":"error","error":{"type":"request_too_large","message":"too big"}}`},
		"a type of another provider is not kept": {&llmux.Error{Code: llmux.CodeQuota, Provider: "openai", Type: "api_error", Message: "no credit"},
			402, `{"type":"error","error":{"type":"billing_error","message":"no credit"}}`},
		"wrapped, message from the cause": {fmt.Errorf("proxy: %w", &llmux.Error{Code: llmux.CodeTimeout, Err: context.DeadlineExceeded}),
			504, `{"type":"error","error":{"type":"timeout_error","message":"context deadline exceeded"}}`},
		"plain error":   {errors.New("boom"), 500, `{"type":"error","error":{"type":"api_error","message":"boom"}}`},
		"context error": {context.Canceled, 499, `{"type":"error","error":{"type":"api_error","message":"context canceled"}}`},
		"no message":    {&llmux.Error{Code: llmux.CodeOverloaded}, 529, `{"type":"error","error":{"type":"overloaded_error","message":"llmux: overloaded"}}`},
		"nil":           {nil, 500, `{"type":"error","error":{"type":"api_error","message":"unknown error"}}`},
	} {
		status, body := EncodeError(tc.err)
		if status != tc.status || string(body) != tc.body {
			t.Errorf("%s: %d %s\nwant %d %s", name, status, body, tc.status, tc.body)
		}
	}
}

// TestEncodeError_UpstreamErrors: errors an upstream answered with, as the
// client returns them, reach an Anthropic client with Anthropic's status,
// type and message; an Anthropic upstream's error comes back as it was.
func TestEncodeError_UpstreamErrors(t *testing.T) {
	for _, tc := range []struct {
		file      string
		status    int
		anthropic bool
		want      string
	}{
		{"anthropic-error-400.json", 400, true, ""},
		{"anthropic-error-401.json", 401, true, ""},
		{"anthropic-error-413-request-too-large.json", 413, true, ""},
		{"anthropic-error-429-rate-limit.json", 429, true, ""},
		{"anthropic-error-529-overloaded.json", 529, true, ""},
		{"openai-error-429-quota.json", 429, false, `{"type":"error","error":{"type":"billing_error","message":"You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors."}}`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body := fixture(t, "errors/"+tc.file)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write(body)
			}))
			defer srv.Close()
			var p llmux.Provider = openai.New(openai.WithAPIKey("sk-test-0123456789"), openai.WithBaseURL(srv.URL))
			model := "gpt-4o"
			if tc.anthropic {
				p, model = anthropic.New(anthropic.WithAPIKey("sk-ant-test-0123456789"), anthropic.WithBaseURL(srv.URL)), "claude-sonnet-4-5"
			}
			_, err := newClient(t, p).Completion(bg, &llmux.Request{Model: model, Messages: []llmux.Message{llmux.User("Hi")}})
			if err == nil {
				t.Fatal("no error")
			}
			status, got := EncodeError(err)
			want := []byte(tc.want)
			wantStatus := tc.status
			if tc.anthropic {
				var upstream map[string]json.RawMessage
				_ = json.Unmarshal(body, &upstream)
				delete(upstream, "request_id") // a header's business, not the translation's
				want, _ = json.Marshal(upstream)
			} else {
				wantStatus = 402
			}
			if status != wantStatus {
				t.Errorf("status = %d, want %d", status, wantStatus)
			}
			if d := cmp.Diff(decode(t, want), decode(t, got)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
