package providertest_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/llmux/llmux/provider/providertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestServe_ReplaysBodyAndRecordsRequests(t *testing.T) {
	srv, c := providertest.Serve(t, http.StatusTeapot, http.Header{"X-Upstream": {"yes"}}, []byte(`{"ok":true}`))
	for _, body := range []string{"first", "second"} {
		resp, err := srv.Client().Post(srv.URL+"/v1/x?a=1", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusTeapot || string(b) != `{"ok":true}` || resp.Header.Get("X-Upstream") != "yes" ||
			resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("answer %d %v %s", resp.StatusCode, resp.Header, b)
		}
	}
	reqs := c.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	for i, want := range []string{"first", "second"} {
		r := reqs[i]
		if r.Method != http.MethodPost || r.Path != "/v1/x" || r.Query != "a=1" || string(r.Body) != want || r.Header.Get("Content-Type") != "text/plain" {
			t.Errorf("request %d = %+v", i, r)
		}
	}
}

func TestServe_ContentType(t *testing.T) {
	for _, tc := range []struct {
		header http.Header
		body   string
		want   string
	}{
		{nil, "data: {}\n\n", "text/event-stream"},
		{nil, "{}", "application/json"},
		{http.Header{"Content-Type": {"text/html"}}, "data: x", "text/html"},
	} {
		srv, c := providertest.Serve(t, http.StatusOK, tc.header, []byte(tc.body))
		resp, err := srv.Client().Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Content-Type"); got != tc.want {
			t.Errorf("body %q header %v: Content-Type = %q, want %q", tc.body, tc.header, got, tc.want)
		}
		if r := c.Only(t); r.Method != http.MethodGet {
			t.Errorf("method = %s", r.Method)
		}
	}
}

func TestGolden_EqualFilePasses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(path, []byte(`{"a":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	providertest.Golden(t, path, []byte(`{"a":1}`))
}
