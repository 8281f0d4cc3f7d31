package redis

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/llmux/llmux/internal/redisx"
	"github.com/llmux/llmux/router"
)

var _ router.State = (*State)(nil)

// Defaults applied by [New] where [Options] leaves a field zero.
const (
	// DefaultNamespace prefixes every key.
	DefaultNamespace = "llmux:router"
	// DefaultAddr is the server's address when neither Options.URL nor
	// Options.Addr is set.
	DefaultAddr = "127.0.0.1:6379"
	// DefaultDialTimeout bounds connecting to the server.
	DefaultDialTimeout = 2 * time.Second
	// DefaultTimeout bounds each socket read and write when ctx allows
	// longer (the router gives each operation 100ms by default).
	DefaultTimeout = time.Second
)

// counterTTL is how long a per-minute counter is kept: its minute and the
// next, so a late reader still finds it.
const counterTTL = 2 * time.Minute

// ErrClosed is returned, wrapped, by every method of a [State] after
// [State.Close].
var ErrClosed = errors.New("redis: state is closed")

// Options configures [New]. The server is named in one of three ways,
// which do not mix: URL; Addr, Username, Password and DB; or a ready
// Client. The zero value uses 127.0.0.1:6379, database 0.
type Options struct {
	// URL names the server as "redis://[user:password@]host:port/db" or
	// "rediss://..." for TLS, as go-redis's ParseURL reads it.
	URL string
	// Addr is the server's "host:port". Default: [DefaultAddr].
	Addr string
	// Username and Password authenticate the connection; the password
	// never appears in errors or in String.
	Username string
	Password string
	// DB is the database number; default 0.
	DB int

	// Namespace prefixes every key: "<Namespace>:{<deployment id>}:...".
	// Routers share state exactly when they use the same server, database
	// and namespace. Default: [DefaultNamespace].
	Namespace string

	// DialTimeout bounds connecting; 0 means [DefaultDialTimeout].
	DialTimeout time.Duration
	// Timeout bounds each socket read and write; 0 means
	// [DefaultTimeout]. The ctx deadline the router sets wins when sooner.
	Timeout time.Duration

	// Client, when set, is used instead of a client built from the fields
	// above (a cluster, sentinel or shared client); it must be built with
	// ContextTimeoutEnabled: true. [State.Close] leaves it open.
	Client goredis.UniversalClient
}

// State is the Redis implementation of [router.State]: routers in several
// processes that use the same server, database and namespace share
// cooldowns, failure counts and per-minute usage counters. It is safe for
// concurrent use.
//
// Keys, for a deployment id (the braces make them one Redis Cluster hash
// slot per deployment):
//
//	<ns>:{<id>}:cooldown        the cooldown's end in Unix ms, expiring then
//	<ns>:{<id>}:rpm:<minute>    requests in a Unix minute, kept 2 minutes
//	<ns>:{<id>}:tpm:<minute>    tokens in a Unix minute, kept 2 minutes
//	<ns>:{<id>}:fails:<minute>  failures in a Unix minute, kept 2 minutes
//
// Counters are INCRBY and PEXPIRE in one MULTI/EXEC; Load is one
// pipelined round trip for the whole group.
type State struct {
	client goredis.UniversalClient
	owned  bool
	ns     string
	mask   func(string) string
	desc   string

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// New returns a State configured by o. It does no I/O: the client
// connects on first use ([State.Ping] checks the server).
func New(o Options) (*State, error) {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("redis: Options.%s: "+format, append([]any{field}, args...)...))
	}
	if o.DB < 0 {
		bad("DB", "must not be negative, got %d", o.DB)
	}
	if o.DialTimeout < 0 {
		bad("DialTimeout", "must not be negative, got %v", o.DialTimeout)
	}
	if o.Timeout < 0 {
		bad("Timeout", "must not be negative, got %v", o.Timeout)
	}
	ns := o.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	secrets := []string{o.Password}
	var ropt *goredis.Options
	switch {
	case o.Client != nil:
		if o.URL != "" || o.Addr != "" || o.Username != "" || o.Password != "" || o.DB != 0 || o.DialTimeout != 0 || o.Timeout != 0 {
			bad("Client", "set with connection fields (URL, Addr, Username, Password, DB, DialTimeout, Timeout); use one or the other")
		}
	case o.URL != "":
		if o.Addr != "" || o.Username != "" || o.Password != "" || o.DB != 0 {
			bad("URL", "set with Addr, Username, Password or DB; use one or the other")
		}
		if u, err := url.Parse(o.URL); err == nil && u.User != nil {
			if pw, ok := u.User.Password(); ok {
				secrets = append(secrets, pw, url.PathEscape(pw))
			}
		}
		var err error
		if ropt, err = goredis.ParseURL(o.URL); err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			bad("URL", "%s", redisx.Masker(secrets)(strings.TrimPrefix(err.Error(), "redis: ")))
		}
	default:
		addr := o.Addr
		if addr == "" {
			addr = DefaultAddr
		}
		ropt = &goredis.Options{Addr: addr, Username: o.Username, Password: o.Password, DB: o.DB}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	s := &State{client: o.Client, ns: ns, mask: redisx.Masker(secrets)}
	desc := fmt.Sprintf("client %T", o.Client)
	if ropt != nil {
		// Fail fast rather than hold a call: honour ctx deadlines, dial
		// once, retry a command once (a pooled connection the server
		// closed meanwhile).
		ropt.ContextTimeoutEnabled = true
		ropt.MaxRetries = 1
		ropt.DialerRetries = 1
		ropt.DialTimeout = orDefault(o.DialTimeout, DefaultDialTimeout)
		ropt.ReadTimeout = orDefault(o.Timeout, DefaultTimeout)
		ropt.WriteTimeout = ropt.ReadTimeout
		s.client, s.owned = goredis.NewClient(ropt), true
		desc = fmt.Sprintf("%s db=%d", ropt.Addr, ropt.DB)
	}
	s.desc = fmt.Sprintf("redis.State(%s namespace=%q)", desc, ns)
	return s, nil
}

func orDefault(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

func (s *State) key(id, kind string) string { return s.ns + ":{" + id + "}:" + kind }

func (s *State) minuteKey(id, kind string, now time.Time) string {
	return s.key(id, kind) + ":" + strconv.FormatInt(minuteOf(now), 10)
}

func minuteOf(t time.Time) int64 {
	sec := t.Unix()
	if sec < 0 {
		return (sec - 59) / 60
	}
	return sec / 60
}

// Load implements [router.State]: one pipelined round trip of GETs.
func (s *State) Load(ctx context.Context, ids []string, now time.Time, out []router.Status) error {
	if err := s.usable(ctx); err != nil {
		return s.wrap(ctx, "load", err)
	}
	cmds := make([]*goredis.StringCmd, 0, 3*len(ids))
	_, err := s.client.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, id := range ids {
			cmds = append(cmds,
				p.Get(ctx, s.minuteKey(id, "rpm", now)),
				p.Get(ctx, s.minuteKey(id, "tpm", now)),
				p.Get(ctx, s.key(id, "cooldown")))
		}
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return s.wrap(ctx, "load", err)
	}
	for i := range ids {
		var st router.Status
		var err error
		if st.Requests, err = intOf(cmds[3*i]); err != nil {
			return s.wrap(ctx, "load", err)
		}
		if st.Tokens, err = intOf(cmds[3*i+1]); err != nil {
			return s.wrap(ctx, "load", err)
		}
		ms, err := intOf(cmds[3*i+2])
		if err != nil {
			return s.wrap(ctx, "load", err)
		}
		if ms > 0 {
			st.CooldownUntil = time.UnixMilli(ms)
		}
		out[i] = st
	}
	return nil
}

// intOf reads a GET's integer; a missing key is 0.
func intOf(c *goredis.StringCmd) (int64, error) {
	n, err := c.Int64()
	if errors.Is(err, goredis.Nil) {
		return 0, nil
	}
	return n, err
}

// AddUsage implements [router.State]: INCRBY and PEXPIRE of each counter
// in one transaction.
func (s *State) AddUsage(ctx context.Context, id string, now time.Time, requests, tokens int64) error {
	if requests == 0 && tokens == 0 {
		return nil
	}
	if err := s.usable(ctx); err != nil {
		return s.wrap(ctx, "add usage", err)
	}
	_, err := s.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		for _, c := range [...]struct {
			kind string
			n    int64
		}{{"rpm", requests}, {"tpm", tokens}} {
			if c.n != 0 {
				k := s.minuteKey(id, c.kind, now)
				p.IncrBy(ctx, k, c.n)
				p.PExpire(ctx, k, counterTTL)
			}
		}
		return nil
	})
	if err != nil {
		return s.wrap(ctx, "add usage", err)
	}
	return nil
}

// AddFailure implements [router.State]: INCR and PEXPIRE in one
// transaction.
func (s *State) AddFailure(ctx context.Context, id string, now time.Time) (int64, error) {
	if err := s.usable(ctx); err != nil {
		return 0, s.wrap(ctx, "add failure", err)
	}
	var n *goredis.IntCmd
	k := s.minuteKey(id, "fails", now)
	_, err := s.client.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		n = p.Incr(ctx, k)
		p.PExpire(ctx, k, counterTTL)
		return nil
	})
	if err != nil {
		return 0, s.wrap(ctx, "add failure", err)
	}
	return n.Val(), nil
}

// Cooldown implements [router.State]: SET of the end in Unix ms, expiring
// then.
func (s *State) Cooldown(ctx context.Context, id string, now, until time.Time) error {
	if err := s.usable(ctx); err != nil {
		return s.wrap(ctx, "cooldown", err)
	}
	ttl := until.Sub(now)
	if ttl < time.Millisecond {
		ttl = time.Millisecond
	}
	if err := s.client.Set(ctx, s.key(id, "cooldown"), until.UnixMilli(), ttl).Err(); err != nil {
		return s.wrap(ctx, "cooldown", err)
	}
	return nil
}

// Ping checks that the server answers.
func (s *State) Ping(ctx context.Context) error {
	if err := s.usable(ctx); err != nil {
		return s.wrap(ctx, "ping", err)
	}
	if err := s.client.Ping(ctx).Err(); err != nil {
		return s.wrap(ctx, "ping", err)
	}
	return nil
}

// Close closes the connections of a client New built (a Client passed in
// Options stays open). Close is idempotent; afterwards every method
// returns an error wrapping [ErrClosed].
func (s *State) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		if s.owned {
			if err := s.client.Close(); err != nil {
				s.closeErr = s.wrap(context.Background(), "close", err)
			}
		}
	})
	return s.closeErr
}

// String describes the state (address, database, namespace) without
// credentials; the router names it so in its logs.
func (s *State) String() string { return s.desc }

func (s *State) usable(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return ctx.Err()
}

// wrap returns "redis: <op>: <cause>" with the password masked, wrapping
// ctx.Err() when ctx is done ([redisx.Wrap]).
func (s *State) wrap(ctx context.Context, op string, err error) error {
	return redisx.Wrap(ctx, op, err, s.mask)
}
