// Command llmux calls LLM providers from the command line and can print
// every callback event as JSON lines. Run "llmux help" for usage.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/llmux/llmux/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
