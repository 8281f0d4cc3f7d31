package redis_test

import (
	"context"
	"log"
	"os"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/llmux/llmux/cache/redis"
)

// Example_options shows the three ways to name the server. It has no
// output to check because it needs a running Redis.
func Example_options() {
	// LiteLLM's Cache(type="redis", host=..., port=..., password=...).
	c, err := redis.New(redis.Options{
		Host:     "localhost",
		Port:     6379,
		Password: os.Getenv("REDIS_PASSWORD"),
		TTL:      time.Hour, // for values stored with ttl 0
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	// The same as a URL; rediss:// would use TLS.
	byURL, err := redis.New(redis.Options{URL: "redis://localhost:6379/0", Namespace: "myapp"})
	if err != nil {
		log.Fatal(err)
	}
	defer byURL.Close()

	// A client you build, e.g. for a cluster; Close leaves it open.
	cluster := goredis.NewClusterClient(&goredis.ClusterOptions{
		Addrs:                 []string{"node1:6379", "node2:6379"},
		ContextTimeoutEnabled: true,
	})
	defer cluster.Close()
	onCluster, err := redis.New(redis.Options{Client: cluster})
	if err != nil {
		log.Fatal(err)
	}
	defer onCluster.Close()

	// New does no I/O; Ping checks the server is there.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := c.Ping(ctx); err != nil {
		log.Printf("cache unavailable: %v", err)
	}
}
