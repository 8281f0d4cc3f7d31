// Command file writes every finished call's standard logging payload as
// one JSON line to a local file that rotates by size, as LiteLLM's file
// loggers keep a call log: events.jsonl, then events.jsonl.1, .2 ... once
// it grows past the limit. The gateway's config turns the same logger on
// with callbacks: ["file"] (LLMUX_FILE_PATH, LLMUX_FILE_MAX_BYTES,
// LLMUX_FILE_MAX_BACKUPS).
//
//	go run ./examples/file
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/file"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer) error {
	dir, err := os.MkdirTemp("", "llmux-file-example")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "events.jsonl")

	// A small limit, so that five calls rotate the file: a line is ~3.5 KiB.
	l, err := file.New(path, file.WithMaxBytes(8<<10), file.WithMaxBackups(2))
	if err != nil {
		return err
	}
	c, err := llmux.New(llmux.WithCallbacks(l), llmux.WithMaxRetries(0))
	if err != nil {
		return err
	}
	for _, m := range []string{"one", "two", "three", "four", "litellm.RateLimitError"} {
		_, _ = c.Completion(ctx, &llmux.Request{Model: "gpt-3.5-turbo",
			Messages: []llmux.Message{llmux.User("hi")}, MockResponse: m})
	}
	if err := c.Close(ctx); err != nil { // delivers what is queued, then closes the file
		return err
	}

	names, err := filepath.Glob(path + "*")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		fi, _ := f.Stat()
		fmt.Fprintf(out, "%s (mode %v):\n", filepath.Base(name), fi.Mode().Perm())
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var p struct {
				Status       string  `json:"status"`
				Model        string  `json:"model"`
				ResponseCost float64 `json:"response_cost"`
			}
			if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
				f.Close()
				return err
			}
			fmt.Fprintf(out, "  %s %s cost=%g\n", p.Status, p.Model, p.ResponseCost)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return err
		}
	}
	return nil
}
