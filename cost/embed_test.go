package cost

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"io"
	"os"
	"reflect"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
)

// sourceJSON returns testdata/prices.json.gz unzipped: the source of the
// generated table, reduced to the fields Load reads (see internal/gen).
func sourceJSON(tb testing.TB) []byte {
	tb.Helper()
	gz, err := os.ReadFile("testdata/prices.json.gz")
	if err != nil {
		tb.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		tb.Fatal(err)
	}
	js, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return js
}

func TestDefault_EqualsLoadOfSource(t *testing.T) {
	src, err := Load(bytes.NewReader(sourceJSON(t)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Default().Len(), src.Len(); got != want {
		t.Errorf("Default().Len() = %d, Load of the source gives %d", got, want)
	}
	if diff := gocmp.Diff(entries(src), entries(Default())); diff != "" {
		t.Errorf("Default() differs from Load of testdata/prices.json.gz (-load +default); run go generate:\n%s", diff)
	}
}

func TestEmbedded_SortedByKey(t *testing.T) {
	for i := range embedded.rows {
		k := embedded.key(i)
		if sk := splitKey(k.String()); sk != k {
			t.Errorf("row %d: key %#v, but the name %q splits to %#v", i, k, k.String(), sk)
		}
		if i == 0 {
			continue
		}
		if prev := embedded.key(i - 1); cmp.Compare(prev.prefix, k.prefix) > 0 ||
			prev.prefix == k.prefix && prev.name >= k.name {
			t.Errorf("row %d: key %q does not sort after %q", i, k, prev)
		}
	}
}

func TestEmbedded_IndexFindsEveryRow(t *testing.T) {
	rows, slots := embedded.rows, embedded.slots
	if n := len(slots); n&(n-1) != 0 || n < 2*len(rows) {
		t.Fatalf("%d slots for %d rows, want a power of two, at least twice as many", n, len(rows))
	}
	seen := make(map[uint16]bool)
	for _, s := range slots {
		if s == 0 {
			continue
		}
		if int(s) > len(rows) || seen[s] {
			t.Errorf("slot holds %d: out of range or repeated", s)
		}
		seen[s] = true
	}
	if len(seen) != len(rows) {
		t.Errorf("the index holds %d rows, want %d", len(seen), len(rows))
	}
	for i := range rows {
		var p Price
		if !embedded.find(embedded.key(i), &p) || p != embedded.price(i) {
			t.Errorf("row %d (%q): find = %+v", i, embedded.key(i), p)
		}
	}
	for _, k := range []key{{"", "no-such-model"}, {"azure", "no-such-model"}, {"", ""}} {
		if embedded.find(k, nil) {
			t.Errorf("find(%q) found an entry", k)
		}
	}
}

// TestNumbers_MirrorPrice: numbers has Price's fields other than Provider
// and Mode, in order, and price copies every one of them.
func TestNumbers_MirrorPrice(t *testing.T) {
	pt, nt := reflect.TypeFor[Price](), reflect.TypeFor[numbers]()
	var want []reflect.StructField
	for i := range pt.NumField() {
		if f := pt.Field(i); f.Name != "Provider" && f.Name != "Mode" {
			want = append(want, f)
		}
	}
	if nt.NumField() != len(want) {
		t.Fatalf("numbers has %d fields, Price %d besides Provider and Mode", nt.NumField(), len(want))
	}
	var n numbers
	nv := reflect.ValueOf(&n).Elem()
	for i, f := range want {
		if g := nt.Field(i); g.Name != f.Name || g.Type != f.Type {
			t.Fatalf("numbers field %d is %s %s, Price's is %s %s", i, g.Name, g.Type, f.Name, f.Type)
		}
		switch fv := nv.Field(i); fv.Kind() {
		case reflect.Int:
			fv.SetInt(int64(i + 1))
		case reflect.Float64:
			fv.SetFloat(float64(i) + 0.5)
		case reflect.Bool:
			fv.SetBool(true)
		}
	}
	p := n.price("prov", "mode")
	pv := reflect.ValueOf(p)
	for i, f := range want {
		if got, sent := pv.FieldByName(f.Name).Interface(), nv.Field(i).Interface(); got != sent {
			t.Errorf("price() sets %s to %v, want %v", f.Name, got, sent)
		}
	}
	if p.Provider != "prov" || p.Mode != "mode" {
		t.Errorf("price() = %+v", p)
	}
	if reflect.TypeFor[packed]().Size() == 0 || hasPointers(reflect.TypeFor[packed]()) {
		t.Error("packed holds a pointer: the rows would be scanned by every garbage collection")
	}
}

func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
		return false
	case reflect.Array:
		return hasPointers(t.Elem())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64, reflect.Bool:
		return false
	}
	return true
}

// TestDefault_FirstUseAllocatesNothing checks that nothing is built on
// first use: the table is static data, in place before the package runs.
func TestDefault_FirstUseAllocatesNothing(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		defaultTable = Table{base: &embedded}
		if _, ok := Default().Lookup("", "gpt-3.5-turbo"); !ok {
			t.Fatal("gpt-3.5-turbo not found")
		}
	})
	defaultTable = Table{base: &embedded}
	if allocs != 0 {
		t.Errorf("first use of Default allocates %v times, want 0", allocs)
	}
}
