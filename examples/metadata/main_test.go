package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRun_MetadataReachesLoggerNotProvider checks that the logger reads
// {"hello": "world"} both from Event.Metadata and from LiteLLM's
// kwargs["litellm_params"]["metadata"], and that the body sent upstream
// has no metadata.
func TestRun_MetadataReachesLoggerNotProvider(t *testing.T) {
	var buf bytes.Buffer
	if err := run(context.Background(), &buf); err != nil {
		t.Fatalf("run: %v", err)
	}
	want := strings.Join([]string{
		`pre-API call: metadata=map[hello:world], body sent={"model":"gpt-3.5-turbo","messages":[{"role":"user","content":"Hi 👋 - i'm openai"}]}`,
		`success: e.Metadata["hello"] = world`,
		`success: kwargs["litellm_params"]["metadata"] = map[hello:world]`,
		`response: "Hello, world!"`,
	}, "\n") + "\n"
	if got := buf.String(); got != want {
		t.Errorf("output mismatch\n got:\n%s\nwant:\n%s", got, want)
	}
}
