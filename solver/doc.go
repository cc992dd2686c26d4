// Package solver computes the max-margin value
//
//	gamma_N = max_{N(W) <= 1} m(W),   m(W) = min_{i, c != y_i} (w_{y_i} - w_c) . x_i,
//
// of a labelled data set for a polyhedral matrix norm N (max, sum, opinf,
// op1), an optimal classifier, and a certificate that anyone can check
// without trusting the LP engine (MATH.md section 3; paper eq. 2).
//
// # The linear programme
//
// For a group norm N(W) = max_g sum_{(a,b) in g} |W_ab| the problem is the LP
//
//	maximize gamma  s.t.  (w_{y_i} - w_c) . x_i - gamma >= 0   for all i, c != y_i,
//	                      N(W) <= 1,
//
// with W and gamma free. The max norm is written as column bounds
// -1 <= W_ab <= 1; sum, opinf and op1 as W = P - Q, P, Q >= 0, with one row
// sum_{(a,b) in g} (P_ab + Q_ab) <= 1 per group (norm.Grouping). It is solved
// with lp_solve 5.5 through golp.
//
// # Working set
//
// The LP has n(k-1) margin rows but few are active at the optimum, and
// lp_solve on the full LP is slow (3.4 s at (n,d,k) = (100,200,5), no answer
// in 300 s at (200,500,10); MEASURED.md). MaxMargin therefore generates
// constraints: it starts with each sample's worst pair under the class-mean
// classifier, solves, adds every sample's most violated pair not yet in the
// LP, and repeats until no margin of the (normalized) W lies below the
// restricted optimum by more than a quarter of the tolerance. The restricted
// optimum is an upper bound on gamma_N and W's margin over all pairs a lower
// bound, so the loop stops with both within the tolerance; the LP's row
// duals, lambda = -dual (lp_solve reports the >= rows of a maximisation with
// duals <= 0), are then a dual certificate for the full problem. For the max
// norm each column W_ab is stored with the sign that makes lp_solve's
// starting point (every bounded column at its lower bound) equal to
// sign(A(lambda_0)), the steepest direction for uniform weights on the
// initial pairs, which saves most bound flips.
//
// Measured on the project's 2-core machine (seconds, one run; max and sum
// norm; Gaussian = dataset.GaussianClusters(1, k, d, n/k, 0.1), random =
// dataset.RandomLabels(1, n, d, k)):
//
//	data       norm  (100,200,5)  (200,500,10)
//	Gaussian   max   0.13         7.4
//	random     max   1.3          > 120 (rounds of 5 to 31 s each)
//	Gaussian   sum   0.27         9.9
//	random     sum   1.2          > 120 (rounds of 8 to 42 s each)
//
// Adding the new rows to the solved LP (lp_solve keeps its basis) beat
// rebuilding the LP every round by 3x (Gaussian max (100,200,5): 0.13 s
// against 0.44 s; random: 1.3 s against 4.2 s). Capping the rows added per
// round at 20 or 50, or adding every violated pair, changed the total by
// less than 40% either way. Starting the max-norm columns at
// sign(A(lambda_0)) cut the first solve from 0.23 to 0.03 s (Gaussian) and
// from 0.38 to 0.18 s (random) at (100,200,5). Almost all the time is in
// lp_solve's simplex; lp_solve's steepest-edge pricing returned a wrong
// optimum in one trial and is not used.
//
// # Certificate
//
// For any W and any dual weights lambda >= 0 (MATH.md section 3),
//
//	L = max(0, m(W) / N(W))  <=  gamma_N  <=  U = N*(A(lambda)) / sum lambda,
//	A(lambda) = sum lambda_ic (e_{y_i} - e_c) x_i^T.
//
// Certify evaluates L and U exactly: every float64 is a dyadic rational, and
// sums of products of two float64s are accumulated exactly in big.Int with a
// common power of two; only the pairs whose floating-point margin, widened by
// a rigorous rounding-error bound, could be the least are evaluated exactly.
// L is rounded down and U up to float64. A Result is Certified when
// U - L <= Tolerance max(1, |gamma|) (default 1e-9); otherwise it says so
// and gives the interval. Non-separable data give L = 0, W = 0, Separable
// false and a small U: not an error.
//
// lp_solve's status is not evidence (MEASURED.md): every status but OPTIMAL
// is a *StatusError; a solve that ends after the time limit is reported as
// TIMEOUT even when lp_solve says OPTIMAL (measured: it returned OPTIMAL with
// gamma = 0 when interrupted); and an OPTIMAL objective below the margin of
// an earlier classifier is reported as an error rather than used.
package solver
