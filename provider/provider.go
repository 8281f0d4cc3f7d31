package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/attemptlink"
	"github.com/llmux/llmux/internal/stage"
)

// Wire is what a provider is about to send upstream.
type Wire struct {
	Method string // default POST
	URL    string
	Header http.Header
	// Body is the request body. Events keep it as the exact body sent, so
	// it must not be changed after Send or Begin.
	Body []byte
	// APIKey is the key this request carries, reported masked in events
	// and scrubbed from everything the call reports.
	APIKey string
	// Input is what the provider sends as the model's input, for the
	// event's "input" (the messages, or the prompt it built from them);
	// nil means the request's messages.
	Input any
}

// MaxResponseBody caps the non-streamed response bodies [ReadBody] reads.
const MaxResponseBody = 64 << 20

// Begin records w as the attempt's wire request and emits the pre-API-call
// event, without sending anything. [Send] calls it; providers without HTTP
// call it directly.
func Begin(ctx context.Context, a *llmux.Attempt, w Wire) {
	if w.Method == "" {
		w.Method = http.MethodPost
	}
	if r := recorder(a); r != nil {
		r.Begin(ctx, w.Method, w.URL, w.Header, w.Body, w.APIKey, w.Input)
	}
}

// Received records raw as the attempt's response, for the post-API-call
// event. [ReadBody] calls it; providers without HTTP call it directly.
func Received(a *llmux.Attempt, raw []byte) {
	if r := recorder(a); r != nil {
		r.Received(raw)
	}
}

func recorder(a *llmux.Attempt) attemptlink.Recorder {
	if a == nil || attemptlink.Of == nil {
		return nil
	}
	return attemptlink.Of(a)
}

// Send emits the pre-API-call event and performs the HTTP request w with
// the attempt's HTTP client. The body is replayable (GetBody), and
// Content-Type defaults to application/json. A transport error is an
// *llmux.Error: the caller's cancellation is CodeCanceled, a deadline
// CodeTimeout, anything else CodeConnection. The caller closes the
// response body; for non-streamed calls it reads it with [ReadBody].
func Send(ctx context.Context, a *llmux.Attempt, w Wire) (*http.Response, error) {
	if w.Method == "" {
		w.Method = http.MethodPost
	}
	Begin(ctx, a, w)
	stage.Mark(stage.PreEvent)
	req, err := http.NewRequestWithContext(ctx, w.Method, w.URL, bytes.NewReader(w.Body))
	if err != nil {
		return nil, &llmux.Error{Code: llmux.CodeInvalidRequest, Message: "build request: " + err.Error(), Err: err}
	}
	body := w.Body
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	for k, v := range w.Header {
		req.Header[k] = v
	}
	if w.Body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := http.DefaultClient
	if a != nil && a.HTTPClient != nil {
		hc = a.HTTPClient
	}
	rec := recorder(a)
	stage.Mark(stage.Send)
	resp, err := hc.Do(req)
	stage.Mark(stage.Received)
	if err != nil {
		if rec != nil {
			rec.Sent(0, nil)
		}
		return nil, TransportError(ctx, err)
	}
	if rec != nil {
		rec.Sent(resp.StatusCode, resp.Header)
	}
	return resp, nil
}

// Open is [Send] for a provider whose answer is read by the caller (a
// stream, or a body decoded in its own way): it returns the response when
// its status is 2xx. Otherwise it reads the body and returns mapErr's
// error for it, with secrets scrubbed ([Redact]). Every error names the
// provider.
func Open(ctx context.Context, a *llmux.Attempt, w Wire, name string, mapErr func(status int, h http.Header, body []byte) *llmux.Error, secrets ...string) (*http.Response, error) {
	resp, err := Send(ctx, a, w)
	if err != nil {
		return nil, Named(err, name)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		b, err := ReadBody(a, resp)
		if err != nil {
			return nil, Named(err, name)
		}
		return nil, Redact(mapErr(resp.StatusCode, resp.Header, b), secrets...)
	}
	return resp, nil
}

// ReadBody reads and closes a non-streamed response body, at most
// [MaxResponseBody] bytes, and records it as the attempt's original
// response. A body that fails to decompress (a Content-Encoding that is a
// lie) is CodeBadResponse; a connection that breaks is CodeConnection.
func ReadBody(a *llmux.Attempt, resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	b, err := readAll(resp.Body, resp.ContentLength)
	if err != nil {
		return nil, ReadError(resp.StatusCode, err)
	}
	if len(b) > MaxResponseBody {
		return nil, &llmux.Error{Code: llmux.CodeBadResponse, StatusCode: resp.StatusCode, Message: "response body exceeds 64 MiB"}
	}
	Received(a, b)
	return b, nil
}

// maxPrealloc is the largest announced body read into one buffer sized
// up front.
const maxPrealloc = 1 << 20

// readAll reads r to its end, at most MaxResponseBody+1 bytes. With a
// known length (Content-Length; -1 when unknown, as a compressed body is)
// it reads into one buffer of that size, which io.ReadAll would grow, and
// copy, four or five times for a typical answer.
func readAll(r io.Reader, n int64) ([]byte, error) {
	if n <= 0 || n > maxPrealloc {
		// Unknown, or too large to trust before it arrives: an upstream
		// announcing 64 MiB and stalling must not pin that much.
		return io.ReadAll(io.LimitReader(r, MaxResponseBody+1))
	}
	b := make([]byte, n, n+1) // room to notice a body longer than announced
	if k, err := io.ReadFull(r, b); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return b[:k], err
	}
	// net/http ends a body at its Content-Length; another reader may not:
	// read on, up to the cap, if there is more.
	var probe [1]byte
	if k, err := io.ReadFull(r, probe[:]); k == 0 {
		if err == io.EOF {
			err = nil
		}
		return b, err
	}
	b = append(b, probe[0])
	rest, err := io.ReadAll(io.LimitReader(r, MaxResponseBody-n))
	return append(b, rest...), err
}

// JoinURL appends path to a base URL that may carry a query
// ("https://host/v1?key=K" + "/chat/completions" gives
// "https://host/v1/chat/completions?key=K"): the path goes before the
// query, and a trailing slash of the base is dropped.
func JoinURL(base, path string) string {
	base, query, hasQuery := strings.Cut(base, "?")
	u := strings.TrimRight(base, "/") + path
	if hasQuery && query != "" {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + query
	}
	return u
}

// ParseDataURL splits a base64 data URL, "data:<media type>;base64,<data>",
// as images and files come in OpenAI's content parts. ok is false for
// anything else (an http URL, a data URL without ;base64 or a media type).
// The media type is returned as written; compare it case-insensitively.
func ParseDataURL(u string) (mediaType, data string, ok bool) {
	rest, ok := strings.CutPrefix(u, "data:")
	if !ok {
		return "", "", false
	}
	meta, data, ok := strings.Cut(rest, ",")
	mediaType, isBase64 := strings.CutSuffix(meta, ";base64")
	if !ok || !isBase64 || mediaType == "" {
		return "", "", false
	}
	return mediaType, data, true
}

// ToolInput turns a tool call's OpenAI arguments string into the JSON
// object APIs that take a tool call's input as an object want (Anthropic's
// tool_use input, Bedrock's toolUse input): compacted, "{}" for empty
// arguments, an error for anything but an object.
func ToolInput(args string) (json.RawMessage, error) {
	if strings.TrimSpace(args) == "" {
		return json.RawMessage("{}"), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(args)); err != nil {
		return nil, err
	}
	if buf.Bytes()[0] != '{' {
		return nil, errors.New("not a JSON object")
	}
	return buf.Bytes(), nil
}
