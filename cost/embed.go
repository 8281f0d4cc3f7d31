package cost

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"sync"
)

//go:generate go run ./internal/gen -in ../../shared/data/model_prices.json -out prices.json.gz

// prices is LiteLLM's price file reduced by internal/gen to the fields
// [Load] reads, and gzipped.
//
//go:embed prices.json.gz
var prices []byte

// defaultTable parses the embedded table on first use only.
var defaultTable = sync.OnceValue(loadDefault)

func loadDefault() *Table {
	t, err := parseEmbedded()
	if err != nil {
		panic("cost: embedded price table: " + err.Error()) // a build defect; TestDefault catches it
	}
	return t
}

func parseEmbedded() (*Table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(prices))
	if err != nil {
		return nil, err
	}
	return Load(zr)
}

// Default returns the table embedded in the binary (see the package
// documentation for its source). It is parsed on the first call, which
// takes about 10 ms and 2 MB, and shared by the whole process: a price
// registered on it applies everywhere. Use [Table.Clone] for a private copy.
func Default() *Table { return defaultTable() }
