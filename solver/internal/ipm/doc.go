// Package ipm holds the primal-dual interior-point machinery of package
// solver: Mehrotra's predictor-corrector loop (Nocedal and Wright,
// Numerical Optimization, 2nd ed., algorithm 16.4), shared by every method
// that implements its phases as a Problem (the LP's max and sum forms,
// ipmWork, and its group form, groupWork, here; the SVM QP and the SDPs of
// the convex norms), and the interior-point method of the polyhedral
// norms' max-margin LP (MaxMargin, WorkingSet, with its tuning Options).
//
// # The LP method
//
// The margin rows of the LP are M_p . vec(W) >= rhs, M_p = (e_{y_i} - e_c)
// x_i^T for the pair p = (i, c) (a workset.Row). Three forms are solved
// (lp.go, group.go):
//
//	max (Entries):  minimize -g        s.t.  M w - g 1 >= 0,  -1 <= w <= 1,  g free;
//	sum (Whole):    minimize 1^T(P+Q)  s.t.  M (P - Q) >= 1,  P, Q >= 0;
//	group (any):    minimize -g        s.t.  M (P - Q) - g 1 >= 0,
//	                                         1 - sum_{j in g} (P_j + Q_j) >= 0 per group,
//	                                         P, Q >= 0,  g free,
//
// gamma = 1/optimum in the sum form. With slacks s and duals lambda on the
// rows, every Newton step reduces to the m×m normal equations
//
//	K dlambda = r,   K = M E M^T + diag(s / lambda),
//
// E diagonal over the kd entries of W, bordered by the free column g (max
// and group forms) and, in the group form, by one row per group. K has the
// class structure of M and is assembled from k Gram matrices X E_a X^T,
// then factorized by a dense Cholesky (dense.Cholesky, OpenBLAS).
//
// Constraint reduction (Tits, Absil and Woessner, SIAM J. Optim. 17, 2006):
// near the optimum K is built over the pairs whose weight lambda_p/s_p is
// at least Options.Reduce.Band times the largest or that look active; every
// pair's slack still takes its exact step, and the multipliers of the pairs
// left out are reset to the central path. Far from the optimum, on large
// LPs, K is solved by conjugate gradients preconditioned with the
// factorized block of its heaviest pairs and the diagonal of the rest
// (pcgSolve, Options.PCG). When the kd weights are fewer than the pairs,
// the Sherman-Morrison-Woodbury identity
//
//	K^{-1} = D - D M H^{-1} M^T D,   D = diag(lambda/s),   H = E^{-1} + M^T D M,
//
// replaces the m×m factorization by a kd×kd one (weights.go; for the group
// form groupweights.go, where the group rows are eliminated per group by
// Sherman-Morrison). Near the optimum the active rows and free entries are
// read off the iterate and one least-squares correction jumps to the
// vertex (purification).
//
// Any iterate gives certified bounds (docs/MATH.md section 3),
//
//	m(W)/N(W) <= gamma_N <= N*(A(lambda)) / sum lambda,
//
// over the working set; MaxMargin grows the working set until no pair
// violates the restricted lower bound, and certify.FromLP then decides the
// whole problem exactly.
//
// Package ipm is internal to solver; it never imports solver.
package ipm
