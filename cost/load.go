package cost

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
)

// sampleSpec is the entry of LiteLLM's file that documents the fields
// rather than pricing a model.
const sampleSpec = "sample_spec"

// entry holds the fields of one LiteLLM entry this package reads. Pointers
// tell an absent price from a zero one.
type entry struct {
	Provider        string   `json:"litellm_provider"`
	Mode            string   `json:"mode"`
	MaxInputTokens  *float64 `json:"max_input_tokens"` // 2000000.0 in places
	MaxOutputTokens *float64 `json:"max_output_tokens"`

	Input         *float64 `json:"input_cost_per_token"`
	Output        *float64 `json:"output_cost_per_token"`
	CacheRead     *float64 `json:"cache_read_input_token_cost"`
	CacheCreation *float64 `json:"cache_creation_input_token_cost"`
	Reasoning     *float64 `json:"output_cost_per_reasoning_token"`

	Input200k         *float64 `json:"input_cost_per_token_above_200k_tokens"`
	Output200k        *float64 `json:"output_cost_per_token_above_200k_tokens"`
	CacheRead200k     *float64 `json:"cache_read_input_token_cost_above_200k_tokens"`
	CacheCreation200k *float64 `json:"cache_creation_input_token_cost_above_200k_tokens"`

	Input128k  *float64 `json:"input_cost_per_token_above_128k_tokens"`
	Output128k *float64 `json:"output_cost_per_token_above_128k_tokens"`
}

// Load reads a price table in the format of LiteLLM's
// model_prices_and_context_window.json: one JSON object whose keys are model
// names and whose values are objects of fields. It reads the fields named in
// the comments of [Price] and ignores the rest, and skips the "sample_spec"
// entry. An entry with neither input_cost_per_token nor
// output_cost_per_token is kept, for [Table.ProviderOf], but marked
// [Price.Unpriced].
//
// An error names the model and the field at fault: a field of the wrong
// type, a negative or non-finite price, a fractional token limit.
func Load(r io.Reader) (*Table, error) {
	dec := json.NewDecoder(bufio.NewReader(r))
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	t := New()
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("cost: load: %w", err)
		}
		model := tok.(string) // object keys are always strings
		if model == sampleSpec {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fmt.Errorf("cost: load: model %q: %w", model, err)
			}
			continue
		}
		var e entry
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("cost: load: model %q: %w", model, describe(err))
		}
		p, err := e.price()
		if err != nil {
			return nil, fmt.Errorf("cost: load: model %q: %w", model, err)
		}
		t.set(splitKey(model), p)
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("cost: load: data after the top-level object")
	}
	return t, nil
}

// LoadFile is [Load] for the file at path.
func LoadFile(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cost: %w", err)
	}
	defer f.Close()
	t, err := Load(f)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return t, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err == io.EOF {
		return fmt.Errorf("cost: load: unexpected end of input, want %q", want)
	}
	if err != nil {
		return fmt.Errorf("cost: load: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("cost: load: want %q, got %v", want, tok)
	}
	return nil
}

// describe turns a decoding error into one naming the field.
func describe(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return fmt.Errorf("want a JSON object, got %s", te.Value)
		}
		want := "a string"
		if te.Type.Kind() == reflect.Float64 {
			want = "a number"
		}
		return fmt.Errorf("field %q: want %s, got %s", te.Field, want, te.Value)
	}
	return err
}

func (e *entry) price() (Price, error) {
	p := Price{
		Provider: e.Provider,
		Mode:     e.Mode,
		Unpriced: e.Input == nil && e.Output == nil,
	}
	var err error
	if p.MaxInputTokens, err = tokens("max_input_tokens", e.MaxInputTokens); err != nil {
		return p, err
	}
	if p.MaxOutputTokens, err = tokens("max_output_tokens", e.MaxOutputTokens); err != nil {
		return p, err
	}
	for _, f := range []struct {
		name string
		src  *float64
		dst  *float64
	}{
		{"input_cost_per_token", e.Input, &p.InputPerToken},
		{"output_cost_per_token", e.Output, &p.OutputPerToken},
		{"cache_read_input_token_cost", e.CacheRead, &p.CacheReadPerToken},
		{"cache_creation_input_token_cost", e.CacheCreation, &p.CacheCreationPerToken},
		{"output_cost_per_reasoning_token", e.Reasoning, &p.ReasoningPerToken},
		{"input_cost_per_token_above_200k_tokens", e.Input200k, &p.InputPerTokenAbove200k},
		{"output_cost_per_token_above_200k_tokens", e.Output200k, &p.OutputPerTokenAbove200k},
		{"cache_read_input_token_cost_above_200k_tokens", e.CacheRead200k, &p.CacheReadPerTokenAbove200k},
		{"cache_creation_input_token_cost_above_200k_tokens", e.CacheCreation200k, &p.CacheCreationPerTokenAbove200k},
		{"input_cost_per_token_above_128k_tokens", e.Input128k, &p.InputPerTokenAbove128k},
		{"output_cost_per_token_above_128k_tokens", e.Output128k, &p.OutputPerTokenAbove128k},
	} {
		if f.src == nil {
			continue
		}
		if *f.src < 0 {
			return p, fmt.Errorf("field %q: price %v is negative", f.name, *f.src)
		}
		*f.dst = *f.src
	}
	return p, nil
}

// tokens converts a token limit, which LiteLLM sometimes writes as a float.
func tokens(field string, v *float64) (int, error) {
	if v == nil {
		return 0, nil
	}
	if *v < 0 || *v != math.Trunc(*v) || *v > 1<<40 {
		return 0, fmt.Errorf("field %q: %v is not a token count", field, *v)
	}
	return int(*v), nil
}
