// Package jsonobj builds JSON objects whose members keep their insertion
// order, so that the request bodies providers build are byte-for-byte
// deterministic (golden tests, cache keys, the body events report).
package jsonobj

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
)

// Object is a JSON object under construction. The zero value is empty and
// ready to use.
type Object struct {
	keys []string
	vals [][]byte
}

// Field is one member, set by [Object.SetEach] only when When holds.
type Field struct {
	Key  string
	Val  any
	When bool
}

// Set encodes v (without HTML escaping) under key, replacing an existing
// value in place.
func (o *Object) Set(key string, v any) error {
	b, err := Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	o.SetRaw(key, b)
	return nil
}

// SetEach sets, in order, each field whose When holds.
func (o *Object) SetEach(fields []Field) error {
	for _, f := range fields {
		if f.When {
			if err := o.Set(f.Key, f.Val); err != nil {
				return err
			}
		}
	}
	return nil
}

// SetRaw sets key to b, JSON the caller vouches for, replacing an existing
// value in place. The object keeps b.
func (o *Object) SetRaw(key string, b []byte) {
	if i := slices.Index(o.keys, key); i >= 0 {
		o.vals[i] = b
		return
	}
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, b)
}

// Has reports whether key is set.
func (o *Object) Has(key string) bool { return slices.Contains(o.keys, key) }

// Len returns the number of members.
func (o *Object) Len() int { return len(o.keys) }

// All yields the members in order.
func (o *Object) All() iter.Seq2[string, []byte] {
	return func(yield func(string, []byte) bool) {
		for i, k := range o.keys {
			if !yield(k, o.vals[i]) {
				return
			}
		}
	}
}

// MarshalJSON writes the object.
func (o *Object) MarshalJSON() ([]byte, error) { return o.Bytes(), nil }

// Bytes writes the object.
func (o *Object) Bytes() []byte {
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
		kb, _ := Marshal(k) // a string always encodes
		b = append(b, kb...)
		b = append(b, ':')
		b = append(b, o.vals[i]...)
	}
	return append(b, '}')
}

// Marshal encodes v like json.Marshal but leaves <, > and & unescaped and
// drops the encoder's trailing newline.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
