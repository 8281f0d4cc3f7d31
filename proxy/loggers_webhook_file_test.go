package proxy

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmux/llmux/integration/file"
	"github.com/llmux/llmux/integration/webhook"
)

func TestBuildLoggers_WebhookAndFileFromEnv(t *testing.T) {
	env := map[string]string{
		"GENERIC_LOGGER_ENDPOINT": "http://127.0.0.1:1/logs",
		"GENERIC_LOGGER_HEADERS":  "Authorization=Bearer x",
		"LLMUX_FILE_PATH":         filepath.Join(t.TempDir(), "events.jsonl"),
		"LLMUX_SPOOL_DIR":         t.TempDir(), // generic_api and webhook each get their own spool
	}
	ls, err := buildLoggers([]string{"generic_api", "file"}, []string{"webhook"}, nil, nil, nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 3 {
		t.Fatalf("%d loggers", len(ls))
	}
	if w, ok := ls[0].(*webhook.Logger); !ok || w.Name() != "generic_api" {
		t.Errorf("generic_api built %T", ls[0])
	}
	if _, ok := ls[1].(*file.Logger); !ok {
		t.Errorf("file built %T", ls[1])
	}
	for _, l := range ls {
		if err := shutdown(context.Background(), l); err != nil {
			t.Error(err)
		}
	}
	delete(env, "GENERIC_LOGGER_ENDPOINT")
	if _, err := buildLoggers([]string{"webhook"}, nil, nil, nil, nil, func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "GENERIC_LOGGER_ENDPOINT") {
		t.Fatalf("err = %v", err)
	}
}
