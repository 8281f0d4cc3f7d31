package cost

//go:generate go run ./internal/gen -in ../../shared/data/model_prices.json -out prices_gen.go -json testdata/prices.json.gz

// defaultTable is [Default]: the generated rows and hash index
// (prices_gen.go) as its read-only base. Both are static data the linker
// lays out, so the table costs nothing at start-up or on first use.
var defaultTable = Table{base: &embedded}

// Default returns the table compiled into the binary (see the package
// documentation for its source). It is ready without any parsing or
// allocation, and shared by the whole process: a price registered on it
// applies everywhere. Use [Table.Clone] for a private copy; a clone shares
// the read-only entries, so it is cheap too.
func Default() *Table { return &defaultTable }
