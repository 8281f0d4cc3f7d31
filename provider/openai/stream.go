package openai

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/sse"
	"github.com/llmux/llmux/provider"
)

// NewChunkReader returns a [llmux.ChunkReader] over an OpenAI-shaped SSE
// body (chat or legacy completion chunks). It takes ownership of body.
//
// Recv returns each chunk in order, Raw set to the event's data, members
// the chunk type does not model kept; chunks that carry neither choices nor
// usage (Azure's leading prompt_filter_results chunk) are returned too. The
// final usage-only chunk of stream_options.include_usage is returned with
// Usage set. "data: [DONE]" ends the stream with io.EOF; so does the end of
// the body after a chunk with a finish_reason (servers that omit [DONE]).
// An in-band {"error":{...}} event gives an *llmux.Error classified as by
// [MapError] (server_error: CodeServer). A body that ends before either
// gives CodeConnection wrapping io.ErrUnexpectedEOF; an undecodable event,
// a line or an event over the SSE cap (1 MiB) and a body whose
// Content-Encoding is a lie (gzip that is not gzip) give CodeBadResponse.
// After an error or io.EOF, Recv keeps returning it.
//
// Close closes body; it is idempotent and may be called from another
// goroutine to abort a blocked Recv.
func NewChunkReader(provider string, body io.ReadCloser) llmux.ChunkReader {
	return &chunkReader{provider: provider, body: body, dec: sse.NewDecoder(body, 0)}
}

type chunkReader struct {
	provider  string
	body      io.ReadCloser
	dec       *sse.Decoder
	finished  bool // a chunk had a finish_reason
	err       error
	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

var doneData = []byte("[DONE]")

func (r *chunkReader) Recv() (*llmux.Chunk, error) {
	if r.err != nil {
		return nil, r.err
	}
	for {
		if r.closed.Load() {
			r.err = &llmux.Error{Code: llmux.CodeCanceled, Provider: r.provider, Message: "stream closed", Err: llmux.ErrStreamClosed}
			return nil, r.err
		}
		ev, err := r.dec.Next()
		if err != nil {
			r.err = r.endError(err)
			return nil, r.err
		}
		data := bytes.TrimSpace(ev.Data)
		if len(data) == 0 {
			continue
		}
		if bytes.Equal(data, doneData) {
			r.err = io.EOF
			return nil, io.EOF
		}
		c := new(llmux.Chunk)
		if err := c.UnmarshalJSON(data); err != nil {
			r.err = &llmux.Error{Code: llmux.CodeBadResponse, Provider: r.provider,
				Message: "decode chunk: " + err.Error(), Body: truncate(data), Err: err}
			return nil, r.err
		}
		if errBody, ok := c.Extra["error"]; (ok && !bytes.Equal(errBody, []byte("null"))) || ev.Name == "error" {
			e := MapError(r.provider, 0, nil, data)
			if e.Code == llmux.CodeUnknown {
				e.Code = llmux.CodeServer
			}
			if e.Message == "" {
				e.Message = "error event in stream"
			}
			r.err = e
			return nil, r.err
		}
		for _, ch := range c.Choices {
			if ch.FinishReason != "" {
				r.finished = true
			}
		}
		c.Raw = append([]byte(nil), data...)
		return c, nil
	}
}

// endError turns the decoder's error into what Recv returns.
func (r *chunkReader) endError(err error) error {
	switch {
	case r.closed.Load():
		return &llmux.Error{Code: llmux.CodeCanceled, Provider: r.provider, Message: "stream closed", Err: llmux.ErrStreamClosed}
	case err == io.EOF && r.finished:
		return io.EOF
	case provider.IsCorrupt(err):
		// A Content-Encoding that is a lie: the body will never decode, so
		// this is a bad answer, not a broken connection worth retrying.
		return &llmux.Error{Code: llmux.CodeBadResponse, Provider: r.provider, Message: "read stream: " + err.Error(), Err: err}
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return &llmux.Error{Code: llmux.CodeConnection, Provider: r.provider,
			Message: "stream ended early", Err: io.ErrUnexpectedEOF}
	case errors.Is(err, sse.ErrLineTooLong), errors.Is(err, sse.ErrEventTooLarge):
		return &llmux.Error{Code: llmux.CodeBadResponse, Provider: r.provider, Message: err.Error(), Err: err}
	}
	code := llmux.CodeOf(err)
	switch {
	case errors.Is(err, context.Canceled):
		code = llmux.CodeCanceled
	case errors.Is(err, context.DeadlineExceeded):
		code = llmux.CodeTimeout
	case code == llmux.CodeUnknown:
		code = llmux.CodeConnection
	}
	return &llmux.Error{Code: code, Provider: r.provider, Message: fmt.Sprintf("read stream: %v", err), Err: err}
}

func (r *chunkReader) Close() error {
	r.closeOnce.Do(func() {
		r.closed.Store(true)
		r.closeErr = r.body.Close()
	})
	return r.closeErr
}

// truncate copies at most 4 KiB of b for an error's Body.
func truncate(b []byte) []byte {
	if len(b) > 4<<10 {
		b = b[:4<<10]
	}
	return append([]byte(nil), b...)
}
