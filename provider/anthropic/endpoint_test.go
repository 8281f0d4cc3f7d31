package anthropic

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

const testToken = "ya29.test-bearer-token-0123456789"

// platform returns an Endpoint like Vertex AI's: the model in the URL, a
// bearer token, and it records the paths and stream flags it was asked for.
func platform(base string, calls *[]string) Endpoint {
	return func(_ context.Context, a *llmux.Attempt, path string, stream bool) (string, http.Header, string, error) {
		method := "rawPredict"
		if stream {
			method = "streamRawPredict"
		}
		*calls = append(*calls, path+" "+method)
		h := http.Header{}
		h.Set("Authorization", "Bearer "+testToken)
		return base + "/models/" + a.Model + ":" + method, h, testToken, nil
	}
}

// TestEndpoint_SendsWhereAndHowTheEndpointSays: with WithEndpoint and
// WithBodyVersion the call goes to the endpoint's URL with its headers
// only (no x-api-key, no anthropic-version), and the body carries
// anthropic_version instead of model; the event reports those exact bytes.
func TestEndpoint_SendsWhereAndHowTheEndpointSays(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	var calls []string
	p := New(WithEndpoint(platform(f.srv.URL, &calls)), WithBodyVersion("vertex-2023-10-16"), WithHeader("anthropic-beta", "b1"))
	req := &llmux.Request{Messages: []llmux.Message{llmux.System("Be brief."), llmux.User("Hello")}, MaxTokens: ptr(100)}
	resp, err := p.Chat(bg, f.attempt(req, "claude-sonnet-4-5@20250929"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text() == "" {
		t.Error("empty response")
	}
	r := last(t, f)
	if r.Path != "/models/claude-sonnet-4-5@20250929:rawPredict" {
		t.Errorf("path = %s", r.Path)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
		t.Errorf("Authorization = %q", got)
	}
	for _, k := range []string{"x-api-key", "anthropic-version"} {
		if v := r.Header.Get(k); v != "" {
			t.Errorf("%s sent: %q", k, v)
		}
	}
	if got := r.Header.Get("anthropic-beta"); got != "b1" {
		t.Errorf("anthropic-beta = %q", got)
	}
	providertest.Golden(t, "testdata/golden/body-version.json", r.Body)
	if !strings.HasPrefix(string(r.Body), `{"anthropic_version":"vertex-2023-10-16","messages":`) || strings.Contains(string(r.Body), `"model"`) {
		t.Errorf("body = %s", r.Body)
	}
	if want := []string{"/v1/messages rawPredict"}; strings.Join(calls, ",") != strings.Join(want, ",") {
		t.Errorf("endpoint calls = %q", calls)
	}
}

func TestEndpoint_StreamAsksForTheStreamEndpoint(t *testing.T) {
	f := serve(t, http.StatusOK, "message-stream.sse")
	var calls []string
	p := New(WithEndpoint(platform(f.srv.URL, &calls)), WithBodyVersion("vertex-2023-10-16"))
	r, err := p.ChatStream(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("Hello")}}, "claude-sonnet-4-5"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	chunks, err := drain(t, r)
	if err != nil || len(chunks) == 0 {
		t.Fatalf("%d chunks, err %v", len(chunks), err)
	}
	if got := last(t, f).Path; got != "/models/claude-sonnet-4-5:streamRawPredict" {
		t.Errorf("path = %s", got)
	}
	if body := string(last(t, f).Body); !strings.Contains(body, `"stream":true`) || !strings.HasPrefix(body, `{"anthropic_version":`) {
		t.Errorf("body = %s", body)
	}
}

// TestEndpoint_ErrorIsReturnedAsIs: the endpoint's error (no credentials)
// fails the call before anything is sent, unchanged.
func TestEndpoint_ErrorIsReturnedAsIs(t *testing.T) {
	f := serve(t, http.StatusOK, "message.json")
	want := &llmux.Error{Code: llmux.CodeAuthentication, Provider: "vertex_ai", Message: "no credentials"}
	p := New(WithEndpoint(func(context.Context, *llmux.Attempt, string, bool) (string, http.Header, string, error) {
		return "", nil, "", want
	}))
	_, err := p.Chat(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("Hello")}}, "claude-sonnet-4-5"))
	var e *llmux.Error
	if !errors.As(err, &e) || e != want {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

// TestEndpoint_SecretIsRedactedFromErrors: an upstream echoing the bearer
// token back does not leak it through the error.
func TestEndpoint_SecretIsRedactedFromErrors(t *testing.T) {
	f := serveBody(t, http.StatusUnauthorized, "application/json",
		[]byte(`{"type":"error","error":{"type":"authentication_error","message":"bad token `+testToken+`"}}`))
	var calls []string
	p := New(WithEndpoint(platform(f.srv.URL, &calls)))
	_, err := p.Chat(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("Hello")}}, "claude-sonnet-4-5"))
	if llmux.CodeOf(err) != llmux.CodeAuthentication {
		t.Fatalf("err = %v", err)
	}
	var e *llmux.Error
	errors.As(err, &e)
	if strings.Contains(e.Message, testToken) || strings.Contains(string(e.Body), testToken) {
		t.Fatalf("token leaked: %q %s", e.Message, e.Body)
	}
}
