package delivery

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxErrorBody caps what [HTTPError] reads of a response body.
const MaxErrorBody = 1 << 20

// StatusError is a sink's HTTP answer other than 2xx.
type StatusError struct {
	StatusCode int
	Status     string // "503 Service Unavailable"
	Body       string // at most MaxErrorBody bytes of the response body
	// RetryAfter is the response's Retry-After (seconds or HTTP-date), 0
	// when absent or in the past.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	msg := strings.TrimSpace(e.Body)
	if len(msg) > 512 {
		msg = msg[:512] + "..."
	}
	if msg == "" {
		return "delivery: sink answered " + e.Status
	}
	return fmt.Sprintf("delivery: sink answered %s: %s", e.Status, msg)
}

// HTTPError classifies a sink's HTTP response for a [Sink]'s Send: nil for
// 2xx; for 429 and 5xx a [StatusError] wrapped with [Retryable], with the
// response's Retry-After (the queue caps it with
// [Options.MaxRetryAfter]); for anything else (other 4xx, 3xx) a
// permanent [*StatusError]. It reads at most [MaxErrorBody] bytes of the
// body (also on 2xx, so the connection can be reused) and does not close
// it: the caller does.
//
//	resp, err := client.Do(req)
//	if err != nil {
//		return delivery.Retryable(err, 0) // network errors are worth retrying
//	}
//	defer resp.Body.Close()
//	return delivery.HTTPError(resp)
func HTTPError(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxErrorBody))
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	status := resp.Status
	if status == "" {
		status = strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
	}
	e := &StatusError{StatusCode: resp.StatusCode, Status: status, Body: string(body),
		RetryAfter: RetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return Retryable(e, e.RetryAfter)
	}
	return e
}

// RetryAfter parses a Retry-After header value, delay-seconds or an
// HTTP-date (relative to now), into a wait; 0 when empty, unparsable or
// in the past.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 || s > 1e9 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
