package certify

import (
	"math"
	"math/big"
	"math/bits"
)

// dyadic splits a finite float64 v into v = m * 2^e with m an integer of at
// most 53 bits, returned as its magnitude and sign. Zero gives m = 0.
func dyadic(v float64) (m uint64, e int, neg bool) {
	if v == 0 {
		return 0, 0, false
	}
	frac, exp := math.Frexp(math.Abs(v)) // |v| = frac * 2^exp, frac in [0.5, 1)
	m = uint64(math.Ldexp(frac, 53))     // exact: frac has at most 53 significant bits
	e = exp - 53
	if tz := bits.TrailingZeros64(m); tz > 0 {
		m >>= uint(tz)
		e += tz
	}
	return m, e, v < 0
}

// ExactSum accumulates a sum of products a*b of float64 values exactly, as
// acc * 2^base with acc a big.Int. Every product of two float64s is a dyadic
// rational m * 2^e with |m| < 2^106, so the sum is an exact dyadic rational.
// The zero value is an empty sum.
type ExactSum struct {
	acc     big.Int
	base    int
	started bool
	term    big.Int // scratch
	words   [2]big.Word
}

// AddProduct adds a*b exactly.
func (s *ExactSum) AddProduct(a, b float64) {
	ma, ea, na := dyadic(a)
	mb, eb, nb := dyadic(b)
	if ma == 0 || mb == 0 {
		return
	}
	hi, lo := bits.Mul64(ma, mb)
	e := ea + eb
	if !s.started {
		s.base, s.started = e, true
	}
	if e < s.base {
		s.acc.Lsh(&s.acc, uint(s.base-e))
		s.base = e
	}
	s.setTerm(hi, lo)
	if e > s.base {
		s.term.Lsh(&s.term, uint(e-s.base))
	}
	if na != nb {
		s.acc.Sub(&s.acc, &s.term)
	} else {
		s.acc.Add(&s.acc, &s.term)
	}
}

// setTerm sets the scratch term to the 128-bit value hi*2^64 + lo.
func (s *ExactSum) setTerm(hi, lo uint64) {
	if bits.UintSize == 64 {
		s.words[0], s.words[1] = big.Word(lo), big.Word(hi)
		n := 2
		if hi == 0 {
			n = 1
		}
		// SetBits aliases its argument: copy so that Lsh can grow freely.
		s.term.SetBits(append(s.term.Bits()[:0], s.words[:n]...))
		return
	}
	s.term.SetUint64(hi)
	s.term.Lsh(&s.term, 64)
	var l big.Int
	l.SetUint64(lo)
	s.term.Add(&s.term, &l)
}

// Rat returns the sum as an exact rational.
func (s *ExactSum) Rat() *big.Rat {
	r := new(big.Rat)
	if !s.started || s.acc.Sign() == 0 {
		return r
	}
	num := new(big.Int).Set(&s.acc)
	if s.base >= 0 {
		num.Lsh(num, uint(s.base))
		return r.SetInt(num)
	}
	den := new(big.Int).Lsh(big.NewInt(1), uint(-s.base))
	return r.SetFrac(num, den)
}

// exactDot returns sum_j a_j b_j exactly.
func exactDot(a, b []float64) *big.Rat {
	var s ExactSum
	for j, v := range a {
		s.AddProduct(v, b[j])
	}
	return s.Rat()
}

// RoundDown returns the largest float64 <= r (-MaxFloat64 below the range).
func RoundDown(r *big.Rat) float64 {
	f, exact := r.Float64()
	if exact {
		return f
	}
	if math.IsInf(f, 1) {
		return math.MaxFloat64
	}
	if math.IsInf(f, -1) || new(big.Rat).SetFloat64(f).Cmp(r) > 0 {
		return math.Nextafter(f, math.Inf(-1))
	}
	return f
}

// RoundUp returns the smallest float64 >= r (+Inf above the range).
func RoundUp(r *big.Rat) float64 {
	f, exact := r.Float64()
	if exact {
		return f
	}
	if math.IsInf(f, -1) {
		return -math.MaxFloat64
	}
	if math.IsInf(f, 1) || new(big.Rat).SetFloat64(f).Cmp(r) < 0 {
		return math.Nextafter(f, math.Inf(1))
	}
	return f
}
