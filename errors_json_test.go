package llmux

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCode_JSONIsItsName(t *testing.T) {
	b, err := json.Marshal(map[string]Code{"c": CodeRateLimited})
	if err != nil || string(b) != `{"c":"rate_limited"}` {
		t.Fatalf("%s %v", b, err)
	}
	var back map[string]Code
	if err := json.Unmarshal(b, &back); err != nil || back["c"] != CodeRateLimited {
		t.Fatalf("%v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"c":"nope"}`), &back); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown code name: %v", err)
	}
}

func TestError_JSONIsLiteLLMsException(t *testing.T) {
	e := &Error{Code: CodeRateLimited, Provider: "openai", StatusCode: 429, Type: "rate_limit_exceeded",
		Message: "slow down", RetryAfter: 2 * time.Second, Body: []byte(`{"error":"slow down"}`)}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"RateLimitError","code":"rate_limited","status_code":429,"message":"slow down","provider":"openai",` +
		`"provider_type":"rate_limit_exceeded","retry_after":2,"body":"{\"error\":\"slow down\"}"}`
	if string(b) != want {
		t.Errorf("\n got %s\nwant %s", b, want)
	}
	if s := fmt.Sprintf("%#v", e); !strings.Contains(s, `Message:"slow down"`) || strings.Contains(s, "0x") {
		t.Errorf("%%#v = %s", s)
	}
}

// CodeForException knows LiteLLM's exception classes, with and without
// the "litellm." prefix.
func TestCodeForException(t *testing.T) {
	for name, want := range map[string]Code{"RateLimitError": CodeRateLimited, "litellm.Timeout": CodeTimeout,
		"litellm.UnprocessableEntityError": CodeInvalidRequest, "PermissionDeniedError": CodePermission} {
		if got, ok := CodeForException(name); !ok || got != want {
			t.Errorf("%s: %v %v", name, got, ok)
		}
	}
	if _, ok := CodeForException("NoSuchError"); ok {
		t.Error("an unknown class has a code")
	}
}
