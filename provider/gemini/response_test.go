package gemini

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/record"
	"github.com/llmux/llmux/provider/providertest"
)

func chat(t *testing.T, file, model string) (*llmux.Response, error) {
	t.Helper()
	f := serve(t, 200, file)
	return f.provider().Chat(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, model))
}

func TestChat_Generate(t *testing.T) {
	resp, err := chat(t, "generate.json", "gemini-2.0-flash")
	if err != nil {
		t.Fatal(err)
	}
	if resp.ID != "bH6LaZW8Fp_3nsEPqtaSwQ4" || resp.Model != "gemini-2.0-flash" || resp.Object != "chat.completion" {
		t.Errorf("id/model/object = %q %q %q", resp.ID, resp.Model, resp.Object)
	}
	if len(resp.Choices) != 1 {
		t.Fatalf("choices = %d", len(resp.Choices))
	}
	c := resp.Choices[0]
	if c.Message.Role != llmux.RoleAssistant || c.Message.Content != "Hello! How can I help you today?" || c.FinishReason != "stop" {
		t.Errorf("choice = %+v", c)
	}
	if u := resp.Usage; u.PromptTokens != 5 || u.CompletionTokens != 9 || u.TotalTokens != 14 {
		t.Errorf("usage = %+v", u)
	}
	if string(resp.Raw) != string(providertest.Fixture(t, "generate.json")) {
		t.Error("Raw is not the body")
	}
}

func TestChat_FunctionCall(t *testing.T) {
	resp, err := chat(t, "function-call.json", "gemini-2.0-flash")
	if err != nil {
		t.Fatal(err)
	}
	c := resp.Choices[0]
	if c.FinishReason != "tool_calls" {
		t.Errorf("finish = %q, want tool_calls", c.FinishReason)
	}
	if len(c.Message.ToolCalls) != 1 {
		t.Fatalf("tool calls = %+v", c.Message.ToolCalls)
	}
	tc := c.Message.ToolCalls[0]
	if !strings.HasPrefix(tc.ID, "call_") || len(tc.ID) != 29 || tc.Type != "function" ||
		tc.Function.Name != "get_weather" || tc.Function.Arguments != `{"location":"Boston, MA"}` {
		t.Errorf("tool call = %+v", tc)
	}
	if c.Message.Content != "" {
		t.Errorf("content = %q", c.Message.Content)
	}
}

func TestChat_ThoughtSignatureRoundTrip(t *testing.T) {
	body := `{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{}},"thoughtSignature":"U0lH"}],"role":"model"},"finishReason":"STOP","index":0}]}`
	f := serveBody(t, 200, "application/json", []byte(body))
	p := f.provider()
	resp, err := p.Chat(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, "gemini-3-pro-preview"))
	if err != nil {
		t.Fatal(err)
	}
	tc := resp.Choices[0].Message.ToolCalls[0]
	if !strings.HasSuffix(tc.ID, "__thought__U0lH") || string(tc.Extra["provider_specific_fields"]) != `{"thought_signature":"U0lH"}` {
		t.Fatalf("tool call = %+v", tc)
	}
	// Sent back, with the id only (a client that dropped the extra
	// member) and with the extra only, the signature returns to Gemini.
	for _, back := range []llmux.ToolCall{{ID: tc.ID, Function: tc.Function}, {ID: "call_x", Function: tc.Function, Extra: tc.Extra}} {
		msgs := []llmux.Message{llmux.User("hi"), {Role: llmux.RoleAssistant, ToolCalls: []llmux.ToolCall{back}},
			{Role: llmux.RoleTool, ToolCallID: back.ID, Content: "done"}}
		b, err := p.chatBody(&llmux.Attempt{Request: &llmux.Request{Messages: msgs}, Model: "gemini-3-pro-preview"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"functionCall":{"name":"f","args":{}},"thoughtSignature":"U0lH"`) {
			t.Errorf("body = %s", b)
		}
	}
}

func TestChat_UsageWithCachedAndThinkingTokens(t *testing.T) {
	resp, err := chat(t, "thinking-cached.json", "gemini-2.5-flash")
	if err != nil {
		t.Fatal(err)
	}
	u := resp.Usage
	if u.PromptTokens != 2061 || u.CompletionTokens != 8+146 || u.TotalTokens != 2215 || u.CachedTokens != 2048 || u.ReasoningTokens != 146 {
		t.Errorf("usage = %+v", u)
	}
	m := resp.Choices[0].Message
	if m.Content != "2 + 2 = 4." || m.ReasoningContent != "The user asks for the sum; 2 + 2 is 4." {
		t.Errorf("content %q reasoning %q", m.Content, m.ReasoningContent)
	}
	b, _ := json.Marshal(u)
	for _, want := range []string{`"cached_tokens":2048`, `"reasoning_tokens":146`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("usage JSON %s lacks %s", b, want)
		}
	}
}

func TestChat_PromptBlockedIsContentFiltered(t *testing.T) {
	_, err := chat(t, "prompt-blocked.json", "gemini-2.0-flash")
	e := providertest.AsError(t, err)
	if e.Code != llmux.CodeContentFiltered || e.Type != "SAFETY" || e.Provider != "gemini" || !strings.Contains(e.Message, "SAFETY") {
		t.Errorf("err = %+v", e)
	}
}

func TestChat_CandidateStoppedForSafety(t *testing.T) {
	resp, err := chat(t, "candidate-safety.json", "gemini-2.5-flash")
	if err != nil {
		t.Fatal(err)
	}
	c := resp.Choices[0]
	if c.FinishReason != "content_filter" || c.Message.Content != "" || c.Message.Role != llmux.RoleAssistant {
		t.Errorf("choice = %+v", c)
	}
	if !strings.Contains(string(c.Extra["safetyRatings"]), `"blocked": true`) {
		t.Errorf("safetyRatings not kept: %s", c.Extra["safetyRatings"])
	}
	b, err := json.Marshal(resp)
	if err != nil || !strings.Contains(string(b), `"safetyRatings"`) {
		t.Errorf("response JSON lacks safetyRatings: %s %v", b, err)
	}
}

func TestChat_BadResponses(t *testing.T) {
	for name, body := range map[string]string{
		"not json":      `<html>`,
		"no candidates": `{"usageMetadata":{"promptTokenCount":1}}`,
		"openai shape":  `{"id":"chatcmpl-1","object":"chat.completion","choices":[]}`,
	} {
		t.Run(name, func(t *testing.T) {
			f := serveBody(t, 200, "application/json", []byte(body))
			_, err := f.provider().Chat(bg, f.attempt(&llmux.Request{Messages: []llmux.Message{llmux.User("hi")}}, "gemini-2.5-flash"))
			if code := llmux.CodeOf(err); code != llmux.CodeBadResponse {
				t.Errorf("err = %v, want bad response", err)
			}
		})
	}
}

func TestFinishReason(t *testing.T) {
	for in, want := range map[string]string{
		"STOP": "stop", "MAX_TOKENS": "length", "SAFETY": "content_filter", "RECITATION": "content_filter",
		"BLOCKLIST": "content_filter", "PROHIBITED_CONTENT": "content_filter", "SPII": "content_filter",
		"MALFORMED_FUNCTION_CALL": "stop", "OTHER": "other", "": "",
	} {
		if got := finishReason(in); got != want {
			t.Errorf("finishReason(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestChat_CostIsPriced(t *testing.T) {
	t.Setenv("GEMINI_API_KEY", "")
	t.Setenv("GOOGLE_API_KEY", "")
	for _, model := range []string{"gemini/gemini-2.5-flash", "gemini/gemini-2.5-pro", "gemini/gemini-2.0-flash"} {
		t.Run(model, func(t *testing.T) {
			f := serve(t, 200, "thinking-cached.json")
			rec := &record.Events{}
			c, err := llmux.New(llmux.WithProvider(New(WithAPIKey(testKey), WithBaseURL(f.srv.URL))), llmux.WithCallbacks(llmux.Inline(rec)))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(context.Background())
			resp, err := c.Completion(bg, &llmux.Request{Model: model, Messages: []llmux.Message{llmux.User("2+2?")}})
			if err != nil {
				t.Fatal(err)
			}
			b, err := c.Cost(resp, "gemini")
			if err != nil {
				t.Fatal(err)
			}
			if b.Total <= 0 || b.Reasoning <= 0 || b.CacheRead <= 0 {
				t.Errorf("cost = %+v, want > 0 with reasoning and cache reads priced", b)
			}
			_ = c.Flush(bg)
			ev := rec.Last()
			if ev == nil || ev.CostErr != nil || ev.ResponseCost <= 0 {
				t.Errorf("success event cost = %+v", ev)
			}
			if ev != nil && (ev.Attempt.APIKey == testKey || ev.Attempt.APIKey == "") {
				t.Errorf("event api key = %q, want masked", ev.Attempt.APIKey)
			}
		})
	}
}
