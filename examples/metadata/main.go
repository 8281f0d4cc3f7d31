// Command metadata mirrors LiteLLM's "Passing metadata to custom
// callbacks": completion(..., metadata={"hello": "world"}) read back in
// the logger as kwargs["litellm_params"]["metadata"].
//
// In llmux the request's Metadata travels with the call into every event
// as Event.Metadata (and, for loggers ported from LiteLLM, under
// litellm.Kwargs(e)["litellm_params"]["metadata"]); it never reaches the
// provider. Runs offline on the built-in mock provider.
//
//	go run ./examples/metadata
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/llmux/llmux"
	"github.com/llmux/llmux/litellm"
)

// MetadataLogger prints the metadata each event carries.
type MetadataLogger struct{ out io.Writer }

var (
	_ llmux.PreAPICallLogger = (*MetadataLogger)(nil)
	_ llmux.SuccessLogger    = (*MetadataLogger)(nil)
)

// LogPreAPICall shows that the metadata is not part of the provider body.
func (l *MetadataLogger) LogPreAPICall(_ context.Context, e *llmux.Event) {
	fmt.Fprintf(l.out, "pre-API call: metadata=%v, body sent=%s\n", e.Metadata, e.Attempt.RequestBody)
}

// LogSuccessEvent reads the metadata the typed way and the LiteLLM way.
func (l *MetadataLogger) LogSuccessEvent(_ context.Context, e *llmux.Event) {
	fmt.Fprintf(l.out, "success: e.Metadata[\"hello\"] = %v\n", e.Metadata["hello"])

	// LiteLLM: kwargs["litellm_params"]["metadata"]
	params, _ := litellm.Kwargs(e)["litellm_params"].(map[string]any)
	md, _ := params["metadata"].(map[string]any)
	fmt.Fprintf(l.out, "success: kwargs[\"litellm_params\"][\"metadata\"] = %v\n", md)
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer) (err error) {
	// Inline runs the success event before Completion returns, so the
	// output needs neither a lock nor a Flush.
	c, err := llmux.New(llmux.WithCallbacks(llmux.Inline(&MetadataLogger{out: w})))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.Close(context.WithoutCancel(ctx))) }()

	resp, err := c.Completion(ctx, &llmux.Request{
		Model:        "gpt-3.5-turbo",
		Messages:     []llmux.Message{llmux.User("Hi 👋 - i'm openai")},
		Metadata:     map[string]any{"hello": "world"},
		MockResponse: "Hello, world!",
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "response: %q\n", resp.Text())
	return nil
}
