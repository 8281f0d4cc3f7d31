package jsonx

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestDecode_ReportsThePointerAndTrailingData(t *testing.T) {
	err := Decode([]byte(`{"a":[1,"x"]}`), func(r *R) {
		if !r.Object() {
			return
		}
		for r.More() {
			r.Name()
			if r.Array() {
				var s Seen
				for r.More() {
					r.Int(&s, 0)
				}
				r.End()
			}
		}
		r.End()
	})
	if err == nil || !strings.Contains(err.Error(), "/a/1") || !strings.Contains(err.Error(), "want an integer") {
		t.Errorf("err = %v, want one at /a/1", err)
	}
	err = Decode([]byte(`{} {}`), func(r *R) { r.Skip() })
	if err == nil || !strings.Contains(err.Error(), "after the top-level value") {
		t.Errorf("trailing data: %v", err)
	}
}

func TestEnc_FloatsAsEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, 0.1, 1e21, 1e-7, 123456789, -2.5, 1e-6} {
		e := Enc{}
		e.Float(f)
		want, _ := json.Marshal(f)
		if string(e.B) != string(want) {
			t.Errorf("Float(%v) = %s, want %s", f, e.B, want)
		}
	}
	e := Enc{}
	e.Float(math.NaN())
	if e.Err == nil {
		t.Error("NaN encoded without error")
	}
}

func TestEnc_RawIsCompactedAndChecked(t *testing.T) {
	e := Enc{}
	e.Raw([]byte(" { \"a\" : [1, 2] } "))
	if string(e.B) != `{"a":[1,2]}` || e.Err != nil {
		t.Errorf("%s %v", e.B, e.Err)
	}
	for _, bad := range []string{`{nope`, `nul`, `nulll`, `True`} {
		e = Enc{}
		e.Raw([]byte(bad))
		if e.Err == nil {
			t.Errorf("invalid raw JSON %q accepted", bad)
		}
	}
	e = Enc{}
	e.OpenArray()
	for _, lit := range []string{"null", " true ", "false"} {
		e.Raw([]byte(lit))
	}
	e.CloseArray()
	if string(e.B) != `[null,true,false]` || e.Err != nil {
		t.Errorf("literals: %s %v", e.B, e.Err)
	}
}

func TestSeen_WritesBackNullsAndZeros(t *testing.T) {
	var s Seen
	s.Decoded = true
	s.Mark(0, true)  // "a": null
	s.Mark(1, false) // "b": ""
	e := Enc{}
	e.Open()
	e.WStr(s, 0, "a", "", false)
	e.WStr(s, 1, "b", "", false)
	e.WStr(s, 2, "c", "", true) // absent from a decoded value: stays absent
	e.Close()
	if string(e.B) != `{"a":null,"b":""}` {
		t.Errorf("%s", e.B)
	}
	built := Enc{}
	built.Open()
	built.WStr(Seen{}, 2, "c", "", true) // built in Go: always-written members are
	built.Close()
	if string(built.B) != `{"c":""}` {
		t.Errorf("%s", built.B)
	}
}

func TestAppend_WritesAfterTheBufferAndReusesPooledOnes(t *testing.T) {
	b, err := Append([]byte("x:"), func(e *Enc) { e.Open(); e.Name("a"); e.Int(1); e.Close() })
	if err != nil || string(b) != `x:{"a":1}` {
		t.Errorf("Append = %s, %v", b, err)
	}
	bp := GetBuf()
	if len(*bp) != 0 {
		t.Fatalf("GetBuf lent %d bytes", len(*bp))
	}
	b, _ = Append(*bp, func(e *Enc) { e.Str("hello") })
	PutBuf(bp, b)
	if len(*bp) != 0 || cap(*bp) < 7 {
		t.Errorf("PutBuf kept len %d cap %d", len(*bp), cap(*bp))
	}
	big := GetBuf()
	grown := append(*big, make([]byte, maxPooledBuf+1)...)
	PutBuf(big, grown)
	if cap(*big) > maxPooledBuf {
		t.Error("PutBuf kept a buffer past the limit")
	}
}
