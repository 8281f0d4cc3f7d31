// Command gen writes cost/prices.json.gz, the price table embedded by
// package cost, from LiteLLM's model_prices_and_context_window.json.
//
// It keeps only the fields package cost reads, writes the result as
// compact JSON in LiteLLM's own format (so [cost.Load] reads it like the
// original), gzips it without a timestamp so the output is reproducible,
// and checks that the result loads to exactly the same table as the input.
//
// Run it from the cost directory with go generate, or:
//
//	go run ./internal/gen -in path/to/model_prices_and_context_window.json -out prices.json.gz
//
// then update the source commit and date in cost/doc.go and cost/NOTICE.
// gen imports package cost, which embeds the output: if prices.json.gz is
// missing, create an empty one first so the package compiles.
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/llmux/llmux/cost"
)

// keep lists the fields package cost reads.
var keep = []string{
	"litellm_provider", "mode", "max_input_tokens", "max_output_tokens",
	"input_cost_per_token", "output_cost_per_token",
	"cache_read_input_token_cost", "cache_creation_input_token_cost",
	"output_cost_per_reasoning_token",
	"input_cost_per_token_above_200k_tokens", "output_cost_per_token_above_200k_tokens",
	"cache_read_input_token_cost_above_200k_tokens", "cache_creation_input_token_cost_above_200k_tokens",
	"input_cost_per_token_above_128k_tokens", "output_cost_per_token_above_128k_tokens",
}

func main() {
	in := flag.String("in", "", "LiteLLM model_prices_and_context_window.json")
	out := flag.String("out", "prices.json.gz", "output file")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gen: ")
	if *in == "" {
		log.Fatal("-in is required")
	}
	if err := run(*in, *out); err != nil {
		log.Fatal(err)
	}
}

func run(in, out string) error {
	src, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var all map[string]map[string]json.RawMessage
	if err := json.Unmarshal(src, &all); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	delete(all, "sample_spec")
	reduced := make(map[string]map[string]json.RawMessage, len(all))
	for model, fields := range all {
		r := make(map[string]json.RawMessage)
		for _, f := range keep {
			if v, ok := fields[f]; ok {
				r[f] = v
			}
		}
		reduced[model] = r
	}
	js, err := json.Marshal(reduced) // map keys are sorted: the output is stable
	if err != nil {
		return err
	}

	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(js); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}

	if err := same(src, js); err != nil {
		return err
	}
	if err := os.WriteFile(out, gz.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("gen: %s (sha256 %x, %d bytes, %d models) -> %s (%d bytes JSON, %d gzipped)\n",
		in, sha256.Sum256(src), len(src), len(reduced), out, len(js), gz.Len())
	return nil
}

// same checks that the reduced JSON loads to the same table as the source.
func same(src, reduced []byte) error {
	a, err := cost.Load(bytes.NewReader(src))
	if err != nil {
		return fmt.Errorf("load source: %w", err)
	}
	b, err := cost.Load(bytes.NewReader(reduced))
	if err != nil {
		return fmt.Errorf("load reduced: %w", err)
	}
	if a.Len() != b.Len() {
		return fmt.Errorf("reduced table has %d models, source %d", b.Len(), a.Len())
	}
	for model, p := range a.All() {
		if q, ok := b.Lookup("", model); !ok || q != p {
			return fmt.Errorf("model %q: reduced %+v, source %+v", model, q, p)
		}
	}
	return nil
}
