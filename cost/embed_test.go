package cost

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"io"
	"os"
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
	rows := embedded.rows
	for i, r := range rows {
		if k := splitKey(r.k.String()); k != r.k {
			t.Errorf("row %d: key %#v, but the name %q splits to %#v", i, r.k, r.k.String(), k)
		}
		if i == 0 {
			continue
		}
		if prev := rows[i-1].k; cmp.Compare(prev.prefix, r.k.prefix) > 0 ||
			prev.prefix == r.k.prefix && prev.name >= r.k.name {
			t.Errorf("row %d: key %q does not sort after %q", i, r.k, prev)
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
	for i, r := range rows {
		if p := embedded.find(r.k); p == nil || *p != r.p {
			t.Errorf("row %d (%q): find = %+v", i, r.k, p)
		}
	}
	for _, k := range []key{{"", "no-such-model"}, {"azure", "no-such-model"}, {"", ""}} {
		if p := embedded.find(k); p != nil {
			t.Errorf("find(%q) found an entry", k)
		}
	}
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
