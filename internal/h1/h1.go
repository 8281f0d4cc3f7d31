// Package h1 is the default clients' HTTP/1.1 transport to upstreams: it
// writes a request and reads its response on the caller's goroutine, with
// net/http's own request writer (Request.Write) and response reader
// (http.ReadResponse), over a pool of idle connections per host.
//
// net/http's Transport hands each request to a connection's writing
// goroutine and its response back from the connection's reading goroutine:
// two goroutine wakes per call, which on a small or virtualised machine
// cost more than the rest of a gateway's hop (bench/gateway, README
// "Performance"). Here the caller's goroutine does both, and parks only
// while the upstream thinks.
//
// What this transport does not do itself it leaves to Fallback (a
// net/http Transport): requests through a proxy (the environment's
// HTTP_PROXY, HTTPS_PROXY, NO_PROXY), schemes other than http and https,
// and requests that expect 100-continue. It speaks HTTP/1.1 only (ALPN
// "http/1.1" over TLS), sends no Accept-Encoding of its own (the providers
// decode a Content-Encoding themselves) and follows no redirects (the
// http.Client does).
//
// Cancellation: the request's context closing sets the connection's
// deadline in the past, which ends any read or write at once; the
// connection is then closed, not reused, and the error is the context's.
// A connection goes back to the pool when its response body was read to
// its end (a body closed before that takes its connection with it).
// Before reusing a connection idle for CheckAfter or longer the transport
// peeks at it without blocking: one the server closed while it was idle
// is dropped, and the request goes on a new one.
package h1

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Transport is an http.RoundTripper; the zero value is not usable: use
// [New].
type Transport struct {
	// Fallback serves the requests this transport leaves to net/http.
	Fallback *http.Transport
	// MaxIdlePerHost is how many idle connections a host keeps.
	MaxIdlePerHost int
	// IdleTimeout is how long an idle connection may be reused.
	IdleTimeout time.Duration
	// CheckAfter is how long a connection must have been idle before it
	// is checked for a close by the server before reuse. The check is a
	// system call; a connection reused sooner than this (a busy host)
	// skips it: servers keep idle connections for seconds, and a request
	// on a connection the server closed fails as a connection error,
	// which the call retries.
	CheckAfter time.Duration

	dialer net.Dialer
	tls    *tls.Config
	proxy  func(*http.Request) (*url.URL, error)

	mu   sync.Mutex
	idle map[hostKey][]*conn
}

// hostKey names the upstream a connection is to.
type hostKey struct {
	https bool
	addr  string // host:port
}

// New returns a transport over fallback's proxy, dial timeout and TLS
// settings, keeping up to maxIdlePerHost idle connections a host for
// fallback's IdleConnTimeout.
func New(fallback *http.Transport, maxIdlePerHost int) *Transport {
	t := &Transport{
		Fallback:       fallback,
		MaxIdlePerHost: maxIdlePerHost,
		IdleTimeout:    fallback.IdleConnTimeout,
		CheckAfter:     100 * time.Millisecond,
		dialer:         net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second},
		proxy:          fallback.Proxy,
		idle:           map[hostKey][]*conn{},
	}
	if t.IdleTimeout <= 0 {
		t.IdleTimeout = 90 * time.Second
	}
	cfg := &tls.Config{}
	if fallback.TLSClientConfig != nil {
		cfg = fallback.TLSClientConfig.Clone()
	}
	cfg.NextProtos = []string{"http/1.1"}
	t.tls = cfg
	return t
}

// conn is one upstream connection.
type conn struct {
	nc   net.Conn // raw, or a TLS client over it
	raw  net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
	key  hostKey
	idle time.Time // when it was put back
}

// RoundTrip sends r and returns its response; see the package comment.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !t.handles(r) {
		return t.Fallback.RoundTrip(r)
	}
	ctx := r.Context()
	c, err := t.get(ctx, hostKey{https: r.URL.Scheme == "https", addr: canonicalAddr(r.URL)}, r.URL.Hostname())
	if err != nil {
		closeBody(r)
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { _ = c.nc.SetDeadline(time.Unix(1, 0)) })
	resp, err := c.exchange(r)
	if err != nil {
		stop()
		_ = c.nc.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	resp.Body = &body{rc: resp.Body, t: t, c: c, ctx: ctx, stop: stop, keep: !resp.Close && !r.Close}
	return resp, nil
}

// handles tells whether r is this transport's to send.
func (t *Transport) handles(r *http.Request) bool {
	if r.URL == nil || (r.URL.Scheme != "http" && r.URL.Scheme != "https") || r.URL.Host == "" {
		return false
	}
	if strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		return false
	}
	if t.proxy != nil {
		if u, err := t.proxy(r); err != nil || u != nil {
			return false
		}
	}
	return true
}

// exchange writes r and reads its response, skipping informational ones.
func (c *conn) exchange(r *http.Request) (*http.Response, error) {
	if err := r.Write(c.bw); err != nil {
		return nil, err
	}
	if err := c.bw.Flush(); err != nil {
		return nil, err
	}
	for {
		resp, err := http.ReadResponse(c.br, r)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			return resp, nil
		}
		_ = resp.Body.Close() // 1xx: no body; the answer follows
	}
}

// get returns an idle connection to key that is still open, or a new one.
func (t *Transport) get(ctx context.Context, key hostKey, host string) (*conn, error) {
	now := time.Now()
	for {
		t.mu.Lock()
		l := t.idle[key]
		if len(l) == 0 {
			t.mu.Unlock()
			break
		}
		c := l[len(l)-1]
		l[len(l)-1] = nil
		t.idle[key] = l[:len(l)-1]
		t.mu.Unlock()
		if idle := now.Sub(c.idle); idle < t.IdleTimeout && (idle < t.CheckAfter && c.br.Buffered() == 0 || c.open()) {
			return c, nil
		}
		_ = c.nc.Close()
	}
	return t.dial(ctx, key, host)
}

// dial opens a connection for key; host is the name TLS verifies.
func (t *Transport) dial(ctx context.Context, key hostKey, host string) (*conn, error) {
	nc, err := t.dialer.DialContext(ctx, "tcp", key.addr)
	if err != nil {
		return nil, err
	}
	raw := nc
	if key.https {
		cfg := t.tls
		if cfg.ServerName == "" {
			cfg = cfg.Clone()
			cfg.ServerName = host
		}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = nc.Close()
			return nil, err
		}
		nc = tc
	}
	return &conn{nc: nc, raw: raw, br: bufio.NewReaderSize(nc, 8<<10), bw: bufio.NewWriterSize(nc, 8<<10), key: key}, nil
}

// put keeps c for the next request to its host, or closes it.
func (t *Transport) put(c *conn) {
	c.idle = time.Now()
	t.mu.Lock()
	if l := t.idle[c.key]; len(l) < t.MaxIdlePerHost {
		t.idle[c.key] = append(l, c)
		t.mu.Unlock()
		return
	}
	t.mu.Unlock()
	_ = c.nc.Close()
}

// CloseIdleConnections closes the idle connections, this transport's and
// the fallback's.
func (t *Transport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = map[hostKey][]*conn{}
	t.mu.Unlock()
	for _, l := range idle {
		for _, c := range l {
			_ = c.nc.Close()
		}
	}
	t.Fallback.CloseIdleConnections()
}

// body is a response body that gives its connection back once read to
// its end, as net/http's does: a caller that cancels its context after
// the last read and before Close (a stream's end) still leaves the
// connection reusable.
type body struct {
	rc       io.ReadCloser
	t        *Transport
	c        *conn
	ctx      context.Context
	stop     func() bool
	keep     bool
	released bool // the connection went back to the pool, or was closed
	closed   bool
}

func (b *body) Read(p []byte) (int, error) {
	if b.closed {
		return 0, errors.New("h1: read on a closed response body")
	}
	if b.released {
		return 0, io.EOF
	}
	n, err := b.rc.Read(p)
	switch {
	case err == io.EOF:
		b.release(true)
	case err != nil && b.ctx.Err() != nil:
		err = b.ctx.Err()
	}
	return n, err
}

func (b *body) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	if !b.released {
		_ = b.rc.Close()
		b.release(false)
	}
	return nil
}

// release gives the connection back when the body ended (eof) cleanly, and
// closes it otherwise. stop reports false when the context's cancellation
// ran (or runs): the connection's deadline may be in the past.
func (b *body) release(eof bool) {
	b.released = true
	if b.stop() && eof && b.keep && b.c.br.Buffered() == 0 {
		b.t.put(b.c)
	} else {
		_ = b.c.nc.Close()
	}
}

func closeBody(r *http.Request) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
}

// canonicalAddr is u's host:port, with the scheme's port when u has none
// (u.Host as it is when it has one: nothing to build on each call).
func canonicalAddr(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "80"
	if u.Scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(u.Hostname(), port)
}
