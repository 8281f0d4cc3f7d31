// Package refjson is gatewaybench's ref-json hop (../shared/tools/gatewaybench,
// refproxy -mode json), condensed: the floor for a gateway that parses.
// It decodes the request into a typed struct, encodes it again, sends it
// upstream, decodes and re-encodes the answer, and hands a log record to
// a goroutine. The gateway benchmarks run it beside llmux, in process
// (proxy's BenchmarkGateway_Chat*) and live (bench/gateway with
// LLMUX_BENCH_REF), where it marks the stage points it shares with llmux.
package refjson

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/llmux/llmux/internal/stage"
)

// Hop is the reference hop: an http.Handler forwarding chat completions
// to one URL.
type Hop struct {
	hc   *http.Client
	url  string
	log  chan record
	done chan struct{}
}

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type request struct {
	Model       string    `json:"model"`
	Messages    []message `json:"messages"`
	MaxTokens   *int      `json:"max_tokens,omitempty"`
	Temperature *float64  `json:"temperature,omitempty"`
	Stream      bool      `json:"stream,omitempty"`
	User        string    `json:"user,omitempty"`
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

type choice struct {
	Index        int      `json:"index"`
	Message      *message `json:"message,omitempty"`
	FinishReason *string  `json:"finish_reason"`
}

type response struct {
	ID                string   `json:"id"`
	Object            string   `json:"object"`
	Created           int64    `json:"created"`
	Model             string   `json:"model"`
	Choices           []choice `json:"choices"`
	Usage             *usage   `json:"usage,omitempty"`
	SystemFingerprint string   `json:"system_fingerprint,omitempty"`
}

type record struct {
	Model    string
	Usage    usage
	Start    time.Time
	Duration time.Duration
}

// New returns a hop sending every request to url (a chat completions
// URL) with hc. Close stops its log goroutine.
func New(hc *http.Client, url string) *Hop {
	h := &Hop{hc: hc, url: url, log: make(chan record, 4096), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		enc := json.NewEncoder(io.Discard)
		for rec := range h.log {
			_ = enc.Encode(rec)
		}
	}()
	return h
}

// Close stops the log goroutine once it has written what it was given.
// The hop must not serve after it.
func (h *Hop) Close() {
	close(h.log)
	<-h.done
}

func (h *Hop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	stage.Mark(stage.Enter)
	start := time.Now()
	body, _ := io.ReadAll(r.Body)
	stage.Mark(stage.BodyRead)
	var req request
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	stage.Mark(stage.Decoded)
	out, _ := json.Marshal(&req)
	stage.Mark(stage.Encoded)
	ureq, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, h.url, bytes.NewReader(out))
	ureq.Header.Set("Content-Type", "application/json")
	stage.Mark(stage.Send)
	resp, err := h.hc.Do(ureq)
	stage.Mark(stage.Received)
	if err != nil {
		http.Error(w, "upstream", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	stage.Mark(stage.ResponseRead)
	var cr response
	if err := json.Unmarshal(rb, &cr); err != nil {
		http.Error(w, "bad upstream json", http.StatusBadGateway)
		return
	}
	stage.Mark(stage.ResponseDecoded)
	rec := record{Model: req.Model, Start: start}
	if cr.Usage != nil {
		rec.Usage = *cr.Usage
	}
	ob, _ := json.Marshal(&cr)
	stage.Mark(stage.AnswerEncoded)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(ob)
	stage.Mark(stage.Written)
	rec.Duration = time.Since(start)
	select {
	case h.log <- rec:
	default:
	}
}
