// Package convex holds the convex references of package solver: the
// max-margin value
//
//	gamma_N = max_{N(W) <= 1} m(W),   m(W) = min_{i, c != y_i} (w_{y_i} - w_c) . x_i,
//
// for the non-polyhedral norms N (Frobenius, spectral, nuclear and the
// entry-wise l<p>, 1 < p < inf), with a certificate that does not trust
// the method: for the returned classifier W and dual weights lambda >= 0
// on the pairs (sample i, wrong class c),
//
//	max(0, m(W)/N_up(W)) <= gamma_N <= N*_up(A(lambda)) / sum lambda,
//	A(lambda) = sum lambda_ic (e_{y_i} - e_c) x_i^T,
//
// with m(W), A(lambda) and sum lambda exact rationals and N_up >= N,
// N*_up >= N* rigorous upper bounds of the norm and its dual (cert.go, on
// internal/certify's FroUp, SpectralUp, NuclearUp, PNormUp; docs/MATH.md
// section 3). Solve is the entry point (its documentation describes the
// routing and the measurements), Bounds the certificate alone, and
// WithinTolerance the certified-width test upper - lower <= tol max(1,
// lower).
//
// What it holds, by file:
//
//   - convex.go: one cone per norm (froCone, spectralCone, nuclearCone,
//     pnormCone{p}; convexNormOf is the only map from a norm.Norm to a
//     cone), Solve's loop over the cone's engines, and the primal
//     log-barrier problem in the variables (Z, gam): for an increasing tau it minimises
//     f_tau(Z, gam) = -tau gam - sum_{i, c != y_i} log((z_{y_i} - z_c) . t_i - gam) + phi(Z)
//     by damped Newton steps, whose minimisers give the weights
//     lambda_j = 1/(tau s_j) (summing to 1) and a duality gap of about
//     (n(k-1) + nu_phi)/tau; and its working set of pairs.
//   - methods.go: the engines of Solve (qpMethod, sdpMethod, pdMethod,
//     workingSetMethod, on the solve's shared solveState) and each cone's
//     list of them, in order (cone.methods).
//   - barrier.go, pnormbarrier.go: the ball barriers phi, -log(1 - ||Z||_F^2),
//     -log det(I - Z Z^T), the nuclear ball lifted by a symmetric S (tr S +
//     tr(Z^T S^-1 Z) < 2), and for l<p> the power-cone barrier
//     sum_a [-log(t_a^{2/p} - z_a^2) - 2 log t_a] - log(1 - sum_a t_a) of the
//     lifted ball {|z_a|^p <= t_a, sum t_a <= 1}.
//   - pd.go: runPD, the barrier method with the margins' curvature taken
//     from their dual weights (primal-dual), solveSDP and solvePD, and the
//     iterateCertifier that certifies iterates exactly as they come.
//   - pairs.go: the pair space, the linear map Z -> (<v_j, Z>)_j over the
//     n(k-1) pairs j = (i, c != y_i), v_j = (e_{y_i} - e_c) t_i^T, and its
//     adjoint A(lambda) = sum_j lambda_j v_j.
//   - fro.go: the Frobenius norm as the multiclass hard-margin SVM QP
//     "minimise (1/2) ||W||_F^2 s.t. <v_j, W> >= 1 for every pair j" by
//     Mehrotra's predictor-corrector method (svmIPM on ipm.Mehrotra),
//     gamma_fro = 1/||W*||_F = 1/sqrt(sum_j alpha_j*); fropolish.go:
//     Wolfe's minimum-norm-point polish of its support on the original
//     data.
//   - sdp.go, nuclear.go: the SDPs "maximise gam s.t. margins >= gam,
//     [[I, Z], [Z^T, I]] >= 0" (spectral) and "[[P, z_l], [z_l^T, q_l]] >= 0
//     for every column z_l, tr P + sum_l q_l <= 2" (nuclear, exact since
//     min_P tr P + tr(Z^T P^-1 Z) = 2 ||Z||_*; or one lifted block [[P, Z],
//     [Z^T, Q]]), by Mehrotra's method with Nesterov-Todd scaling.
//   - pnormpairnewton.go: runPD's Newton systems for the power-cone
//     barrier in pair space (an (n(k-1)+1)-square capacitance matrix) when
//     the pairs are at most four fifths of the entries of W.
//   - pnormpolish.go, pnormslp.go, pnormminnorm.go: the l<p> polishes. At
//     the optimum W = sign(A)|A|^{q-1}/||A||_q^{q-1} (q = p/(p-1)) with equal
//     margins gamma on the active pairs S, a square system solved by
//     Newton's method (polishPNorm); sequential linear programming on W
//     (slpRefine) and the primal active-set method minimising ||W||_p^p
//     s.t. margins >= 1 (polishMinNorm) when that fails.
//   - cert.go: the rigorous bounds, with A(lambda) split as F + E (F the
//     nearest float64 matrix, E exact) and N*(A) <= N*(F) + N*(E).
//   - guard.go: the method names of a *run.StatusError (guarded turns a
//     panic into a numerical failure naming the method), the narrowest
//     result so far (anytimeBest) and a safe symmetric eigensolver.
//
// No floating-point expression changed in the move from package solver: the
// results are those pinned by solver's golden tests.
//
// Package convex is internal to solver, which re-exports
// DefaultTolerance (as DefaultConvexTolerance) and ErrUnsupportedNorm;
// convex never imports solver.
package convex
