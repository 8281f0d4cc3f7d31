package delivery

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestHTTPError_Classifies(t *testing.T) {
	now := time.Now()
	date := now.Add(3 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		status     int
		retryAfter string
		wantNil    bool
		retryable  bool
		minAfter   time.Duration
	}{
		{status: 200, wantNil: true},
		{status: 204, wantNil: true},
		{status: 400},
		{status: 401},
		{status: 404},
		{status: 301},
		{status: 429, retryable: true},
		{status: 429, retryAfter: "7", retryable: true, minAfter: 7 * time.Second},
		{status: 503, retryAfter: date, retryable: true, minAfter: time.Second},
		{status: 500, retryable: true},
		{status: 502, retryAfter: "garbage", retryable: true},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status)+tt.retryAfter, func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("nope"))}
			if tt.retryAfter != "" {
				resp.Header.Set("Retry-After", tt.retryAfter)
			}
			err := HTTPError(resp)
			if (err == nil) != tt.wantNil {
				t.Fatalf("err = %v", err)
			}
			if err == nil {
				return
			}
			var re *RetryableError
			if errors.As(err, &re) != tt.retryable {
				t.Fatalf("retryable = %v, want %v (%v)", !tt.retryable, tt.retryable, err)
			}
			var se *StatusError
			if !errors.As(err, &se) || se.StatusCode != tt.status || se.Body != "nope" {
				t.Fatalf("StatusError = %+v", se)
			}
			if tt.retryable && (re.After < tt.minAfter || re.After > tt.minAfter+5*time.Second) {
				t.Fatalf("After = %v, want about %v", re.After, tt.minAfter)
			}
		})
	}
}

func TestHTTPError_ReadsAtMostOneMiB(t *testing.T) {
	body := &countingReader{r: io.LimitReader(zeros{}, 50<<20)}
	resp := &http.Response{StatusCode: 500, Header: http.Header{}, Body: io.NopCloser(body)}
	err := HTTPError(resp)
	var se *StatusError
	if !errors.As(err, &se) || len(se.Body) != MaxErrorBody || body.n > MaxErrorBody {
		t.Fatalf("read %d bytes, kept %d", body.n, len(se.Body))
	}
	if len(err.Error()) > 1024 {
		t.Fatalf("error message is %d bytes", len(err.Error()))
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"0":                             0,
		"-3":                            0,
		"2":                             2 * time.Second,
		"1.5":                           1500 * time.Millisecond,
		"Fri, 02 Jan 2026 03:04:15 GMT": 10 * time.Second,
		"Fri, 02 Jan 2026 03:04:00 GMT": 0,
		"soon":                          0,
	} {
		if got := RetryAfter(in, now); got != want {
			t.Errorf("RetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{EnvSpoolDir: "/var/spool/llmux", EnvSpoolMaxBytes: "1048576", EnvSpoolFsync: "true"}
	o, err := FromEnv("webhook", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if o.Name != "webhook" || o.SpoolDir != "/var/spool/llmux/webhook" || o.SpoolMaxBytes != 1<<20 || !o.Fsync {
		t.Fatalf("%+v", o)
	}
	env[EnvSpoolMaxBytes] = "lots"
	if _, err := FromEnv("webhook", func(k string) string { return env[k] }); err == nil {
		t.Fatal("bad LLMUX_SPOOL_MAX_BYTES accepted")
	}
	if o, _ := FromEnv("x", nil); o.SpoolDir != "" {
		t.Fatalf("%+v", o)
	}
}
