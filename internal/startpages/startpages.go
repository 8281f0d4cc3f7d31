// Package startpages releases the executable's pages that only start-up
// touched.
package startpages

// Release drops the executable's resident read-only pages (code and
// read-only data) from the process's memory, on Linux; the kernel maps
// back, from the page cache, the ones still in use when they are next
// touched. It returns the bytes released. Elsewhere it does nothing.
func Release() (int64, error) { return release() }
