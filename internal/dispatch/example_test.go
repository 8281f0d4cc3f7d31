package dispatch_test

import (
	"context"
	"fmt"

	"github.com/llmux/llmux/internal/dispatch"
)

func Example() {
	// The handler runs on the queue's own goroutine, one value at a time.
	q := dispatch.New(4096, func(line string) { fmt.Println(line) })
	for _, line := range []string{"first", "second", "third"} {
		if err := q.Offer(line); err != nil { // never blocks
			fmt.Println("dropped:", err)
		}
	}
	// Close drains what was accepted, then stops the goroutine.
	if err := q.Close(context.Background()); err != nil {
		fmt.Println(err)
	}
	fmt.Println(q.Offer("late"))
	// Output:
	// first
	// second
	// third
	// dispatch: queue closed
}

func ExampleNewBatch() {
	// The handler gets all the values waiting at once, however many that
	// is. The slice is only lent until it returns: copy it to keep it.
	total, batches := 0, 0
	q := dispatch.NewBatch(4096, func(batch []int) {
		batches++
		for _, v := range batch {
			total += v
		}
	})
	for v := 1; v <= 100; v++ {
		_ = q.Offer(v)
	}
	_ = q.Close(context.Background()) // total and batches are settled now
	fmt.Println(total, batches >= 1 && batches <= 100)
	// Output:
	// 5050 true
}
