package proxy

import (
	"net/http"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/proxy/internal/responses"
)

// responses serves OpenAI's Responses API from any backend: the request is
// translated into a chat call (package responses), and the completion or
// its chunks back into the Responses shapes.
func (s *Server) responses(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	body, err := s.readBody(w, r)
	if err != nil {
		rc.fail(w, err)
		return
	}
	req, echo, err := responses.DecodeRequest(body)
	if err == nil {
		err = s.prepare(r, rc, req, llmux.CallCompletion)
	}
	if err != nil {
		rc.fail(w, err)
		return
	}
	if !req.Stream {
		resp, err := s.client.Completion(rc.ctx, req)
		if err != nil {
			rc.fail(w, err)
			return
		}
		out, err := responses.EncodeResponse(resp, echo)
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
	sw := responses.NewStreamWriter(w, flush, echo)
	if sw.Start() != nil {
		return
	}
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
