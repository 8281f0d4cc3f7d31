package proxy

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"strconv"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/jsonx"
	"github.com/llmux/llmux/internal/stage"
)

// The OpenAI-shaped endpoints: chat completions, completions, embeddings
// and the model list.

func (s *Server) chat(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	req, ok := s.decode(w, r, rc, llmux.CallCompletion)
	if !ok {
		return
	}
	if req.Stream {
		s.streamChat(w, r, rc, req)
		return
	}
	resp, err := s.client.Completion(rc.ctx, req)
	stage.Mark(stage.Answered)
	if err != nil {
		rc.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) textCompletion(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	req, ok := s.decode(w, r, rc, llmux.CallTextCompletion)
	if !ok {
		return
	}
	resp, err := s.client.TextCompletion(rc.ctx, req)
	if err != nil {
		rc.fail(w, err)
		return
	}
	if !req.Stream {
		writeJSON(w, http.StatusOK, resp)
		return
	}
	// The SDK has no streaming text completion: the answer is sent as a
	// stream of one chunk per choice, in the text_completion shape.
	sse := startSSE(w)
	for i, c := range resp.Choices {
		ch := llmux.Chunk{ID: resp.ID, Object: "text_completion", Created: resp.Created, Model: resp.Model,
			Choices: []llmux.ChunkChoice{{Index: i, Text: c.Text, FinishReason: c.FinishReason, Logprobs: c.Logprobs}}}
		if err := sse.data(&ch); err != nil {
			return
		}
	}
	if includeUsage(req) && !resp.Usage.IsZero() {
		u := resp.Usage
		if err := sse.data(&llmux.Chunk{ID: resp.ID, Object: "text_completion", Created: resp.Created, Model: resp.Model,
			Choices: []llmux.ChunkChoice{}, Usage: &u}); err != nil {
			return
		}
	}
	sse.done()
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	req, ok := s.decode(w, r, rc, llmux.CallEmbedding)
	if !ok {
		return
	}
	resp, err := s.client.Embedding(rc.ctx, req)
	if err != nil {
		rc.fail(w, err)
		return
	}
	if req.EncodingFormat == "base64" {
		for i := range resp.Data {
			v := &resp.Data[i]
			if v.Base64 == "" {
				v.Base64 = encodeVector(v.Vector)
			}
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// encodeVector is OpenAI's base64 embedding: the float32 values, little
// endian.
func encodeVector(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(b)
}

func (s *Server) listModels(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	list := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list", Data: []model{}}
	for _, m := range s.models.List() {
		list.Data = append(list.Data, model{ID: m, Object: "model", Created: 1677610602, OwnedBy: "llmux"})
	}
	writeJSON(w, http.StatusOK, list)
}

// decode reads and prepares an OpenAI-shaped request; on failure it has
// answered.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, rc *reqCtx, ct llmux.CallType) (*llmux.Request, bool) {
	body, err := s.readBody(w, r)
	stage.Mark(stage.BodyRead)
	if err != nil {
		rc.fail(w, err)
		return nil, false
	}
	req, err := decodeRequest(body)
	stage.Mark(stage.Decoded)
	if err == nil {
		err = s.prepare(r, rc, req, ct)
	}
	if err != nil {
		rc.fail(w, err)
		return nil, false
	}
	return req, true
}

// streamChat serves a chat completion as server-sent events: the
// upstream's chunks (through the hooks), then [DONE]. An error before the
// first chunk is an ordinary error answer; after it, an in-band error
// event ends the stream.
func (s *Server) streamChat(w http.ResponseWriter, r *http.Request, rc *reqCtx, req *llmux.Request) {
	if !s.acquireStream(w, rc) {
		return
	}
	defer s.releaseStream()
	st, err := s.client.Stream(rc.ctx, req)
	if err != nil {
		rc.fail(w, err)
		return
	}
	defer st.Close()
	usage := includeUsage(req)
	sse := startSSE(w)
	for st.Next() {
		c := st.Chunk()
		if !usage && c.Usage != nil {
			if len(c.Choices) == 0 {
				continue // the usage chunk the gateway asked for itself
			}
			c.Usage = nil
		}
		if sse.data(c) != nil {
			return // the client is gone: the stream's context ends the call
		}
	}
	if err := st.Err(); err != nil {
		if rc.ctx.Err() != nil {
			return
		}
		err = s.hooks.onFailure(rc.ctx, rc.hc, err)
		_ = sse.raw(openAIErrorBody(classify(err)))
		return
	}
	sse.done()
}

// includeUsage reports whether the client asked for the usage chunk.
func includeUsage(req *llmux.Request) bool {
	if len(req.StreamOptions) == 0 {
		return false
	}
	if string(req.StreamOptions) == `{"include_usage":true}` { // as clients send it, compacted by the decoder
		return true
	}
	var o struct {
		IncludeUsage bool `json:"include_usage"`
	}
	return json.Unmarshal(req.StreamOptions, &o) == nil && o.IncludeUsage
}

// acquireStream takes a stream slot when streams are bounded; a full
// gateway answers 429.
func (s *Server) acquireStream(w http.ResponseWriter, rc *reqCtx) bool {
	if s.streams == nil {
		return true
	}
	select {
	case s.streams <- struct{}{}:
		return true
	default:
		rc.fail(w, &apiError{status: http.StatusTooManyRequests, typ: "rate_limit_error", code: "too_many_streams",
			message: "too many concurrent streams on this gateway; retry later"})
		return false
	}
}

func (s *Server) releaseStream() {
	if s.streams != nil {
		<-s.streams
	}
}

// marshal encodes v: through its own MarshalJSON when it has one (the wire
// types, whose output encoding/json would scan again), else with
// encoding/json.
func marshal(v any) ([]byte, error) {
	if m, ok := v.(json.Marshaler); ok {
		return m.MarshalJSON()
	}
	return json.Marshal(v)
}

// writeJSON answers v as JSON. A chat answer is encoded into a reused
// buffer: the ResponseWriter keeps nothing it is given.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var b []byte
	var err error
	var bp *[]byte
	if r, ok := v.(*llmux.Response); ok {
		bp = jsonx.GetBuf()
		b, err = r.AppendJSON(*bp)
	} else {
		b, err = marshal(v)
	}
	if err != nil {
		writeOpenAIError(w, &llmux.Error{Code: llmux.CodeBadResponse, Message: "encode response: " + err.Error()})
		return
	}
	stage.Mark(stage.AnswerEncoded)
	w.Header().Set("Content-Type", "application/json")
	writeBody(w, status, b)
	stage.Mark(stage.Written)
	if bp != nil {
		jsonx.PutBuf(bp, b)
	}
}

// writeBody answers a whole body with its length, so an answer over 2 KiB
// is not sent chunked.
func writeBody(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// sseWriter writes server-sent events, flushing each.
type sseWriter struct {
	w   http.ResponseWriter
	f   http.Flusher
	buf []byte
	err error
}

func startSSE(w http.ResponseWriter) *sseWriter {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	f, _ := w.(http.Flusher)
	return &sseWriter{w: w, f: f}
}

// data writes v as one "data:" event.
func (s *sseWriter) data(v any) error {
	b, err := marshal(v)
	if err != nil {
		return s.raw(openAIErrorBody(classify(&llmux.Error{Code: llmux.CodeBadResponse, Message: "encode chunk: " + err.Error()})))
	}
	return s.raw(b)
}

// raw writes b as one "data:" event.
func (s *sseWriter) raw(b []byte) error {
	if s.err != nil {
		return s.err
	}
	s.buf = append(append(append(s.buf[:0], "data: "...), b...), "\n\n"...)
	if _, err := s.w.Write(s.buf); err != nil {
		s.err = err
		return err
	}
	if s.f != nil {
		s.f.Flush()
	}
	return nil
}

// done ends an OpenAI stream.
func (s *sseWriter) done() { _ = s.raw([]byte("[DONE]")) }
