package jsonobj

import (
	"encoding/json"
	"testing"
)

func TestObject_KeepsOrderReplacesInPlaceAndDoesNotEscapeHTML(t *testing.T) {
	var o Object
	if err := o.SetEach([]Field{{"model", "m", true}, {"skipped", 1, false}, {"text", "<b>&</b>", true}, {"n", 2, true}}); err != nil {
		t.Fatal(err)
	}
	o.SetRaw("model", []byte(`"m2"`))
	if got, want := string(o.Bytes()), `{"model":"m2","text":"<b>&</b>","n":2}`; got != want {
		t.Errorf("Bytes = %s, want %s", got, want)
	}
	if !o.Has("n") || o.Has("skipped") || o.Len() != 3 {
		t.Errorf("Has/Len: %v %v %d", o.Has("n"), o.Has("skipped"), o.Len())
	}
	var keys []string
	for k := range o.All() {
		keys = append(keys, k)
	}
	if len(keys) != 3 || keys[0] != "model" || keys[2] != "n" {
		t.Errorf("All: %v", keys)
	}
	b, err := json.Marshal(&o)
	if err != nil || !json.Valid(b) {
		t.Errorf("MarshalJSON: %s %v", b, err)
	}
	if err := o.Set("bad", make(chan int)); err == nil {
		t.Error("a value that cannot encode was accepted")
	}
	var empty Object
	if string(empty.Bytes()) != "{}" {
		t.Errorf("empty: %s", empty.Bytes())
	}
}
