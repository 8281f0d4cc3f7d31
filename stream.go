package llmux

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"sync"
	"sync/atomic"
	"time"
)

// ChatStream is a streamed chat completion, returned by [Client.Stream]. Call [ChatStream.Next] until it returns
// false, then check [ChatStream.Err]; always Close it. Next, Chunk, Err and
// Response are for one goroutine; Close may be called from any goroutine
// and aborts a Next blocked on the network.
//
// The call's terminal event fires exactly once: success when the stream
// ended normally, carrying the complete streaming response; failure when it
// failed, was cancelled, timed out idle, or was closed before its end,
// carrying the partial response, usage and cost so far.
type ChatStream struct {
	cl     *call
	r      ChunkReader
	ctx    context.Context // the caller's; a Stream is bound to its request
	cancel context.CancelFunc
	object string
	idleD  time.Duration
	idle   *time.Timer

	mu        sync.Mutex // guards the fields below against a concurrent Close
	acc       accumulator
	cur       *Chunk
	err       error
	resp      *Response
	done      bool
	receiving bool // a Next is inside Recv: the reader is closed by it, not by Close
	rClosed   bool
	streamEv  *Event

	closing  atomic.Bool
	idleFire atomic.Bool
}

func newStream(ctx context.Context, cl *call, r ChunkReader, cancel context.CancelFunc, object string) *ChatStream {
	s := &ChatStream{cl: cl, r: r, ctx: ctx, cancel: cancel, object: object, idleD: cl.c.cfg.idleTimeout}
	// The idle timer runs only while Next waits on the upstream: time the
	// caller spends between Next calls is not idleness.
	s.idle = time.AfterFunc(time.Hour, func() {
		s.idleFire.Store(true)
		cancel()
	})
	s.idle.Stop()
	return s
}

// Next advances to the next chunk. It returns false at the end of the
// stream, on error and after Close.
func (s *ChatStream) Next() bool {
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return false
	}
	s.receiving = true
	s.mu.Unlock()

	s.idle.Reset(s.idleD)
	c, err := s.r.Recv()
	s.idle.Stop()

	s.mu.Lock()
	defer s.mu.Unlock()
	s.receiving = false
	if s.done { // closed while we waited
		s.closeReader()
		return false
	}
	switch {
	case err == io.EOF:
		s.finish(nil)
		return false
	case err != nil:
		s.finish(s.classify(err))
		return false
	case c == nil:
		s.finish(&Error{Code: CodeBadResponse, Message: "stream: provider returned a nil chunk"})
		return false
	}
	if err := s.acc.add(c); err != nil {
		s.finish(err)
		return false
	}
	s.cur = c
	s.emitChunk(c)
	return true
}

// classify names why a Recv failed: the caller closed the stream, the idle
// timeout fired, the caller's context ended, or the provider's error.
func (s *ChatStream) classify(err error) error {
	switch {
	case s.closing.Load():
		return &Error{Code: CodeCanceled, Message: ErrStreamClosed.Error(), Err: ErrStreamClosed}
	case s.idleFire.Load():
		return &Error{Code: CodeTimeout, Message: fmt.Sprintf("stream: no data for %v", s.idleD), Err: context.DeadlineExceeded}
	case s.ctx.Err() != nil:
		code := CodeCanceled
		if errors.Is(s.ctx.Err(), context.DeadlineExceeded) {
			code = CodeTimeout
		}
		return &Error{Code: code, Message: "stream: " + s.ctx.Err().Error(), Err: s.ctx.Err()}
	}
	return err
}

func (s *ChatStream) emitChunk(c *Chunk) {
	cl := s.cl
	if cl.ev.CompletionStartTime.IsZero() {
		cl.ev.CompletionStartTime = time.Now()
	}
	if !cl.has(kindStream) {
		return
	}
	if s.streamEv == nil {
		s.streamEv = cl.newEvent(EventStream)
	}
	// Loggers get their own copy: the caller owns c.
	var lc *Chunk
	if cl.redact {
		lc = redactChunk(c)
	} else if lc = scrubChunk(&cl.secrets, c); lc == c {
		lc = c.Clone()
	}
	cl.emitEvent(s.ctx, kindStream, s.streamEv, lc)
}

// finish ends the stream once, with its terminal event. s.mu is held.
func (s *ChatStream) finish(err error) {
	s.done = true
	s.cur = nil
	s.idle.Stop()
	s.cancel() // aborts a Recv in flight; that Next then closes the reader
	if !s.receiving {
		s.closeReader()
	}
	cl := s.cl
	resp := s.acc.response(s.object)
	resp.CacheHit = cl.ev.CacheHit
	cl.account(resp)
	if err == nil {
		if !cl.mw && complete(resp) {
			cl.store(s.ctx, resp, nil)
		}
		s.resp = resp
		if cl.any {
			r := cl.forLog(resp)
			cl.ev.Response, cl.ev.CompleteStreamingResponse = r, r
		}
		cl.succeed(s.ctx)
		return
	}
	s.resp = resp
	if cl.any {
		cl.ev.Response = cl.forLog(resp)
	}
	s.err = cl.fail(s.ctx, err)
}

// closeReader closes the provider's reader once, never concurrently with
// its Recv. s.mu is held.
func (s *ChatStream) closeReader() {
	if !s.rClosed {
		s.rClosed = true
		_ = s.r.Close()
	}
}

// Chunk returns the chunk Next advanced to. The caller owns it: loggers
// get their own copies.
func (s *ChatStream) Chunk() *Chunk {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

// Err returns the error that ended the stream, an *Error; nil after a
// normal end or before the end.
func (s *ChatStream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Response returns the response accumulated from the chunks: complete
// after a normal end, partial after a failure, nil before the end.
func (s *ChatStream) Response() *Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resp
}

// Close ends the stream and releases its connection. Closing before the
// end fires the failure event (code CodeCanceled, cause
// [ErrStreamClosed]). Close is idempotent and safe after the end.
func (s *ChatStream) Close() error {
	s.closing.Store(true)
	s.cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		s.finish(&Error{Code: CodeCanceled, Message: ErrStreamClosed.Error(), Err: ErrStreamClosed})
	}
	return nil
}

// All iterates over the chunks; a final (nil, err) pair reports an error.
// Breaking out of the loop closes the stream.
func (s *ChatStream) All() iter.Seq2[*Chunk, error] {
	return func(yield func(*Chunk, error) bool) {
		defer s.Close()
		for s.Next() {
			if !yield(s.Chunk(), nil) {
				return
			}
		}
		if err := s.Err(); err != nil {
			yield(nil, err)
		}
	}
}

// ErrStreamClosed is the cause of the failure event of a stream the caller
// closed before it ended.
var ErrStreamClosed = errors.New("llmux: stream closed by the caller before it ended")
