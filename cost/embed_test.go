package cost

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
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
	if diff := cmp.Diff(entries(src), entries(Default())); diff != "" {
		t.Errorf("Default() differs from Load of testdata/prices.json.gz (-load +default); run go generate:\n%s", diff)
	}
}

func TestEmbedded_SortedByKey(t *testing.T) {
	for i, r := range embedded {
		if k := splitKey(r.k.String()); k != r.k {
			t.Errorf("row %d: key %#v, but the name %q splits to %#v", i, r.k, r.k.String(), k)
		}
		if i > 0 && embedded[i-1].k.compare(r.k) >= 0 {
			t.Errorf("row %d: key %q does not sort after %q", i, r.k, embedded[i-1].k)
		}
	}
}

// TestDefault_FirstUseAllocatesNothing checks that nothing is built on
// first use: the table is static data, in place before the package runs.
func TestDefault_FirstUseAllocatesNothing(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		defaultTable = Table{base: embedded}
		if _, ok := Default().Lookup("", "gpt-3.5-turbo"); !ok {
			t.Fatal("gpt-3.5-turbo not found")
		}
	})
	defaultTable = Table{base: embedded}
	if allocs != 0 {
		t.Errorf("first use of Default allocates %v times, want 0", allocs)
	}
}
