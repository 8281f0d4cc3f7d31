package gemini

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/llmux/llmux"
)

// object builds a JSON object with keys in insertion order, so request
// bodies are byte-for-byte deterministic.
type object struct {
	keys []string
	vals [][]byte
}

// field is one member of an object, set only when when holds.
type field struct {
	key  string
	val  any
	when bool
}

// set encodes v (without HTML escaping) under key, replacing an existing
// value in place.
func (o *object) set(key string, v any) error {
	b, err := marshal(v)
	if err != nil {
		return fmt.Errorf("gemini: encode %s: %w", key, err)
	}
	o.setRaw(key, b)
	return nil
}

// setEach sets, in order, each field whose when holds.
func (o *object) setEach(fields []field) error {
	for _, f := range fields {
		if f.when {
			if err := o.set(f.key, f.val); err != nil {
				return err
			}
		}
	}
	return nil
}

func (o *object) setRaw(key string, b []byte) {
	if i := slices.Index(o.keys, key); i >= 0 {
		o.vals[i] = b
		return
	}
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, b)
}

func (o *object) len() int { return len(o.keys) }

// MarshalJSON writes the object.
func (o *object) MarshalJSON() ([]byte, error) { return o.bytes(), nil }

func (o *object) bytes() []byte {
	n := 2
	for i, k := range o.keys {
		n += len(k) + len(o.vals[i]) + 4
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	for i, k := range o.keys {
		if i > 0 {
			b = append(b, ',')
		}
		kb, _ := marshal(k) // a string always encodes
		b = append(b, kb...)
		b = append(b, ':')
		b = append(b, o.vals[i]...)
	}
	return append(b, '}')
}

// marshal encodes v like json.Marshal but leaves <, > and & unescaped and
// drops the encoder's trailing newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// compact validates and compacts raw JSON given by the caller.
func (p *Provider) compact(raw json.RawMessage, param, where string) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, p.invalidParam(param, "%s: %s is not valid JSON", where, param)
	}
	return buf.Bytes(), nil
}

func (p *Provider) invalidRequest(format string, args ...any) *llmux.Error {
	return &llmux.Error{Code: llmux.CodeInvalidRequest, Provider: p.cfg.name, Message: fmt.Sprintf(format, args...)}
}

// invalidParam is invalidRequest naming the parameter at fault.
func (p *Provider) invalidParam(param, format string, args ...any) *llmux.Error {
	e := p.invalidRequest(format, args...)
	e.Param = param
	return e
}
