// Package certify holds the exact arithmetic of package solver and the
// certificates built on it: whatever method produced a classifier W and
// dual weights lambda, it bounds the max-margin value gamma_N rigorously,
//
//	max(0, m(W) / N(W)) <= gamma_N <= N*(A(lambda)) / sum lambda,
//	m(W) = min_{i, c != y_i} (w_{y_i} - w_c) . x_i,
//	A(lambda) = sum lambda_ic (e_{y_i} - e_c) x_i^T,
//
// by weak duality (docs/MATH.md section 3).
//
// Every float64 is taken as the dyadic rational it represents. ExactSum
// accumulates sums of products of float64s exactly, RoundDown and RoundUp
// round a rational to a float64 in a chosen direction. For the polyhedral
// norms both bounds are exact rationals (Certify, PrimalBound, DualBound,
// ExactMargin). For the convex norms (Frobenius, spectral, nuclear,
// entry-wise l<p>) the norm of a float64 matrix is bounded from above by a
// float64 that is provably no smaller (FroUp, SpectralUp, NuclearUp,
// PNormUp; MulUp, SqrtUp, ConjugateDown for the directed roundings they
// compose).
//
// Package certify is internal to solver, which re-exports Certify, Pair and
// ErrBadDual; certify never imports solver.
package certify
