package h1

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// server is an upstream that counts the connections it accepted and the
// requests it served.
type server struct {
	*httptest.Server
	conns, reqs atomic.Int64
}

func newServer(t *testing.T, tls bool, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.reqs.Add(1)
		h(w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	if tls {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// transport is a Transport as the default clients build it, with no proxy
// (the machine's environment must not decide what a test sends where).
func transport(t *testing.T, s *server) *Transport {
	t.Helper()
	fb := http.DefaultTransport.(*http.Transport).Clone()
	fb.Proxy = nil
	if s != nil && s.TLS != nil {
		fb.TLSClientConfig = s.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	}
	tr := New(fb, 4)
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

func post(t *testing.T, tr http.RoundTripper, ctx context.Context, u, body string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return tr.RoundTrip(req)
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.Header().Set("X-Method", r.Method)
	w.Header().Set("X-Content-Type", r.Header.Get("Content-Type"))
	_, _ = fmt.Fprintf(w, "%s %s", r.URL.Path, b)
}

func TestRoundTrip_ReusesOneConnection(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", tls), func(t *testing.T) {
			s := newServer(t, tls, echo)
			tr := transport(t, s)
			for i := range 5 {
				resp, err := post(t, tr, context.Background(), s.URL+"/v1/chat?x=1", fmt.Sprintf(`{"n":%d}`, i))
				if err != nil {
					t.Fatal(err)
				}
				if got, want := readAll(t, resp), fmt.Sprintf(`/v1/chat {"n":%d}`, i); got != want {
					t.Fatalf("body %q, want %q", got, want)
				}
				if resp.StatusCode != 200 || resp.Header.Get("X-Method") != "POST" || resp.Header.Get("X-Content-Type") != "application/json" {
					t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
				}
			}
			if n := s.conns.Load(); n != 1 {
				t.Fatalf("%d connections for 5 sequential requests, want 1", n)
			}
		})
	}
}

func TestRoundTrip_ChunkedStream(t *testing.T) {
	s := newServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 3 {
			_, _ = fmt.Fprintf(w, "data: %d\n\n", i)
			w.(http.Flusher).Flush()
		}
		_, _ = io.WriteString(w, "data: [DONE]\n\n")
	})
	tr := transport(t, s)
	for range 2 {
		resp, err := post(t, tr, context.Background(), s.URL, `{}`)
		if err != nil {
			t.Fatal(err)
		}
		if resp.ContentLength != -1 {
			t.Fatalf("content length %d, want a chunked body", resp.ContentLength)
		}
		if got := readAll(t, resp); got != "data: 0\n\ndata: 1\n\ndata: 2\n\ndata: [DONE]\n\n" {
			t.Fatalf("body %q", got)
		}
	}
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("%d connections, want 1: a chunked body read to its end gives its connection back", n)
	}
}

func TestRoundTrip_BodyClosedEarlyIsNotReused(t *testing.T) {
	s := newServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(bytes.Repeat([]byte("x"), 64<<10))
	})
	tr := transport(t, s)
	for range 2 {
		resp, err := post(t, tr, context.Background(), s.URL, `{}`)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := resp.Body.Read(make([]byte, 10)); err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if _, err := resp.Body.Read(make([]byte, 1)); err == nil {
			t.Fatal("read after Close succeeded")
		}
	}
	if n := s.conns.Load(); n != 2 {
		t.Fatalf("%d connections, want 2: a body closed before its end takes its connection with it", n)
	}
}

func TestRoundTrip_ServerClosedIdleConnection(t *testing.T) {
	s := newServer(t, false, echo)
	tr := transport(t, s)
	resp, err := post(t, tr, context.Background(), s.URL, `a`)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	s.CloseClientConnections() // the idle connection, from the server's side
	time.Sleep(tr.CheckAfter + 20*time.Millisecond)
	resp, err = post(t, tr, context.Background(), s.URL, `b`)
	if err != nil {
		t.Fatalf("request after the server closed the idle connection: %v", err)
	}
	if got := readAll(t, resp); got != "/ b" {
		t.Fatalf("body %q", got)
	}
	if c, r := s.conns.Load(), s.reqs.Load(); c != 2 || r != 2 {
		t.Fatalf("%d connections, %d requests; want 2 and 2 (the closed connection dropped, nothing sent twice)", c, r)
	}
}

func TestRoundTrip_CancelWhileWaiting(t *testing.T) {
	release := make(chan struct{})
	s := newServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	tr := transport(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := post(t, tr, ctx, s.URL, `{}`)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("cancellation took %v", d)
	}
	if n := len(tr.idle); n != 0 {
		t.Fatalf("%d hosts with idle connections after a canceled request, want none", n)
	}
}

func TestRoundTrip_CancelMidStream(t *testing.T) {
	s := newServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "data: 1\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	tr := transport(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	resp, err := post(t, tr, ctx, s.URL, `{}`)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, err := resp.Body.Read(buf)
	if err != nil || string(buf[:n]) != "data: 1\n\n" {
		t.Fatalf("first read %q, %v", buf[:n], err)
	}
	cancel()
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, context.Canceled) {
		t.Fatalf("read after cancel: %v, want context.Canceled", err)
	}
	_ = resp.Body.Close()
	if len(tr.idle) != 0 {
		t.Fatal("a canceled stream's connection was kept")
	}
}

func TestRoundTrip_SkipsInformationalResponses(t *testing.T) {
	s := newServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		_, _ = io.WriteString(w, "final")
	})
	tr := transport(t, s)
	resp, err := post(t, tr, context.Background(), s.URL, `{}`)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || readAll(t, resp) != "final" {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestRoundTrip_ConnectionCloseIsNotReused(t *testing.T) {
	s := newServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		_, _ = io.WriteString(w, "ok")
	})
	tr := transport(t, s)
	for range 2 {
		resp, err := post(t, tr, context.Background(), s.URL, `{}`)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
	}
	if n := s.conns.Load(); n != 2 {
		t.Fatalf("%d connections, want 2", n)
	}
}

func TestRoundTrip_IdleLimitAndTimeout(t *testing.T) {
	s := newServer(t, false, echo)
	tr := transport(t, s)
	tr.MaxIdlePerHost = 1
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			<-start
			resp, err := post(t, tr, context.Background(), s.URL, `{}`)
			if err != nil {
				t.Error(err)
				return
			}
			readAll(t, resp)
		})
	}
	close(start)
	wg.Wait()
	for k, l := range tr.idle {
		if len(l) > 1 {
			t.Fatalf("%v keeps %d idle connections, want at most 1", k, len(l))
		}
	}
	tr.IdleTimeout = time.Nanosecond
	before := s.conns.Load()
	resp, err := post(t, tr, context.Background(), s.URL, `{}`)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if s.conns.Load() != before+1 {
		t.Fatal("an idle connection older than IdleTimeout was reused")
	}
	tr.CloseIdleConnections()
	if len(tr.idle) != 0 {
		t.Fatal("CloseIdleConnections left idle connections")
	}
}

// TestRoundTrip_Fallback: what the transport leaves to net/http (a proxy,
// Expect: 100-continue, another scheme) goes to Fallback.
func TestRoundTrip_Fallback(t *testing.T) {
	var proxied atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		_, _ = io.WriteString(w, "via proxy "+r.URL.String())
	}))
	defer proxy.Close()
	s := newServer(t, false, echo)
	tr := transport(t, s)
	pu, _ := url.Parse(proxy.URL)
	tr.Fallback.Proxy = http.ProxyURL(pu)
	tr.proxy = tr.Fallback.Proxy
	resp, err := post(t, tr, context.Background(), s.URL+"/p", `{}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); got != "via proxy "+s.URL+"/p" || proxied.Load() != 1 {
		t.Fatalf("body %q, %d proxied: want the request through the proxy", got, proxied.Load())
	}

	var dials atomic.Int64
	tr = transport(t, s)
	d := &net.Dialer{}
	tr.Fallback.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return d.DialContext(ctx, network, addr)
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL, strings.NewReader(`{}`))
	req.Header.Set("Expect", "100-continue")
	resp, err = tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if dials.Load() != 1 {
		t.Fatal("a request expecting 100-continue did not go to the fallback")
	}
	if len(tr.idle) != 0 {
		t.Fatal("the fallback's requests left connections in this transport's pool")
	}
	if _, err := tr.RoundTrip(&http.Request{Method: "GET", URL: &url.URL{Scheme: "ftp", Host: "x"}, Header: http.Header{}}); err == nil {
		t.Fatal("an ftp URL: want the fallback's error")
	}
}

func TestRoundTrip_DialError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	tr := transport(t, nil)
	var body closeCounter
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr, &body)
	if _, err := tr.RoundTrip(req); err == nil {
		t.Fatal("dialing a closed port succeeded")
	}
	if body.closed != 1 {
		t.Fatalf("request body closed %d times, want 1 (RoundTrip closes it, even on errors)", body.closed)
	}
}

type closeCounter struct{ closed int }

func (c *closeCounter) Read([]byte) (int, error) { return 0, io.EOF }
func (c *closeCounter) Close() error             { c.closed++; return nil }

// TestRoundTrip_RecentlyIdleIsNotChecked: a connection reused sooner than
// CheckAfter is not peeked at; if the server closed it, the request fails
// as a connection error (the call's retry takes a new connection), and
// the next one succeeds.
func TestRoundTrip_RecentlyIdleIsNotChecked(t *testing.T) {
	s := newServer(t, false, echo)
	tr := transport(t, s)
	tr.CheckAfter = time.Hour
	resp, err := post(t, tr, context.Background(), s.URL, `a`)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	s.CloseClientConnections()
	time.Sleep(20 * time.Millisecond)
	if _, err := post(t, tr, context.Background(), s.URL, `b`); err == nil {
		t.Fatal("a request on a connection the server closed succeeded: was it checked?")
	}
	resp, err = post(t, tr, context.Background(), s.URL, `c`)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp); got != "/ c" {
		t.Fatalf("body %q", got)
	}
}

// TestRoundTrip_CancelAfterEndKeepsConnection: a stream read to its end,
// its context canceled before Close (as a call ends its stream), leaves
// its connection reusable.
func TestRoundTrip_CancelAfterEndKeepsConnection(t *testing.T) {
	s := newServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "data: 1\n\n")
		w.(http.Flusher).Flush()
		_, _ = io.WriteString(w, "data: [DONE]\n\n")
	})
	tr := transport(t, s)
	for range 3 {
		ctx, cancel := context.WithCancel(context.Background())
		resp, err := post(t, tr, ctx, s.URL, `{}`)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(resp.Body); err != nil {
			t.Fatal(err)
		}
		cancel()
		_ = resp.Body.Close()
	}
	if n := s.conns.Load(); n != 1 {
		t.Fatalf("%d connections for 3 streams, want 1", n)
	}
}
