package convex

import (
	"math"

	"maxmargin/solver/internal/certify"
	"maxmargin/solver/internal/ipm"
	"maxmargin/solver/internal/run"

	"gonum.org/v1/gonum/mat"
)

// convexMethod returns the name of the method of Solve for the
// norm cn that a *StatusError of a numerical failure names: "QP
// interior-point method (fro)", "SDP interior-point method (spectral)" or
// "(nuclear)", "primal-dual barrier method (N)" and "barrier method (N)".
func convexMethod(kind string, cn convexNorm) string {
	return kind + " (" + cn.n.Name() + ")"
}

const (
	qpMethodKind      = "QP interior-point method"
	sdpMethodKind     = "SDP interior-point method"
	pdMethodKind      = "primal-dual barrier method"
	barrierMethodKind = "barrier method"
)

// symEigenvalues returns the eigenvalues of the symmetric a in increasing
// order, or false when a has an entry that is not finite or the
// factorisation fails. The matrix is first scaled by a power of two to
// largest entry in [1/2, 1) (exact; the eigenvalues are scaled back) and
// entries below 2^-300 of the largest are set to zero (a change of the
// eigenvalues far below rounding): gonum's Dsterf panics on a tridiagonal
// block whose norm is outside [sqrt(safmin)/eps^2, its reciprocal]
// ("lapack: insufficient length of a", a wrong length check in its
// rescaling), which the spectral SDP's Newton steps produced on raw
// breast cancer data (columns from 1e-3 to 4e3, gamma about 1e-4).
func symEigenvalues(a *mat.SymDense) ([]float64, bool) {
	n := a.SymmetricDim()
	var big float64
	for i := range n {
		for j := i; j < n; j++ {
			v := a.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, false
			}
			big = max(big, math.Abs(v))
		}
	}
	if big == 0 {
		return make([]float64, n), true
	}
	_, e := math.Frexp(big)
	cut := math.Ldexp(big, -300)
	scaled := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			v := a.At(i, j)
			if math.Abs(v) < cut {
				v = 0
			}
			scaled.SetSym(i, j, math.Ldexp(v, -e))
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(scaled, false) {
		return nil, false
	}
	vals := eig.Values(nil)
	for i, v := range vals {
		vals[i] = math.Ldexp(v, e)
	}
	return vals, true
}

// guarded runs f, a method of the convex path named method, and returns
// its error, or the *StatusError of run.RecoverNumerical when it panics. A
// *StatusError that names only the generic ipm.Method (a time-out or a
// cancellation seen by Budget.Stop inside the method) is renamed to
// method, so that a user learns which method the limit stopped.
func guarded(method string, f func() error) (err error) {
	defer run.RecoverNumerical(method, &err)
	err = f()
	if se, ok := err.(*run.StatusError); ok && se.Method == ipm.Method {
		se.Method = method
	}
	return err
}

// anytimeBest collects, over the methods of one solve, the narrowest of
// the results certified whatever their width (iterateCertifier.anytime):
// the result of a solve the budget stops.
type anytimeBest struct{ r *certify.Result }

// keep remembers r if it is the narrowest so far.
func (a *anytimeBest) keep(r *certify.Result) {
	if a != nil {
		a.r = narrower(a.r, r)
	}
}

// narrower returns whichever of a and b (either may be nil) has the
// narrower certified interval, a on a tie.
func narrower(a, b *certify.Result) *certify.Result {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case b.Upper-b.Lower < a.Upper-a.Lower:
		return b
	}
	return a
}
