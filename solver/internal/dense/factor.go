package dense

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"maxmargin/internal/openblas"
)

// FactorRegularized returns the Cholesky factor L, L L^T = K, of the n×n
// symmetric matrix K whose lower triangle assemble writes into data
// (row-major, stride n). When K is not numerically positive definite it
// assembles K again, adds 1e-12 max_r K_rr to its diagonal, calls
// regularized (when not nil) and factorizes once more; ok reports whether
// a factor was found. The interior-point methods' Newton systems are
// positive definite in exact arithmetic and lose that only to rounding
// near the optimum, which the shift repairs.
func FactorRegularized(n int, data []float64, assemble, regularized func()) (tri blas64.Triangular, ok bool) {
	assemble()
	sym := blas64.Symmetric{N: n, Stride: n, Data: data, Uplo: blas.Lower}
	if tri, ok = openblas.Potrf(sym); ok {
		return tri, true
	}
	assemble()
	var big float64
	for r := range n {
		big = max(big, data[r*n+r])
	}
	for r := range n {
		data[r*n+r] += 1e-12 * big
	}
	if regularized != nil {
		regularized()
	}
	return openblas.Potrf(sym)
}

// SolveFactored overwrites b with the solution x of L L^T x = b for the
// factor tri = L (len(b) its order): two triangular solves (Potrs's Trsm
// is slower for a single right-hand side).
func SolveFactored(tri blas64.Triangular, b []float64) {
	v := blas64.Vector{N: len(b), Inc: 1, Data: b}
	openblas.Trsv(blas.NoTrans, tri, v)
	openblas.Trsv(blas.Trans, tri, v)
}
