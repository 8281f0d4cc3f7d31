package cache_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/llmux/llmux/cache"
)

func ExampleNewMemory() {
	c, err := cache.NewMemory(cache.WithTTL(10 * time.Minute))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	if err := c.Set(ctx, "greeting", []byte("hello"), 0); err != nil { // 0: the default lifetime
		fmt.Println(err)
		return
	}
	v, ok, err := c.Get(ctx, "greeting")
	fmt.Println(string(v), ok, err, c.Len())
	// Output: hello true <nil> 1
}

func ExampleNewMemory_invalidOptions() {
	_, err := cache.NewMemory(cache.WithTTL(0), cache.WithMaxEntries(-1))
	fmt.Println(err)
	// Output:
	// cache: WithTTL: must be positive, got 0s
	// cache: WithMaxEntries: must be at least 1, got -1
}

func ExampleMemory_Stats() {
	c, err := cache.NewMemory(cache.WithMaxEntries(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	_ = c.Set(ctx, "a", []byte("1"), 0)
	_ = c.Set(ctx, "b", []byte("2"), 0)
	_, _, _ = c.Get(ctx, "a")           // a is now the most recently used
	_ = c.Set(ctx, "c", []byte("3"), 0) // evicts b, the least recently used

	for _, k := range []string{"a", "b", "c"} {
		_, ok, _ := c.Get(ctx, k)
		fmt.Println(k, ok)
	}
	fmt.Printf("%+v\n", c.Stats())
	// Output:
	// a true
	// b false
	// c true
	// {Entries:2 Bytes:132 Evictions:1 Expirations:0}
}

func ExampleErrTooLarge() {
	c, err := cache.NewMemory(cache.WithMaxBytes(1024))
	if err != nil {
		fmt.Println(err)
		return
	}
	err = c.Set(context.Background(), "big", make([]byte, 4096), 0)
	fmt.Println(errors.Is(err, cache.ErrTooLarge))
	fmt.Println(err)
	// Output:
	// true
	// cache: entry too large for the memory cache: value of 4096 bytes (4163 with key and overhead) exceeds the limit of 1024 bytes
}
