package redis

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/llmux/llmux/internal/redistest"
)

// needRedis returns the address of the shared test server, skipping tb
// when there is none (failing it when CI is "true").
func needRedis(tb testing.TB) string {
	tb.Helper()
	return redistest.Need(tb)
}

var unsafeNameChars = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// testNamespace returns a namespace no other test or package uses, so
// tests can share one server.
func testNamespace(tb testing.TB) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "llmuxtest-" + unsafeNameChars.ReplaceAllString(tb.Name(), "_") + "-" + hex.EncodeToString(b[:])
}

// rawClient returns a plain go-redis client on database db of addr,
// closed when tb ends.
func rawClient(tb testing.TB, addr string, db int) *goredis.Client {
	tb.Helper()
	rc := goredis.NewClient(&goredis.Options{Addr: addr, DB: db, ContextTimeoutEnabled: true})
	tb.Cleanup(func() { _ = rc.Close() })
	return rc
}

// dropNamespace deletes every key of ns in database db of addr when tb
// ends.
func dropNamespace(tb testing.TB, addr string, db int, ns string) {
	tb.Helper()
	rc := rawClient(tb, addr, db)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := rc.Scan(ctx, 0, ns+":*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			tb.Errorf("scan %s:*: %v", ns, err)
			return
		}
		if len(keys) > 0 {
			if err := rc.Del(ctx, keys...).Err(); err != nil {
				tb.Errorf("del %s:*: %v", ns, err)
			}
		}
	})
}

// hostPort splits addr for Options.
func hostPort(tb testing.TB, addr string) (string, int) {
	tb.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		tb.Fatal(err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		tb.Fatal(err)
	}
	return h, port
}

// newTestCache returns a Cache on the shared server with a fresh
// namespace and the given Options fields; its keys are deleted and it is
// closed when tb ends.
func newTestCache(tb testing.TB, o Options) (*Cache, *goredis.Client) {
	tb.Helper()
	addr := needRedis(tb)
	return newCacheAt(tb, addr, o)
}

func newCacheAt(tb testing.TB, addr string, o Options) (*Cache, *goredis.Client) {
	tb.Helper()
	o.Host, o.Port = hostPort(tb, addr)
	if o.Namespace == "" {
		o.Namespace = testNamespace(tb)
	}
	dropNamespace(tb, addr, o.DB, o.Namespace)
	c, err := New(o)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return c, rawClient(tb, addr, o.DB)
}

func ctxTimeout(tb testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	tb.Cleanup(cancel)
	return ctx
}

func mustSet(tb testing.TB, c *Cache, key string, value []byte, ttl time.Duration) {
	tb.Helper()
	if err := c.Set(ctxTimeout(tb, 2*time.Second), key, value, ttl); err != nil {
		tb.Fatalf("Set(%q): %v", key, err)
	}
}

func mustGet(tb testing.TB, c *Cache, key string) ([]byte, bool) {
	tb.Helper()
	v, ok, err := c.Get(ctxTimeout(tb, 2*time.Second), key)
	if err != nil {
		tb.Fatalf("Get(%q): %v", key, err)
	}
	return v, ok
}

func TestCache_SetGetRoundTrip(t *testing.T) {
	t.Parallel()
	c, _ := newTestCache(t, Options{})
	mustSet(t, c, "k", []byte("hello"), 0)
	v, ok := mustGet(t, c, "k")
	if !ok || string(v) != "hello" {
		t.Fatalf("Get = %q, %v; want \"hello\", true", v, ok)
	}
	mustSet(t, c, "k", []byte("replaced"), 0)
	if v, _ := mustGet(t, c, "k"); string(v) != "replaced" {
		t.Fatalf("Get after second Set = %q, want \"replaced\"", v)
	}
	mustSet(t, c, "empty", []byte{}, 0)
	if v, ok := mustGet(t, c, "empty"); !ok || len(v) != 0 {
		t.Fatalf("Get(empty) = %q, %v; want \"\", true", v, ok)
	}
}

func TestCache_MissIsNotAnError(t *testing.T) {
	t.Parallel()
	c, _ := newTestCache(t, Options{})
	v, ok, err := c.Get(ctxTimeout(t, 2*time.Second), "absent")
	if err != nil || ok || v != nil {
		t.Fatalf("Get(absent) = %q, %v, %v; want nil, false, nil", v, ok, err)
	}
}

func TestCache_DeleteRemovesKey(t *testing.T) {
	t.Parallel()
	c, _ := newTestCache(t, Options{})
	mustSet(t, c, "k", []byte("v"), 0)
	if err := c.Delete(ctxTimeout(t, 2*time.Second), "k"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, ok := mustGet(t, c, "k"); ok {
		t.Fatal("Get after Delete found the key")
	}
	if err := c.Delete(ctxTimeout(t, 2*time.Second), "k"); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
}

func TestCache_NamespacePrefixesRawKey(t *testing.T) {
	t.Parallel()
	ns := testNamespace(t)
	c, rc := newTestCache(t, Options{Namespace: ns})
	mustSet(t, c, "abc", []byte("v"), 0)
	got, err := rc.Get(ctxTimeout(t, 2*time.Second), ns+":abc").Result()
	if err != nil || got != "v" {
		t.Fatalf("raw GET %s:abc = %q, %v; want \"v\"", ns, got, err)
	}
	if n, _ := rc.Exists(ctxTimeout(t, 2*time.Second), "abc").Result(); n != 0 {
		t.Fatal("unprefixed key exists")
	}
}

func TestCache_DefaultNamespaceIsLlmux(t *testing.T) {
	t.Parallel()
	addr := needRedis(t)
	host, port := hostPort(t, addr)
	c, err := New(Options{Host: host, Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	key := testNamespace(t) // unique key in the shared "llmux" namespace
	rc := rawClient(t, addr, 0)
	t.Cleanup(func() { rc.Del(context.Background(), "llmux:"+key) })
	mustSet(t, c, key, []byte("v"), time.Minute)
	if got, err := rc.Get(ctxTimeout(t, 2*time.Second), "llmux:"+key).Result(); err != nil || got != "v" {
		t.Fatalf("raw GET llmux:%s = %q, %v", key, got, err)
	}
}

// pttl returns the raw key's remaining lifetime as Redis reports it:
// -1ns for no expiry, -2ns for a missing key (go-redis's convention).
func pttl(tb testing.TB, rc *goredis.Client, key string) time.Duration {
	tb.Helper()
	d, err := rc.PTTL(ctxTimeout(tb, 2*time.Second), key).Result()
	if err != nil {
		tb.Fatalf("PTTL %s: %v", key, err)
	}
	return d
}

func TestCache_TTLDefaultAndOverride(t *testing.T) {
	t.Parallel()
	ns := testNamespace(t)
	c, rc := newTestCache(t, Options{Namespace: ns, TTL: time.Hour})

	mustSet(t, c, "default", []byte("v"), 0)
	if d := pttl(t, rc, ns+":default"); d <= 59*time.Minute || d > time.Hour {
		t.Errorf("ttl 0 with Options.TTL 1h: PTTL = %v, want about 1h", d)
	}
	mustSet(t, c, "override", []byte("v"), 90*time.Second)
	if d := pttl(t, rc, ns+":override"); d <= 89*time.Second || d > 90*time.Second {
		t.Errorf("ttl 90s: PTTL = %v, want about 90s", d)
	}
	mustSet(t, c, "subms", []byte("v"), 1500*time.Millisecond+time.Microsecond)
	if d := pttl(t, rc, ns+":subms"); d <= 1400*time.Millisecond || d > 1501*time.Millisecond {
		t.Errorf("ttl 1.500001s: PTTL = %v, want at most 1.501s (rounded up to ms)", d)
	}
}

func TestCache_ZeroTTLsMeanNoExpiry(t *testing.T) {
	t.Parallel()
	ns := testNamespace(t)
	c, rc := newTestCache(t, Options{Namespace: ns})
	mustSet(t, c, "k", []byte("v"), 0)
	if d := pttl(t, rc, ns+":k"); d != -1 {
		t.Fatalf("PTTL = %v, want -1ns (no expiry)", d)
	}
}

func TestCache_ShortTTLExpires(t *testing.T) {
	t.Parallel()
	c, _ := newTestCache(t, Options{})
	mustSet(t, c, "k", []byte("v"), 50*time.Millisecond)
	deadline := time.Now().Add(2 * time.Second)
	for {
		if _, ok := mustGet(t, c, "k"); !ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("value with ttl 50ms still there after 2s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCache_NegativeTTLIsAnError(t *testing.T) {
	t.Parallel()
	c, _ := newTestCache(t, Options{})
	err := c.Set(ctxTimeout(t, 2*time.Second), "k", []byte("v"), -time.Second)
	if err == nil || !strings.Contains(err.Error(), "ttl must not be negative") {
		t.Fatalf("Set with ttl -1s: err = %v", err)
	}
	if _, ok := mustGet(t, c, "k"); ok {
		t.Fatal("Set with negative ttl stored the value")
	}
}

func TestCache_URLSelectsDB(t *testing.T) {
	t.Parallel()
	addr := needRedis(t)
	ns := testNamespace(t)
	dropNamespace(t, addr, 2, ns)
	c, err := New(Options{URL: "redis://" + addr + "/2", Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Ping(ctxTimeout(t, 2*time.Second)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	mustSet(t, c, "k", []byte("in db 2"), time.Minute)
	if got, err := rawClient(t, addr, 2).Get(ctxTimeout(t, 2*time.Second), ns+":k").Result(); err != nil || got != "in db 2" {
		t.Fatalf("raw GET in DB 2 = %q, %v", got, err)
	}
	if n, _ := rawClient(t, addr, 0).Exists(ctxTimeout(t, 2*time.Second), ns+":k").Result(); n != 0 {
		t.Fatal("key landed in DB 0 too")
	}
	if s := c.String(); !strings.Contains(s, "db=2") {
		t.Errorf("String() = %q, want db=2", s)
	}
}

func TestCache_OwnClientStaysOpenAfterClose(t *testing.T) {
	t.Parallel()
	addr := needRedis(t)
	ns := testNamespace(t)
	dropNamespace(t, addr, 0, ns)
	rc := goredis.NewClient(&goredis.Options{Addr: addr, ContextTimeoutEnabled: true})
	defer rc.Close()
	c, err := New(Options{Client: rc, Namespace: ns})
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, c, "k", []byte("v"), time.Minute)
	if v, ok := mustGet(t, c, "k"); !ok || string(v) != "v" {
		t.Fatalf("Get = %q, %v", v, ok)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := rc.Ping(ctxTimeout(t, 2*time.Second)).Err(); err != nil {
		t.Fatalf("caller's client closed by Cache.Close: %v", err)
	}
	if _, _, err := c.Get(ctxTimeout(t, 2*time.Second), "k"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Get after Close: err = %v, want ErrClosed", err)
	}
}

func TestCache_BinaryValuesRoundTrip(t *testing.T) {
	t.Parallel()
	c, _ := newTestCache(t, Options{})
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	value := append(append([]byte{}, all...), all...) // twice, so \r\n and NUL appear mid-value
	mustSet(t, c, "bin", bytes.Clone(value), 0)
	if v, ok := mustGet(t, c, "bin"); !ok || !bytes.Equal(v, value) {
		t.Fatalf("binary value changed: got %d bytes, ok %v", len(v), ok)
	}
	// Keys are binary-safe too.
	mustSet(t, c, "key\x00with\r\nodd bytes\xff", []byte("v"), 0)
	if v, ok := mustGet(t, c, "key\x00with\r\nodd bytes\xff"); !ok || string(v) != "v" {
		t.Fatalf("binary key: %q, %v", v, ok)
	}
}

// checkMasked fails t if err, or any error it wraps, shows password, or
// if err lacks the "redis: <op>: " prefix.
func checkMasked(t *testing.T, op string, err error, password string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s succeeded", op)
	}
	if !strings.HasPrefix(err.Error(), "redis: "+op+": ") {
		t.Errorf("%s error = %q, want prefix %q", op, err, "redis: "+op+": ")
	}
	var walk func(e error)
	walk = func(e error) {
		if strings.Contains(e.Error(), password) || strings.Contains(fmt.Sprintf("%+v", e), password) {
			t.Fatalf("%s error reveals the password: %q", op, e.Error())
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			if w := u.Unwrap(); w != nil {
				walk(w)
			}
		case interface{ Unwrap() []error }:
			for _, w := range u.Unwrap() {
				walk(w)
			}
		}
	}
	walk(err)
}

// cacheOps runs Ping, Set and Get on c and returns their errors by name.
func cacheOps(t *testing.T, c *Cache) map[string]error {
	_, _, getErr := c.Get(ctxTimeout(t, 2*time.Second), "k")
	return map[string]error{
		"ping": c.Ping(ctxTimeout(t, 2*time.Second)),
		"set":  c.Set(ctxTimeout(t, 2*time.Second), "k", []byte("v"), 0),
		"get":  getErr,
	}
}

// The shared server has no password. Redis 7 accepts any password for the
// passwordless "default" user (HELLO 3 AUTH default <any>), so a wrong
// password needs a user that does not exist to be refused (WRONGPASS).
func TestCache_WrongPasswordErrorMasksPassword(t *testing.T) {
	t.Parallel()
	addr := needRedis(t)
	host, port := hostPort(t, addr)
	const password = "s3cret-pass-123"
	for name, o := range map[string]Options{
		"fields": {Host: host, Port: port, Username: "llmux-no-such-user", Password: password},
		"url":    {URL: "redis://llmux-no-such-user:" + password + "@" + addr + "/0"},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			for op, err := range cacheOps(t, c) {
				checkMasked(t, op, err, password)
			}
		})
	}
}

// echoServer is a fake Redis server that answers every command with an
// error quoting the command's arguments, password included, as a careless
// server or proxy might. It is closed when t ends.
func echoServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			wg.Go(func() {
				defer conn.Close()
				r := bufio.NewReader(conn)
				for {
					args, err := readCommand(r)
					if err != nil {
						return
					}
					if _, err := fmt.Fprintf(conn, "-ERR cannot run %s\r\n", strings.Join(args, " ")); err != nil {
						return
					}
				}
			})
		}
	})
	return l.Addr().String()
}

// readCommand reads one RESP array of bulk strings.
func readCommand(r *bufio.Reader) ([]string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "*")))
	if err != nil {
		return nil, err
	}
	args := make([]string, 0, n)
	for range n {
		if _, err := r.ReadString('\n'); err != nil { // $len
			return nil, err
		}
		arg, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		args = append(args, strings.TrimSpace(arg))
	}
	return args, nil
}

func TestCache_ErrorQuotingPasswordIsMasked(t *testing.T) {
	t.Parallel()
	addr := echoServer(t)
	host, port := hostPort(t, addr)
	const password = "s3cret-pass-123"
	for name, o := range map[string]Options{
		"fields":      {Host: host, Port: port, Password: password},
		"url":         {URL: "redis://user:" + password + "@" + addr},
		"url escaped": {URL: "redis://user:s3cret%2Dpass-123@" + addr},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			for op, err := range cacheOps(t, c) {
				checkMasked(t, op, err, password)
				if !strings.Contains(err.Error(), "****") {
					t.Errorf("%s error = %q, want the password masked as ****", op, err)
				}
			}
		})
	}
}

func TestCache_StringHidesPassword(t *testing.T) {
	const password = "s3cret-pass-123"
	for _, o := range []Options{
		{Host: "localhost", Port: 6379, Password: password},
		{URL: "redis://user:" + password + "@localhost:6379/3"},
	} {
		c, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
			if s := fmt.Sprintf(format, c); strings.Contains(s, password) {
				t.Errorf("Sprintf(%q, cache) reveals the password: %s", format, s)
			}
		}
		for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
			for _, v := range []any{o, &o} {
				if s := fmt.Sprintf(format, v); strings.Contains(s, password) || !strings.Contains(s, "localhost") ||
					(o.URL != "" && !strings.Contains(s, "redis://user:****@localhost")) {
					t.Errorf("Sprintf(%q, %T) = %s; want the host and no password", format, v, s)
				}
			}
		}
		if s := c.String(); !strings.Contains(s, "localhost:6379") {
			t.Errorf("String() = %q, want the address", s)
		}
		_ = c.Close()
	}
}

func TestCache_DoneContextFailsWithoutIO(t *testing.T) {
	t.Parallel()
	c, _ := newTestCache(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := c.Get(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get: err = %v, want context.Canceled", err)
	}
	if err := c.Set(ctx, "k", []byte("v"), 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Set: err = %v, want context.Canceled", err)
	}
	if err := c.Ping(ctx); !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "redis: ping: ") {
		t.Errorf("Ping: err = %v, want \"redis: ping: \" wrapping context.Canceled", err)
	}
}

func TestCache_CloseIsIdempotentAndFailsLaterCalls(t *testing.T) {
	t.Parallel()
	c, _ := newTestCache(t, Options{})
	mustSet(t, c, "k", []byte("v"), 0)
	for range 2 {
		if err := c.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	ctx := ctxTimeout(t, time.Second)
	if _, _, err := c.Get(ctx, "k"); !errors.Is(err, ErrClosed) || err.Error() != "redis: get: cache is closed" {
		t.Errorf("Get after Close: %v", err)
	}
	if err := c.Set(ctx, "k", nil, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Set after Close: %v", err)
	}
	if err := c.Delete(ctx, "k"); !errors.Is(err, ErrClosed) {
		t.Errorf("Delete after Close: %v", err)
	}
}

func TestCache_ConcurrentSafe(t *testing.T) {
	c, _ := newTestCache(t, Options{})
	const (
		writers = 16
		readers = 16
		size    = 64 << 10
		rounds  = 20
	)
	ctx := ctxTimeout(t, 30*time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, writers+readers)
	for w := range writers {
		wg.Go(func() {
			for range rounds {
				// Set owns the value: a fresh slice each time.
				if err := c.Set(ctx, "shared", bytes.Repeat([]byte{byte('A' + w)}, size), 0); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range readers {
		wg.Go(func() {
			for range rounds {
				v, ok, err := c.Get(ctx, "shared")
				if err != nil {
					errs <- err
					return
				}
				if !ok {
					continue // before the first Set landed
				}
				if len(v) != size || bytes.Count(v, v[:1]) != size {
					errs <- fmt.Errorf("torn value: %d bytes, first %q, %d of them", len(v), v[:1], bytes.Count(v, v[:1]))
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
