package cost

import (
	"math"
	"strconv"
)

// digits is the number of significant digits [round] keeps.
const digits = 12

// pow10 holds the powers of ten a float64 represents exactly.
var pow10 = [...]float64{
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
}

// round returns x rounded to 12 significant digits: the float64 nearest to
// the decimal that strconv.FormatFloat(x, 'g', 12, 64) prints.
//
// The fast path scales |x| by an exact power of ten 10^k so that the kept
// digits form an integer n below 2^53, rounds, and returns n / 10^k. Both
// operands of that division are exact, so IEEE arithmetic gives the float64
// nearest the decimal, as strconv.ParseFloat would. The scaling product is
// rounded, which can only move it onto a tie (m + 0.5); FMA recovers the
// exact product's side of the tie, and exact ties round to even like
// strconv. Values outside the fast path's range (below 1e-11, or 1e12 and
// up) go through strconv.
func round(x float64) float64 {
	a := math.Abs(x)
	if a == 0 || math.IsNaN(a) || math.IsInf(a, 0) {
		return x
	}
	k := digits - 1 - int(math.Floor(math.Log10(a))) // decimal places to keep
	for range 2 {                                    // Log10 may be off by one near powers of ten
		if k < 0 || k >= len(pow10) {
			break
		}
		s := a * pow10[k]
		switch {
		case s >= 1e12:
			k--
			continue
		case s < 1e11:
			k++
			continue
		}
		n := math.RoundToEven(s)
		if f := math.Floor(s); s-f == 0.5 {
			if d := math.FMA(a, pow10[k], -s); d > 0 {
				n = f + 1
			} else if d < 0 {
				n = f
			}
		}
		return math.Copysign(n/pow10[k], x)
	}
	var buf [32]byte
	f, _ := strconv.ParseFloat(string(strconv.AppendFloat(buf[:0], x, 'g', digits, 64)), 64)
	return f
}
