package openai_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/sse"
	"github.com/llmux/llmux/provider/openai"
	"github.com/llmux/llmux/provider/providertest"
)

func reader(s string) llmux.ChunkReader {
	return openai.NewChunkReader("openai", io.NopCloser(strings.NewReader(s)))
}

func TestChunkReader_CompletionStream(t *testing.T) {
	chunks, err := readAll(t, reader(string(providertest.Fixture(t, "openai-completions-stream.sse"))))
	if err != io.EOF {
		t.Fatalf("final error = %v", err)
	}
	if s := text(chunks); s != "\n\nThis is indeed a test" {
		t.Errorf("text = %q", s)
	}
	last := chunks[len(chunks)-1]
	if last.Usage == nil || last.Usage.PromptTokens != 5 || last.Usage.CompletionTokens != 7 || last.Object != "text_completion" {
		t.Errorf("last chunk = %+v", last)
	}
}

func TestChunkReader_KeepsChunksWithoutChoicesSkipsComments(t *testing.T) {
	in := ": keep-alive\n\n" +
		`data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[]}` + "\n\n" +
		`data: {"id":"1","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}` + "\r\n\r\n" +
		"data: [DONE]\n\n"
	chunks, err := readAll(t, reader(in))
	if err != io.EOF || len(chunks) != 2 || chunks[1].Text() != "hi" {
		t.Fatalf("chunks %d, err %v", len(chunks), err)
	}
	if got := string(chunks[0].Extra["prompt_filter_results"]); got != "[]" {
		t.Errorf("prompt_filter_results = %q, want []", got)
	}
	if string(chunks[1].Raw) != `{"id":"1","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}` {
		t.Errorf("Raw = %s", chunks[1].Raw)
	}
}

func TestChunkReader_EndWithoutDoneAfterFinishIsEOF(t *testing.T) {
	in := `data: {"id":"1","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}` + "\n\n"
	chunks, err := readAll(t, reader(in))
	if err != io.EOF || len(chunks) != 1 {
		t.Errorf("chunks %d, err %v", len(chunks), err)
	}
}

func TestChunkReader_EmptyBodyIsUnexpectedEOF(t *testing.T) {
	_, err := readAll(t, reader(""))
	if e := providertest.AsError(t, err); e.Code != llmux.CodeConnection || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("error = %+v", e)
	}
}

func TestChunkReader_BadJSONIsBadResponse(t *testing.T) {
	_, err := readAll(t, reader("data: {not json\n\n"))
	if e := providertest.AsError(t, err); e.Code != llmux.CodeBadResponse {
		t.Errorf("error = %+v", e)
	}
}

func TestChunkReader_ErrorEventTypes(t *testing.T) {
	for in, code := range map[string]llmux.Code{
		`data: {"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}`:                 llmux.CodeRateLimited,
		`data: {"error":{"message":"too long","type":"invalid_request_error","code":"context_length_exceeded"}}`: llmux.CodeContextLength,
		`data: {"error":{"message":"busy","type":"server_error","code":null}}`:                                   llmux.CodeServer,
		`data: {"error":{"message":"bad","type":"BadRequestError","code":400}}`:                                  llmux.CodeInvalidRequest,
		`data: {"error":{"message":"???"}}`:                                                                      llmux.CodeServer,
		"event: error\n" + `data: {"message":"upstream overloaded","type":"overloaded_error"}`:                   llmux.CodeOverloaded,
	} {
		_, err := readAll(t, reader(in+"\n\n"))
		if e := providertest.AsError(t, err); e.Code != code || e.Message == "" || e.StatusCode != 0 {
			t.Errorf("%s: error = %+v, want %v", in, e, code)
		}
	}
}

// closeRecorder counts Close calls.
type closeRecorder struct {
	io.Reader
	mu sync.Mutex
	n  int
}

func (c *closeRecorder) Close() error { c.mu.Lock(); c.n++; c.mu.Unlock(); return nil }

func TestChunkReader_CloseIsIdempotentAndStopsRecv(t *testing.T) {
	body := &closeRecorder{Reader: bytes.NewReader(providertest.Fixture(t, "openai-chat-stream.sse"))}
	r := openai.NewChunkReader("openai", body)
	if _, err := r.Recv(); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if body.n != 1 {
		t.Errorf("body closed %d times, want 1", body.n)
	}
	_, err := r.Recv()
	if e := providertest.AsError(t, err); e.Code != llmux.CodeCanceled || !errors.Is(err, llmux.ErrStreamClosed) {
		t.Errorf("Recv after Close = %+v", e)
	}
}

func TestChunkReader_ConcurrentSafeCloseDuringRecv(t *testing.T) {
	pr, pw := io.Pipe()
	r := openai.NewChunkReader("openai", pr)
	done := make(chan error, 1)
	go func() {
		for {
			if _, err := r.Recv(); err != nil {
				done <- err
				return
			}
		}
	}()
	_, _ = pw.Write([]byte(`data: {"id":"1","choices":[{"index":0,"delta":{"content":"a"}}]}` + "\n\n"))
	_ = r.Close()
	err := <-done
	if e := providertest.AsError(t, err); e.Code != llmux.CodeCanceled {
		t.Errorf("error = %+v", e)
	}
}

func FuzzChunkReader(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.sse"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("data: [DONE]\n\n"))
	f.Add([]byte("event: error\ndata: {}\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := openai.NewChunkReader("openai", io.NopCloser(bytes.NewReader(data)))
		defer r.Close()
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatal("more chunks than input bytes")
			}
			c, err := r.Recv()
			if err != nil {
				var e *llmux.Error
				if err != io.EOF && !errors.As(err, &e) {
					t.Fatalf("error %v is neither io.EOF nor *llmux.Error", err)
				}
				if _, err2 := r.Recv(); err2 != err {
					t.Fatalf("error not sticky: %v then %v", err, err2)
				}
				return
			}
			// Chunks without choices or usage (Azure's prompt-filter
			// chunk, {}) are returned too: the reader drops nothing.
			if c == nil || len(c.Raw) == 0 {
				t.Fatalf("chunk %+v lacks its raw event data", c)
			}
		}
	})
}

func BenchmarkChunkReader(b *testing.B) {
	data := providertest.Fixture(b, "openai-chat-stream.sse")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := openai.NewChunkReader("openai", io.NopCloser(bytes.NewReader(data)))
		for {
			if _, err := r.Recv(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
		_ = r.Close()
	}
}

// TestChatStream_GzipLieIsBadResponse: a server that says
// Content-Encoding: gzip and sends plain text. Go's transport added
// Accept-Encoding: gzip itself (the provider sets none), so it decompresses
// transparently and the first read fails with gzip.ErrHeader: a bad
// answer, not a connection failure.
func TestChatStream_GzipLieIsBadResponse(t *testing.T) {
	srv, capture := providertest.Serve(t, http.StatusOK,
		http.Header{"Content-Encoding": {"gzip"}, "Content-Type": {"text/event-stream"}},
		providertest.Fixture(t, "openai-chat-stream.sse"))
	req := &llmux.Request{Messages: []llmux.Message{llmux.User("Hi")}}
	r, err := newProvider(srv.URL).ChatStream(context.Background(), attempt(srv, req, "gpt-4o-mini"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := capture.Only(t).Header.Get("Accept-Encoding"); got != "gzip" {
		t.Fatalf("Accept-Encoding = %q: the transport did not ask for gzip itself, so it will not decompress", got)
	}
	_, err = readAll(t, r)
	if e := providertest.AsError(t, err); e.Code != llmux.CodeBadResponse || !errors.Is(err, gzip.ErrHeader) {
		t.Errorf("error = %+v, want CodeBadResponse wrapping gzip.ErrHeader", e)
	}
	if llmux.IsRetryable(err) {
		t.Error("a corrupt encoding is retryable")
	}
}

func TestChunkReader_CorruptEncodingIsBadResponse(t *testing.T) {
	for _, cause := range []error{gzip.ErrHeader, gzip.ErrChecksum, flate.CorruptInputError(7)} {
		_, err := readAll(t, openai.NewChunkReader("openai", io.NopCloser(iotest.ErrReader(cause))))
		if e := providertest.AsError(t, err); e.Code != llmux.CodeBadResponse || !errors.Is(err, cause) {
			t.Errorf("%v: error = %+v", cause, e)
		}
	}
}

func TestChunkReader_OversizedEventIsBadResponse(t *testing.T) {
	// Short data lines, none over the line cap, joining to more than 1 MiB.
	in := strings.Repeat("data: x\n", sse.DefaultMaxLine/2+1) + "\n"
	_, err := readAll(t, reader(in))
	if e := providertest.AsError(t, err); e.Code != llmux.CodeBadResponse || !errors.Is(err, sse.ErrEventTooLarge) {
		t.Errorf("error = %+v", e)
	}
}
