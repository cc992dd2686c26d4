package certify

import (
	"errors"
	"fmt"
	"math"
	"math/big"

	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// BadShape is the value Certify and PrimalBound panic with when W is not
// K×d; package solver panics with it for any data set or classifier of
// inconsistent dimensions.
const BadShape = "solver: data set shape mismatch"

// ErrBadDual is returned by Certify for dual weights that are not a valid
// certificate: a negative or non-finite weight, a pair that is not (sample,
// wrong class), or all weights zero. Package solver re-exports it as
// solver.ErrBadDual, hence the "solver:" of its message.
var ErrBadDual = errors.New("solver: invalid dual weights")

// Pair is a dual weight lambda_ic >= 0 on the margin constraint of sample I
// against the wrong class C.
type Pair struct {
	I, C   int
	Weight float64
}

// Certify is solver.Certify: it returns
//
//	lower = max(0, m(W) / N(W)),   m(W) = min_{i, c != y_i} (w_{y_i} - w_c) . x_i,
//	upper = N*(A(lambda)) / sum lambda,   A(lambda) = sum lambda_ic (e_{y_i} - e_c) x_i^T,
//
// exactly, in rational arithmetic, with lower <= gamma_N <= upper whatever
// produced W and lambda (MATH.md section 3). It returns an error wrapping
// ErrBadDual for invalid weights (see DualBound) and panics if W is not K×d.
func Certify(ds *dataset.Dataset, n norm.Polyhedral, w *mat.Dense, lambda []Pair) (lower, upper *big.Rat, err error) {
	upper, err = DualBound(ds, n, lambda)
	if err != nil {
		return nil, nil, err
	}
	return PrimalBound(ds, n, w), upper, nil
}

// PrimalBound returns max(0, m(W)/N(W)) exactly.
func PrimalBound(ds *dataset.Dataset, n norm.Polyhedral, w *mat.Dense) *big.Rat {
	_, d, k := ds.Dims()
	if r, c := w.Dims(); r != k || c != d {
		panic(BadShape)
	}
	wr := make([]*big.Rat, k*d)
	for c := range k {
		for l := range d {
			wr[c*d+l] = new(big.Rat).SetFloat64(w.At(c, l))
		}
	}
	nw := n.ValueRat(wr, k, d)
	if nw.Sign() == 0 {
		return new(big.Rat)
	}
	m := ExactMargin(ds, w)
	if m.Sign() <= 0 {
		return new(big.Rat)
	}
	return m.Quo(m, nw)
}

// ExactMargin returns m(W) = min_{i, c != y_i} (w_{y_i} - w_c) . x_i exactly.
//
// The scores s_ic = w_c . x_i are computed in floating point together with
// the bound |fl(s_ic) - s_ic| <= gamma_d sum_l |w_cl x_il| + d 2^-1074 (any
// summation order; Higham, Accuracy and Stability, eq. 3.5, plus underflow),
// enlarged by a safety factor for the rounding of the bound itself. A pair is
// evaluated exactly only when its interval could hold the minimum.
func ExactMargin(ds *dataset.Dataset, w *mat.Dense) *big.Rat {
	n, d, k := ds.Dims()
	var scores, abs mat.Dense
	scores.Mul(ds.X, w.T())
	absX := absDense(ds.X)
	absW := absDense(w)
	abs.Mul(absX, absW.T())

	const u = 0x1p-53
	gd := 2 * float64(d+2) * u // >= gamma_d (1 + gamma_d) for d u < 1/4
	under := float64(d+1) * 0x1p-1074
	errOf := func(i, c int) float64 { return gd*abs.At(i, c) + under }

	type cand struct {
		i, c   int
		lo, hi float64
	}
	var cands []cand
	minHi := math.Inf(1)
	for i := range n {
		y := ds.Y[i]
		sy, ey := scores.At(i, y), errOf(i, y)
		for c := range k {
			if c == y {
				continue
			}
			mg := sy - scores.At(i, c)
			e := (ey+errOf(i, c))*(1+4*u) + 2*u*math.Abs(mg) + under
			lo, hi := mg-e, mg+e
			minHi = min(minHi, hi)
			cands = append(cands, cand{i, c, lo, hi})
		}
	}
	var best *big.Rat
	exact := make(map[[2]int]*big.Rat)
	score := func(i, c int) *big.Rat {
		key := [2]int{i, c}
		if s, ok := exact[key]; ok {
			return s
		}
		s := exactDot(ds.X.RawRowView(i), w.RawRowView(c))
		exact[key] = s
		return s
	}
	var mg big.Rat
	for _, cd := range cands {
		if cd.lo-4*u*math.Abs(cd.lo) > minHi+4*u*math.Abs(minHi)+under {
			continue
		}
		mg.Sub(score(cd.i, ds.Y[cd.i]), score(cd.i, cd.c))
		if best == nil || mg.Cmp(best) < 0 {
			best = new(big.Rat).Set(&mg)
		}
	}
	if best == nil {
		// Unreachable: the pair attaining minHi has lo <= minHi.
		panic("solver: no candidate for the minimum margin")
	}
	return best
}

// absDense returns |A| entry-wise.
func absDense(a *mat.Dense) *mat.Dense {
	r, c := a.Dims()
	b := mat.NewDense(r, c, nil)
	b.Apply(func(_, _ int, v float64) float64 { return math.Abs(v) }, a)
	return b
}

// DualBound returns N*(A(lambda)) / sum lambda exactly, or an error
// wrapping ErrBadDual when a weight is negative or not finite, a pair is out
// of range or has C = Y[I], or every weight is 0. The weights need not sum
// to 1; a pair may appear more than once (its weights add).
func DualBound(ds *dataset.Dataset, n norm.Polyhedral, lambda []Pair) (*big.Rat, error) {
	nn, d, k := ds.Dims()
	var total ExactSum
	acc := make([]ExactSum, k*d)
	for _, p := range lambda {
		if p.I < 0 || p.I >= nn || p.C < 0 || p.C >= k || p.C == ds.Y[p.I] {
			return nil, fmt.Errorf("%w: pair (%d, %d) is not a sample and a wrong class", ErrBadDual, p.I, p.C)
		}
		if !(p.Weight >= 0) || math.IsInf(p.Weight, 0) {
			return nil, fmt.Errorf("%w: weight %v of pair (%d, %d)", ErrBadDual, p.Weight, p.I, p.C)
		}
		if p.Weight == 0 {
			continue
		}
		total.AddProduct(p.Weight, 1)
		y := ds.Y[p.I]
		x := ds.X.RawRowView(p.I)
		for l, v := range x {
			acc[y*d+l].AddProduct(p.Weight, v)
			acc[p.C*d+l].AddProduct(-p.Weight, v)
		}
	}
	sum := total.Rat()
	if sum.Sign() == 0 {
		return nil, fmt.Errorf("%w: all weights are zero", ErrBadDual)
	}
	a := make([]*big.Rat, k*d)
	for j := range acc {
		a[j] = acc[j].Rat()
	}
	u := n.DualRat(a, k, d)
	return u.Quo(u, sum), nil
}
