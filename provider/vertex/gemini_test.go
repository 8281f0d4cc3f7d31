package vertex

import (
	"net/http"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/providertest"
)

// TestGemini_RequestGoesToGenerateContent: Gemini models go through the
// Gemini codec to the publisher's generateContent, with the bearer token
// and no API key.
func TestGemini_RequestGoesToGenerateContent(t *testing.T) {
	f := serve(t, http.StatusOK, "gemini-function-call.json")
	req := &llmux.Request{Messages: []llmux.Message{llmux.System("Be brief."), llmux.User("What is the weather like in Boston?")},
		Tools: []llmux.Tool{weatherTool}, MaxTokens: ptr(128)}
	resp, err := claudeProvider(f).Chat(bg, f.attempt(req, "gemini-2.5-pro"))
	if err != nil {
		t.Fatal(err)
	}
	r := last(t, f)
	if want := "/v1/projects/p1/locations/us-east5/publishers/google/models/gemini-2.5-pro:generateContent"; r.Path != want {
		t.Errorf("path = %s", r.Path)
	}
	if r.Header.Get("Authorization") != "Bearer ya29.test" || r.Header.Get("x-goog-api-key") != "" || r.Query != "" {
		t.Errorf("auth: %v query %q", r.Header, r.Query)
	}
	providertest.Golden(t, "testdata/golden/gemini-tools.json", r.Body)
	if c := resp.Choices[0]; len(c.Message.ToolCalls) != 1 || c.FinishReason != "tool_calls" {
		t.Errorf("choice = %+v", c)
	}
}

func TestGemini_Stream(t *testing.T) {
	f := serve(t, http.StatusOK, "gemini-stream.sse")
	r, err := claudeProvider(f).ChatStream(bg, f.attempt(hello(), "gemini-2.5-flash"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	chunks, err := drain(t, r)
	if err != nil {
		t.Fatal(err)
	}
	req := last(t, f)
	if !strings.HasSuffix(req.Path, "/publishers/google/models/gemini-2.5-flash:streamGenerateContent") || req.Query != "alt=sse" {
		t.Errorf("url = %s?%s", req.Path, req.Query)
	}
	var text strings.Builder
	var usage *llmux.Usage
	for _, c := range chunks {
		text.WriteString(c.Text())
		if c.Usage != nil {
			usage = c.Usage
		}
	}
	if text.String() != "Hello! How can I help you today?" || usage == nil || usage.TotalTokens != 14 {
		t.Errorf("text %q usage %+v", text.String(), usage)
	}
}
