package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/proxy"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestGateway_LoggerAndHook serves two requests through the example's
// logger and hook on the embedded defaults (mock models, offline): one
// answered by the model, one by the guard.
func TestGateway_LoggerAndHook(t *testing.T) {
	var spend bytes.Buffer
	def, err := proxy.Defaults(func(k string) string {
		if k == "LLMUX_SPEND_DB" {
			return "off" // no llmux.db in the example's folder
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := append(def,
		proxy.WithLog(slog.New(slog.NewTextHandler(io.Discard, nil))),
		proxy.WithCallbacks(&SpendLog{W: &spend}),
		proxy.WithHooks(&TopicGuard{Banned: "stock tips"}))
	srv, err := proxy.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	ask := func(q string) string {
		body := `{"model":"mock/gpt-3.5-turbo","messages":[{"role":"user","content":"` + q + `"}]}`
		resp, err := http.Post(ts.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r llmux.Response
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			t.Fatal(err)
		}
		return r.Text()
	}
	if got := ask("Hello"); got != llmux.MockDefaultResponse {
		t.Errorf("answer %q, want the mock's", got)
	}
	if got := ask("Any stock tips?"); got != "Sorry, I can't help with stock tips." {
		t.Errorf("answer %q, want the guard's", got)
	}
	if err := srv.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := "success model=mock/gpt-3.5-turbo cost=$3.5e-05 tokens=30\nsuccess model=mock/gpt-3.5-turbo cost=$0 tokens=0\n"
	if spend.String() != want {
		t.Errorf("spend log:\n%s\nwant:\n%s", spend.String(), want)
	}
}
