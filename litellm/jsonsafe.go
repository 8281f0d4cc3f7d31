package litellm

import (
	"encoding"
	"encoding/json"
	"fmt"
	"github.com/llmux/llmux"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Limits of the sanitizer: deeper values are replaced by a marker.
const maxSafeDepth = 32

// The markers that replace what cannot be encoded structurally.
const (
	cycleMarker = "[cycle]"
	depthMarker = "[too deep]"
)

// jsonSafe returns v, or a copy of it that [json.Marshal] encodes without
// error: a value that cannot be encoded (a channel, a func, NaN, ±Inf, an
// invalid json.RawMessage, a failing MarshalJSON) becomes its fmt %v
// string, and a cycle or nesting deeper than 32 levels becomes a marker.
// The common case, a map of strings, numbers and nested maps and slices,
// is checked without allocating and returned as it is.
func jsonSafe(v any) any {
	var path [maxSafeDepth]uintptr
	if isJSONSafe(v, 0, &path) {
		return v
	}
	return toJSONSafe(v, 0, nil)
}

// isJSONSafe reports, without allocating, whether v is one of the common
// types that certainly encode. It answers false for anything it does not
// know, leaving that to toJSONSafe.
func isJSONSafe(v any, depth int, path *[maxSafeDepth]uintptr) bool {
	switch v := v.(type) {
	case nil, string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
		[]string, map[string]string:
		return true
	case float64:
		return !math.IsNaN(v) && !math.IsInf(v, 0)
	case float32:
		return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0)
	case json.RawMessage:
		return len(v) == 0 || json.Valid(v)
	case []llmux.Tool:
		for _, t := range v {
			if len(t.Function.Parameters) > 0 && !json.Valid(t.Function.Parameters) {
				return false
			}
		}
		return true
	case map[string]any:
		if depth >= maxSafeDepth {
			return false
		}
		p := reflect.ValueOf(v).Pointer()
		for _, q := range path[:depth] {
			if q == p {
				return false
			}
		}
		path[depth] = p
		for _, x := range v {
			if !isJSONSafe(x, depth+1, path) {
				return false
			}
		}
		return true
	case []any:
		if depth >= maxSafeDepth {
			return false
		}
		path[depth] = 0
		for _, x := range v {
			if !isJSONSafe(x, depth+1, path) {
				return false
			}
		}
		return true
	}
	return false
}

var textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()

// toJSONSafe converts v into an encodable value. path holds the maps and
// pointers being converted, to detect cycles.
func toJSONSafe(v any, depth int, path []uintptr) any {
	if depth > maxSafeDepth {
		return depthMarker
	}
	switch x := v.(type) {
	case nil, string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
		[]string, map[string]string:
		return v
	case float64:
		return safeFloat(x)
	case float32:
		return safeFloat(float64(x))
	case json.RawMessage:
		if len(x) == 0 || json.Valid(x) {
			return x
		}
		return string(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toJSONSafe(e, depth+1, path)
		}
		return out
	}

	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return fmt.Sprintf("%v", v) // leaves: fmt prints them without recursing
	case reflect.Float32, reflect.Float64:
		return safeFloat(rv.Float())
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if _, err := json.Marshal(v); err == nil {
			return v
		}
		return fmt.Sprintf("%v", v)
	case reflect.Pointer, reflect.Map:
		if rv.IsNil() {
			return nil
		}
		p := rv.Pointer()
		for _, q := range path {
			if q == p {
				return cycleMarker
			}
		}
		path = append(path, p)
	case reflect.Slice:
		if rv.IsNil() {
			return nil
		}
	}

	// A composite value: keep it when it encodes as it is.
	if _, err := json.Marshal(v); err == nil {
		return v
	}
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		return toJSONSafe(rv.Elem().Interface(), depth+1, path)
	case reflect.Map:
		out := make(map[string]any, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			out[mapKey(iter.Key())] = toJSONSafe(iter.Value().Interface(), depth+1, path)
		}
		return out
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = toJSONSafe(rv.Index(i).Interface(), depth+1, path)
		}
		return out
	case reflect.Struct:
		t := rv.Type()
		out := make(map[string]any, t.NumField())
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Name
			if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == "-" {
				// The wire types keep the members they do not model in
				// Extra: they belong at this level.
				if extra, ok := rv.Field(i).Interface().(map[string]json.RawMessage); ok && f.Name == "Extra" {
					for k, v := range extra {
						if _, taken := out[k]; !taken {
							out[k] = toJSONSafe(v, depth+1, path)
						}
					}
				}
				continue
			} else if tag != "" {
				name = tag
			}
			out[name] = toJSONSafe(rv.Field(i).Interface(), depth+1, path)
		}
		return out
	}
	return fmt.Sprintf("%T", v)
}

// mapKey formats a map key as encoding/json would, falling back to %v for
// keys JSON cannot use (only scalar kinds reach fmt, so it cannot recurse).
func mapKey(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return k.String()
	}
	if k.Type().Implements(textMarshalerType) {
		if b, err := k.Interface().(encoding.TextMarshaler).MarshalText(); err == nil {
			return string(b)
		}
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10)
	case reflect.Bool, reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128,
		reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Pointer:
		return fmt.Sprintf("%v", k.Interface())
	}
	return fmt.Sprintf("%T", k.Interface())
}

// safeFloat returns f, or its fmt string ("NaN", "+Inf", "-Inf") when JSON
// cannot encode it.
func safeFloat(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Sprintf("%v", f)
	}
	return f
}

// jsonSafeResult returns the call's result, converted only in the unlikely
// case that it cannot be encoded (invalid logprobs, NaN in a decoded
// base64 embedding).
func jsonSafeResult(r any) any {
	switch r := r.(type) {
	case nil:
		return nil
	case *llmux.Response:
		for _, c := range r.Choices {
			if len(c.Logprobs) > 0 && !json.Valid(c.Logprobs) {
				return toJSONSafe(r, 0, nil)
			}
		}
		return r
	case *llmux.EmbeddingResponse:
		for _, d := range r.Data {
			for _, f := range d.Vector {
				if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
					return toJSONSafe(r, 0, nil)
				}
			}
		}
		return r
	}
	return jsonSafe(r)
}
