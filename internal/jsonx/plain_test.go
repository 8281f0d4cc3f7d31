package jsonx

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// plainASCIIBytewise is plainASCII's definition, a byte at a time.
func plainASCIIBytewise(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}

// Every byte value at every position of strings of 0 to 24 bytes over a
// plain background, and every pair of edge values at every two positions,
// so the word check's borrows between bytes are exercised both ways.
func TestPlainASCII_MatchesBytewise(t *testing.T) {
	check := func(s string) {
		t.Helper()
		if got, want := plainASCII(s), plainASCIIBytewise(s); got != want {
			t.Fatalf("plainASCII(%q) = %v, want %v", s, got, want)
		}
	}
	edges := []byte{0x00, 0x01, 0x1f, 0x20, 0x21, '"', 0x23, 0x5b, '\\', 0x5d, 0x7e, 0x7f, 0x80, 0xff}
	for n := 0; n <= 24; n++ {
		base := []byte(strings.Repeat("a", n))
		check(string(base))
		b := make([]byte, n)
		for i := 0; i < n; i++ {
			for c := 0; c < 256; c++ {
				copy(b, base)
				b[i] = byte(c)
				check(string(b))
			}
			for _, c := range edges {
				for j := 0; j < n; j++ {
					for _, e := range edges {
						if j == i {
							continue
						}
						copy(b, base)
						b[i], b[j] = c, e
						check(string(b))
					}
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, r.IntN(70))
		for i := range b {
			b[i] = byte(0x20 + r.IntN(0x60)) // mostly plain
			if r.IntN(40) == 0 {
				b[i] = byte(r.IntN(256))
			}
		}
		check(string(b))
	}
}

// The word check against the byte loop it replaced, on a response-sized
// text.
func BenchmarkPlainASCII(b *testing.B) {
	s := strings.Repeat("A gateway sits between your application and the model providers. ", 30)
	for _, f := range []struct {
		name string
		fn   func(string) bool
	}{{"word", plainASCII}, {"bytewise", plainASCIIBytewise}} {
		b.Run(f.name, func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				if !f.fn(s) {
					b.Fatal("not plain")
				}
			}
		})
	}
}
