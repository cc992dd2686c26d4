package convex

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/certify"
	"maxmargin/solver/internal/dense"
	"maxmargin/solver/internal/ipm"
	"maxmargin/solver/internal/run"
)

// DefaultTolerance is the certified relative width U - L <= 1e-7 max(1,
// |gamma|) that Solve uses for a zero tolerance (solver.DefaultConvexTolerance,
// documented there).
const DefaultTolerance = 1e-7

// ErrUnsupportedNorm is returned by Solve and Bounds for a norm that is not
// fro, spectral, nuclear or an entry-wise l<p> norm, 1 < p < inf; solver
// re-exports it as solver.ErrUnsupportedNorm (the same value, so errors.Is
// holds for either), where it is documented.
var ErrUnsupportedNorm = errors.New("solver: norm is not polyhedral, fro, spectral, nuclear or l<p>")

// barrierProblem is the max-margin problem of a non-polyhedral norm in the
// barrier form of Solve, on the data T (n×D) whose rows are the
// samples in the coordinates the norm's variable Z (k×D) acts on.
type barrierProblem struct {
	pairSpace
	ball ballBarrier
	// in marks the pairs of the working set (pair j in slacks' order); a
	// nil in means every pair.
	in []bool
	// unit is the factor c of scaledToUnit: margins and gamma on the
	// method's data are c times those on the original data, where the
	// tolerance applies (iterateCertifier divides by it); 0 means 1.
	unit float64
	// anytime collects the results certified whatever their width
	// (iterateCertifier.anytime).
	anytime *anytimeBest
	// b is the solve's budget, checked by the polishing steps that call
	// lp_solve (nil for none).
	b *run.Budget
	// scratch
	reduced *mat.SymDense // newtonStepBall's Schur complement
	scores  mat.Dense
}

// slacks stores in s the margins (z_{y_i} - z_c) . t_i - gam of every pair
// (i, c != y_i), row-major over i with the class y_i skipped, and reports
// whether those of the working set are positive.
func (bp *barrierProblem) slacks(z *mat.Dense, gam float64, s []float64) bool {
	bp.scores.Reset()
	bp.scores.Mul(bp.t, z.T())
	ok := true
	j := 0
	for i := range bp.n {
		row := bp.scores.RawRowView(i)
		y := bp.y[i]
		for c := range bp.k {
			if c == y {
				continue
			}
			s[j] = row[y] - row[c] - gam
			if !(s[j] > 0) && (bp.in == nil || bp.in[j]) {
				ok = false
			}
			j++
		}
	}
	return ok
}

// objective returns f(u, gam) = -tau gam - sum_j log s_j + phi(u), or +Inf
// outside the domain; s must have room for the n(k-1) slacks.
func (bp *barrierProblem) objective(u []float64, gam, tau float64, s []float64) float64 {
	phi, ok := bp.ball.eval(u, nil, nil)
	if !ok {
		return math.Inf(1)
	}
	z := mat.NewDense(bp.k, bp.d, u[:bp.k*bp.d])
	if !bp.slacks(z, gam, s) {
		return math.Inf(1)
	}
	f := -tau*gam + phi
	for j, v := range s {
		if bp.in == nil || bp.in[j] {
			f -= math.Log(v)
		}
	}
	return f
}

// backtrack is the line search of the barrier methods: it halves alpha,
// from the given value down to 1e-12, until the barrier objective f_t at
// (u + alpha step_u, gam + alpha step_gam) is finite and accept(alpha, f_t)
// holds (an Armijo test), then moves u, *gam and the slacks s there. It
// returns the step length taken, or 0 when none was accepted. trialU and
// trialS are workspace of the lengths of u and s.
func (bp *barrierProblem) backtrack(u []float64, gam *float64, s, step []float64, tau, alpha float64, trialU, trialS []float64, accept func(alpha, ft float64) bool) float64 {
	nu := len(u)
	for ; alpha > 1e-12; alpha /= 2 {
		for i := range trialU {
			trialU[i] = u[i] + alpha*step[i]
		}
		tg := *gam + alpha*step[nu]
		ft := bp.objective(trialU, tg, tau, trialS)
		if math.IsInf(ft, 1) || !accept(alpha, ft) {
			continue
		}
		copy(u, trialU)
		*gam = tg
		copy(s, trialS)
		return alpha
	}
	return 0
}

// newtonSystem stores in g and h, over the variables (u, gam),
//
//	g = grad phi(u) - sum_j gc_j a_j - tau e_gam,   h = hess phi(u) + sum_j hc_j a_j a_j^T,
//
// a_j = (v_j, -1), v_j = (e_{y_i} - e_c) t_i^T the pair's matrix. With
// gc_j = 1/s_j and hc_j = 1/s_j^2 these are the gradient and Hessian of the
// barrier objective f_tau; the primal-dual method uses other weights. The
// Z-Z part is pairSpace.addGram.
func (bp *barrierProblem) newtonSystem(u []float64, tau float64, gc, hc []float64, g []float64, h *mat.SymDense) {
	d, k := bp.d, bp.k
	nu := bp.ball.size()
	gu := g[:nu]
	if _, ok := bp.ball.eval(u, gu, h); !ok {
		panic("solver: Newton system outside the barrier's domain")
	}
	// Gradient: -sum_j gc_j v_j for Z, -tau + sum_j gc_j for gam.
	var gz, hzt mat.Dense
	bp.adjoint(gc, &gz)
	bp.adjoint(hc, &hzt)
	for a := range k {
		for l := range d {
			g[a*d+l] -= gz.At(a, l)
		}
	}
	g[nu] = -tau + floats.Sum(gc)
	// Hessian, gam row: H_{Z gam} = -sum_j hc_j v_j, H_{gam gam} = sum_j hc_j.
	for a := range k {
		for l := range d {
			h.SetSym(a*d+l, nu, -hzt.At(a, l))
		}
	}
	for q := d * k; q < nu; q++ {
		h.SetSym(q, nu, 0)
	}
	h.SetSym(nu, nu, floats.Sum(hc))
	bp.addGram(h, hc)
}

// barrierResult is the outcome of one barrier stage: the primal Z, the
// dual weights lambda_j = 1/(tau s_j) over the pairs (row-major, class y_i
// skipped), and the stage's parameter tau.
type barrierResult struct {
	z      *mat.Dense
	lambda []float64
	tau    float64
	newton int
}

// A cone is the unit ball of one non-polyhedral norm N as the convex
// methods see it: froCone, spectralCone, nuclearCone or pnormCone. The
// cones whose problem an SDP interior-point method solves are also
// sdpCones.
type cone interface {
	// unitaryInvariant reports whether N(Z Q^T) = N(Z) for Q with
	// orthonormal columns (Schatten and Frobenius norms), which allows
	// working in the span of the samples.
	unitaryInvariant() bool
	// methods returns the engines Solve tries for k classes, in order
	// (methods.go); Solve stops after the first engine that leaves the
	// result certified or that the budget stops.
	methods(k int) []method
	// barrier returns the ball barrier of N for k×d matrices.
	barrier(k, d int) ballBarrier
	// polish returns the polished iterate br of the barrier problem bp
	// of the norm cn (polishPNorm for l<p>, pnormpolish.go), or false
	// (no polish for the norm, or a failed one).
	polish(bp *barrierProblem, cn convexNorm, br barrierResult) (barrierResult, bool)
	// valueUp returns a float64 >= N(W) (cert.go).
	valueUp(w *mat.Dense) float64
	// dualUp returns a rational >= N*(A) for the k×d matrix A with exact
	// rational entries a (row-major) (cert.go).
	dualUp(a []*big.Rat, k, d int) *big.Rat
}

// An sdpCone is a cone whose max-margin problem an SDP interior-point
// method solves (solveSDP).
type sdpCone interface {
	cone
	// sdpRuns returns the runs of solveSDP for k×d matrices, in order, or
	// nil when the problem is too large for the SDP method (sdpMethod
	// then runs the primal-dual barrier method, solvePD, instead).
	sdpRuns(k, d int) []sdpRun
	// sdpIPM runs the cone's SDP interior-point method from z0 as the
	// run r prescribes, passing stage every iterate.
	sdpIPM(ps *pairSpace, z0 []float64, r sdpRun, b *run.Budget, stage func(z *mat.Dense, lambda []float64) bool) error
}

// sdpRun is one run of solveSDP: with Mehrotra's second-order term on the
// semidefinite block when second, and, for the nuclear norm, with the
// column blocks (else the lifted block) when columns.
type sdpRun struct {
	second, columns bool
}

// froCone is the Frobenius norm's ball.
type froCone struct{}

// spectralCone is the spectral norm's ball.
type spectralCone struct{}

// nuclearCone is the nuclear norm's ball.
type nuclearCone struct{}

// pnormCone is the ball of the entry-wise l<p> norm, 1 < p < inf.
type pnormCone struct{ p float64 }

func (froCone) unitaryInvariant() bool      { return true }
func (spectralCone) unitaryInvariant() bool { return true }
func (nuclearCone) unitaryInvariant() bool  { return true }
func (pnormCone) unitaryInvariant() bool    { return false }

func (froCone) barrier(k, d int) ballBarrier      { return froBarrier{n: k * d} }
func (spectralCone) barrier(k, d int) ballBarrier { return spectralBarrier{k: k, d: d} }
func (nuclearCone) barrier(k, d int) ballBarrier  { return nuclearBarrier{k: k, d: d} }
func (c pnormCone) barrier(k, d int) ballBarrier  { return pnormBarrier{n: k * d, p: c.p} }

// sdpRuns returns the second-order run, then the first-order one (the
// columns flag is not used by spectralIPM).
func (spectralCone) sdpRuns(k, d int) []sdpRun {
	return []sdpRun{{true, true}, {false, true}}
}

// sdpRuns returns the column blocks' second-order and first-order runs
// when they have at most nuclearSDPMaxVars variables, then the lifted
// block's second-order run when it has at most nuclearSDPMaxVars too.
func (nuclearCone) sdpRuns(k, d int) []sdpRun {
	if nuclearSDPVars(k, d, true) > nuclearSDPMaxVars {
		return nil
	}
	runs := []sdpRun{{true, true}, {false, true}}
	if nuclearSDPVars(k, d, false) <= nuclearSDPMaxVars {
		runs = append(runs, sdpRun{true, false})
	}
	return runs
}

func (spectralCone) sdpIPM(ps *pairSpace, z0 []float64, r sdpRun, b *run.Budget, stage func(z *mat.Dense, lambda []float64) bool) error {
	return ps.spectralIPM(z0, r.second, b, stage)
}

func (nuclearCone) sdpIPM(ps *pairSpace, z0 []float64, r sdpRun, b *run.Budget, stage func(z *mat.Dense, lambda []float64) bool) error {
	return ps.nuclearIPM(z0, r.columns, r.second, b, stage)
}

// convexNorm is a non-polyhedral norm with its cone.
type convexNorm struct {
	n norm.Norm
	cone
}

// convexNormOf returns the convexNorm of n, or false for a norm
// Solve does not handle. It is the only place that maps a norm
// to its cone.
func convexNormOf(n norm.Norm) (convexNorm, bool) {
	if ep, ok := n.(*norm.EntrywiseP); ok {
		return convexNorm{n: n, cone: pnormCone{p: ep.P()}}, true
	}
	switch n.Name() {
	case "fro":
		return convexNorm{n: n, cone: froCone{}}, true
	case "spectral":
		return convexNorm{n: n, cone: spectralCone{}}, true
	case "nuclear":
		return convexNorm{n: n, cone: nuclearCone{}}, true
	}
	return convexNorm{}, false
}

// Solve computes gamma_N = max_{N(W) <= 1} m(W) and a certificate
// for the non-polyhedral norms fro, spectral, nuclear and l<p> (1 < p <
// inf), with the Result contract of solver.MaxMargin: Margin = Lower =
// max(0, m(W)/N(W)) for the returned W (exact margin, N(W) bounded above
// rigorously), Upper >= N*(A(lambda))/sum lambda rigorously for the returned
// dual weights, and Certified when Upper - Lower <= tol max(1, |Margin|)
// (exactly, WithinTolerance) with tol 0 meaning DefaultTolerance (1e-7).
// b is the solve's budget (deadline, context, progress, trace); nil means
// none.
//
// # Methods
//
// Each cone lists the engines Solve tries, in order (cone.methods,
// methods.go): fro the SVM QP (qpMethod), the primal-dual barrier method
// (pdMethod) and the working set (workingSetMethod); spectral and nuclear
// the QP for k = 2 only, then their SDP (sdpMethod; for nuclear the
// primal-dual barrier method instead when the SDP has too many
// variables) and the working set; l<p> the primal-dual barrier method and
// the working set. Solve runs them until one is stopped by the budget or
// the narrowest result so far is certified; every engine certifies its
// own iterates, and the narrowest interval of all is returned.
//
// fro: the multiclass hard-margin SVM QP by Mehrotra's primal-dual
// predictor-corrector method (maxMarginFro, svmIPM), then, if it does not
// certify, Wolfe's minimum-norm-point algorithm on the original data from
// its best iterate's support (minNormPolish, with the classifier of the
// final corral from minNormPrimal): on raw breast cancer (columns from
// 1e-3 to 4e3, gamma 5.7e-5) the QP's normal equations lose the precision
// the certificate needs (2e-3 relative at best), and the polish certifies
// to 7e-18 in 0.2 s. If neither certifies, the barrier methods below run
// and the narrower interval is returned.
//
// Two classes: the margins depend on W only through w_0 - w_1, and for a
// unitarily invariant norm the average of W and -P W (P swapping the
// rows; same margins, same norm) is no larger, so an optimal W is
// [u/2; -u/2], of rank one, where fro, spectral and nuclear agree, and
// A(lambda) = [a; -a] is of rank one too. So for k = 2 spectral and
// nuclear are solved as fro (gamma_spectral = gamma_nuclear = gamma_fro)
// and certified with their own norms.
//
// spectral: the SDP "maximize gam s.t. margins >= gam, [[I, Z], [Z^T, I]]
// >= 0" by Mehrotra's method with Nesterov-Todd scaling (spectralIPM),
// then, if it does not certify, the methods below.
//
// nuclear: an SDP by the same method (nuclearIPM): "maximize gam s.t.
// margins >= gam, [[P, z_l], [z_l^T, q_l]] >= 0 for every column z_l of
// Z, tr P + sum_l q_l <= 2" (kD + k(k+1)/2 + D + 1 variables; exact since
// min_P tr P + tr(Z^T P^-1 Z) = 2 ||Z||_*), then, if it does not certify,
// the lifted form with one block [[P, Z], [Z^T, Q]] when its kD +
// k(k+1)/2 + D(D+1)/2 + 1 variables are at most nuclearSDPMaxVars (3000),
// and then the methods below. Problems with more than nuclearSDPMaxVars
// variables in the column form (large k) go to the methods below directly.
//
// nuclear (otherwise) and l<p>: first runPD, a barrier method whose
// Newton systems take the margin constraints' curvature from their dual
// weights (primal-dual), on every pair; when it stalls (a stage needing more than stageSteps
// Newton steps), the primal barrier method on a working set below.
//
// l<p> (both methods): every stage whose floating-point interval is
// narrower than polishStart (1e-2 relative) is also polished (polishPNorm):
// with the active pairs S read off the iterate, the optimum satisfies W =
// the steepest direction sign(A)|A|^{q-1}/||A||_q^{q-1} of A(lambda) (q =
// p/(p-1)) and equal margins gamma on S, a smooth square system solved by
// Newton's method (in (lambda_S, gamma) for p <= 2, in (W, lambda_S, nu,
// gamma) for p > 2; for p > 2, when that fails, again from the iterate's
// W improved by sequential linear programming, slpRefine, and when that
// fails too by the primal active-set method polishMinNorm, which minimises
// ||W||_p^p subject to margins >= 1 by Newton steps on a feasible W and
// returns the active pairs' multipliers as weights; slpRefine and
// polishMinNorm only when kD <= slpMaxColumns). Its W and
// lambda >= 0 are certified like any
// iterate's, so the polish can only narrow the interval; it reaches
// rounding level (1e-11 to 1e-13 relative) a few stages before the path
// would reach the tolerance, and on badly scaled data (raw Wine), where
// the path's Newton systems lose precision and l3 stopped at 8e-6.
//
// Every method runs on T scaled by a power of two 2^-e with max |T_il| <
// 2^e (scaledToUnit: exact, gamma_N(cX) = c gamma_N(X), and the weights and
// the direction of W are unchanged); the certificate is evaluated on the
// original data.
//
// # The primal log-barrier interior-point method
//
// In the variables (Z, gam) it minimises, for an increasing parameter tau,
//
//	f_tau(Z, gam) = -tau gam - sum_{i, c != y_i} log((z_{y_i} - z_c) . t_i - gam) + phi(Z),
//
// phi a convex barrier of the unit ball of N (barrier.go: -log(1 - ||Z||_F^2),
// -log det(I - Z Z^T), for l<p> the per-entry power-cone barrier
// sum_a [-log(t_a^{2/p} - z_a^2) - 2 log t_a] - log(1 - sum_a t_a) of the
// lifted ball {|z_a|^p <= t_a, sum t_a <= 1} (pnormbarrier.go), and a
// lifted barrier for the nuclear ball), by Newton's method with a damped step and backtracking.
// At a minimiser the weights lambda_j = 1/(tau s_j), s_j the pair's slack,
// sum to 1 (the gam component of the gradient vanishes) and are the dual
// certificate of MATH.md section 3: the duality gap on the central path is
// about (n(k-1) + nu_phi)/tau. tau grows tenfold per stage; after each
// stage the interval is evaluated in floating point and, once it is below
// half the tolerance, certified exactly (convexCertify); a stage that does
// not certify is followed by another.
//
// For fro, spectral and nuclear, N(W Q Q^T) <= N(W) and the margins depend
// on W only through W Q for an orthonormal basis Q of the span of the
// samples, so when the data have rank r < d the method runs on the n×r
// coordinates T = X Q (a thin SVD) and returns W = Z Q^T; the certificate
// is evaluated on the original data.
//
// # Working set
//
// The barrier's Newton iteration slows down as the number of margin
// constraints grows, and few are active at the optimum, so the method runs
// on a working set (as the LP path does): each sample's worst pair under the
// class-mean classifier, keeping the max(50, kD/2) smallest margins; when
// the margin over all pairs lags the working set's own by more than four
// times the set's remaining gap, the method stops, adds up to as many pairs
// whose margin is below the set's least margin, and restarts from the last
// Z. The weights of a working set are a valid certificate for the full
// problem (they are weights on some pairs), and the lower bound is always
// the margin over all pairs.
//
// Result.Rows is the size of the final working set and Result.Rounds the
// number of barrier stages over all rounds.
//
// # Limitations
//
// For l<p> each runPD Newton step factorises a dense (kD+1)-square matrix
// (7 to 11 steps a stage, 2 or 3 stages before polishPNorm certifies), or,
// with at most 4kD/5 pairs, an (n(k-1)+1)-square one (newtonStepPairs);
// the spectral and nuclear SDPs factorise systems of similar size. The cost
// therefore grows as the cube of kD (or of the pairs): kD much above 1000
// with many pairs takes more than 10 s. At large p (l10, l20) on badly
// scaled data the small entries of the optimum are fixed only by the
// norm's curvature, and certification relies on slpRefine and
// polishMinNorm. Measured: see docs/PERFORMANCE.md, sections "Convex
// references" and "Convex references, history".
//
// An uncertified result is returned with
// Certified = false and its (sound) interval.
//
// Non-separable data give gamma_N = 0: the method then drives the weights'
// A(lambda) to 0, and the result has Separable = false, W = 0 and a small
// Upper. A budget that expires (solver's Settings.Timeout) returns a
// *run.StatusError with status TIMEOUT whose Method names the method it
// stopped (guarded), e.g. "SDP interior-point method (spectral)", together
// with the best result certified so far (nil when none). Solve panics on
// data whose shapes disagree (certify.CheckShape) and returns
// ErrUnsupportedNorm for a norm it does not handle.
func Solve(ds *dataset.Dataset, n norm.Norm, tol float64, b *run.Budget) (*certify.Result, error) {
	start := time.Now()
	cn, ok := convexNormOf(n)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedNorm, n.Name())
	}
	if tol == 0 {
		tol = DefaultTolerance
	}
	if b == nil {
		b = run.Unlimited()
	}
	certify.CheckShape(ds)
	_, _, k := ds.Dims()

	// best is the narrowest certified interval of every method so far,
	// failure the first numerical failure of a method (the next one runs
	// nevertheless), rows and stages Result.Rows and Rounds.
	var best *certify.Result
	var failure error
	rows, stages := 0, 0
	sink := &anytimeBest{}
	done := func(err error) (*certify.Result, error) {
		if err == nil && (best == nil || !best.Certified) {
			err = failure
		}
		if err != nil && !run.IsNumericalFailure(err) {
			best = narrower(best, sink.r)
		}
		if best != nil {
			best.Rows, best.Rounds = rows, stages
			best.Seconds = time.Since(start).Seconds()
		}
		return best, err
	}
	// stop reports whether err ends the solve: a time-out or a
	// cancellation does, a numerical failure does not.
	stop := func(err error) bool {
		if err != nil && run.IsNumericalFailure(err) {
			if failure == nil {
				failure = err
			}
			return false
		}
		return err != nil
	}

	// The cone's engines, in order, until one ends the solve or the
	// result is certified; after the last one a numerical failure is
	// returned only when nothing is certified (done).
	st := &solveState{ds: ds, cn: cn, tol: tol, b: b, sink: sink}
	keep := func(res *certify.Result) { best = narrower(best, res) }
	methods := cn.methods(k)
	for i, m := range methods {
		iters, r, err := m.run(st, keep)
		stages, rows = stages+iters, r
		if stop(err) {
			return done(err)
		}
		if i < len(methods)-1 && best != nil && best.Certified {
			return done(err)
		}
	}
	return done(nil)
}

// solveWorkingSet runs the primal barrier method (run) on a working set of
// pairs, as Solve's last method, passing keep every result it
// certifies, and returns the number of barrier stages. It stops at the first certified result, or
// when the iteration stalls (its last stage is then certified as it
// stands); a panic is recovered as a numerical failure.
func (bp *barrierProblem) solveWorkingSet(ds *dataset.Dataset, cn convexNorm, full func(*mat.Dense) *mat.Dense, tol float64, b *run.Budget, keep func(*certify.Result)) (int, error) {
	method := convexMethod(barrierMethodKind, cn)
	var last barrierResult
	certified := false
	stages := 0
	report := func(res *certify.Result) {
		keep(res)
		b.Report(run.Progress{Method: method, Iteration: stages, Lower: res.Lower, Upper: res.Upper})
	}
	err := guarded(method, func() error {
		bp.in = bp.initialSet()
		z0 := bp.startDirection()
		for {
			needMore := false
			err := bp.run(z0, func(br barrierResult) bool {
				stages++
				last = br
				lower, lowerSet, upper := bp.floatBounds(cn, br)
				if pr, ok := bp.polished(cn, br, lower, upper); ok {
					res, err := convexCertify(ds, cn, full(pr.z), bp.pairWeights(pr.lambda), tol)
					if err == nil {
						report(res)
						if res.Certified {
							certified = true
							return false
						}
					}
				}
				if upper-max(0, lower) > tol*max(bp.unit, lower)/2 {
					// Nearly converged on the working set but not on all
					// pairs: stop and add the violated pairs.
					needMore = lower < lowerSet && lowerSet-lower > 4*(upper-lowerSet)
					return !needMore
				}
				res, err := convexCertify(ds, cn, full(br.z), bp.pairWeights(br.lambda), tol)
				if err != nil {
					return true
				}
				report(res)
				certified = res.Certified
				return !res.Certified
			}, b)
			if err != nil {
				return err
			}
			if !needMore || !bp.addViolated(last.z) {
				return nil
			}
			z0 = last.z.RawMatrix().Data
		}
	})
	if err != nil && !run.IsNumericalFailure(err) {
		return stages, err
	}
	if !certified && last.z != nil {
		// The iteration stalled (or broke down): certify its last stage
		// as it stands.
		if err2 := guarded(method, func() error {
			res, err := convexCertify(ds, cn, full(last.z), bp.pairWeights(last.lambda), tol)
			if err == nil {
				report(res)
			}
			return nil
		}); err == nil {
			err = err2
		}
	}
	return stages, err
}

// sampleSpan returns T = X Q and Q, Q a d×r matrix with orthonormal
// columns spanning the rows of X (thin SVD, singular values above
// max(n, d) eps sigma_1), when r < d; otherwise X and nil.
func sampleSpan(x *mat.Dense) (*mat.Dense, *mat.Dense) {
	n, d := x.Dims()
	if d <= 1 {
		return x, nil
	}
	var svd mat.SVD
	if !svd.Factorize(x, mat.SVDThinV) {
		return x, nil
	}
	sv := svd.Values(nil)
	r := 0
	for _, v := range sv {
		if v > float64(max(n, d))*0x1p-52*sv[0] {
			r++
		}
	}
	if r >= d || r == 0 {
		return x, nil
	}
	var v mat.Dense
	svd.VTo(&v)
	q := mat.DenseCopyOf(v.Slice(0, d, 0, r))
	var t mat.Dense
	t.Mul(x, q)
	return &t, q
}

// floatBounds returns, in floating point, m(Z)/N(Z) over all pairs, the
// same over the working set, and N*(A(lambda))/sum lambda.
func (bp *barrierProblem) floatBounds(cn convexNorm, br barrierResult) (lower, lowerSet, upper float64) {
	s := make([]float64, bp.n*(bp.k-1))
	bp.slacks(br.z, 0, s)
	m, ms := math.Inf(1), math.Inf(1)
	for j, v := range s {
		m = min(m, v)
		if bp.in == nil || bp.in[j] {
			ms = min(ms, v)
		}
	}
	nz := cn.n.Value(br.z)
	var sum float64
	for _, v := range br.lambda {
		sum += v
	}
	var a mat.Dense
	bp.adjoint(br.lambda, &a)
	upper = cn.n.Dual(&a) / sum
	return m / nz, ms / nz, upper
}

// setChunk is the number of pairs initialSet keeps and addViolated adds
// at most: max(50, kD/2), D the number of columns of Z (a vertex of the
// restricted problem has at most kD + 1 active pairs).
func (bp *barrierProblem) setChunk() int { return max(50, bp.k*bp.d/2) }

// initialSet returns the working set of the first round: each sample's
// worst pair under the class-mean classifier, keeping the setChunk
// smallest margins.
func (bp *barrierProblem) initialSet() []bool {
	np := bp.n * (bp.k - 1)
	in := make([]bool, np)
	z := mat.NewDense(bp.k, bp.d, bp.startDirection())
	s := make([]float64, np)
	bp.slacks(z, 0, s)
	worst := make([]int, 0, bp.n)
	for i := range bp.n {
		first := i * (bp.k - 1)
		w := first
		for j := first; j < first+bp.k-1; j++ {
			if s[j] < s[w] {
				w = j
			}
		}
		worst = append(worst, w)
	}
	slices.SortStableFunc(worst, func(a, b int) int { return cmp.Compare(s[a], s[b]) })
	for _, j := range worst[:min(len(worst), bp.setChunk())] {
		in[j] = true
	}
	return in
}

// addViolated adds to the working set the pairs outside it whose margin
// under Z is below the least margin inside it, at most setChunk of them,
// smallest first. It reports whether it added any.
func (bp *barrierProblem) addViolated(z *mat.Dense) bool {
	s := make([]float64, bp.n*(bp.k-1))
	bp.slacks(z, 0, s)
	least := math.Inf(1)
	for j, v := range s {
		if bp.in[j] {
			least = min(least, v)
		}
	}
	var add []int
	for j, v := range s {
		if !bp.in[j] && v < least {
			add = append(add, j)
		}
	}
	slices.SortStableFunc(add, func(a, b int) int { return cmp.Compare(s[a], s[b]) })
	for _, j := range add[:min(len(add), bp.setChunk())] {
		bp.in[j] = true
	}
	return len(add) > 0
}

// run performs the barrier method on the working set, starting from the
// direction z0, calling stage after each centring until it returns false,
// tau overflows, or the Newton iteration stops making progress.
//
// Each stage minimises f_tau by Newton's method with the damped step
// 1/(1 + sqrt(dec)) while the squared Newton decrement dec exceeds 1/4
// (the self-concordant damped phase), cut to 95% of the way to the
// boundary of the (linear) margin constraints and halved until the point
// is inside the domain and satisfies Armijo's condition; the stage ends at
// dec < 1e-7. tau starts at sum_j 1/s_j, which makes the starting point's
// gam component of the gradient vanish, and grows tenfold per stage.
func (bp *barrierProblem) run(z0 []float64, stage func(barrierResult) bool, b *run.Budget) error {
	n, k, d := bp.n, bp.k, bp.d
	nu := bp.ball.size()
	np := n * (k - 1)
	nv := nu + 1
	inSet := func(j int) bool { return bp.in == nil || bp.in[j] }

	u := make([]float64, nu)
	bp.ball.start(u, z0)
	z := mat.NewDense(k, d, u[:k*d])
	s := make([]float64, np)
	bp.slacks(z, 0, s)
	lo, hi := math.Inf(1), math.Inf(-1)
	for j, v := range s {
		if inSet(j) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	spread := max(hi-lo, math.Abs(lo), math.Abs(hi))
	if spread == 0 {
		spread = 1
	}
	gam := lo - spread
	bp.slacks(z, gam, s)
	var tau float64
	for j, v := range s {
		if inSet(j) {
			tau += 1 / v
		}
	}

	g := make([]float64, nv)
	step := make([]float64, nv)
	gc := make([]float64, np)
	hc := make([]float64, np)
	trialU := make([]float64, nu)
	trialS := make([]float64, np)
	h := mat.NewSymDense(nv, nil)
	var chol dense.Cholesky
	stall := 0
	for stages := 0; stages < 100; stages++ {
		count := 0
		for iter := 0; iter < 100; iter++ {
			if err := b.Stop(ipm.Method); err != nil {
				return err
			}
			f := bp.objective(u, gam, tau, s)
			for j, v := range s {
				gc[j], hc[j] = 0, 0
				if inSet(j) {
					gc[j], hc[j] = 1/v, 1/(v*v)
				}
			}
			bp.newtonSystem(u, tau, gc, hc, g, h)
			count++
			dec, ok := newtonStep(&chol, h, g, step)
			if !ok {
				stall++
				break
			}
			if !(dec > 1e-10) {
				break
			}
			alpha := 1.0
			if dec > 0.25 {
				alpha = 1 / (1 + math.Sqrt(dec))
			}
			bp.slacks(mat.NewDense(k, d, step[:k*d]), step[nu], trialS)
			for j, v := range trialS {
				if v < 0 && inSet(j) {
					alpha = min(alpha, -0.95*s[j]/v)
				}
			}
			if bp.backtrack(u, &gam, s, step, tau, alpha, trialU, trialS, func(alpha, ft float64) bool {
				return dec < 1e-3 || ft <= f-0.25*alpha*dec+1e-13*math.Abs(f)
			}) == 0 {
				stall++
				break
			}
			if dec < 1e-7 {
				break
			}
		}
		lambda := make([]float64, np)
		for j, v := range s {
			if inSet(j) {
				lambda[j] = 1 / (tau * v)
			}
		}
		zc := mat.DenseCopyOf(mat.NewDense(k, d, u[:k*d]))
		if !stage(barrierResult{z: zc, lambda: lambda, tau: tau, newton: count}) {
			return nil
		}
		if stall > 5 || tau > 1e300 {
			return nil
		}
		tau *= 10
	}
	return nil
}

// isCondition reports whether err is gonum's warning that a matrix is
// ill-conditioned (the result is computed nevertheless).
func isCondition(err error) bool {
	var c mat.Condition
	return errors.As(err, &c)
}

// newtonStep stores in step the Newton step -h^{-1} g (factorRidge) and
// returns the squared Newton decrement g^T h^{-1} g, or false when h cannot
// be factorised or solved with.
func newtonStep(chol *dense.Cholesky, h *mat.SymDense, g, step []float64) (float64, bool) {
	if !factorRidge(chol, h) {
		return 0, false
	}
	sv := mat.NewVecDense(len(step), step)
	if err := chol.SolveVecTo(sv, mat.NewVecDense(len(g), g)); err != nil && !isCondition(err) {
		return 0, false
	}
	floats.Scale(-1, step)
	return -floats.Dot(step, g), true
}

// factorRidge factorises h, adding a growing multiple of the largest
// diagonal entry to the diagonal when h is not numerically positive
// definite. It reports failure after 12 attempts.
func factorRidge(chol *dense.Cholesky, h *mat.SymDense) bool {
	if chol.Factorize(h) {
		return true
	}
	n := h.SymmetricDim()
	var big float64
	for i := range n {
		big = max(big, math.Abs(h.At(i, i)))
	}
	hr := mat.NewSymDense(n, nil)
	for try := range 12 {
		hr.CopySym(h)
		ridge := big * math.Pow(10, float64(try-14))
		for i := range n {
			hr.SetSym(i, i, hr.At(i, i)+ridge)
		}
		if chol.Factorize(hr) {
			return true
		}
	}
	return false
}

// startDirection returns the class-mean classifier in T's coordinates,
// centred over the classes (rows summing to zero), or a fixed pattern when
// it is zero.
func (bp *barrierProblem) startDirection() []float64 {
	k, d := bp.k, bp.d
	z := make([]float64, k*d)
	for c, rows := range bp.byClass {
		for _, i := range rows {
			for l, v := range bp.t.RawRowView(i) {
				z[c*d+l] += v / float64(len(rows))
			}
		}
	}
	for l := range d {
		var mean float64
		for c := range k {
			mean += z[c*d+l] / float64(k)
		}
		for c := range k {
			z[c*d+l] -= mean
		}
	}
	nonzero := false
	for _, v := range z {
		if v != 0 {
			nonzero = true
			break
		}
	}
	if !nonzero {
		for c := range k {
			for l := range d {
				z[c*d+l] = float64(c) - float64(k-1)/2 + 0.25*float64(l%3)
			}
		}
	}
	return z
}
