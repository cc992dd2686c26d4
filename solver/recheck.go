package solver

import (
	"math/big"

	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/convex"
)

// Bounds evaluates, for any norm MaxMargin supports, the rigorous
// certificate lower <= gamma_N <= upper that MaxMargin certifies its results
// with, for the classifier W and the dual weights lambda on ds:
//
//   - polyhedral norms (max, sum, opinf, op1): Certify's exact interval,
//     lower = max(0, m(W)/N(W)) and upper = N*(A(lambda))/sum lambda;
//   - fro, spectral, nuclear and l<p>: lower = max(0, m(W)/N_up(W)) with
//     m(W) exact and N_up(W) >= N(W), and upper = N*_up(A(lambda))/sum
//     lambda with A(lambda) and the sum exact and N*_up >= N* (the bounds
//     of the convex path, internal/certify/bounds.go).
//
// Both ends are rigorous whatever produced W and lambda, so Bounds re-checks
// a stored Result: its interval [Lower, Upper] is proved when lower >= Lower
// and upper <= Upper. For the Result of MaxMargin on the same data the two
// agree to the last bit (the same deterministic evaluation).
//
// Bounds returns an error wrapping ErrBadDual for weights that are not a
// certificate (see Certify), and wrapping ErrUnsupportedNorm for other
// norms. It panics if W is not K×d.
func Bounds(ds *dataset.Dataset, n norm.Norm, w *mat.Dense, lambda []Pair) (lower, upper *big.Rat, err error) {
	if pn, ok := n.(norm.Polyhedral); ok {
		return Certify(ds, pn, w, lambda)
	}
	return convex.Bounds(ds, n, w, lambda)
}
