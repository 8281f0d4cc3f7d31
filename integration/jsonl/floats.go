package jsonl

import (
	"math"
	"strconv"
)

// pythonFloats rewrites the JSON number literals that Go and Python print
// differently, so event lines read like LiteLLM's: Go's encoding/json
// writes 3.5e-05 as 0.000035 (it switches to exponents below 1e-6), Python
// below 1e-4. Only numbers in [1e-6, 1e-4) and [1e16, 1e21) differ; every
// other byte, strings included, is kept.
func pythonFloats(b []byte) []byte {
	out := make([]byte, 0, len(b))
	inString, escaped := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			out = append(out, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
			out = append(out, c)
			continue
		}
		if c != '-' && (c < '0' || c > '9') {
			out = append(out, c)
			continue
		}
		j := i
		for j < len(b) && (b[j] == '-' || b[j] == '+' || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || (b[j] >= '0' && b[j] <= '9')) {
			j++
		}
		lit := b[i:j]
		if f, err := strconv.ParseFloat(string(lit), 64); err == nil {
			if a := math.Abs(f); (a >= 1e-6 && a < 1e-4) || (a >= 1e16 && a < 1e21) {
				lit = strconv.AppendFloat(nil, f, 'g', -1, 64)
			}
		}
		out = append(out, lit...)
		i = j - 1
	}
	return out
}
