package jsonx

import (
	"bytes"
	"math"
	"strconv"
)

// PythonFloats rewrites the JSON number literals that Go and Python print
// differently, so event lines read like LiteLLM's: Go's encoding/json
// writes 3.5e-05 as 0.000035 (it switches to exponents below 1e-6), Python
// below 1e-4. Only numbers in [1e-6, 1e-4) and [1e16, 1e21) differ; every
// other byte, strings included, is kept. b is scanned once, strings
// skipped with IndexByte, and rewritten in place (it is the caller's own
// fresh buffer): Python's form of a small number is always shorter than
// Go's; only a rewrite that grows (a huge number) makes a copy.
func PythonFloats(b []byte) []byte {
	var out []byte // nil while rewriting in place
	w := 0         // in place: b[:w] is the output so far
	done := 0      // b[:done] of the input has been written out
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '"' {
			i = skipString(b, i)
			continue
		}
		if c != '-' && (c < '0' || c > '9') {
			continue
		}
		j := i
		for j < len(b) && isNumberByte(b[j]) {
			j++
		}
		if f, differs := pythonForm(b[i:j]); differs {
			var tmp [32]byte
			py := strconv.AppendFloat(tmp[:0], f, 'g', -1, 64)
			if out == nil && len(py) > j-i {
				out = make([]byte, 0, len(b)+16)
				out = append(out, b[:w]...)
			}
			if out == nil {
				w += copy(b[w:], b[done:i])
				w += copy(b[w:], py)
			} else {
				out = append(out, b[done:i]...)
				out = append(out, py...)
			}
			done = j
		}
		i = j - 1
	}
	if out != nil {
		return append(out, b[done:]...)
	}
	if done == 0 {
		return b
	}
	w += copy(b[w:], b[done:])
	return b[:w]
}

// skipString returns the index of the quote closing the string that
// opens at b[i].
func skipString(b []byte, i int) int {
	for {
		k := bytes.IndexByte(b[i+1:], '"')
		if k < 0 {
			return len(b)
		}
		i += 1 + k
		// Count the backslashes before the quote: an odd number escapes it.
		n := 0
		for p := i - 1; p >= 0 && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return i
		}
	}
}

func isNumberByte(c byte) bool {
	return c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || (c >= '0' && c <= '9')
}

// candidate reports whether Go may have printed lit differently from
// Python: a plain decimal below 1e-4 ("0.0000..."), or an integer of 17 to
// 21 digits.
func candidate(lit []byte) bool {
	if len(lit) > 0 && lit[0] == '-' {
		lit = lit[1:]
	}
	if bytes.HasPrefix(lit, []byte("0.0000")) {
		return true
	}
	n := len(lit)
	if n < 17 || n > 22 {
		return false
	}
	for _, c := range lit {
		if c < '0' || c > '9' {
			if c == '.' || c == 'e' || c == 'E' {
				return true // 1.0e+16 and the like: let ParseFloat decide
			}
			return false
		}
	}
	return true
}

// pythonNumber rewrites the number literal b[i:] (the end of b) as
// Python writes it, as PythonFloats would.
func pythonNumber(b []byte, i int) []byte {
	if f, differs := pythonForm(b[i:]); differs {
		return strconv.AppendFloat(b[:i], f, 'g', -1, 64)
	}
	return b
}

// pythonForm returns the value of the number literal lit and whether
// Python writes it differently from Go (then as 'g' formats it).
func pythonForm(lit []byte) (float64, bool) {
	if !candidate(lit) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		return 0, false
	}
	a := math.Abs(f)
	return f, (a >= 1e-6 && a < 1e-4) || (a >= 1e16 && a < 1e21)
}
