package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/llmux/llmux"
)

func TestReadAll_KnownAndUnknownLengths(t *testing.T) {
	body := strings.Repeat("x", 1000)
	for _, tc := range []struct {
		name string
		n    int64
		in   string
		want string
		err  bool
	}{
		{"exact", 1000, body, body, false},
		{"unknown", -1, body, body, false},
		{"longer than announced", 10, body, body, false},
		{"shorter than announced", 2000, body, body, true},
	} {
		got, err := readAll(strings.NewReader(tc.in), tc.n)
		if string(got) != tc.want || (err != nil) != tc.err {
			t.Errorf("%s: %d bytes, err %v", tc.name, len(got), err)
		}
	}
	if got, err := readAll(strings.NewReader(body), 64<<20); err != nil || string(got) != body || cap(got) >= 1<<20 {
		t.Errorf("an announced 64 MiB is not allocated before it arrives: cap %d, %v", cap(got), err)
	}
	if got, err := readAll(strings.NewReader(body), 1000); err != nil || cap(got) != 1001 {
		t.Errorf("a known length is read into one buffer: cap %d, %v", cap(got), err)
	}
}

func TestToolInput(t *testing.T) {
	for args, want := range map[string]string{"": "{}", "  ": "{}", `{ "a": 1 }`: `{"a":1}`} {
		if got, err := ToolInput(args); err != nil || string(got) != want {
			t.Errorf("ToolInput(%q) = %s, %v", args, got, err)
		}
	}
	for _, args := range []string{"[1]", `"x"`, "{", "1"} {
		if _, err := ToolInput(args); err == nil {
			t.Errorf("ToolInput(%q) accepted", args)
		}
	}
}

func TestRedact(t *testing.T) {
	e := &llmux.Error{Message: "bad key sk-secret-0123456789 and tok", Body: []byte(`{"key":"sk-secret-0123456789"}`)}
	Redact(e, "", "  ", "sk-secret-0123456789")
	if strings.Contains(e.Message+string(e.Body), "sk-secret") || !strings.Contains(e.Message, "[REDACTED]") || !strings.Contains(e.Message, "tok") {
		t.Errorf("%q %s", e.Message, e.Body)
	}
}

func TestNamed(t *testing.T) {
	e := &llmux.Error{Code: llmux.CodeServer}
	if Named(fmt.Errorf("wrapped: %w", e), "gemini"); e.Provider != "gemini" {
		t.Errorf("provider %q", e.Provider)
	}
	Named(e, "other")
	if e.Provider != "gemini" {
		t.Error("Named replaced a provider already set")
	}
	if Named(nil, "x") != nil {
		t.Error("Named(nil) is not nil")
	}
}
