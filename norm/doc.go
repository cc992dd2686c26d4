// Package norm implements the matrix norms of the suite (MATH.md section 2) for
// a classifier W in R^{k×d}: the norm N(W), its dual N*(G) = max_{N(D) <= 1}
// <G, D>, and the steepest direction D = argmax_{N(D) <= 1} <G, D> (the
// "linear minimisation oracle") that normalized steepest descent moves along.
//
// One interface, Norm, serves the solver (which needs N and N* for the
// certificate of MATH.md section 3) and the trainer (which needs the steepest
// direction). The four polyhedral norms of this package, max, sum, opinf and
// op1, are all "group" norms
//
//	N(W) = max_g sum_{(a,b) in g} |W_ab|,   N*(G) = sum_g max_{(a,b) in g} |G_ab|,
//
// for a partition of the entries into groups g: one group per entry (max), one
// group of all entries (sum), one per row (opinf), one per column (op1). They
// implement Polyhedral, which adds the grouping (so that the solver can write
// N(W) <= 1 as linear constraints) and exact rational evaluation (so that the
// certificate does not rest on floating point). Every norm here satisfies
// max(W) <= N(W) <= sum(W) (paper eq. 7).
//
// Norms that are not polyhedral (fro, entry-wise lp, spectral, nuclear) implement
// Norm alone and are added to ByName as they come.
package norm
