package redis

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/internal/redisx"
)

var _ llmux.Cache = (*Cache)(nil)

// Defaults applied by [New] where [Options] leaves a field zero.
const (
	// DefaultNamespace prefixes every key: "llmux:<key>".
	DefaultNamespace = "llmux"
	// DefaultHost is used when neither Options.Host nor $REDIS_HOST is set.
	DefaultHost = "127.0.0.1"
	// DefaultPort is used when neither Options.Port nor $REDIS_PORT is set.
	DefaultPort = 6379
	// DefaultDialTimeout bounds connecting to the server.
	DefaultDialTimeout = 2 * time.Second
	// DefaultTimeout bounds each socket read and write when ctx allows
	// longer or has no deadline.
	DefaultTimeout = time.Second
)

// ErrClosed is returned, wrapped, by every method of a [Cache] after
// [Cache.Close].
var ErrClosed = errors.New("redis: cache is closed")

// Options configures [New]. The zero value connects to $REDIS_HOST:$REDIS_PORT
// (127.0.0.1:6379 when unset) with $REDIS_PASSWORD, as LiteLLM's
// Cache(type="redis") does.
//
// The server is named in one of three ways, which do not mix: URL; Host,
// Port, Username, Password, DB and TLS; or a ready Client.
type Options struct {
	// URL names the server as "redis://[user:password@]host:port/db",
	// "rediss://..." for TLS, or "unix:///path/to/socket?db=N"; query
	// parameters such as dial_timeout and pool_size are understood as in
	// go-redis's ParseURL. When URL is set, Host, Port, Username, Password
	// and DB must be unset; TLS may supply the tls.Config of a rediss URL.
	URL string

	// Host is the server's host name or IP address, without a port.
	// Default: $REDIS_HOST, else "127.0.0.1".
	Host string
	// Port is the server's TCP port, 1 to 65535. Default: $REDIS_PORT,
	// else 6379.
	Port int
	// Username is the ACL user (Redis 6 and later); empty means "default".
	Username string
	// Password authenticates the connection. Default: $REDIS_PASSWORD.
	// It never appears in errors or in the Cache's String form.
	Password string
	// DB is the database number selected after connecting; default 0.
	DB int
	// TLS, when non-nil, enables TLS with this configuration (cloned).
	// An empty ServerName is set to Host.
	TLS *tls.Config

	// Namespace prefixes every key: the value of key k is stored under
	// "<Namespace>:<k>", so several applications can share one database.
	// Default: "llmux".
	Namespace string
	// TTL is the lifetime of a value stored by a Set whose ttl is 0.
	// 0 (the default, as in LiteLLM) stores such values without expiry;
	// negative is an error.
	TTL time.Duration

	// PoolSize is the number of connections go-redis keeps to the server;
	// 0 uses go-redis's default of 10 per GOMAXPROCS.
	PoolSize int
	// DialTimeout bounds establishing a connection; 0 means
	// [DefaultDialTimeout]. A ctx deadline that comes sooner wins.
	DialTimeout time.Duration
	// Timeout bounds each socket read and write; 0 means [DefaultTimeout].
	// A ctx deadline that comes sooner wins, so it matters only for calls
	// whose ctx has a later deadline or none.
	Timeout time.Duration

	// Client, when set, is used instead of a client built from the fields
	// above, e.g. a cluster or sentinel client. All connection fields
	// (URL, Host, Port, Username, Password, DB, TLS, PoolSize,
	// DialTimeout, Timeout) must then be unset. A *goredis.Client,
	// *goredis.ClusterClient or *goredis.Ring must be built with
	// ContextTimeoutEnabled: true, or calls would ignore ctx deadlines.
	// [Cache.Close] does not close a Client passed in here.
	Client goredis.UniversalClient
}

// String shows o with the password masked (also inside URL), so
// printing a configuration with %v or %+v reveals no secret.
func (o Options) String() string {
	password := ""
	if o.Password != "" {
		password = "****"
	}
	client := "<nil>"
	if o.Client != nil {
		client = fmt.Sprintf("%T", o.Client)
	}
	return fmt.Sprintf("redis.Options{URL:%q Host:%q Port:%d Username:%q Password:%q DB:%d TLS:%t "+
		"Namespace:%q TTL:%v PoolSize:%d DialTimeout:%v Timeout:%v Client:%s}",
		redisx.Masker(urlSecrets(o.URL))(o.URL), o.Host, o.Port, o.Username, password, o.DB, o.TLS != nil,
		o.Namespace, o.TTL, o.PoolSize, o.DialTimeout, o.Timeout, client)
}

// GoString is String, so %#v reveals no secret either.
func (o Options) GoString() string { return o.String() }

// Cache is the Redis implementation of [llmux.Cache]. It is safe for
// concurrent use and immutable after [New], apart from [Cache.Close].
type Cache struct {
	client goredis.UniversalClient
	owned  bool // Close closes client
	prefix string
	ttl    time.Duration
	// mask hides the password in error text. A func, so that printing a
	// Cache value with %v cannot show the password either.
	mask func(string) string
	desc string // for String

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// New returns a Cache configured by o. It reads $REDIS_HOST, $REDIS_PORT
// and $REDIS_PASSWORD for the fields that o leaves unset, unless o.URL or
// o.Client is set. New does no I/O: it validates o, reporting every
// problem at once, and builds the client, which connects on first use.
// Use [Cache.Ping] to check connectivity.
func New(o Options) (*Cache, error) {
	v := validator{}
	if o.TTL < 0 {
		v.bad("TTL", "must not be negative, got %v", o.TTL)
	}
	if o.PoolSize < 0 {
		v.bad("PoolSize", "must not be negative, got %d", o.PoolSize)
	}
	if o.DialTimeout < 0 {
		v.bad("DialTimeout", "must not be negative, got %v", o.DialTimeout)
	}
	if o.Timeout < 0 {
		v.bad("Timeout", "must not be negative, got %v", o.Timeout)
	}
	ns := o.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}

	var (
		ropt    *goredis.Options
		secrets []string
		desc    string
	)
	switch {
	case o.Client != nil:
		v.unset("Client", map[string]bool{
			"URL": o.URL != "", "Host": o.Host != "", "Port": o.Port != 0,
			"Username": o.Username != "", "Password": o.Password != "", "DB": o.DB != 0,
			"TLS": o.TLS != nil, "PoolSize": o.PoolSize != 0,
			"DialTimeout": o.DialTimeout != 0, "Timeout": o.Timeout != 0,
		})
		if !contextTimeoutEnabled(o.Client) {
			v.bad("Client", "must be built with ContextTimeoutEnabled: true, or calls ignore ctx deadlines")
		}
		desc = fmt.Sprintf("client %T", o.Client)
	case o.URL != "":
		v.unset("URL", map[string]bool{
			"Host": o.Host != "", "Port": o.Port != 0, "Username": o.Username != "",
			"Password": o.Password != "", "DB": o.DB != 0,
		})
		secrets = urlSecrets(o.URL)
		var err error
		ropt, err = goredis.ParseURL(o.URL)
		if err != nil {
			v.bad("URL", "%s", redisx.Masker(secrets)(strings.TrimPrefix(unwrapURLError(err).Error(), "redis: ")))
			break
		}
		secrets = append(secrets, ropt.Password)
		if ropt.DB < 0 {
			v.bad("URL", "database number must not be negative, got %d", ropt.DB)
		}
		if o.TLS != nil {
			if ropt.TLSConfig == nil {
				v.bad("TLS", "set with a URL that is not rediss://; use rediss:// for TLS")
			} else {
				t := o.TLS.Clone()
				if t.ServerName == "" {
					t.ServerName = ropt.TLSConfig.ServerName
				}
				ropt.TLSConfig = t
			}
		}
		desc = ropt.Addr
	default:
		host, port, password := o.Host, o.Port, o.Password
		hostField := "Options.Host"
		if host == "" {
			host, hostField = os.Getenv("REDIS_HOST"), "$REDIS_HOST"
		}
		if host == "" {
			host = DefaultHost
		}
		if port == 0 {
			if s := os.Getenv("REDIS_PORT"); s != "" {
				if p, err := strconv.Atoi(s); err != nil || p < 1 || p > 65535 {
					v.add(fmt.Errorf("redis: $REDIS_PORT: must be a port number between 1 and 65535, got %q", s))
				} else {
					port = p
				}
			}
		} else if port < 1 || port > 65535 {
			v.bad("Port", "must be between 1 and 65535, got %d", port)
		}
		if port == 0 {
			port = DefaultPort
		}
		if password == "" {
			password = os.Getenv("REDIS_PASSWORD")
		}
		if _, _, err := net.SplitHostPort(host); err == nil {
			v.add(fmt.Errorf("redis: %s: must be a host without a port, got %q; set the port apart", hostField, host))
		}
		if o.DB < 0 {
			v.bad("DB", "must not be negative, got %d", o.DB)
		}
		ropt = &goredis.Options{
			Addr:     net.JoinHostPort(host, strconv.Itoa(port)),
			Username: o.Username,
			Password: password,
			DB:       o.DB,
		}
		if o.TLS != nil {
			ropt.TLSConfig = o.TLS.Clone()
			if ropt.TLSConfig.ServerName == "" {
				ropt.TLSConfig.ServerName = host
			}
		}
		secrets = append(secrets, password)
		desc = ropt.Addr
	}
	if err := v.err(); err != nil {
		return nil, err
	}

	c := &Cache{
		client: o.Client,
		prefix: ns + ":",
		ttl:    o.TTL,
		mask:   redisx.Masker(secrets),
	}
	if ropt != nil {
		tune(ropt, o)
		c.client = goredis.NewClient(ropt)
		c.owned = true
		desc = fmt.Sprintf("%s db=%d", desc, ropt.DB)
	}
	c.desc = fmt.Sprintf("redis.Cache(%s namespace=%q)", desc, ns)
	return c, nil
}

// tune sets the client options that make the cache fail fast rather than
// hold a call up. Values set by a URL's query are kept.
func tune(ropt *goredis.Options, o Options) {
	// Without it go-redis ignores ctx deadlines on socket reads and waits
	// for ReadTimeout instead: a frozen server would hold every call up.
	ropt.ContextTimeoutEnabled = true
	if ropt.MaxRetries == 0 {
		// One retry rescues a command sent on a pooled connection that the
		// server closed meanwhile (idle timeout, restart). More only burn
		// the caller's short budget on a server that is down; go-redis
		// never retries once ctx is done.
		ropt.MaxRetries = 1
	}
	if ropt.DialerRetries == 0 {
		// go-redis dials up to 5 times, 100ms apart; a refused connection
		// should fail the call now, not after half a second.
		ropt.DialerRetries = 1
	}
	if o.PoolSize > 0 {
		ropt.PoolSize = o.PoolSize
	}
	switch {
	case o.DialTimeout > 0:
		ropt.DialTimeout = o.DialTimeout
	case ropt.DialTimeout == 0:
		ropt.DialTimeout = DefaultDialTimeout
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if o.Timeout > 0 || ropt.ReadTimeout == 0 {
		ropt.ReadTimeout = timeout
	}
	if o.Timeout > 0 || ropt.WriteTimeout == 0 {
		ropt.WriteTimeout = timeout
	}
}

// contextTimeoutEnabled reports whether a caller's client honours ctx
// deadlines, for the client types that tell.
func contextTimeoutEnabled(c goredis.UniversalClient) bool {
	switch c := c.(type) {
	case *goredis.Client:
		return c.Options().ContextTimeoutEnabled
	case *goredis.ClusterClient:
		return c.Options().ContextTimeoutEnabled
	case *goredis.Ring:
		return c.Options().ContextTimeoutEnabled
	}
	return true
}

// Get returns the value stored under key. A missing or expired key gives
// ok false and a nil error. Get returns an error promptly once ctx is
// done, with errors.Is(err, ctx.Err()) true.
func (c *Cache) Get(ctx context.Context, key string) (value []byte, ok bool, err error) {
	if err := c.usable(ctx); err != nil {
		return nil, false, c.wrap(ctx, "get", err)
	}
	value, err = c.client.Get(ctx, c.prefix+key).Bytes()
	if err != nil {
		if errors.Is(err, goredis.Nil) {
			return nil, false, nil
		}
		return nil, false, c.wrap(ctx, "get", err)
	}
	return value, true, nil
}

// Set stores value under key for ttl, replacing any earlier value whole.
// ttl 0 means Options.TTL, and no expiry if that is 0 too; a negative ttl
// is an error. Redis keeps expiries in milliseconds: a ttl that is not a
// whole number of milliseconds is rounded up. Set does not keep value
// after it returns.
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < 0 {
		return c.wrap(ctx, "set", fmt.Errorf("ttl must not be negative, got %v", ttl))
	}
	if err := c.usable(ctx); err != nil {
		return c.wrap(ctx, "set", err)
	}
	if ttl == 0 {
		ttl = c.ttl
	}
	if r := ttl % time.Millisecond; r != 0 {
		ttl += time.Millisecond - r
	}
	if err := c.client.Set(ctx, c.prefix+key, value, ttl).Err(); err != nil {
		return c.wrap(ctx, "set", err)
	}
	return nil
}

// Delete removes the value stored under key; a missing key is not an
// error.
func (c *Cache) Delete(ctx context.Context, key string) error {
	if err := c.usable(ctx); err != nil {
		return c.wrap(ctx, "delete", err)
	}
	if err := c.client.Del(ctx, c.prefix+key).Err(); err != nil {
		return c.wrap(ctx, "delete", err)
	}
	return nil
}

// Ping checks that the server answers, connecting if need be, and
// returns an error describing why not (wrong address, authentication,
// TLS, ctx deadline).
func (c *Cache) Ping(ctx context.Context) error {
	if err := c.usable(ctx); err != nil {
		return c.wrap(ctx, "ping", err)
	}
	if err := c.client.Ping(ctx).Err(); err != nil {
		return c.wrap(ctx, "ping", err)
	}
	return nil
}

// Close closes the connections of a client that New built; a client
// passed in Options.Client stays open. Close is idempotent; afterwards
// every method returns an error wrapping [ErrClosed].
func (c *Cache) Close() error {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		if c.owned {
			if err := c.client.Close(); err != nil {
				c.closeErr = c.wrap(context.Background(), "close", err)
			}
		}
	})
	return c.closeErr
}

// String describes the cache (address, database, namespace) without any
// credentials.
func (c *Cache) String() string { return c.desc }

// GoString is String, so %#v shows no credentials either.
func (c *Cache) GoString() string { return c.desc }

// usable returns why c cannot serve a call right now without I/O.
func (c *Cache) usable(ctx context.Context) error {
	if c.closed.Load() {
		return ErrClosed
	}
	return ctx.Err()
}

// validator collects every problem New finds.
type validator struct{ errs []error }

func (v *validator) add(err error) { v.errs = append(v.errs, err) }

func (v *validator) bad(field, format string, args ...any) {
	v.add(fmt.Errorf("redis: Options.%s: "+format, append([]any{field}, args...)...))
}

// unset reports each set field that must be unset because of by, in a
// stable order.
func (v *validator) unset(by string, set map[string]bool) {
	for _, f := range [...]string{"URL", "Host", "Port", "Username", "Password", "DB", "TLS", "PoolSize", "DialTimeout", "Timeout"} {
		if set[f] {
			v.bad(f, "must be unset when Options.%s is set", by)
		}
	}
}

func (v *validator) err() error { return errors.Join(v.errs...) }

// unwrapURLError drops url.Error's quoting of the whole URL, which may
// carry the password.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// urlSecrets returns the password of raw's userinfo as written and as
// decoded, found by hand so that it works even when raw does not parse.
// (A userinfo without ":" is a user name, as in go-redis's ParseURL.)
func urlSecrets(raw string) []string {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return nil
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return nil
	}
	_, pw, ok := strings.Cut(rest[:at], ":")
	if !ok {
		return nil
	}
	out := []string{pw}
	if dec, err := url.PathUnescape(pw); err == nil && dec != pw {
		out = append(out, dec)
	}
	return out
}
