package certify

import (
	"math"
	"math/big"

	"gonum.org/v1/gonum/mat"
)

// This file holds rigorous upper bounds on the non-polyhedral norms of a
// float64 matrix (every float64 is the dyadic rational it represents). Each
// function returns a float64 u with N(B) <= u for the exact B: exact
// rational arithmetic (math/big) where it is cheap, and otherwise a
// floating-point value widened by a proven bound on its rounding error.

// SqrtUp returns a float64 s >= sqrt(r) for a rational r >= 0: the float
// square root of r rounded up, moved up one ulp at a time until s^2 >= r
// holds exactly.
func SqrtUp(r *big.Rat) float64 {
	if r.Sign() <= 0 {
		return 0
	}
	s := math.Sqrt(RoundUp(r))
	var sq big.Rat
	for {
		if math.IsInf(s, 1) {
			return s
		}
		sf := new(big.Rat).SetFloat64(s)
		if sq.Mul(sf, sf).Cmp(r) >= 0 {
			return s
		}
		s = math.Nextafter(s, math.Inf(1))
	}
}

// ratsOf returns the entries of the r×c float64 matrix B, row-major, as
// exact rationals.
func ratsOf(b *mat.Dense) []*big.Rat {
	r, c := b.Dims()
	out := make([]*big.Rat, 0, r*c)
	for i := range r {
		for _, v := range b.RawRowView(i)[:c] {
			out = append(out, new(big.Rat).SetFloat64(v))
		}
	}
	return out
}

// froSquaredRat returns sum_ab B_ab^2 exactly.
func froSquaredRat(b *mat.Dense) *big.Rat {
	r, _ := b.Dims()
	var s ExactSum
	for i := range r {
		for _, v := range b.RawRowView(i) {
			s.AddProduct(v, v)
		}
	}
	return s.Rat()
}

// FroUp returns an upper bound on ||B||_F = sqrt(sum_ab B_ab^2): the sum of
// squares is exact, its square root rounded up (SqrtUp).
func FroUp(b *mat.Dense) float64 { return SqrtUp(froSquaredRat(b)) }

// smallSide returns B when it has no more rows than columns and B^T
// otherwise, as a new dense matrix. Both have the same singular values.
func smallSide(b *mat.Dense) *mat.Dense {
	r, c := b.Dims()
	if r <= c {
		return mat.DenseCopyOf(b)
	}
	return mat.DenseCopyOf(b.T())
}

// SpectralUp returns an upper bound on sigma_1(B), the spectral norm.
//
// With G = B B^T (for the smaller side of B, r×r), any t and any r×r
// matrix L, E = t I - G - L L^T (exact) gives G = t I - L L^T - E and so,
// by Weyl's inequality, lambda_max(G) <= t - lambda_min(L L^T) +
// lambda_max(-E) <= t + ||E||_F, that is sigma_1(B) <= sqrt(t + ||E||_F).
// t starts at the floating-point sigma_1^2 (1 + 2^-40) and L is the
// floating-point Cholesky factor of t I - fl(G); when that factorisation
// fails, t grows (up to six times, by 2^-36 to 2^-6 relative). E is summed
// exactly entry by entry and rounded up in magnitude, so the bound holds
// whatever L is; E is of the order of rounding, and the bound exceeds
// sigma_1 by about 2^-41 relative. Should every factorisation fail,
// lambda_max(G) <= tr G (G is positive semidefinite) is used. (An earlier
// version proved t I - G positive definite by a rational LDL^T
// factorisation: 17 % of a nuclear solve at 40 classes, the entries'
// numerators growing with each elimination step.)
func SpectralUp(b *mat.Dense) float64 {
	bs := smallSide(b)
	r, _ := bs.Dims()
	trace := froSquaredRat(bs)
	if trace.Sign() == 0 {
		return 0
	}
	var svd mat.SVD
	sigma := 0.0
	if svd.Factorize(bs, mat.SVDNone) {
		sigma = svd.Values(nil)[0]
	}
	var g mat.SymDense
	g.SymOuterK(1, bs)
	t := sigma * sigma * (1 + 0x1p-40)
	t = max(t, RoundUp(trace)*0x1p-60)
	shifted := mat.NewSymDense(r, nil)
	var chol mat.Cholesky
	var l mat.TriDense
	for try := 0; try < 6; try, t = try+1, t*(1+math.Ldexp(1, -36+6*try)) {
		for i := range r {
			for j := i; j < r; j++ {
				v := -g.At(i, j)
				if i == j {
					v += t
				}
				shifted.SetSym(i, j, v)
			}
		}
		if !chol.Factorize(shifted) {
			continue
		}
		chol.LTo(&l)
		// |E_ij| rounded up, E = t I - B B^T - L L^T.
		e := mat.NewDense(r, r, nil)
		lr := l.RawTriangular()
		for i := range r {
			bi, li := bs.RawRowView(i), lr.Data[i*lr.Stride:i*lr.Stride+i+1]
			for j := i; j < r; j++ {
				lj := lr.Data[j*lr.Stride : j*lr.Stride+j+1]
				var eij ExactSum
				if i == j {
					eij.AddProduct(t, 1)
				}
				for c, x := range bs.RawRowView(j) {
					eij.AddProduct(-bi[c], x)
				}
				for a, x := range li {
					eij.AddProduct(-x, lj[a])
				}
				d := eij.Rat()
				v := RoundUp(d.Abs(d))
				e.Set(i, j, v)
				e.Set(j, i, v)
			}
		}
		bound := new(big.Rat).SetFloat64(t)
		if fe := FroUp(e); fe > 0 {
			bound.Add(bound, new(big.Rat).SetFloat64(fe))
		}
		return SqrtUp(bound)
	}
	return SqrtUp(trace)
}

// NuclearUp returns an upper bound on ||B||_* = sum_i sigma_i(B).
//
// For every factorization C = L R, by Hoelder's inequality for Schatten
// norms and the AM-GM inequality, ||L R||_* <= ||L||_F ||R||_F <=
// (||L||_F^2 + ||R||_F^2)/2, with equality for the balanced factors of the
// SVD. So with E = B - L R (exact) and rank E <= r, the smaller side of B,
//
//	||B||_* <= ||L R||_* + ||E||_* <= (||L||_F^2 + ||R||_F^2)/2 + sqrt(r) ||E||_F.
//
// L = U Sigma^{1/2} and R = Sigma^{1/2} V^T come from the floating-point
// thin SVD B = U Sigma V^T; the squared norms are summed exactly, E is
// formed entry by entry in exact arithmetic and rounded up in magnitude,
// and the products are rounded up. E is of the order of rounding, so the
// bound exceeds the floating-point sum of the singular values by about
// 1e-15 relative. (An earlier bound, (tr S + tr(S^{-1} G))/2 for a positive
// definite S near G^{1/2}, G = B B^T, needed a rational Gaussian
// elimination that took 40% of a spectral solve at 40 classes.)
func NuclearUp(b *mat.Dense) float64 {
	bs := smallSide(b)
	r, c := bs.Dims()
	rootR := SqrtUp(big.NewRat(int64(r), 1))
	var svd mat.SVD
	if !svd.Factorize(bs, mat.SVDThin) {
		// Unreachable in practice; sum sigma_i <= sqrt(r) ||B||_F.
		return MulUp(rootR, FroUp(bs))
	}
	sigma := svd.Values(nil)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	// L = U Sigma^{1/2} (r×q), R^T = V Sigma^{1/2} (c×q), q = len(sigma).
	q := len(sigma)
	l := mat.NewDense(r, q, nil)
	rt := mat.NewDense(c, q, nil)
	for a := range q {
		h := math.Sqrt(sigma[a])
		for i := range r {
			l.Set(i, a, u.At(i, a)*h)
		}
		for j := range c {
			rt.Set(j, a, v.At(j, a)*h)
		}
	}
	var sq ExactSum
	for _, m := range []*mat.Dense{l, rt} {
		rows, _ := m.Dims()
		for i := range rows {
			for _, x := range m.RawRowView(i) {
				sq.AddProduct(x, x)
			}
		}
	}
	bound := sq.Rat()
	bound.Quo(bound, big.NewRat(2, 1))
	// |E_ij| rounded up, E = B - L R.
	e := mat.NewDense(r, c, nil)
	for i := range r {
		li := l.RawRowView(i)
		for j := range c {
			var eij ExactSum
			eij.AddProduct(bs.At(i, j), 1)
			for a, x := range rt.RawRowView(j) {
				eij.AddProduct(-li[a], x)
			}
			d := eij.Rat()
			e.Set(i, j, RoundUp(d.Abs(d)))
		}
	}
	if fe := FroUp(e); fe > 0 {
		bound.Add(bound, new(big.Rat).SetFloat64(MulUp(rootR, fe)))
	}
	return RoundUp(bound)
}

// MulUp returns a float64 >= a*b for a, b >= 0.
func MulUp(a, b float64) float64 {
	p := a * b
	if p == 0 && a != 0 && b != 0 {
		return math.SmallestNonzeroFloat64
	}
	return math.Nextafter(p, math.Inf(1))
}

// powRelErr is the relative error assumed of one call of math.Log or
// math.Exp: 2^-44, 256 ulp. The pure-Go versions are documented to err by
// less than 1 ulp (FreeBSD's e_log.c and e_exp.c); amd64 uses assembly
// versions (SLEEF's method for Exp) whose bound is not documented, so a
// wide margin is assumed. TestPowUp checks the enclosure exactly where an
// integer power of the bound can be compared with the rational value.
const powRelErr = 0x1p-44

// powUp returns a float64 >= x^y for x >= 0 and y > 0.
//
// z = fl(y fl(log x)) satisfies |z - y ln x| <= (2 powRelErr + 2^-53)|z| +
// tiny, so x^y <= fl(exp z) (1 + powRelErr) exp(3 powRelErr |z|); the
// returned value (1 + powRelErr (4|z| + 2)) fl(exp z), rounded up, exceeds
// it for |z| <= 746 (beyond which exp overflows or underflows: an
// underflowed value is replaced by 2^-999, an overflowed one stays +Inf).
func powUp(x, y float64) float64 {
	switch {
	case x == 0:
		return 0
	case x == 1:
		return 1
	case y == 1:
		return x
	}
	z := y * math.Log(x)
	e := math.Exp(z)
	if e < 0x1p-1000 {
		return 0x1p-999
	}
	return MulUp(e, 1+powRelErr*(4*math.Abs(z)+2))
}

// sumUp returns a float64 >= sum of the nonnegative values: the
// floating-point sum (error <= (m-1) u sum, u = 2^-53, Higham eq. 4.4)
// widened by 2 m u and rounded up.
func sumUp(vals []float64) float64 {
	var s float64
	for _, v := range vals {
		s += v
	}
	return MulUp(s, 1+2*float64(len(vals)+1)*0x1p-53)
}

// recipBracket returns float64s lo <= 1/p <= hi, checked exactly.
func recipBracket(p float64) (lo, hi float64) {
	r := 1 / p
	pr := new(big.Rat).SetFloat64(p)
	prod := new(big.Rat).Mul(new(big.Rat).SetFloat64(r), pr)
	switch prod.Cmp(big.NewRat(1, 1)) {
	case 0:
		return r, r
	case 1:
		return math.Nextafter(r, 0), r
	default:
		return r, math.Nextafter(r, math.Inf(1))
	}
}

// rootUp returns a float64 >= s^{1/p} for s >= 0, p >= 1: x -> s^x is
// nondecreasing for s >= 1 and nonincreasing for s < 1, so the exponent is
// the upper or lower float64 neighbour of 1/p accordingly.
func rootUp(s, p float64) float64 {
	lo, hi := recipBracket(p)
	if s >= 1 {
		return powUp(s, hi)
	}
	return powUp(s, lo)
}

// PNormUp returns an upper bound on the entry-wise lp norm (sum |B_ab|^p)^{1/p}
// of B for p >= 1: each |B_ab|^p by powUp, their sum by sumUp, the root by
// rootUp. Before the powers, B is scaled by 2^-e with 2^e >= max |B_ab|
// so that no power overflows; the scale is applied back exactly.
func PNormUp(b *mat.Dense, p float64) float64 {
	r, c := b.Dims()
	var largest float64
	for i := range r {
		for _, v := range b.RawRowView(i)[:c] {
			largest = max(largest, math.Abs(v))
		}
	}
	if largest == 0 {
		return 0
	}
	_, e := math.Frexp(largest) // largest < 2^e
	terms := make([]float64, 0, r*c)
	for i := range r {
		for _, v := range b.RawRowView(i)[:c] {
			if v == 0 {
				continue
			}
			// Exact unless it would be subnormal, where Ldexp may round
			// down: raise such a value to 2^-1000 instead.
			terms = append(terms, powUp(max(math.Ldexp(math.Abs(v), -e), 0x1p-1000), p))
		}
	}
	root := rootUp(sumUp(terms), p)
	// Ldexp is exact unless it overflows (then +Inf, still an upper bound)
	// or the result is subnormal (round up by one ulp).
	return math.Nextafter(math.Ldexp(root, e), math.Inf(1))
}

// ConjugateDown returns a float64 q' <= p/(p-1), the conjugate exponent of
// p > 1, checked exactly. Since ||.||_q is nonincreasing in q,
// ||A||_{q'} >= ||A||_q is an upper bound on the dual of the lp norm.
func ConjugateDown(p float64) float64 {
	q := p / (p - 1)
	pr := new(big.Rat).SetFloat64(p)
	exact := new(big.Rat).Quo(pr, new(big.Rat).Sub(pr, big.NewRat(1, 1)))
	for new(big.Rat).SetFloat64(q).Cmp(exact) > 0 {
		q = math.Nextafter(q, 0)
	}
	return q
}
