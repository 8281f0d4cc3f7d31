package proxy

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmux/llmux/proxy/config"
)

// TestRoutes_SamePathsWithoutV1 sends each endpoint's request to its /v1
// path and to the same path without /v1 (as LiteLLM serves both): the
// same status and an answer of the same shape (the same top-level keys).
func TestRoutes_SamePathsWithoutV1(t *testing.T) {
	g := newGateway(t, nil, nil)
	for _, tc := range []struct {
		method, path, body string
	}{
		{http.MethodPost, "/chat/completions", `{"model":"mock/gpt-4o","messages":[{"role":"user","content":"hi"}]}`},
		{http.MethodPost, "/completions", `{"model":"mock/gpt-4o","prompt":"hi"}`},
		{http.MethodPost, "/embeddings", `{"model":"mock/text-embedding-3-small","input":"hi"}`},
		{http.MethodGet, "/models", ``},
		{http.MethodPost, "/messages", `{"model":"mock/gpt-4o","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}`},
		{http.MethodPost, "/responses", `{"model":"mock/gpt-4o","input":"hi"}`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			var keys [2][]string
			for i, path := range []string{"/v1" + tc.path, tc.path} {
				req, err := http.NewRequest(tc.method, g.URL+path, strings.NewReader(tc.body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				status, _, b := send(t, req)
				if status != http.StatusOK {
					t.Fatalf("%s %s: status %d: %s", tc.method, path, status, b)
				}
				var m map[string]json.RawMessage
				if err := json.Unmarshal(b, &m); err != nil {
					t.Fatalf("%s %s: %v: %s", tc.method, path, err, b)
				}
				for k := range m {
					keys[i] = append(keys[i], k)
				}
				slices.Sort(keys[i])
			}
			if !slices.Equal(keys[0], keys[1]) {
				t.Errorf("keys of the answer: /v1%s %v, %s %v", tc.path, keys[0], tc.path, keys[1])
			}
		})
	}
}

// TestServe_HeaderAndIdleTimeoutsFromConfig serves a config whose
// general_settings set read_header_timeout and idle_timeout: a client that
// never finishes its headers is cut off, and so is a keep-alive
// connection left idle, each after its timeout, not before. Each clock
// starts before the server can start its own (before the dial, before the
// request), so no slack is needed below the timeout.
func TestServe_HeaderAndIdleTimeoutsFromConfig(t *testing.T) {
	cfg, err := config.Load([]byte(`
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: mock/gpt-4o
general_settings:
  read_header_timeout: 150ms
  idle_timeout: 300ms
`))
	if err != nil {
		t.Fatal(err)
	}
	readHeader, idle := time.Duration(cfg.General.ReadHeaderTimeout), time.Duration(cfg.General.IdleTimeout)
	srv, err := New(WithConfig(cfg, os.Getenv), WithLog(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ln, stop, served := serveLoopback(t, srv)
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()

	// closedAfter returns how long until the server closed conn (reading
	// and dropping whatever it sends before), failing after 10 s.
	closedAfter := func(t *testing.T, conn net.Conn, r *bufio.Reader, from time.Time) time.Duration {
		t.Helper()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := io.Copy(io.Discard, r)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("the connection is still open after 10 s")
		}
		return time.Since(from)
	}

	t.Run("read_header_timeout", func(t *testing.T) {
		start := time.Now()
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"); err != nil {
			t.Fatal(err)
		}
		if took := closedAfter(t, conn, bufio.NewReader(conn), start); took < readHeader {
			t.Errorf("closed after %v, before read_header_timeout %v", took, readHeader)
		}
	})

	t.Run("idle_timeout", func(t *testing.T) {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		if _, err := io.WriteString(conn, "GET /health/liveliness HTTP/1.1\r\nHost: gateway\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(conn)
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Close {
			t.Fatalf("liveliness: status %d, close %v; want 200 on a kept-alive connection", resp.StatusCode, resp.Close)
		}
		if took := closedAfter(t, conn, r, start); took < idle {
			t.Errorf("idle connection closed after %v, before idle_timeout %v", took, idle)
		}
	})
}
