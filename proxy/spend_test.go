package proxy

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmux/llmux/integration/spend"
	"github.com/llmux/llmux/proxy/config"
)

// TestConfig_SQLCallbackWritesTheSpendLog: callbacks: ["sql"] in a config
// writes one row per request to the database of $LLMUX_SPEND_DB, with the
// model group, the virtual key's hash and no key in clear.
func TestConfig_SQLCallbackWritesTheSpendLog(t *testing.T) {
	up := newFakeUpstream(t, upstreamReply{body: string(readFile(t, "testdata/openai-chat.json"))})
	db := filepath.Join(t.TempDir(), "spend.db")
	env := map[string]string{"UP_BASE": up.URL + "/v1", "UP_KEY": "sk-upstream-0123456789abcdef", "LLMUX_MASTER_KEY": masterKey, "LLMUX_SPEND_DB": db}
	getenv := func(k string) string { return env[k] }
	cfg, err := config.Load([]byte(`
model_list:
  - model_name: gpt-4o
    litellm_params: {model: openai/gpt-4o, api_base: os.environ/UP_BASE, api_key: os.environ/UP_KEY}
litellm_settings:
  callbacks: ["sql"]
general_settings:
  master_key: os.environ/LLMUX_MASTER_KEY
`), config.WithLookupEnv(lookupFrom(getenv)))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(WithConfig(cfg, getenv), WithLog(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	g := &gateway{Server: ts, srv: srv}
	for range 2 {
		if status, _, body := g.post(t, "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"user":"eve"}`,
			"Authorization", "Bearer "+masterKey); status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
	}
	ts.Close()
	if err := srv.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	s, err := spend.OpenStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.Rows(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	for _, r := range rows {
		if r.ModelGroup != "gpt-4o" || r.Status != "success" || len(r.APIKey) != 64 || r.EndUser != "eve" ||
			r.UpstreamKey != "sk-...cdef" || r.TotalTokens == 0 || r.Cost == nil {
			t.Errorf("row %+v", r)
		}
	}
	if rows[0].ID == rows[1].ID {
		t.Error("two requests share one row id")
	}
	file, _ := os.ReadFile(db)
	wal, _ := os.ReadFile(db + "-wal")
	for _, secret := range []string{masterKey, env["UP_KEY"]} {
		if strings.Contains(string(file)+string(wal), secret) {
			t.Errorf("%q stored in the spend log", secret)
		}
	}
}

// TestConfig_SpoolDirGivesNetworkLoggersADiskSpool: general_settings.spool_dir
// spools the sql logger's rows on disk (LLMUX_SPOOL_DIR would win), so a
// row written there survives a database that is not reachable.
func TestConfig_SpoolDirGivesNetworkLoggersADiskSpool(t *testing.T) {
	spool := t.TempDir()
	env := map[string]string{"LLMUX_SPEND_DB": filepath.Join(t.TempDir(), "spend.db")}
	getenv := func(k string) string { return env[k] }
	cfg, err := config.Load([]byte(`
litellm_settings:
  callbacks: ["sql"]
general_settings:
  spool_dir: `+spool+`
`), config.WithLookupEnv(lookupFrom(getenv)))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.General.SpoolDir != spool {
		t.Fatalf("spool_dir = %q", cfg.General.SpoolDir)
	}
	srv, err := New(WithConfig(cfg, getenv), WithLog(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(spool, "sql")); err != nil || !fi.IsDir() {
		t.Fatalf("no spool for the sql logger in %s: %v", spool, err)
	}
}
