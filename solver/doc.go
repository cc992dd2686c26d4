// Package solver computes the max-margin value
//
//	gamma_N = max_{N(W) <= 1} m(W),   m(W) = min_{i, c != y_i} (w_{y_i} - w_c) . x_i,
//
// of a labelled data set for a matrix norm N, an optimal classifier, and a
// certificate that anyone can check without trusting the engine (MATH.md
// section 3; paper eq. 2). The norms supported are the polyhedral ones
// (norm.Polyhedral: max, sum, opinf, op1), by linear programming as
// described below, and fro, spectral, nuclear and the entry-wise l<p>
// norms, 1 < p < inf, by interior-point methods on their convex
// programmes (package solver/internal/convex, its Solve). Any other norm
// gives ErrUnsupportedNorm.
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
// # Engines
//
// The max and sum norms go to an interior-point method in Go (internal/ipm)
// when n(k-1)d >= 40000, to lp_solve over a working set below. The opinf and
// op1 norms go to the interior-point method's group form (internal/ipm,
// group.go: any grouping, normal equations bordered by one row per group)
// when the weights are at least half the pairs, 2kd >= n(k-1), or n(k-1)d >=
// 40000, and to lp_solve otherwise. With more than 1000 pairs and fewer
// weights than pairs the group form solves over every pair at once in weight
// space (internal/ipm, groupweights.go: one kd×kd factorization per step)
// and, when that does not certify, over a working set of its nearly active
// pairs. Each engine is the other's fallback: lp_solve when the interior
// points do not certify, the interior points when lp_solve ends with a
// status other than OPTIMAL. The certificate is exact whatever the engine.
// Settings.Trace receives the steps of the two interior-point forms (a
// debugging aid; the lines' format is not stable).
//
// lp_solve sees every feature column scaled by a power of two to order one,
// with the norm weighted to match (an exact change of variables, W = W' D),
// and gamma boxed strictly outside its reach.
//
// # Working set (lp_solve)
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
// initial pairs, which saves most bound flips. Adding the new rows to the
// solved LP (lp_solve keeps its basis) beat rebuilding it every round by 3x.
//
// # Interior points (max and sum)
//
// Random labels are the hard case for a simplex: at (100,200,5) 252 of the
// 400 pairs are active at the optimum, at (200,500,10) 925 of 1800, and
// lp_solve's rounds took 5 to 31 s each at (200,500,10) (HiGHS's simplex:
// 297 s for max, 130 s for sum). The interior-point method (Mehrotra's
// predictor-corrector; max form "maximize g s.t. M w >= g, |w| <= 1", sum
// form "minimize sum(P+Q) s.t. M(P-Q) >= 1") costs per iteration one m×m
// Cholesky factorization of K = M E M^T + diag(s/lambda), m the rows in the
// working set, assembled from k Gram matrices X E_a X^T, and takes 17 to 35
// iterations whatever the active set. Three things keep that cost down
// (internal/ipm, lp.go):
//
//   - Constraint reduction. Near the optimum K is built over the pairs
//     whose weight lambda_p/s_p is within 1e-2 of the largest or that look
//     active (lambda_p >= s_p/100); in the weight-space form of the step the
//     other pairs' terms are smaller by orders of magnitude. Every pair's
//     slack still takes its exact step, so the step length respects every
//     row, and the multipliers of the pairs left out are reset to the
//     central path. On Gaussian clusters at (200,500,10) the system falls
//     from 1800 pairs to about 130 over the last half of the iterations.
//     Reduced steps that stall or raise the mean complementarity give way
//     to full ones for a few iterations.
//   - Conjugate gradients. On large LPs (m >= 1000 and m^2 > 8000 d), far
//     from the optimum, K is solved by conjugate gradients preconditioned
//     with the factorized block of its 30% heaviest pairs and the diagonal
//     of the rest; a product with K is two n×k×d matrix products. They
//     converge in 15 to 90 products there and stop converging near the
//     optimum, where the reduced system takes over.
//   - Matrix products. M v and M^T u are formed as X V^T and U^T X (one
//     Gemm each) rather than pair by pair.
//   - OpenBLAS. The factorizations, the Gram matrices and those products
//     run in OpenBLAS (internal/openblas) rather than gonum's pure-Go
//     kernels.
//
// Near the optimum the active rows
// (lambda_p > s_p) and free entries of W are read off the iterate and one
// least-squares correction jumps to the primal and the dual vertex
// ("purification"): the certified width then drops from about 1e-8 (where
// the normal equations run out of precision) to about 1e-15. Every
// iterate's W and lambda are valid bounds, so the best of each is kept.
// Up to 5000 pairs are all put in the LP at once (one solve, straight to
// the full tolerance); above that the working set grows as for lp_solve
// (each sample's most violated pair), the intermediate sets being solved
// only to 1e-4.
//
// When there are more than 2000 pairs and they outnumber the weights (n(k-1)
// > kd for the sum norm, n(k-1) > 2kd for the max norm, e.g. digits: 2700
// pairs, 640 weights) the first solve is a screening over every pair to 1e-4
// with the Newton system in weight space (internal/ipm, weights.go): by the
// Sherman-Morrison-Woodbury identity K^{-1} = D - D M H^{-1} M^T D with D =
// diag(lambda/s) and H = E^{-1} + M^T D M, a kd×kd matrix made of k^2 blocks
// X^T diag(.) X, so each iteration factorizes H instead of K. The pairs
// whose margin lies within 0.1 upper of the lower bound, or whose lambda is
// at least 0.1 of the largest, start the working set (about 150 on digits),
// which then grows as above in the pair space. The weight space is used for
// that loose solve only: closer to the optimum its iterates lose precision
// (the width stalled near 1e-5 on digits).
//
// Measured: see docs/PERFORMANCE.md, sections "Certified LP solves against
// HiGHS" and "Solver design measurements".
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
// U - L <= Tolerance max(L, 2^-10 sigma_N) (default 1e-9), sigma_N =
// max_{i,c} N*((e_{y_i} - e_c) x_i^T) the largest margin one pair allows
// (MarginScale; 0 <= gamma_N <= sigma_N): a relative width wherever the
// margin is at least 2^-10 of the data's margin scale, an absolute floor
// in units of sigma_N below that and for non-separable data, and a verdict
// that does not change when the data are scaled (units do not matter).
// The floor 2^-10 is measured: the non-separable entries of the
// robustness corpus certify U <= 7.3e-14 sigma_N, 13 times below it.
// Margins of 1e-8 sigma_N (raw breast cancer: gamma_max = 6e-9 sigma_max)
// are thus certified to a relative width of at most 1e-9 2^-10 / 1e-8,
// about 1e-4; lp_solve's result, when it is wider than 2^-16 relative, is
// refined by solving its rows again in the ball of radius 2^-e (gamma in
// [2^(e-1), 2^e): margins of order one for lp_solve's absolute
// tolerances) for at most a second, and the narrower certificate kept.
// Measured on the corpus: the tiny-margin entries (gamma = 1e-9 to 3e-9
// sigma_N) then certify their exact gamma, raw breast cancer 8e-7 to 4e-6
// relative, near-duplicates 7e-7 to 1.4e-6. Otherwise the Result says it
// is not certified and gives the interval. Non-separable data give L = 0, W = 0, Separable
// false and a small U: not an error.
//
// lp_solve's status is not evidence (MEASURED.md): every status but OPTIMAL
// is a *StatusError; a solve that ends after the time limit is reported as
// TIMEOUT even when lp_solve says OPTIMAL (measured: it returned OPTIMAL with
// gamma = 0 when interrupted); and an OPTIMAL objective below the margin of
// an earlier classifier is reported as an error rather than used.
//
// # Layout
//
// Package solver is the facade: MaxMargin and its routing, Settings,
// Result, Certify, Bounds, MarginScale and WithinTolerance. The methods
// are internal packages, which never import solver:
//
//   - solver/internal/lpsolve: the restricted LP in lp_solve and the
//     working-set loop around it (WorkingSet);
//   - solver/internal/ipm: Mehrotra's predictor-corrector loop
//     (Mehrotra, Problem), shared by the primal-dual methods (the LP's
//     three forms, the SVM QP, the two SDPs), and the LP interior-point
//     method in its max, sum and group forms (MaxMargin, WorkingSet,
//     Options);
//   - solver/internal/convex: the references of the convex norms, one cone
//     per norm (Solve);
//   - solver/internal/certify: exact arithmetic, the certificates and
//     Result (a field-for-field mirror of solver.Result);
//   - solver/internal/workset: the margin rows of a working set;
//   - solver/internal/dense: Cholesky, the Newton systems' factorizations
//     and the exact power-of-two scalings;
//   - solver/internal/run: the budget (deadline, cancellation, Progress,
//     Trace), StatusError and the numerical-failure guard.
package solver
