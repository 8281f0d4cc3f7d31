package proxy

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/provider/openai"
)

// TestServe_GracefulShutdownLetsStreamsFinishAndFlushes: on shutdown the
// gateway stops accepting, lets the stream in flight finish, delivers its
// events and returns nil.
func TestServe_GracefulShutdownLetsStreamsFinishAndFlushes(t *testing.T) {
	parts := strings.SplitAfter(string(readFile(t, "testdata/openai-chat-stream.sse")), "\n\n")
	hold := make(chan struct{})
	up := newFakeUpstream(t,
		upstreamReply{body: parts[0] + parts[1], hold: hold, after: strings.Join(parts[2:], "")},
	)
	rec := &recorder{}
	srv, err := New(
		WithClientOptions(llmux.WithProvider(openai.New(openai.WithAPIKey(testKey), openai.WithBaseURL(up.URL+"/v1")))),
		WithCallbacks(rec),
		WithLog(slog.New(slog.NewTextHandler(io.Discard, nil))),
		WithTimeouts(0, 0, 10*time.Second),
	)
	if err != nil {
		t.Fatal(err)
	}
	ln, stop, served := serveLoopback(t, srv)

	resp, err := http.Post("http://"+ln.Addr().String()+"/v1/chat/completions", "application/json", strings.NewReader(streamReq))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 1)
	if _, err := resp.Body.Read(buf); err != nil { // the stream has started
		t.Fatal(err)
	}
	stop()
	time.Sleep(50 * time.Millisecond)
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Errorf("the gateway still accepts connections while shutting down")
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v with a stream in flight", err)
	default:
	}
	close(hold) // the upstream finishes; the stream ends normally
	rest, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(rest, []byte("data: [DONE]\n\n")) {
		t.Errorf("the stream in flight did not finish: %s", rest)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve = %v, want nil after a graceful shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	if ts := rec.terminal(); len(ts) != 1 || ts[0].Type != llmux.EventSuccess {
		t.Errorf("after Serve returned: events %v, want the stream's success delivered", rec.types())
	}
}

// TestServe_ShutdownDeadlineCutsStreams: a stream still running at the
// deadline is cut and still ends with one failure event.
func TestServe_ShutdownDeadlineCutsStreams(t *testing.T) {
	parts := strings.SplitAfter(string(readFile(t, "testdata/openai-chat-stream.sse")), "\n\n")
	hold := make(chan struct{})
	defer close(hold)
	up := newFakeUpstream(t, upstreamReply{body: parts[0] + parts[1], hold: hold})
	rec := &recorder{}
	srv, err := New(
		WithClientOptions(llmux.WithProvider(openai.New(openai.WithAPIKey(testKey), openai.WithBaseURL(up.URL+"/v1")))),
		WithCallbacks(rec),
		WithLog(slog.New(slog.NewTextHandler(io.Discard, nil))),
		WithTimeouts(0, 0, 100*time.Millisecond),
	)
	if err != nil {
		t.Fatal(err)
	}
	ln, stop, served := serveLoopback(t, srv)
	resp, err := http.Post("http://"+ln.Addr().String()+"/v1/chat/completions", "application/json", strings.NewReader(streamReq))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := resp.Body.Read(make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	stop()
	select {
	case err := <-served:
		if err == nil {
			t.Errorf("Serve = nil, want the deadline's error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the deadline")
	}
	if ts := rec.terminal(); len(ts) != 1 || ts[0].Type != llmux.EventFailure {
		t.Errorf("events %v, want the cut stream's failure delivered", rec.types())
	}
}

// TestServeGC_SetsGOGCUnlessTheVariableDoes: serving runs the collector at
// ServeGCPercent, and puts the previous setting back after; a GOGC
// variable, even empty or "off", is left to the runtime.
func TestServeGC_SetsGOGCUnlessTheVariableDoes(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	prev := debug.SetGCPercent(137) // a value neither side uses
	defer debug.SetGCPercent(prev)

	restore := serveGC(func(string) (string, bool) { return "", false }, log)
	if got := debug.SetGCPercent(ServeGCPercent); got != ServeGCPercent {
		t.Errorf("while serving without GOGC: GOGC %d, want %d", got, ServeGCPercent)
	}
	restore()
	if got := debug.SetGCPercent(137); got != 137 {
		t.Errorf("after serving: GOGC %d, want the previous 137", got)
	}

	for _, v := range []string{"100", "off", ""} {
		restore := serveGC(func(k string) (string, bool) { return v, k == "GOGC" }, log)
		if got := debug.SetGCPercent(137); got != 137 {
			t.Errorf("GOGC=%q: serving changed GOGC to %d", v, got)
		}
		restore()
		if got := debug.SetGCPercent(137); got != 137 {
			t.Errorf("GOGC=%q: restore changed GOGC to %d", v, got)
		}
	}
}

// serveLoopback serves srv on a new listener on 127.0.0.1 until stop is
// called; served then receives Serve's result.
func serveLoopback(t *testing.T, srv *Server) (ln net.Listener, stop context.CancelFunc, served <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	return ln, stop, done
}
