// Package redis is the Redis implementation of [router.State]: the
// routers of several gateway processes that use the same Redis server,
// database and namespace share their deployments' cooldowns, failure
// counts and per-minute request and token counters — what LiteLLM's
// Router keeps in Redis when given redis_host, redis_port and
// redis_password.
//
// # Quick start
//
//	st, err := redis.New(redis.Options{Addr: "redis:6379", Password: os.Getenv("REDIS_PASSWORD")})
//	if err != nil {
//		return err
//	}
//	defer st.Close()
//	r, err := router.New(deployments, router.WithState(st))
//
// # Failures
//
// The router bounds each operation (router.WithStateTimeout, 100ms by
// default); a State honours ctx deadlines on every socket operation, dials
// once and retries a command at most once. When Redis fails or hangs, the
// router uses its own in-memory state for a second, logs at most every
// 10s, and tries again: calls go on, each deployment's health and usage
// as this process alone sees them. Errors read "redis: load: ...",
// "redis: cooldown: ..." and never contain the password.
//
// The server's clock plays no part: windows are the Unix minutes of the
// routers' clocks, which must be synchronised (NTP); only expiries are
// Redis's.
package redis
