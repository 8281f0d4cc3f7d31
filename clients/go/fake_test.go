package clients

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The upstream keys the gateway is started with. No line the gateway
// prints may contain them.
const (
	openaiKey    = "sk-upstream-openai-FAKE0123456789abcdef"
	anthropicKey = "sk-ant-upstream-FAKE0123456789abcdef"
)

// Upstream model names ending in these make the fakes misbehave. Clients
// send "openai/rate-limited" (bare, no provider claims the name) or
// "claude-rate-limited".
const (
	modelRateLimited = "rate-limited"
	modelSlowStream  = "slow-stream"
	modelStreamError = "stream-error"
)

// slowHold is how long the slow stream waits for its client to hang up
// before it finishes anyway.
const slowHold = 10 * time.Second

// fixtures holds ../testdata, read once by TestMain.
var fixtures = map[string][]byte{}

func loadFixtures(dir string) error {
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		return err
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return err
		}
		fixtures[filepath.Base(n)] = b
	}
	if len(fixtures) == 0 {
		return fmt.Errorf("no fixtures in %s", dir)
	}
	return nil
}

func fixture(name string) []byte {
	b, ok := fixtures[name]
	if !ok {
		panic("clients: no fixture " + name)
	}
	return b
}

// upstreamRequest is what a fake upstream received.
type upstreamRequest struct {
	API    string // "openai" or "anthropic"
	Method string
	Path   string
	Model  string
	Stream bool
	Prompt string // the text of the last message or the input
	Header http.Header
	Body   []byte
}

// fakeUpstreams are OpenAI and Anthropic as httptest servers speaking the
// real wire formats from ../testdata, routed by path and by request:
// "stream": true answers SSE, tools answer tool calls, a model ending in
// "rate-limited" answers the real 429, one in "stream-error" sends two
// chunks and OpenAI's in-band error event, one in "slow-stream" sends two
// chunks, then waits for the client to hang up (slowHold at most).
type fakeUpstreams struct {
	openai    *httptest.Server
	anthropic *httptest.Server

	mu       sync.Mutex
	requests []upstreamRequest
	slow     map[string]string // prompt of a slow stream -> "cancelled" or "completed"
}

func startFakes() *fakeUpstreams {
	f := &fakeUpstreams{slow: map[string]string{}}
	f.openai = httptest.NewServer(http.HandlerFunc(f.serveOpenAI))
	f.anthropic = httptest.NewServer(http.HandlerFunc(f.serveAnthropic))
	return f
}

func (f *fakeUpstreams) Close() {
	f.openai.Close()
	f.anthropic.Close()
}

// received returns the requests so far whose prompt contains s.
func (f *fakeUpstreams) received(s string) []upstreamRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []upstreamRequest
	for _, r := range f.requests {
		if strings.Contains(r.Prompt, s) {
			out = append(out, r)
		}
	}
	return out
}

// slowOutcome returns how the slow stream whose prompt contains s ended:
// "cancelled", "completed", "" while it runs or when there was none.
func (f *fakeUpstreams) slowOutcome(s string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for p, o := range f.slow {
		if strings.Contains(p, s) {
			return o
		}
	}
	return ""
}

// slowNotCancelled returns the prompts of the slow streams whose prompt
// contains s and whose client has not hung up.
func (f *fakeUpstreams) slowNotCancelled(s string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for p, o := range f.slow {
		if strings.Contains(p, s) && o != "cancelled" {
			out = append(out, p)
		}
	}
	return out
}

// wireRequest is the part of an OpenAI or Anthropic request body the fakes
// route on.
type wireRequest struct {
	Model         string          `json:"model"`
	Stream        bool            `json:"stream"`
	Tools         json.RawMessage `json:"tools"`
	Encoding      string          `json:"encoding_format"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	Messages []struct {
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Input  json.RawMessage `json:"input"`
	Prompt json.RawMessage `json:"prompt"`
}

// prompt returns the text the client sent last, as it appears in the
// JSON (good enough to find a request id in it).
func (w *wireRequest) prompt() string {
	switch {
	case len(w.Messages) > 0:
		return string(w.Messages[len(w.Messages)-1].Content)
	case len(w.Input) > 0:
		return string(w.Input)
	}
	return string(w.Prompt)
}

func (f *fakeUpstreams) record(api string, r *http.Request) (*wireRequest, []byte) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var req wireRequest
	_ = json.Unmarshal(body, &req)
	f.mu.Lock()
	f.requests = append(f.requests, upstreamRequest{API: api, Method: r.Method, Path: r.URL.Path, Model: req.Model,
		Stream: req.Stream, Prompt: req.prompt(), Header: r.Header.Clone(), Body: body})
	f.mu.Unlock()
	return &req, body
}

func (f *fakeUpstreams) serveOpenAI(w http.ResponseWriter, r *http.Request) {
	req, _ := f.record("openai", r)
	h := w.Header()
	h.Set("x-request-id", "req_fake0123456789")
	h.Set("openai-processing-ms", "42")
	if r.Header.Get("Authorization") != "Bearer "+openaiKey {
		writeBody(w, http.StatusUnauthorized, fixture("openai-error-401.json"))
		return
	}
	route := r.Method + " " + r.URL.Path
	switch {
	case route == "GET /v1/models":
		writeBody(w, http.StatusOK, fixture("openai-models.json"))
	case route == "POST /v1/chat/completions":
		switch {
		case strings.HasSuffix(req.Model, modelRateLimited):
			h.Set("retry-after", "1")
			h.Set("retry-after-ms", "200")
			h.Set("x-ratelimit-limit-requests", "3")
			h.Set("x-ratelimit-remaining-requests", "0")
			h.Set("x-ratelimit-reset-requests", "20s")
			writeBody(w, http.StatusTooManyRequests, fixture("openai-error-429-rate-limit.json"))
		case strings.HasSuffix(req.Model, modelSlowStream):
			f.slowStream(w, r, req)
		case strings.HasSuffix(req.Model, modelStreamError):
			writeSSE(w, fixture("openai-chat-stream-error.sse"), false)
		case req.Stream && len(req.Tools) > 0:
			writeSSE(w, fixture("openai-chat-tools-stream.sse"), req.includeUsage())
		case req.Stream:
			writeSSE(w, fixture("openai-chat-stream.sse"), req.includeUsage())
		case len(req.Tools) > 0:
			writeBody(w, http.StatusOK, fixture("openai-chat-tools.json"))
		default:
			writeBody(w, http.StatusOK, fixture("openai-chat.json"))
		}
	case route == "POST /v1/completions":
		if req.Stream {
			writeSSE(w, fixture("openai-completions-stream.sse"), req.includeUsage())
			return
		}
		writeBody(w, http.StatusOK, fixture("openai-completions.json"))
	case route == "POST /v1/embeddings":
		if req.Encoding == "base64" {
			writeBody(w, http.StatusOK, fixture("openai-embeddings-base64.json"))
			return
		}
		writeBody(w, http.StatusOK, fixture("openai-embeddings.json"))
	case route == "POST /v1/responses":
		if req.Stream {
			writeSSE(w, fixture("openai-responses-stream.sse"), true)
			return
		}
		writeBody(w, http.StatusOK, fixture("openai-responses.json"))
	default:
		writeBody(w, http.StatusNotFound, []byte(fmt.Sprintf(
			`{"error":{"message":"Invalid URL (%s %s)","type":"invalid_request_error","param":null,"code":null}}`,
			r.Method, r.URL.Path)))
	}
}

func (w *wireRequest) includeUsage() bool {
	return w.StreamOptions != nil && w.StreamOptions.IncludeUsage
}

// slowStream sends the first two chunks of the chat stream, then waits for
// the client to hang up; after slowHold it sends the rest.
func (f *fakeUpstreams) slowStream(w http.ResponseWriter, r *http.Request, req *wireRequest) {
	events := sseEvents(fixture("openai-chat-stream.sse"), req.includeUsage())
	prompt := req.prompt()
	f.mu.Lock()
	f.slow[prompt] = ""
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	for _, e := range events[:2] {
		_, _ = io.WriteString(w, e)
	}
	w.(http.Flusher).Flush()
	outcome := "completed"
	select {
	case <-r.Context().Done():
		outcome = "cancelled"
	case <-time.After(slowHold):
		for _, e := range events[2:] {
			_, _ = io.WriteString(w, e)
		}
	}
	f.mu.Lock()
	f.slow[prompt] = outcome
	f.mu.Unlock()
}

func (f *fakeUpstreams) serveAnthropic(w http.ResponseWriter, r *http.Request) {
	req, _ := f.record("anthropic", r)
	h := w.Header()
	h.Set("request-id", "req_011CSHoEeqs5C35K2UUqR7Fz")
	// The API takes the key as x-api-key (anthropic-version 2023-06-01) or
	// as a bearer token (2026-10-21).
	if r.Header.Get("X-Api-Key") != anthropicKey && r.Header.Get("Authorization") != "Bearer "+anthropicKey {
		writeBody(w, http.StatusUnauthorized, fixture("anthropic-error-401.json"))
		return
	}
	if r.Header.Get("Anthropic-Version") == "" {
		writeBody(w, http.StatusBadRequest,
			[]byte(`{"type":"error","error":{"type":"invalid_request_error","message":"anthropic-version: header is required"}}`))
		return
	}
	if r.Method+" "+r.URL.Path != "POST /v1/messages" {
		writeBody(w, http.StatusNotFound, []byte(`{"type":"error","error":{"type":"not_found_error","message":"Not Found"}}`))
		return
	}
	switch {
	case strings.HasSuffix(req.Model, modelRateLimited):
		h.Set("retry-after", "1")
		h.Set("anthropic-ratelimit-input-tokens-limit", "50000")
		h.Set("anthropic-ratelimit-input-tokens-remaining", "0")
		writeBody(w, http.StatusTooManyRequests, fixture("anthropic-error-429-rate-limit.json"))
	case req.Stream && len(req.Tools) > 0:
		writeSSE(w, fixture("anthropic-tool-use-stream.sse"), true)
	case req.Stream:
		writeSSE(w, fixture("anthropic-message-stream.sse"), true)
	case len(req.Tools) > 0:
		writeBody(w, http.StatusOK, fixture("anthropic-tool-use.json"))
	default:
		writeBody(w, http.StatusOK, fixture("anthropic-message.json"))
	}
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeSSE sends a recorded stream, flushing after each event; without
// usage, OpenAI's usage chunk (choices empty) is left out, as the API does
// when stream_options.include_usage is not set.
func writeSSE(w http.ResponseWriter, body []byte, usage bool) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	for _, e := range sseEvents(body, usage) {
		if _, err := io.WriteString(w, e); err != nil {
			return
		}
		w.(http.Flusher).Flush()
	}
}

// sseEvents splits an SSE body into its events, each with its blank line.
func sseEvents(body []byte, usage bool) []string {
	var out []string
	for _, e := range bytes.SplitAfter(body, []byte("\n\n")) {
		if len(bytes.TrimSpace(e)) == 0 {
			continue
		}
		if !usage && bytes.Contains(e, []byte(`"choices":[],"usage":{`)) {
			continue
		}
		out = append(out, string(e))
	}
	return out
}
