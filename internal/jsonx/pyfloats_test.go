package jsonx

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestPythonFloats(t *testing.T) {
	for in, want := range map[string]string{
		`{"response_cost":0.000035}`:                     `{"response_cost":3.5e-05}`,
		`{"a":0.5,"b":12,"c":-0.00002}`:                  `{"a":0.5,"b":12,"c":-2e-05}`,
		`{"s":"0.000035","t":"a\"0.00001"}`:              `{"s":"0.000035","t":"a\"0.00001"}`,
		`{"u":"a\\","v":0.00003}`:                        `{"u":"a\\","v":3e-05}`,
		`[1e-7,0.0001,20000000000000000]`:                `[1e-7,0.0001,2e+16]`,
		`{"created":1795797979,"x":[true]}`:              `{"created":1795797979,"x":[true]}`,
		`{"id":"chatcmpl-00000000000000000001"}`:         `{"id":"chatcmpl-00000000000000000001"}`,
		`[0.000035,12345678901234567,0.00001,"0.00002"]`: `[3.5e-05,1.2345678901234568e+16,1e-05,"0.00002"]`,
		`[0.000035,0.00001,0.5]`:                         `[3.5e-05,1e-05,0.5]`,
	} {
		if got := string(PythonFloats([]byte(in))); got != want {
			t.Errorf("PythonFloats(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestPythonFloats_ManyInOneLine rewrites arrays of random floats at once:
// shrinking rewrites happen in place, a growing one switches to a copy,
// and every number ends as Python prints it.
func TestPythonFloats_ManyInOneLine(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		fs := make([]float64, 1+r.IntN(12))
		for i := range fs {
			fs[i] = math.Pow(10, r.Float64()*30-10) * (r.Float64() + 0.5)
		}
		b, _ := json.Marshal(fs)
		in := string(b)
		got := PythonFloats(b)
		want := []byte{'['}
		for i, f := range fs {
			if i > 0 {
				want = append(want, ',')
			}
			one, _ := json.Marshal(f)
			if a := math.Abs(f); (a >= 1e-6 && a < 1e-4) || (a >= 1e16 && a < 1e21) {
				one = strconv.AppendFloat(nil, f, 'g', -1, 64)
			}
			want = append(want, one...)
		}
		want = append(want, ']')
		if !bytes.Equal(got, want) {
			t.Fatalf("%s -> %s, want %s", in, got, want)
		}
	}
}

// TestPythonFloats_AgreesWithPython checks random floats of every scale
// against strconv's shortest form, which is Python's repr for these.
func TestPythonFloats_AgreesWithPython(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		f := math.Pow(10, r.Float64()*50-25) * (r.Float64() + 0.5)
		if r.IntN(2) == 0 {
			f = -f
		}
		b, _ := json.Marshal(map[string]float64{"v": f})
		got := PythonFloats(b)
		var back map[string]float64
		if err := json.Unmarshal(got, &back); err != nil || back["v"] != f {
			t.Fatalf("%s -> %s: value changed", b, got)
		}
		a := math.Abs(f)
		python := (a >= 1e-6 && a < 1e-4) || (a >= 1e16 && a < 1e21)
		want := b
		if python {
			want = []byte(`{"v":` + strconv.FormatFloat(f, 'g', -1, 64) + `}`)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s -> %s, want %s", b, got, want)
		}
	}
}

func BenchmarkPythonFloats(b *testing.B) {
	line := bytes.Repeat([]byte(`{"id":"chatcmpl-1","cost":0.00123,"n":42,"text":"hello \"world\" 0.00001","x":[1,2,3.5]},`), 40)
	b.SetBytes(int64(len(line)))
	buf := make([]byte, len(line))
	for b.Loop() {
		copy(buf, line) // rewritten in place
		PythonFloats(buf)
	}
}
