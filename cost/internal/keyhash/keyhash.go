// Package keyhash hashes the keys of package cost's generated price table.
// Package cost and its generator (cost/internal/gen) both use it, so the
// hash index the generator writes matches the lookups the package makes.
package keyhash

// Sum returns the 64-bit FNV-1a hash of prefix, a slash and name, folded
// to 32 bits. It does not allocate and never changes between runs or
// builds, which an index generated ahead of time needs (hash/maphash is
// seeded per process).
func Sum(prefix, name string) uint32 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for i := 0; i < len(prefix); i++ {
		h = (h ^ uint64(prefix[i])) * prime
	}
	h = (h ^ '/') * prime
	for i := 0; i < len(name); i++ {
		h = (h ^ uint64(name[i])) * prime
	}
	return uint32(h ^ h>>32)
}
