package provider_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider"
)

func TestJoinURL_KeepsTheQuery(t *testing.T) {
	for _, tc := range [][3]string{
		{"https://api.openai.com/v1", "/chat/completions", "https://api.openai.com/v1/chat/completions"},
		{"https://api.openai.com/v1/", "/chat/completions", "https://api.openai.com/v1/chat/completions"},
		{"https://host/v1?key=K", "/chat/completions", "https://host/v1/chat/completions?key=K"},
		{"https://host/v1/?key=K&x=1", "/embeddings", "https://host/v1/embeddings?key=K&x=1"},
		{"https://host?key=K", "/d/op?api-version=2024", "https://host/d/op?api-version=2024&key=K"},
	} {
		if got := provider.JoinURL(tc[0], tc[1]); got != tc[2] {
			t.Errorf("JoinURL(%q, %q) = %q, want %q", tc[0], tc[1], got, tc[2])
		}
	}
}

func TestStatusText_NamesStatusesGoDoesNotKnow(t *testing.T) {
	for status, want := range map[int]string{502: "Bad Gateway", 529: "overloaded", 499: "client closed request", 599: "status 599"} {
		if got := provider.StatusText(status); got != want {
			t.Errorf("StatusText(%d) = %q, want %q", status, got, want)
		}
	}
	e := provider.HTTPError("anthropic", 529, nil, nil)
	if e.Code != llmux.CodeOverloaded || e.Message != "overloaded" || e.Error() != "llmux: anthropic: overloaded (529): overloaded" {
		t.Errorf("529: %v", e)
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		h    http.Header
		want time.Duration
	}{
		{http.Header{"Retry-After-Ms": {"250"}}, 250 * time.Millisecond},
		{http.Header{"Retry-After": {"2"}}, 2 * time.Second},
		{http.Header{"Retry-After": {"junk"}}, 0},
		{nil, 0},
	} {
		if got := provider.RetryAfter(tc.h); got != tc.want {
			t.Errorf("RetryAfter(%v) = %v, want %v", tc.h, got, tc.want)
		}
	}
}

func TestHTTPError_CopiesAndTruncatesTheBody(t *testing.T) {
	body := bytes.Repeat([]byte("x"), provider.MaxErrorBody+10)
	e := provider.HTTPError("openai", 500, nil, body)
	body[0] = 'y'
	if len(e.Body) != provider.MaxErrorBody || e.Body[0] != 'x' {
		t.Errorf("body %d bytes starting %q", len(e.Body), e.Body[:1])
	}
}

// A body whose Content-Encoding says gzip but is not is a bad response,
// not a connection failure to retry.
func TestReadBody_ContentEncodingLieIsABadResponse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write([]byte(`{"id":"not gzip at all"}`))
	}))
	defer srv.Close()
	a := &llmux.Attempt{HTTPClient: srv.Client()}
	resp, err := provider.Send(context.Background(), a, provider.Wire{Method: http.MethodGet, URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = provider.ReadBody(a, resp)
	var e *llmux.Error
	if !errors.As(err, &e) || e.Code != llmux.CodeBadResponse || llmux.IsRetryable(err) {
		t.Fatalf("err = %v, want a bad response that is not retried", err)
	}
	if !provider.IsCorrupt(err) {
		t.Error("IsCorrupt is false for a corrupt gzip body")
	}
	if provider.IsCorrupt(errors.New("connection reset")) || provider.IsCorrupt(gzip.ErrHeader) == false {
		t.Error("IsCorrupt misclassifies")
	}
}

func TestTransportError_Codes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if e := provider.TransportError(ctx, errors.New("x")); e.Code != llmux.CodeCanceled {
		t.Errorf("canceled: %v", e)
	}
	if e := provider.TransportError(context.Background(), errors.New("refused")); e.Code != llmux.CodeConnection {
		t.Errorf("connection: %v", e)
	}
}
