package proxy

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/proxy/internal/messages"
)

// writeAnthropicError answers err in Anthropic's shape,
// {"type":"error","error":{"type","message"}}, with the status Anthropic
// gives its type (an Anthropic upstream's own type and status are kept).
func writeAnthropicError(w http.ResponseWriter, err error) errorFields {
	f := classify(err)
	var body []byte
	var ae *apiError
	if errors.As(err, &ae) {
		_, typ := messages.ErrorStatus(f.llmCode)
		if f.status == http.StatusRequestEntityTooLarge {
			typ = "request_too_large"
		}
		body, _ = json.Marshal(map[string]any{"type": "error", "error": map[string]string{"type": typ, "message": f.message}})
	} else {
		f.status, body = messages.EncodeError(err)
	}
	writeErrorHeaders(w, f)
	w.WriteHeader(f.status)
	_, _ = w.Write(body)
	return f
}

// messages serves Anthropic's Messages API from any backend: the request
// is translated into a chat call (package messages), and the completion or
// its chunks back into a message and Anthropic's events.
func (s *Server) messages(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	body, err := s.readBody(w, r)
	if err != nil {
		rc.fail(w, err)
		return
	}
	req, err := messages.DecodeRequest(body)
	if err == nil {
		err = s.prepare(r, rc, req, llmux.CallCompletion)
	}
	if err != nil {
		rc.fail(w, err)
		return
	}
	// The answer names the model that answered, as Anthropic's API does
	// (an Anthropic upstream's dated snapshot, or the backend's model).
	const model = ""
	if !req.Stream {
		resp, err := s.client.Completion(rc.ctx, req)
		if err != nil {
			rc.fail(w, err)
			return
		}
		out, err := messages.EncodeResponse(resp, model)
		if err != nil {
			rc.fail(w, &llmux.Error{Code: llmux.CodeBadResponse, Message: err.Error(), Err: err})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
		return
	}
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
	sse := startSSE(w)
	flush := func() {
		if sse.f != nil {
			sse.f.Flush()
		}
	}
	sw := messages.NewStreamWriter(w, flush, model)
	for st.Next() {
		if sw.Chunk(st.Chunk()) != nil {
			return // the client is gone: the stream's context ends the call
		}
	}
	if err := st.Err(); err != nil {
		if rc.ctx.Err() != nil {
			return
		}
		_ = sw.Fail(s.hooks.onFailure(rc.ctx, rc.hc, err))
		return
	}
	_ = sw.Finish(st.Response())
}
