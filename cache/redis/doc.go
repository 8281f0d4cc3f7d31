// Package redis is the Redis implementation of [llmux.Cache], for answers
// shared between processes and kept across restarts. It is configured
// like LiteLLM's Cache(type="redis", host=..., port=..., password=...),
// and reads the same REDIS_HOST, REDIS_PORT and REDIS_PASSWORD defaults.
//
// # Quick start
//
//	c, err := redis.New(redis.Options{
//		Host:     "localhost",
//		Port:     6379,
//		Password: os.Getenv("REDIS_PASSWORD"),
//		TTL:      time.Hour, // 0: no expiry, LiteLLM's default
//	})
//	if err != nil {
//		return err
//	}
//	defer c.Close()
//	client, err := llmux.New(llmux.WithCache(c))
//
// or name the server by URL: redis.Options{URL: "rediss://user:pass@host:6380/0"}.
// For a cluster or sentinel setup, build a go-redis client yourself, with
// ContextTimeoutEnabled: true, and pass it as [Options.Client].
//
// # Keys and values
//
// The value of key k is stored as a Redis string under "<Namespace>:<k>"
// ("llmux:<k>" by default) with SET, and an expiry in milliseconds when
// the Set's ttl or [Options.TTL] gives one. Values are opaque bytes.
//
// # Failures
//
// The llmux client calls Get and Set with a short deadline (100ms by
// default) and treats any error as a miss. A Cache honours ctx deadlines
// on every socket operation, dials once and retries a command at most
// once, so a hung or unreachable server costs a call at most its cache
// deadline and never fails it. Errors read "redis: get: ...",
// "redis: set: ..." and never contain the password.
//
// After an error the client rests the cache (llmux.WithCacheRetryInterval,
// 1s by default) and logs the outage at most once per
// llmux.WithCacheLogInterval. go-redis itself writes a line to its own
// global logger (stderr by default) for each failed dial, so with the
// cache resting, at most one or two a second during an outage. To route
// or silence those, call go-redis's SetLogger once in main; a library
// should not change that global setting, so this package does not.
//
// The in-memory cache is in package [github.com/llmux/llmux/cache].
package redis
