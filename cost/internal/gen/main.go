// Command gen writes cost/prices_gen.go, the price table compiled into
// package cost, from LiteLLM's model_prices_and_context_window.json.
//
// prices_gen.go holds the table as a slice of rows sorted by key, the
// strings they refer to (one constant; a row holds ranges of it, so rows
// hold no pointer and the garbage collector never scans them), and a hash
// index over the rows (see package keyhash), with constant fields only, so
// the linker lays it out as static data: the package parses nothing and
// allocates nothing for it, at start-up or on first use.
//
// gen also writes a reduced copy of the source, kept only for the tests
// (testdata/prices.json.gz): LiteLLM's format with only the fields package
// cost reads, compact and gzipped. It checks that the copy loads to
// exactly the same table as the source, and package cost's tests check that
// the generated table equals what [cost.Load] reads from the copy. Both
// outputs depend only on the input: the entries are sorted and gzip gets
// no timestamp, so running gen twice gives identical files.
//
// Run it from the cost directory with go generate, or:
//
//	go run ./internal/gen -in path/to/model_prices_and_context_window.json
//
// then update the source commit and date in cost/doc.go and cost/NOTICE.
// gen imports package cost, which includes the output: if prices_gen.go is
// missing, create one holding "package cost" and "var embedded base"
// first so the package compiles.
package main

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"log"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/llmux/llmux/cost"
	"github.com/llmux/llmux/cost/internal/keyhash"
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
	out := flag.String("out", "prices_gen.go", "generated Go file")
	js := flag.String("json", "testdata/prices.json.gz", "reduced, gzipped copy of the source for the tests")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gen: ")
	if *in == "" {
		log.Fatal("-in is required")
	}
	if err := run(*in, *out, *js); err != nil {
		log.Fatal(err)
	}
}

func run(in, out, jsOut string) error {
	src, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	js, err := reduce(src)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if err := same(src, js); err != nil {
		return err
	}
	tab, err := cost.Load(bytes.NewReader(js))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(src)
	code, err := goSource(tab, fmt.Sprintf("%x", sum))
	if err != nil {
		return err
	}
	gz, err := gzipped(js)
	if err != nil {
		return err
	}

	if err := os.WriteFile(out, code, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(jsOut, gz, 0o644); err != nil {
		return err
	}
	fmt.Printf("gen: %s (sha256 %x, %d bytes, %d models) -> %s (%d bytes), %s (%d bytes JSON, %d gzipped)\n",
		in, sum, len(src), tab.Len(), out, len(code), jsOut, len(js), len(gz))
	return nil
}

// reduce keeps only the fields package cost reads, and drops sample_spec.
func reduce(src []byte) ([]byte, error) {
	var all map[string]map[string]json.RawMessage
	if err := json.Unmarshal(src, &all); err != nil {
		return nil, err
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
	return json.Marshal(reduced) // map keys are sorted: the output is stable
}

func gzipped(b []byte) ([]byte, error) {
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression) // no ModTime: reproducible
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return gz.Bytes(), nil
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

// key is a model name split at its first slash, as package cost's key
// type; its tests check that each generated key is what the package
// itself would make of the name.
type key struct{ prefix, name string }

func splitKey(s string) key {
	if p, n, ok := strings.Cut(s, "/"); ok && p != "" {
		return key{p, n}
	}
	return key{"", s}
}

// goSource returns prices_gen.go for tab: the rows sorted by key, so that
// the file reads well and changes little when prices change, and the hash
// index package cost searches.
func goSource(tab *cost.Table, sum string) ([]byte, error) {
	type entry struct {
		k key
		p cost.Price
	}
	var rows []entry
	for model, p := range tab.All() {
		rows = append(rows, entry{splitKey(model), p})
	}
	slices.SortFunc(rows, func(a, b entry) int {
		return cmp.Or(strings.Compare(a.k.prefix, b.k.prefix), strings.Compare(a.k.name, b.k.name))
	})
	if len(rows) > math.MaxUint16 {
		return nil, fmt.Errorf("%d models: the index holds at most %d", len(rows), math.MaxUint16)
	}

	// The index: open addressing with linear probing, at most half full
	// (so a miss ends soon, and always ends), as package cost searches it.
	n := 1
	for n < 2*len(rows) {
		n <<= 1
	}
	slots := make([]uint16, n)
	mask := uint32(n - 1)
	longest := 0
	for i, r := range rows {
		probes := 1
		h := keyhash.Sum(r.k.prefix, r.k.name) & mask
		for slots[h] != 0 {
			h = (h + 1) & mask
			probes++
		}
		slots[h] = uint16(i + 1)
		longest = max(longest, probes)
	}

	// The strings: each distinct one once, in first-use order.
	var strs strings.Builder
	spans := map[string]string{}
	span := func(v string) string {
		if sp, ok := spans[v]; ok {
			return sp
		}
		sp := fmt.Sprintf("span{%d, %d}", strs.Len(), len(v))
		strs.WriteString(v)
		spans[v] = sp
		return sp
	}
	var body bytes.Buffer
	for _, r := range rows {
		p := r.p
		provider, mode := p.Provider, p.Mode
		p.Provider, p.Mode = "", ""
		fields, err := literal(p)
		if err != nil {
			return nil, fmt.Errorf("model %q: %w", r.k.prefix+"/"+r.k.name, err)
		}
		fmt.Fprintf(&body, "// %s\n{%s, %s, %s, %s, numbers{%s}},\n", strconv.Quote(strings.TrimPrefix(r.k.prefix+"/"+r.k.name, "/")),
			span(r.k.prefix), span(r.k.name), span(provider), span(mode), fields)
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by cost/internal/gen from LiteLLM's model_prices_and_context_window.json\n")
	fmt.Fprintf(&b, "// (sha256 %s); DO NOT EDIT.\n\n", sum)
	fmt.Fprintf(&b, "package cost\n\n")
	fmt.Fprintf(&b, "// embedded is the base of [Default]. Its fields are constants, so it is\n")
	fmt.Fprintf(&b, "// static data: nothing runs to build it.\n")
	fmt.Fprintf(&b, "var embedded = base{\n")
	fmt.Fprintf(&b, "strs: \"\" +\n")
	all := strs.String()
	for len(all) > 0 {
		n := min(len(all), 96)
		fmt.Fprintf(&b, "%s", strconv.Quote(all[:n]))
		all = all[n:]
		if len(all) > 0 {
			b.WriteString(" +")
		} else {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\nrows: []packed{\n")
	b.Write(body.Bytes())
	fmt.Fprintf(&b, "},\n\n")
	fmt.Fprintf(&b, "// %d slots for %d rows; a key is at most %d probes from its start.\n", n, len(rows), longest)
	fmt.Fprintf(&b, "slots: []uint16{")
	for i, s := range slots {
		if i%16 == 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%d, ", s)
	}
	fmt.Fprintf(&b, "\n},\n}\n")
	return format.Source(b.Bytes())
}

// literal returns the fields of p that are not zero as "Name: value, ...",
// in the order Price declares them. Floats are written in the shortest
// form that reads back as the same float64.
func literal(p cost.Price) (string, error) {
	v := reflect.ValueOf(p)
	var parts []string
	for i := range v.NumField() {
		f := v.Field(i)
		if f.IsZero() {
			continue
		}
		var s string
		switch f.Kind() {
		case reflect.String:
			s = strconv.Quote(f.String())
		case reflect.Int:
			s = strconv.FormatInt(f.Int(), 10)
		case reflect.Float64:
			s = strconv.FormatFloat(f.Float(), 'g', -1, 64)
		case reflect.Bool:
			s = strconv.FormatBool(f.Bool())
		default:
			return "", fmt.Errorf("field %s: kind %s not supported", v.Type().Field(i).Name, f.Kind())
		}
		parts = append(parts, v.Type().Field(i).Name+": "+s)
	}
	return strings.Join(parts, ", "), nil
}
