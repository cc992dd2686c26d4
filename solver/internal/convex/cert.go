package convex

import (
	"fmt"
	"math"
	"math/big"

	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/certify"
)

// valueUp returns a float64 >= N(W) (internal/certify/bounds.go).
func (froCone) valueUp(w *mat.Dense) float64      { return certify.FroUp(w) }
func (spectralCone) valueUp(w *mat.Dense) float64 { return certify.SpectralUp(w) }
func (nuclearCone) valueUp(w *mat.Dense) float64  { return certify.NuclearUp(w) }
func (c pnormCone) valueUp(w *mat.Dense) float64  { return certify.PNormUp(w, c.p) }

// The cones' dualUp return a rational >= N*(A) for the k×d matrix A with
// exact rational entries a (row-major).
//
// A is split as A = F + E with F the nearest float64 matrix (splitDual);
// then N*(A) <= N*(F) + N*(E) by the triangle inequality, N*(F) is bounded
// by internal/certify/bounds.go, and the rounding error E (exact) by
//
//	nuclear(E) <= sqrt(min(k, d)) ||E||_F,  sigma_1(E) <= ||E||_F,
//	||E||_q <= ||E||_1   (q >= 1).
//
// The Frobenius norm, its own dual, is bounded directly: sum a_ab^2 is
// exact.
func (froCone) dualUp(a []*big.Rat, k, d int) *big.Rat {
	sp := splitDual(a, k, d)
	return new(big.Rat).SetFloat64(certify.SqrtUp(&sp.sumSq))
}

// dualUp bounds N* = nuclear (see froCone.dualUp).
func (spectralCone) dualUp(a []*big.Rat, k, d int) *big.Rat {
	sp := splitDual(a, k, d)
	bound := certify.NuclearUp(sp.f)
	extra := certify.MulUp(math.Nextafter(math.Sqrt(float64(min(k, d))), math.Inf(1)), certify.SqrtUp(&sp.errFro2))
	return ratSum(bound, extra)
}

// dualUp bounds N* = spectral (see froCone.dualUp).
func (nuclearCone) dualUp(a []*big.Rat, k, d int) *big.Rat {
	sp := splitDual(a, k, d)
	bound := certify.SpectralUp(sp.f)
	extra := certify.SqrtUp(&sp.errFro2)
	return ratSum(bound, extra)
}

// dualUp bounds N* = lq with q = p/(p-1) >= certify.ConjugateDown(p) (see
// froCone.dualUp).
func (c pnormCone) dualUp(a []*big.Rat, k, d int) *big.Rat {
	sp := splitDual(a, k, d)
	bound := certify.PNormUp(sp.f, certify.ConjugateDown(c.p))
	extra := certify.RoundUp(&sp.errL1)
	return ratSum(bound, extra)
}

// dualSplit is the split A = F + E of a rational k×d matrix A: F the
// nearest float64 matrix, and exactly sum a_ab^2, ||E||_F^2 and ||E||_1.
type dualSplit struct {
	f                     *mat.Dense
	sumSq, errFro2, errL1 big.Rat
}

// splitDual returns the split of the k×d matrix A with exact rational
// entries a (row-major).
func splitDual(a []*big.Rat, k, d int) *dualSplit {
	sp := &dualSplit{f: mat.NewDense(k, d, nil)}
	f := sp.f
	var sq, e big.Rat
	for j, v := range a {
		x, _ := v.Float64()
		f.RawMatrix().Data[j] = x
		e.Sub(v, new(big.Rat).SetFloat64(x))
		sq.Mul(&e, &e)
		sp.errFro2.Add(&sp.errFro2, &sq)
		sp.errL1.Add(&sp.errL1, e.Abs(&e))
		sq.Mul(v, v)
		sp.sumSq.Add(&sp.sumSq, &sq)
	}
	return sp
}

// ratSum returns bound + extra exactly.
func ratSum(bound, extra float64) *big.Rat {
	out := new(big.Rat).SetFloat64(bound)
	return out.Add(out, new(big.Rat).SetFloat64(extra))
}

// exactDual returns the entries of A(lambda) = sum lambda_ic (e_{y_i} - e_c)
// x_i^T (k×d, row-major) and sum lambda, exactly, after checking the
// weights as Certify does (ErrBadDual). (certify.DualBound repeats
// it and can become n.DualRat(exactDual(...)) / sum.)
func exactDual(ds *dataset.Dataset, lambda []certify.Pair) ([]*big.Rat, *big.Rat, error) {
	nn, d, k := ds.Dims()
	var total certify.ExactSum
	acc := make([]certify.ExactSum, k*d)
	for _, p := range lambda {
		if p.I < 0 || p.I >= nn || p.C < 0 || p.C >= k || p.C == ds.Y[p.I] {
			return nil, nil, fmt.Errorf("%w: pair (%d, %d) is not a sample and a wrong class", certify.ErrBadDual, p.I, p.C)
		}
		if !(p.Weight >= 0) || math.IsInf(p.Weight, 0) {
			return nil, nil, fmt.Errorf("%w: weight %v of pair (%d, %d)", certify.ErrBadDual, p.Weight, p.I, p.C)
		}
		if p.Weight == 0 {
			continue
		}
		total.AddProduct(p.Weight, 1)
		y := ds.Y[p.I]
		for l, v := range ds.X.RawRowView(p.I) {
			acc[y*d+l].AddProduct(p.Weight, v)
			acc[p.C*d+l].AddProduct(-p.Weight, v)
		}
	}
	sum := total.Rat()
	if sum.Sign() == 0 {
		return nil, nil, fmt.Errorf("%w: all weights are zero", certify.ErrBadDual)
	}
	a := make([]*big.Rat, k*d)
	for j := range acc {
		a[j] = acc[j].Rat()
	}
	return a, sum, nil
}

// convexBounds returns the certificate of MATH.md section 3 for a
// non-polyhedral norm: lower = max(0, m(W)/N_up(W)) with m(W) exact and
// N_up(W) >= N(W) (valueUp), and upper = N*_up(A(lambda))/sum lambda with
// A(lambda) and the sum exact (dualUp). Both are rigorous: lower <= gamma_N
// because W/N_up(W) has norm at most 1, and gamma_N <= upper by weak
// duality.
func convexBounds(ds *dataset.Dataset, cn convexNorm, w *mat.Dense, lambda []certify.Pair) (lower, upper *big.Rat, err error) {
	_, d, k := ds.Dims()
	if r, c := w.Dims(); r != k || c != d {
		panic(certify.BadShape)
	}
	a, sum, err := exactDual(ds, lambda)
	if err != nil {
		return nil, nil, err
	}
	upper = cn.dualUp(a, k, d)
	upper.Quo(upper, sum)
	lower = new(big.Rat)
	if nw := cn.valueUp(w); nw > 0 {
		if m := certify.ExactMargin(ds, w); m.Sign() > 0 {
			lower.Quo(m, new(big.Rat).SetFloat64(nw))
		}
	}
	return lower, upper, nil
}

// Bounds returns the certificate lower <= gamma_N <= upper of the
// non-polyhedral norm n (fro, spectral, nuclear or l<p>) for the k×d
// classifier w and the dual weights lambda on ds: lower = max(0,
// m(W)/N_up(W)) and upper = N*_up(A(lambda))/sum lambda, both rigorous
// (convexBounds). It returns an error wrapping certify.ErrBadDual for
// weights that are not a certificate and wrapping ErrUnsupportedNorm for
// any other norm, and panics with certify.BadShape if w is not k×d.
func Bounds(ds *dataset.Dataset, n norm.Norm, w *mat.Dense, lambda []certify.Pair) (lower, upper *big.Rat, err error) {
	cn, ok := convexNormOf(n)
	if !ok {
		return nil, nil, fmt.Errorf("%w: %q", ErrUnsupportedNorm, n.Name())
	}
	return convexBounds(ds, cn, w, lambda)
}

// convexCertify builds the Result for the classifier w (rescaled here to
// N(w) = 1 in floating point) and the weights lambda (normalised to sum 1).
func convexCertify(ds *dataset.Dataset, cn convexNorm, w *mat.Dense, lambda []certify.Pair, tol float64) (*certify.Result, error) {
	if nw := cn.n.Value(w); nw > 0 && !math.IsInf(nw, 0) {
		w.Scale(1/nw, w)
	}
	var sum float64
	for _, p := range lambda {
		sum += p.Weight
	}
	if sum > 0 {
		for i := range lambda {
			lambda[i].Weight /= sum
		}
	}
	lower, upper, err := convexBounds(ds, cn, w, lambda)
	if err != nil {
		return nil, err
	}
	res := &certify.Result{Norm: cn.n.Name(), W: w, Lambda: lambda}
	res.Separable = lower.Sign() > 0
	if !res.Separable {
		_, d, k := ds.Dims()
		res.W = mat.NewDense(k, d, nil)
	}
	res.Lower = certify.RoundDown(lower)
	res.Margin = res.Lower
	res.Upper = certify.RoundUp(upper)
	res.Certified = WithinTolerance(lower, upper, tol)
	return res, nil
}

// WithinTolerance reports, exactly, whether upper - lower <= tol max(1,
// lower) for lower >= 0: the certified-width test of Result.Certified for
// the convex norms (that of the polyhedral norms is
// certify.WithinPolyhedral).
func WithinTolerance(lower, upper *big.Rat, tol float64) bool {
	width := new(big.Rat).Sub(upper, lower)
	bound := new(big.Rat).SetFloat64(tol)
	if lower.Cmp(big.NewRat(1, 1)) > 0 {
		bound.Mul(bound, lower)
	}
	return width.Cmp(bound) <= 0
}
