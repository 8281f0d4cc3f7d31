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
	s.serveTranslated(w, rc, req,
		func(resp *llmux.Response) ([]byte, error) { return responses.EncodeResponse(resp, echo) },
		func(flush func()) (translatedStream, error) {
			sw := responses.NewStreamWriter(w, flush, echo)
			return sw, sw.Start()
		})
}

// translatedStream writes a chat call's chunks in another API's streaming
// shape (Anthropic's Messages events, OpenAI's Responses events).
type translatedStream interface {
	Chunk(*llmux.Chunk) error
	Finish(*llmux.Response) error
	Fail(error) error
}

// serveTranslated answers req, a chat call decoded from another API's
// body: the completion through encode, or its chunks through the stream
// newStream makes, which ends with the final response or the error the
// failure hooks chose.
func (s *Server) serveTranslated(w http.ResponseWriter, rc *reqCtx, req *llmux.Request,
	encode func(*llmux.Response) ([]byte, error), newStream func(flush func()) (translatedStream, error)) {
	if !req.Stream {
		resp, err := s.client.Completion(rc.ctx, req)
		if err != nil {
			rc.fail(w, err)
			return
		}
		out, err := encode(resp)
		if err != nil {
			rc.fail(w, &llmux.Error{Code: llmux.CodeBadResponse, Message: err.Error(), Err: err})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		writeBody(w, http.StatusOK, out)
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
	sw, err := newStream(func() {
		if sse.f != nil {
			sse.f.Flush()
		}
	})
	if err != nil {
		return // the client is gone: the stream's context ends the call
	}
	for st.Next() {
		if sw.Chunk(st.Chunk()) != nil {
			return
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
