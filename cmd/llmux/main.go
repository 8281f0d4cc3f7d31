// Command llmux is the llmux gateway (llmux serve) and a command-line
// client (llmux complete) that can print every callback event as JSON
// lines. Run "llmux help" for usage.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/llmux/llmux/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
