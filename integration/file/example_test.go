package file_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/integration/file"
)

func Example() {
	dir, _ := os.MkdirTemp("", "llmux-file")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "events.jsonl")

	l, err := file.New(path, file.WithMaxBytes(10<<20), file.WithMaxBackups(3))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := llmux.New(llmux.WithCallbacks(l))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _ = c.Completion(context.Background(), &llmux.Request{Model: "gpt-3.5-turbo",
		Messages: []llmux.Message{llmux.User("hi")}, MockResponse: "hello"})
	_ = c.Close(context.Background()) // writes the line, closes the file

	b, _ := os.ReadFile(path)
	var p map[string]any
	_ = json.Unmarshal(b, &p)
	fi, _ := os.Stat(path)
	fmt.Println(p["status"], p["model"], p["total_tokens"], fi.Mode().Perm())
	// Output: success gpt-3.5-turbo 30 -rw-------
}
