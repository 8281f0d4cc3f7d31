package redis

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

func TestNew_RejectsBadOptions(t *testing.T) {
	// Clients that New only inspects: no I/O happens, Close releases them.
	noCtx := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1"})
	defer noCtx.Close()
	good := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer good.Close()

	for _, tt := range []struct {
		name string
		o    Options
		want []string // each must appear in the error
	}{
		{"negative TTL", Options{TTL: -time.Second}, []string{"redis: Options.TTL: must not be negative, got -1s"}},
		{"port too big", Options{Port: 70000}, []string{"redis: Options.Port: must be between 1 and 65535, got 70000"}},
		{"port negative", Options{Port: -1}, []string{"redis: Options.Port: must be between 1 and 65535, got -1"}},
		{"negative DB", Options{DB: -1}, []string{"redis: Options.DB: must not be negative, got -1"}},
		{"negative PoolSize", Options{PoolSize: -1}, []string{"redis: Options.PoolSize:"}},
		{"negative DialTimeout", Options{DialTimeout: -1}, []string{"redis: Options.DialTimeout:"}},
		{"negative Timeout", Options{Timeout: -1}, []string{"redis: Options.Timeout:"}},
		{"host with port", Options{Host: "localhost:6379"}, []string{"redis: Options.Host: must be a host without a port"}},
		{"URL and Host", Options{URL: "redis://localhost:6379", Host: "localhost"},
			[]string{"redis: Options.Host: must be unset when Options.URL is set"}},
		{"URL and every connection field", Options{URL: "redis://localhost:6379", Host: "h", Port: 1, Username: "u", Password: "p", DB: 1},
			[]string{"Options.Host:", "Options.Port:", "Options.Username:", "Options.Password:", "Options.DB:"}},
		{"bad URL scheme", Options{URL: "http://localhost:6379"}, []string{"redis: Options.URL: invalid URL scheme: http"}},
		{"bad URL port", Options{URL: "redis://localhost:port"}, []string{"redis: Options.URL: invalid port"}},
		{"bad URL db", Options{URL: "redis://localhost:6379/x"}, []string{"redis: Options.URL: invalid database number"}},
		{"negative DB in URL", Options{URL: "redis://localhost:6379/-1"}, []string{"redis: Options.URL: database number must not be negative, got -1"}},
		{"TLS with redis:// URL", Options{URL: "redis://localhost:6379", TLS: &tls.Config{}}, []string{"redis: Options.TLS: set with a URL that is not rediss://"}},
		{"Client and Host", Options{Client: good, Host: "localhost"}, []string{"redis: Options.Host: must be unset when Options.Client is set"}},
		{"Client and URL", Options{Client: good, URL: "redis://localhost"}, []string{"redis: Options.URL: must be unset when Options.Client is set"}},
		{"Client without ContextTimeoutEnabled", Options{Client: noCtx}, []string{"redis: Options.Client: must be built with ContextTimeoutEnabled: true"}},
		{"all problems at once", Options{TTL: -1, Port: 0x10000, DB: -2},
			[]string{"Options.TTL:", "Options.Port:", "Options.DB:"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.o)
			if err == nil {
				_ = c.Close()
				t.Fatalf("New(%s) succeeded", tt.name)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestNew_URLErrorMasksPassword(t *testing.T) {
	const password = "s3cret-pass-123"
	for _, u := range []string{
		"redis://user:" + password + "@localhost:port/0",
		"redis://user:" + password + "@localhost:6379/x",
		"redis://user:" + password + "@local host:6379",
		"redis://user:s3cret%2Dpass-123@localhost:port",
	} {
		_, err := New(Options{URL: u})
		if err == nil {
			t.Fatalf("New(URL %q) succeeded", u)
		}
		if strings.Contains(err.Error(), password) || strings.Contains(err.Error(), "s3cret%2Dpass-123") {
			t.Errorf("error reveals the password: %v", err)
		}
	}
}

func TestNew_DoesNoIO(t *testing.T) {
	// Nothing listens on port 1: New must still succeed.
	c, err := New(Options{Host: "127.0.0.1", Port: 1})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	_ = c.Close()
}

func TestNew_ReadsEnvironmentDefaults(t *testing.T) {
	t.Setenv("REDIS_HOST", "redis.example")
	t.Setenv("REDIS_PORT", "6380")
	t.Setenv("REDIS_PASSWORD", "env-secret-4567")
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if s := c.String(); !strings.Contains(s, "redis.example:6380") || strings.Contains(s, "env-secret") {
		t.Errorf("String() = %q, want redis.example:6380 and no password", s)
	}
	if got := c.client.(*goredis.Client).Options().Password; got != "env-secret-4567" {
		t.Errorf("password = %q, want $REDIS_PASSWORD", got)
	}

	// Explicit fields win over the environment.
	c2, err := New(Options{Host: "h", Port: 1234, Password: "explicit"})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if o := c2.client.(*goredis.Client).Options(); o.Addr != "h:1234" || o.Password != "explicit" {
		t.Errorf("explicit fields: Addr %q, Password %q", o.Addr, o.Password)
	}

	// A URL ignores the environment.
	c3, err := New(Options{URL: "redis://other:7000"})
	if err != nil {
		t.Fatalf("URL with REDIS_* set: %v", err)
	}
	defer c3.Close()
	if o := c3.client.(*goredis.Client).Options(); o.Addr != "other:7000" || o.Password != "" {
		t.Errorf("URL: Addr %q, Password %q", o.Addr, o.Password)
	}
}

func TestNew_RejectsBadEnvironment(t *testing.T) {
	t.Setenv("REDIS_PORT", "not-a-port")
	t.Setenv("REDIS_HOST", "host:1")
	_, err := New(Options{})
	if err == nil {
		t.Fatal("New succeeded")
	}
	for _, w := range []string{`redis: $REDIS_PORT: must be a port number between 1 and 65535, got "not-a-port"`, "redis: $REDIS_HOST: must be a host without a port"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}

func TestNew_DefaultsToLocalhost6379(t *testing.T) {
	t.Setenv("REDIS_HOST", "")
	t.Setenv("REDIS_PORT", "")
	t.Setenv("REDIS_PASSWORD", "")
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	o := c.client.(*goredis.Client).Options()
	if o.Addr != "127.0.0.1:6379" || c.prefix != "llmux:" {
		t.Errorf("Addr %q prefix %q; want 127.0.0.1:6379, llmux:", o.Addr, c.prefix)
	}
}

func TestNew_TunesClientToFailFast(t *testing.T) {
	c, err := New(Options{Host: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	o := c.client.(*goredis.Client).Options()
	if !o.ContextTimeoutEnabled {
		t.Error("ContextTimeoutEnabled is false: ctx deadlines would be ignored on reads")
	}
	if o.MaxRetries != 1 || o.DialerRetries != 1 {
		t.Errorf("MaxRetries %d, DialerRetries %d; want 1, 1", o.MaxRetries, o.DialerRetries)
	}
	if o.DialTimeout != DefaultDialTimeout || o.ReadTimeout != DefaultTimeout || o.WriteTimeout != DefaultTimeout {
		t.Errorf("timeouts dial %v read %v write %v", o.DialTimeout, o.ReadTimeout, o.WriteTimeout)
	}

	// A URL's own settings stay; ours fill the rest.
	c2, err := New(Options{URL: "redis://localhost?dial_timeout=3s&max_retries=2", Timeout: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	o = c2.client.(*goredis.Client).Options()
	if o.DialTimeout != 3*time.Second || o.MaxRetries != 2 || o.ReadTimeout != 250*time.Millisecond || !o.ContextTimeoutEnabled {
		t.Errorf("URL options: dial %v retries %d read %v ctx %v", o.DialTimeout, o.MaxRetries, o.ReadTimeout, o.ContextTimeoutEnabled)
	}
}

func TestNew_TLSSetsServerName(t *testing.T) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	c, err := New(Options{Host: "cache.example", TLS: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := c.client.(*goredis.Client).Options().TLSConfig
	if got == nil || got.ServerName != "cache.example" || got == cfg || cfg.ServerName != "" {
		t.Errorf("TLSConfig = %+v; want a clone with ServerName cache.example", got)
	}

	c2, err := New(Options{URL: "rediss://cache.example:6380", TLS: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if got := c2.client.(*goredis.Client).Options().TLSConfig; got == nil || got.ServerName != "cache.example" || got.MinVersion != tls.VersionTLS12 {
		t.Errorf("rediss TLSConfig = %+v", got)
	}
}
