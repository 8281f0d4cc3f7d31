package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRun_OneLoggerSeesEveryProviderTheSameWay: each provider's call is
// reported with its own wire body and path, a masked credential and a
// cost from the price table; the Bedrock secret key is never reported.
func TestRun_OneLoggerSeesEveryProviderTheSameWay(t *testing.T) {
	var buf bytes.Buffer
	if err := run(context.Background(), &buf); err != nil {
		t.Fatalf("run: %v", err)
	}
	want := strings.Join([]string{
		`gemini gemini/gemini-2.5-flash: "Paris.", 10 tokens, $0.00000740`,
		`  sent /v1beta/models/gemini-2.5-flash:generateContent with body members contents,systemInstruction, credential AIz...cdef`,
		`bedrock bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0: "Paris.", 15 tokens, $0.00008100`,
		`  sent /model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse with body members messages,system, credential AKI...5678`,
		`groq groq/llama-3.3-70b-versatile: "Paris.", 16 tokens, $0.00000984`,
		`  sent /openai/v1/chat/completions with body members messages,model, credential gsk...cdef`,
	}, "\n") + "\n"
	if got := buf.String(); got != want {
		t.Errorf("output mismatch\n got:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(buf.String(), "example-secret") {
		t.Error("the secret access key was reported")
	}
}
