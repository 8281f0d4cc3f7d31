package jsonl

import "testing"

func TestPythonFloats(t *testing.T) {
	for in, want := range map[string]string{
		`{"response_cost":0.000035}`:        `{"response_cost":3.5e-05}`,
		`{"a":0.5,"b":12,"c":-0.00002}`:     `{"a":0.5,"b":12,"c":-2e-05}`,
		`{"s":"0.000035","t":"a\"0.00001"}`: `{"s":"0.000035","t":"a\"0.00001"}`,
		`[1e-7,0.0001,20000000000000000]`:   `[1e-7,0.0001,2e+16]`,
		`{"created":1795797979,"x":[true]}`: `{"created":1795797979,"x":[true]}`,
	} {
		if got := string(pythonFloats([]byte(in))); got != want {
			t.Errorf("pythonFloats(%s) = %s, want %s", in, got, want)
		}
	}
}
