// Package jsonx holds the small JSON reader and writer that llmux's wire
// types are coded with. Reading goes through a pooled
// [jsontext.Decoder] (encoding/json/v2's tokenizer, from
// github.com/go-json-experiment/json, which becomes the standard library's
// in Go 1.27), member by member, so each type decodes in one pass, keeps the
// members it does not model, and reports errors with the JSON pointer of the
// value at fault. Writing appends to a byte slice.
//
// The types' own code decides what each member means; this package only
// moves tokens.
package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
)

// decOpts are the decoding options: upstreams are not always strict, so a
// duplicate name keeps the last value (as encoding/json does) and invalid
// UTF-8 is replaced rather than refused.
var decOpts = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

// Dec reads one JSON text. Get one with [NewDec] and give it back with
// [Dec.Release]; a Dec is for one goroutine.
type Dec struct {
	D   *jsontext.Decoder
	buf bytes.Buffer
}

var decs = sync.Pool{New: func() any { return &Dec{D: jsontext.NewDecoder(bytes.NewReader(nil))} }}

// NewDec returns a decoder over b, which must not change until Release.
func NewDec(b []byte) *Dec {
	d := decs.Get().(*Dec)
	d.buf = *bytes.NewBuffer(b)
	d.D.Reset(&d.buf, decOpts...)
	return d
}

// Release returns d to the pool.
func (d *Dec) Release() {
	d.D.Reset(bytes.NewReader(nil))
	d.buf = bytes.Buffer{}
	decs.Put(d)
}

// Finish reports an error unless the whole input was one value.
func (d *Dec) Finish() error {
	_, err := d.D.ReadToken()
	switch {
	case err == nil:
		return errors.New("unexpected data after the top-level value")
	case errors.Is(err, io.EOF):
		return nil
	}
	return err
}

// Kind returns the kind of the next token without reading it.
func (d *Dec) Kind() jsontext.Kind { return d.D.PeekKind() }

// Errorf reports a problem with the value about to be read (or just
// read), naming its JSON pointer.
func (d *Dec) Errorf(format string, args ...any) error {
	p := string(d.D.StackPointer())
	if p == "" {
		p = "/"
	}
	return &Error{Pointer: p, Msg: fmt.Sprintf(format, args...)}
}

// Error is a decoding error at a JSON pointer.
type Error struct {
	Pointer string
	Msg     string
}

func (e *Error) Error() string { return "at " + e.Pointer + ": " + e.Msg }

// want reports a value of the wrong kind. It reads the value first, so
// the pointer names it (an array element's pointer names the element
// read last).
func (d *Dec) want(what string, k jsontext.Kind) error {
	if k != 0 {
		if err := d.D.SkipValue(); err != nil {
			return err
		}
	}
	return d.Errorf("want %s, got %s", what, kindName(k))
}

func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 'f', 't':
		return "a boolean"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "nothing"
}

// Null reads a null if one comes next and reports whether it did.
func (d *Dec) Null() (bool, error) {
	if d.D.PeekKind() != 'n' {
		return false, nil
	}
	_, err := d.D.ReadToken()
	return true, err
}

// Object reads the start of an object. It returns false without error for
// a null, after reading it.
func (d *Dec) Object() (bool, error) {
	switch k := d.D.PeekKind(); k {
	case '{':
		_, err := d.D.ReadToken()
		return err == nil, err
	case 'n':
		_, err := d.D.ReadToken()
		return false, err
	case 0:
		_, err := d.D.ReadToken()
		return false, err
	default:
		return false, d.want("an object", k)
	}
}

// Array reads the start of an array. It returns false without error for a
// null, after reading it.
func (d *Dec) Array() (bool, error) {
	switch k := d.D.PeekKind(); k {
	case '[':
		_, err := d.D.ReadToken()
		return err == nil, err
	case 'n':
		_, err := d.D.ReadToken()
		return false, err
	case 0:
		_, err := d.D.ReadToken()
		return false, err
	default:
		return false, d.want("an array", k)
	}
}

// More reports whether the current object or array has another member.
func (d *Dec) More() bool {
	k := d.D.PeekKind()
	return k != '}' && k != ']' && k != 0
}

// End reads the end of the current object or array.
func (d *Dec) End() error {
	_, err := d.D.ReadToken()
	return err
}

// Name reads a member name. Use the result's String method directly in a
// switch so the comparison does not allocate.
func (d *Dec) Name() (jsontext.Token, error) { return d.D.ReadToken() }

// Str reads a string; null gives "" and true.
func (d *Dec) Str() (string, bool, error) {
	switch k := d.D.PeekKind(); k {
	case '"':
		t, err := d.D.ReadToken()
		if err != nil {
			return "", false, err
		}
		return t.String(), false, nil
	case 'n':
		_, err := d.D.ReadToken()
		return "", true, err
	default:
		return "", false, d.want("a string", k)
	}
}

// Int reads an integer; null gives 0 and true. A number with a fraction
// or exponent is accepted when it is integral (1e3, 5.0).
func (d *Dec) Int() (int64, bool, error) {
	switch k := d.D.PeekKind(); k {
	case '0':
		t, err := d.D.ReadToken()
		if err != nil {
			return 0, false, err
		}
		n, err := t.Int()
		if err != nil {
			f, ferr := t.Float()
			if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
				return 0, false, d.Errorf("want an integer, got %.40s", t.String())
			}
			return int64(f), false, nil
		}
		return n, false, nil
	case 'n':
		_, err := d.D.ReadToken()
		return 0, true, err
	default:
		return 0, false, d.want("an integer", k)
	}
}

// Float reads a number; null gives 0 and true.
func (d *Dec) Float() (float64, bool, error) {
	switch k := d.D.PeekKind(); k {
	case '0':
		t, err := d.D.ReadToken()
		if err != nil {
			return 0, false, err
		}
		f, err := t.Float()
		if err != nil {
			return 0, false, d.Errorf("want a number, got %s", t.String())
		}
		return f, false, nil
	case 'n':
		_, err := d.D.ReadToken()
		return 0, true, err
	default:
		return 0, false, d.want("a number", k)
	}
}

// Bool reads a boolean; null gives false and true.
func (d *Dec) Bool() (bool, bool, error) {
	switch k := d.D.PeekKind(); k {
	case 't', 'f':
		t, err := d.D.ReadToken()
		if err != nil {
			return false, false, err
		}
		return t.Bool(), false, nil
	case 'n':
		_, err := d.D.ReadToken()
		return false, true, err
	default:
		return false, false, d.want("a boolean", k)
	}
}

// Raw reads any value and returns a compact copy of it.
func (d *Dec) Raw() (json.RawMessage, error) {
	v, err := d.D.ReadValue()
	if err != nil {
		return nil, err
	}
	return compactCopy(v), nil
}

// compactCopy copies a valid JSON value without its insignificant
// whitespace.
func compactCopy(v []byte) json.RawMessage {
	if !hasSpace(v) {
		return append(json.RawMessage(nil), v...)
	}
	var b bytes.Buffer
	b.Grow(len(v))
	if err := json.Compact(&b, v); err != nil {
		return append(json.RawMessage(nil), v...)
	}
	return b.Bytes()
}

// hasSpace reports whether v holds a byte that may be insignificant
// whitespace (it may also be inside a string).
func hasSpace(v []byte) bool {
	for _, c := range v {
		switch c {
		case ' ', '\n', '\r', '\t':
			return true
		}
	}
	return false
}

// Skip reads and discards the next value.
func (d *Dec) Skip() error { return d.D.SkipValue() }

// Extra reads the next value into (*m)[name], creating the map.
func (d *Dec) Extra(m *map[string]json.RawMessage, name string) error {
	v, err := d.Raw()
	if err != nil {
		return err
	}
	if *m == nil {
		*m = make(map[string]json.RawMessage, 4)
	}
	(*m)[name] = v
	return nil
}

// StrSlice reads a string, an array of strings or null. wasString is set
// when the value was a single string.
func (d *Dec) StrSlice() (out []string, wasString, null bool, err error) {
	switch k := d.D.PeekKind(); k {
	case '"':
		s, _, err := d.Str()
		return []string{s}, true, false, err
	case 'n':
		_, err := d.D.ReadToken()
		return nil, false, true, err
	case '[':
		if _, err := d.D.ReadToken(); err != nil {
			return nil, false, false, err
		}
		out = []string{}
		for d.More() {
			s, null, err := d.Str()
			if err != nil {
				return nil, false, false, err
			}
			if null {
				return nil, false, false, d.Errorf("want a string, got null")
			}
			out = append(out, s)
		}
		return out, false, false, d.End()
	default:
		return nil, false, false, d.want("a string or an array of strings", k)
	}
}

// Enc appends one JSON text to B. Commas are placed by looking at the last
// byte written, so callers only say where names and values go. The first
// error (a NaN, invalid raw JSON) sticks in Err.
type Enc struct {
	B   []byte
	Err error
	// Python writes numbers as LiteLLM's Python (json.dumps) does where
	// Go's differ (3.5e-05, not 0.000035: see [PythonFloats]): floats
	// written with Float and Float32 at once, and every value written by
	// another encoder (AppendWith, Raw, Value, Trusted) by a pass over
	// what it wrote.
	Python bool
}

func (e *Enc) sep() {
	if n := len(e.B); n > 0 {
		switch e.B[n-1] {
		case '{', '[', ':', ',':
		default:
			e.B = append(e.B, ',')
		}
	}
}

// Open starts an object (as a value or an array element).
func (e *Enc) Open() { e.sep(); e.B = append(e.B, '{') }

// Close ends an object.
func (e *Enc) Close() { e.B = append(e.B, '}') }

// OpenArray starts an array.
func (e *Enc) OpenArray() { e.sep(); e.B = append(e.B, '[') }

// CloseArray ends an array.
func (e *Enc) CloseArray() { e.B = append(e.B, ']') }

// Name writes a member name and its colon.
func (e *Enc) Name(n string) {
	e.sep()
	if plainASCII(n) { // member names almost always are: skip the general quoting
		e.B = append(e.B, '"')
		e.B = append(e.B, n...)
		e.B = append(e.B, '"', ':')
		return
	}
	e.B, _ = jsontext.AppendQuote(e.B, n)
	e.B = append(e.B, ':')
}

// plainASCII reports whether s needs no escaping inside a JSON string:
// no control character, quote, backslash or byte of 0x80 and above. It
// checks eight bytes at a time (every string the encoders write goes
// through it, and a payload's messages and responses are kilobytes).
func plainASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		_ = s[i+7]
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if !plainWord(w) {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}

// plainWord is plainASCII for the eight bytes of w. With every byte below
// 0x80, a byte that is below 0x20 (or equal to the quote, or to the
// backslash, after the XOR) wraps around in the subtraction and sets its
// high bit. The borrow it passes up may set the high bit of the byte above
// too, but only when that byte's word is refused already: a plain word
// never borrows, so it is never refused.
func plainWord(w uint64) bool {
	const (
		lo = 0x0101010101010101
		hi = 0x8080808080808080
	)
	if w&hi != 0 {
		return false
	}
	ctl := w - 0x20*lo
	quote := (w ^ '"'*lo) - lo
	backslash := (w ^ '\\'*lo) - lo
	return (ctl|quote|backslash)&hi == 0
}

// Str writes a string. Invalid UTF-8 is replaced by U+FFFD, as
// encoding/json does; <, > and & are written as they are.
func (e *Enc) Str(s string) {
	e.sep()
	if plainASCII(s) {
		e.B = append(e.B, '"')
		e.B = append(e.B, s...)
		e.B = append(e.B, '"')
		return
	}
	e.B, _ = jsontext.AppendQuote(e.B, s)
}

// Int writes an integer.
func (e *Enc) Int(n int64) { e.sep(); e.B = strconv.AppendInt(e.B, n, 10) }

// Float writes a float64 as encoding/json does; NaN and ±Inf are an error.
func (e *Enc) Float(f float64) { e.float(f, 64) }

// Float32 writes a float32 with the shortest form that reads back to it.
func (e *Enc) Float32(f float32) { e.float(float64(f), 32) }

func (e *Enc) float(f float64, bits int) {
	e.sep()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		e.fail(fmt.Errorf("json: unsupported value: %v", f))
		e.B = append(e.B, '0')
		return
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	start := len(e.B)
	b := strconv.AppendFloat(e.B, f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	if e.Python {
		b = pythonNumber(b, start)
	}
	e.B = b
}

// Bool writes a boolean.
func (e *Enc) Bool(v bool) {
	e.sep()
	if v {
		e.B = append(e.B, "true"...)
	} else {
		e.B = append(e.B, "false"...)
	}
}

// Null writes null.
func (e *Enc) Null() { e.sep(); e.B = append(e.B, "null"...) }

// Raw writes a raw JSON value, compacted; empty is null. Invalid JSON is
// an error.
func (e *Enc) Raw(v []byte) {
	e.sep()
	if e.Python {
		n := len(e.B)
		defer e.pythonFrom(n)
	}
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		e.B = append(e.B, "null"...)
		return
	}
	switch string(v) {
	case "null", "true", "false": // the common raw values, valid as they are
		e.B = append(e.B, v...)
		return
	}
	if !hasSpace(v) {
		if !json.Valid(v) {
			e.fail(fmt.Errorf("json: invalid raw value %.40q", v))
			e.B = append(e.B, "null"...)
			return
		}
		e.B = append(e.B, v...)
		return
	}
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		e.fail(fmt.Errorf("json: invalid raw value: %w", err))
		e.B = append(e.B, "null"...)
		return
	}
	e.B = append(e.B, b.Bytes()...)
}

// Strs writes an array of strings.
func (e *Enc) Strs(ss []string) {
	e.OpenArray()
	for _, s := range ss {
		e.Str(s)
	}
	e.CloseArray()
}

// Extra writes the members of m in key order, skipping the names for
// which skip returns true (members written already).
func (e *Enc) Extra(m map[string]json.RawMessage, skip func(string) bool) {
	if len(m) == 0 {
		return
	}
	var small [16]string
	keys := small[:0]
	for k := range m {
		if skip == nil || !skip(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		e.Name(k)
		e.Raw(m[k])
	}
}

func (e *Enc) fail(err error) {
	if e.Err == nil {
		e.Err = err
	}
}

// Value marshals v with encoding/json into the output (for values of
// other types inside ours).
func (e *Enc) Value(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		e.fail(err)
		e.Null()
		return
	}
	e.Raw(b)
}

// Bits is a set of member indexes: which members of a decoded object were
// present, or present as null.
type Bits uint64

// Has reports whether bit i is set.
func (b Bits) Has(i uint) bool { return b&(1<<i) != 0 }

// Set sets bit i.
func (b *Bits) Set(i uint) { *b |= 1 << i }

// Emit reports whether member i of an object described by s is written:
// when its value is set, when it came in the decoded input, or, for a value
// built in Go, when the member is always written.
func (s Seen) Emit(i uint, set, always bool) bool {
	return set || s.Present.Has(i) || (always && !s.Decoded)
}

// Seen records which members of a decoded object were present and which
// were null, so that writing the value back gives the same JSON: a member
// that came as 0, "" or null is written again as it came, while a value
// built in Go leaves out what it does not set. The zero Seen means "built
// in Go".
type Seen struct {
	Present, Null Bits
	Decoded       bool
}

// Mark records member i as present, and null when null is set.
func (s *Seen) Mark(i uint, null bool) {
	s.Present.Set(i)
	if null {
		s.Null.Set(i)
	}
}

// WasNull reports whether member i came as null.
func (s Seen) WasNull(i uint) bool { return s.Null.Has(i) }

// R reads members into a type's fields, keeping the first error: after an
// error every read is a no-op returning a zero value and More reports false,
// so decoding loops end without checking each read.
type R struct {
	*Dec
	Err error
}

// Fail records err unless an error is recorded already.
func (r *R) Fail(err error) {
	if r.Err == nil && err != nil {
		r.Err = err
	}
}

// More reports whether the current object or array has another member and
// no error occurred.
func (r *R) More() bool { return r.Err == nil && r.Dec.More() }

// Object reads the start of an object; false for null or an error.
func (r *R) Object() bool {
	if r.Err != nil {
		return false
	}
	ok, err := r.Dec.Object()
	r.Fail(err)
	return ok
}

// Array reads the start of an array; false for null or an error.
func (r *R) Array() bool {
	if r.Err != nil {
		return false
	}
	ok, err := r.Dec.Array()
	r.Fail(err)
	return ok
}

// End reads the end of the current object or array.
func (r *R) End() {
	if r.Err == nil {
		r.Fail(r.Dec.End())
	}
}

// Name reads a member name; switch on its String() so no string is made.
func (r *R) Name() jsontext.Token {
	if r.Err != nil {
		return jsontext.Token{}
	}
	t, err := r.Dec.Name()
	r.Fail(err)
	return t
}

// Null reads a null if one comes next and reports whether it did.
func (r *R) Null() bool {
	if r.Err != nil {
		return false
	}
	ok, err := r.Dec.Null()
	r.Fail(err)
	return ok
}

// Str reads a string or null into member i of s.
func (r *R) Str(s *Seen, i uint) string {
	if r.Err != nil {
		return ""
	}
	v, null, err := r.Dec.Str()
	r.Fail(err)
	s.Mark(i, null)
	return v
}

// Int reads an integer or null into member i of s.
func (r *R) Int(s *Seen, i uint) int64 {
	if r.Err != nil {
		return 0
	}
	v, null, err := r.Dec.Int()
	r.Fail(err)
	s.Mark(i, null)
	return v
}

// IntPtr reads an integer; null gives nil.
func (r *R) IntPtr(s *Seen, i uint) *int {
	if r.Err != nil {
		return nil
	}
	v, null, err := r.Dec.Int()
	r.Fail(err)
	s.Mark(i, null)
	if null || err != nil {
		return nil
	}
	n := int(v)
	return &n
}

// FloatPtr reads a number; null gives nil.
func (r *R) FloatPtr(s *Seen, i uint) *float64 {
	if r.Err != nil {
		return nil
	}
	v, null, err := r.Dec.Float()
	r.Fail(err)
	s.Mark(i, null)
	if null || err != nil {
		return nil
	}
	return &v
}

// Bool reads a boolean or null into member i of s.
func (r *R) Bool(s *Seen, i uint) bool {
	if r.Err != nil {
		return false
	}
	v, null, err := r.Dec.Bool()
	r.Fail(err)
	s.Mark(i, null)
	return v
}

// BoolPtr reads a boolean; null gives nil.
func (r *R) BoolPtr(s *Seen, i uint) *bool {
	if r.Err != nil {
		return nil
	}
	v, null, err := r.Dec.Bool()
	r.Fail(err)
	s.Mark(i, null)
	if null || err != nil {
		return nil
	}
	return &v
}

// Raw reads any value as compact raw JSON ("null" included).
func (r *R) Raw() json.RawMessage {
	if r.Err != nil {
		return nil
	}
	v, err := r.Dec.Raw()
	r.Fail(err)
	return v
}

// Extra reads the next value into (*m)[name].
func (r *R) Extra(m *map[string]json.RawMessage, name string) {
	if r.Err == nil {
		r.Fail(r.Dec.Extra(m, name))
	}
}

// Skip discards the next value.
func (r *R) Skip() {
	if r.Err == nil {
		r.Fail(r.Dec.Skip())
	}
}

// Errorf records a problem with the value at hand, naming its pointer.
func (r *R) Errorf(format string, args ...any) {
	r.Fail(r.Dec.Errorf(format, args...))
}

// Decode runs decode over b as one JSON value and reports the first error.
func Decode(b []byte, decode func(r *R)) error {
	d := NewDec(b)
	r := R{Dec: d}
	decode(&r)
	if r.Err == nil {
		r.Err = d.Finish()
	}
	d.Release()
	return r.Err
}

// Encode runs encode and returns the bytes written, with capacity hint n.
func Encode(n int, encode func(e *Enc)) ([]byte, error) {
	b, err := Append(make([]byte, 0, n), encode)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Append runs encode on an encoder over b and returns the bytes written
// after b's, for encoders that reuse a buffer ([GetBuf]).
func Append(b []byte, encode func(e *Enc)) ([]byte, error) {
	e := Enc{B: b}
	encode(&e)
	return e.B, e.Err
}

// maxPooledBuf is the largest buffer PutBuf keeps.
const maxPooledBuf = 64 << 10

var bufs = sync.Pool{New: func() any { return new([]byte) }}

// GetBuf lends an empty encoding buffer; give it back with [PutBuf] once
// what was written into it is no longer needed (a writer must not keep
// what it is given, so after the Write).
func GetBuf() *[]byte {
	bp := bufs.Get().(*[]byte)
	*bp = (*bp)[:0]
	return bp
}

// PutBuf takes back bp with b, the buffer grown from *bp, unless b grew
// past 64 KiB: a rare large answer does not stay pinned.
func PutBuf(bp *[]byte, b []byte) {
	if cap(b) <= maxPooledBuf {
		*bp = b[:0]
		bufs.Put(bp)
	}
}

// WStr writes member name when s says so: a set value, or "" or null as
// it came.
func (e *Enc) WStr(s Seen, i uint, name, v string, always bool) {
	if !s.Emit(i, v != "", always) {
		return
	}
	e.Name(name)
	if v == "" && s.WasNull(i) {
		e.Null()
		return
	}
	e.Str(v)
}

// WInt writes an integer member when s says so.
func (e *Enc) WInt(s Seen, i uint, name string, v int64, always bool) {
	if !s.Emit(i, v != 0, always) {
		return
	}
	e.Name(name)
	if v == 0 && s.WasNull(i) {
		e.Null()
		return
	}
	e.Int(v)
}

// WIntPtr writes an optional integer: its value, or null as it came.
func (e *Enc) WIntPtr(s Seen, i uint, name string, v *int) {
	switch {
	case v != nil:
		e.Name(name)
		e.Int(int64(*v))
	case s.WasNull(i):
		e.Name(name)
		e.Null()
	}
}

// WFloatPtr writes an optional number.
func (e *Enc) WFloatPtr(s Seen, i uint, name string, v *float64) {
	switch {
	case v != nil:
		e.Name(name)
		e.Float(*v)
	case s.WasNull(i):
		e.Name(name)
		e.Null()
	}
}

// WBool writes a boolean member when s says so.
func (e *Enc) WBool(s Seen, i uint, name string, v bool) {
	if !s.Emit(i, v, false) {
		return
	}
	e.Name(name)
	if !v && s.WasNull(i) {
		e.Null()
		return
	}
	e.Bool(v)
}

// WBoolPtr writes an optional boolean.
func (e *Enc) WBoolPtr(s Seen, i uint, name string, v *bool) {
	switch {
	case v != nil:
		e.Name(name)
		e.Bool(*v)
	case s.WasNull(i):
		e.Name(name)
		e.Null()
	}
}

// WRaw writes a raw member when it is set ("null" included).
func (e *Enc) WRaw(name string, v json.RawMessage) {
	if len(v) > 0 {
		e.Name(name)
		e.Raw(v)
	}
}

// Opens reports whether a slice member is written: when it has elements,
// or came (as [] or null) in the decoded input; null is written by the
// caller when WasNull.
func Opens(s Seen, i uint, n int, always bool) bool { return s.Emit(i, n > 0, always) }

// Trusted writes v, a compact and valid JSON value written by one of our
// own encoders, without checking it again.
// AppendWith writes the value f appends to the buffer, f being an
// append-style encoder that writes compact, valid JSON or fails (llmux's
// AppendJSON methods). A failure is kept in Err and the value written as
// null, without what f wrote before failing.
func (e *Enc) AppendWith(f func([]byte) ([]byte, error)) {
	e.sep()
	n := len(e.B)
	b, err := f(e.B)
	if err != nil {
		if e.Err == nil {
			e.Err = err
		}
		e.B = append(e.B[:n], "null"...)
		return
	}
	e.B = b
	if e.Python {
		e.pythonFrom(n)
	}
}

func (e *Enc) Trusted(v []byte) {
	e.sep()
	n := len(e.B)
	e.B = append(e.B, v...)
	if e.Python {
		e.pythonFrom(n)
	}
}

// pythonFrom rewrites the numbers of e.B[n:] as Python writes them.
func (e *Enc) pythonFrom(n int) {
	// PythonFloats rewrites in place (its result then starts at e.B[n])
	// or returns a copy; appending its result over e.B[n:] covers both.
	e.B = append(e.B[:n], PythonFloats(e.B[n:])...)
}
