package convex

import (
	"math"
	"time"

	"maxmargin/dataset"
	"maxmargin/solver/internal/certify"
	"maxmargin/solver/internal/dense"
	"maxmargin/solver/internal/ipm"
	"maxmargin/solver/internal/run"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// pdSafeguard bounds the dual weights to [mu/(kappa s_j), kappa mu/s_j]
// after each step (Waechter and Biegler's IPOPT, eq. 16, with a far smaller
// kappa = 10): a weight far from the primal estimate mu/s_j would give the
// constraint a curvature far from its barrier's.
const pdSafeguard = 10

// pdStageSteps is the number of Newton steps after which runPD gives up a
// stage (and the method): a centred stage takes 5 to 20 steps; more mean
// the merit function decreases by a constant per step, far from the
// centre (the primal barrier's stall, which run's working set avoids).
// It was 40; with the power-cone barrier of l<p> (barrier parameter about
// 3kD) the first stages on the Gaussian (500,25,10) data need more, and at
// 150 runPD certifies l1.5 and l3 there in 2.7 and 2.5 s instead of
// handing over to run (18 and 21 s).
const pdStageSteps = 150

// pdSmallSystem and pdSmallStageSteps extend a stage's budget when runPD's
// Newton systems are small: with at most pdSmallSystem unknowns (after the
// power-cone barrier's t is eliminated) a step costs a few milliseconds
// (7.5 ms at the Gaussian (500,25,10) data, l10, kD = 250, 4500 pairs), so
// pdSmallStageSteps of them stay within about 3 s; there the third stage
// of l10 and l20 needs a few hundred steps (one entry of Z, whose t must
// fall by orders of magnitude, moves by a full Newton step of about 1e-3
// at a time), after which polishPNorm certifies (measured: see
// docs/PERFORMANCE.md, section "Solver design measurements").
const (
	pdSmallSystem     = 500
	pdSmallStageSteps = 400
)

// stageSteps returns runPD's budget of Newton steps per stage:
// pdSmallStageSteps for the power-cone barrier of l<p> when its Newton
// systems have at most pdSmallSystem unknowns (kD + 1 after t is
// eliminated, or pairs + 1 in pair space), pdStageSteps otherwise (the
// nuclear norm's lifted barrier was not measured with more).
func (bp *barrierProblem) stageSteps() int {
	if _, ok := bp.ball.(pnormBarrier); !ok {
		return pdStageSteps
	}
	size := bp.k*bp.d + 1
	if bp.usePairSpace() {
		size = bp.pairs() + 1
	}
	if size <= pdSmallSystem {
		return pdSmallStageSteps
	}
	return pdStageSteps
}

// runPD is the primal-dual counterpart of run: it follows the central path
// of
//
//	maximize gam  subject to  s_j = <v_j, Z> - gam >= 0,  (Z, aux) in the lifted ball,
//
// with the dual weights lambda_j of the margin constraints as variables of
// their own. For the barrier parameter mu = 1/tau the path is
//
//	mu grad phi(u) = (sum_j lambda_j v_j, 0),  sum_j lambda_j = 1,  lambda_j s_j = mu.
//
// Newton's method on these equations (the slacks kept equal to the
// margins, so the primal is always feasible) gives, after eliminating
// lambda, the system of the primal barrier f_tau (newtonSystem with
// gc_j = 1/s_j) with the curvature of the constraints taken from the duals,
// hc_j = tau lambda_j/s_j, instead of 1/s_j^2, and then
// dlambda_j = (mu - lambda_j s_j - lambda_j ds_j)/s_j. The matrix is
// positive definite and the right-hand side is -grad f_tau, so the step is
// a descent direction of f_tau, which serves as the merit function: the
// step starts at 0.99 of the way to the boundary of s, lambda >= 0 and is
// halved until the ball's barrier is finite and Armijo's condition holds.
// Unlike the primal barrier's 1/s_j^2, the dual curvature is right as soon
// as lambda is, so few steps recentre after tau grows (the nonlinearity
// 1/s_j^2 is what made run stall with many pairs).
//
// For the power-cone barrier of l<p> the barrier's t is eliminated from
// each Newton system (newtonStepBall), and when the pairs are at most 4/5 of
// the entries of Z (usePairSpace) the system is solved in pair space by
// the Woodbury identity (newtonStepPairs) without forming it: at random
// labels (100,200,5) (400 pairs, kD = 1000) l1.5 and l3 took 0.9 and 1.2
// s instead of 2.0 and 2.9 s.
//
// A stage ends when the Newton decrement is below 1e-6 or after
// stageSteps steps (then the method stops);
// tau then grows tenfold, or a hundredfold after a stage of at most 3
// steps. Every pair is in the problem (no working set).
//
// After each stage, stage is called with the iterate and the weights
// lambda; the method stops when it returns false, after 100 stages, when
// no step is accepted, or at the deadline.
func (bp *barrierProblem) runPD(z0 []float64, stage func(barrierResult) bool, b *run.Budget) error {
	k, d := bp.k, bp.d
	nu := bp.ball.size()
	np := bp.pairs()
	nv := nu + 1
	bp.in = nil

	u := make([]float64, nu)
	bp.ball.start(u, z0)
	s := make([]float64, np)
	bp.margins(mat.NewDense(k, d, u[:k*d]), s)
	lo, hi := floats.Min(s), floats.Max(s)
	spread := max(hi-lo, math.Abs(lo), math.Abs(hi))
	if spread == 0 {
		spread = 1
	}
	gam := lo - spread
	var tau float64
	for j := range s {
		s[j] -= gam
		tau += 1 / s[j]
	}
	lambda := make([]float64, np)
	for j := range s {
		lambda[j] = 1 / (tau * s[j])
	}

	g := make([]float64, nv)
	step := make([]float64, nv)
	gc := make([]float64, np)
	hc := make([]float64, np)
	ds := make([]float64, np)
	dl := make([]float64, np)
	trialU := make([]float64, nu)
	trialS := make([]float64, np)
	pairSpace := bp.usePairSpace()
	var h *mat.SymDense
	if !pairSpace {
		h = mat.NewSymDense(nv, nil)
	}
	var chol dense.Cholesky
	total := 0
	budget := bp.stageSteps()
	for stages := 0; stages < 100; stages++ {
		mu := 1 / tau
		steps := 0
		for ; steps < budget; steps++ {
			if err := b.Stop(ipm.Method); err != nil {
				return err
			}
			f := bp.objective(u, gam, tau, s)
			for j, v := range s {
				gc[j] = 1 / v
				hc[j] = tau * lambda[j] / v
			}
			var dec float64
			var ok bool
			if pairSpace {
				dec, ok = bp.newtonStepPairs(u, tau, gc, hc, g, step)
			} else {
				bp.newtonSystem(u, tau, gc, hc, g, h)
				dec, ok = bp.newtonStepBall(&chol, h, g, step)
			}
			if !ok {
				return nil
			}
			if !(dec > 1e-6) {
				break
			}
			bp.margins(mat.NewDense(k, d, step[:k*d]), ds)
			alpha := 1.0
			for j := range np {
				ds[j] -= step[nu]
				dl[j] = (mu - lambda[j]*s[j] - lambda[j]*ds[j]) / s[j]
				if ds[j] < 0 {
					alpha = min(alpha, -0.99*s[j]/ds[j])
				}
				if dl[j] < 0 {
					alpha = min(alpha, -0.99*lambda[j]/dl[j])
				}
			}
			alpha = bp.backtrack(u, &gam, s, step, tau, alpha, trialU, trialS, func(alpha, ft float64) bool {
				return ft <= f-1e-4*alpha*dec+1e-13*math.Abs(f)
			})
			if alpha == 0 {
				return nil
			}
			for j := range lambda {
				c := mu / s[j]
				lambda[j] = min(max(lambda[j]+alpha*dl[j], c/pdSafeguard), c*pdSafeguard)
			}
			total++
		}
		zc := mat.DenseCopyOf(mat.NewDense(k, d, u[:k*d]))
		if !stage(barrierResult{z: zc, lambda: append([]float64(nil), lambda...), tau: tau, newton: total}) || steps == budget {
			return nil
		}
		if tau > 1e300 {
			return nil
		}
		if steps <= 3 {
			tau *= 100
		} else {
			tau *= 10
		}
	}
	return nil
}

// iterateCertifier certifies, exactly on the original data, the iterates
// of an interior-point method and keeps the narrowest result. An exact
// certificate is costly at many classes (exact sums over A(lambda) and
// W and an SVD; 0.07 s in all for nuclear on random labels (50,50,40),
// 1.6 s when certify.SpectralUp was a rational elimination and the tolerance test
// ran in scaled units), so an iterate is certified
// at once only when its floating-point interval is below froMargin times
// the tolerance (where the method may stop) and at least 16 times narrower
// than the last certified one; an iterate within the tolerance but above
// that is only remembered (the narrowest one), and flush certifies it when
// the method ends without a certified result. (It was a quarter of the
// tolerance: on digits-300-std, spectral, the SDP's floating-point width
// alternated between 5.3e-8 and 1.5e-7 relative from its 56th iteration,
// never below 2.5e-8, so nothing was certified and the barrier method ran
// for 12 s to an uncertified result; the exact certificate of the 5.3e-8
// iterate equals its floating-point bounds to 12 digits.) When
// certStall offers in a row fail to halve the remembered width, the
// method has stalled above froMargin times the tolerance (spectral at
// Gaussian (50,50,40): 1e-9 relative from its 45th iteration to its 61st,
// 0.5 to 1 s each), so the remembered iterate is certified then and the
// method stops if it passes.
type iterateCertifier struct {
	ds   *dataset.Dataset
	cn   convexNorm
	tol  float64
	best *certify.Result
	// pending builds the narrowest remembered iterate (nil for none), of
	// floating-point width pendingWidth.
	pending      func() (*mat.Dense, []certify.Pair)
	pendingWidth float64
	// halvingWidth is the remembered width when it last halved, and stall
	// the offers since then.
	halvingWidth float64
	stall        int
	// unit is the factor c by which the method's data were scaled
	// (scaledToUnit; 0 means 1): offered bounds are divided by it, so that
	// widths are compared with the tolerance on the original data.
	unit float64
	// b receives a progress report for every certified iterate (nil for
	// none), naming method and the iteration.
	b         *run.Budget
	method    string
	iteration int
	// anytime is the narrowest of the iterates certified every
	// anytimeEvery whatever their width, when the solve can be stopped
	// early or reports progress (anytimeWanted), and lastAnytime the time
	// of the last one. They are kept in sink, used only when the budget
	// stops the solve: the result of a completed solve does not depend on
	// timing.
	anytime     *certify.Result
	lastAnytime time.Time
	sink        *anytimeBest
}

// anytimeEvery is how often an iterateCertifier certifies an iterate
// whatever its width, for progress reports and for the result of a solve
// stopped early.
const anytimeEvery = 500 * time.Millisecond

// anytimeWanted reports whether b can stop a solve early (a deadline or a
// cancellable context) or wants progress reports.
func anytimeWanted(b *run.Budget) bool {
	return b.Watched()
}

// certStall is the number of offers without halving the remembered
// floating-point width after which iterateCertifier certifies the
// remembered iterate: an interior-point method near its optimum halves
// the width at almost every step.
const certStall = 4

// offer takes an iterate with the floating-point bounds lower <= gamma_N <=
// upper on the method's data (scaled by unit); build returns its classifier on the original coordinates and its
// weights. offer reports whether the method may stop: the iterate
// certified with a floating-point width below froMargin times the
// tolerance.
func (ic *iterateCertifier) offer(lower, upper float64, build func() (*mat.Dense, []certify.Pair)) bool {
	if ic.unit > 0 {
		lower, upper = lower/ic.unit, upper/ic.unit
	}
	if anytimeWanted(ic.b) && time.Since(ic.lastAnytime) >= anytimeEvery {
		ic.lastAnytime = time.Now()
		w, pairs := build()
		if res, err := convexCertify(ic.ds, ic.cn, w, pairs, ic.tol); err == nil {
			ic.anytime = narrower(ic.anytime, res)
			ic.sink.keep(res)
		}
	}
	ic.report()
	width := upper - max(0, lower)
	if !(width <= ic.tol*max(1, lower)) || (ic.best != nil && width > 0x1p-4*(ic.best.Upper-ic.best.Lower)) {
		return false
	}
	if !(width <= ic.tol*froMargin*max(1, lower)) {
		if ic.pending == nil || width <= ic.halvingWidth/2 {
			ic.pending, ic.pendingWidth, ic.halvingWidth, ic.stall = build, width, width, 0
			return false
		}
		if width < ic.pendingWidth {
			ic.pending, ic.pendingWidth = build, width
		}
		if ic.stall++; ic.stall < certStall {
			return false
		}
		ic.certify(ic.pending)
		ic.pending = nil
		return ic.best != nil && ic.best.Certified
	}
	ic.certify(build)
	return ic.best != nil && ic.best.Certified
}

// certify evaluates the certificate of build's iterate and keeps it when
// it is the narrowest so far.
func (ic *iterateCertifier) certify(build func() (*mat.Dense, []certify.Pair)) {
	w, pairs := build()
	res, err := convexCertify(ic.ds, ic.cn, w, pairs, ic.tol)
	if err != nil {
		return
	}
	if ic.best == nil || res.Upper-res.Lower < ic.best.Upper-ic.best.Lower {
		ic.best = res
		ic.report()
	}
}

// report passes the best certified interval so far (NaN for none) to the
// budget's progress callback.
func (ic *iterateCertifier) report() {
	p := run.Progress{Method: ic.method, Iteration: ic.iteration, Lower: math.NaN(), Upper: math.NaN()}
	if r := narrower(ic.best, ic.anytime); r != nil {
		p.Lower, p.Upper = r.Lower, r.Upper
	}
	ic.b.Report(p)
}

// flushGuarded is flush under run.RecoverNumerical: a method that ended by an
// error still has its remembered iterate certified.
func (ic *iterateCertifier) flushGuarded() {
	_ = guarded(ic.method, func() error { ic.flush(); return nil })
}

// flush certifies the remembered iterate, if any, unless a certified
// result is already at hand.
func (ic *iterateCertifier) flush() {
	if ic.pending != nil && (ic.best == nil || !ic.best.Certified) {
		ic.certify(ic.pending)
	}
	ic.pending = nil
}

// solvePD runs runPD with an iterateCertifier; full maps Z to the k×d
// classifier W. It returns the narrowest certified result (nil when none
// was evaluated) and the number of stages.
func (bp *barrierProblem) solvePD(ds *dataset.Dataset, cn convexNorm, full func(*mat.Dense) *mat.Dense, tol float64, b *run.Budget) (*certify.Result, int, error) {
	ic := &iterateCertifier{ds: ds, cn: cn, tol: tol, unit: bp.unit, b: b, sink: bp.anytime, method: convexMethod(pdMethodKind, cn)}
	iters := 0
	err := guarded(ic.method, func() error {
		return bp.runPD(bp.startDirection(), func(br barrierResult) bool {
			iters++
			lower, _, upper := bp.floatBounds(cn, br)
			ic.iteration = iters
			if ic.offer(lower, upper, func() (*mat.Dense, []certify.Pair) { return full(br.z), bp.pairWeights(br.lambda) }) {
				return false
			}
			return !bp.offerPolished(ic, br, lower, upper, full)
		}, b)
	})
	ic.flushGuarded()
	return ic.best, iters, err
}

// solveSDP runs spectralIPM (spectral norm) or nuclearIPM (nuclear norm)
// with an iterateCertifier, as solvePD: first with Mehrotra's second-order
// term on the semidefinite block (17 to 40 iterations on the data of
// TestConvexMeasure), then, if that does not certify, without it
// (measured on GaussianClusters(1, 5, 10, 30, 1.0), overlapping clusters
// with gamma_spectral = 0.14: the second-order run's dual bound stalls
// near 1e-6 relative while the first-order run certifies). nuclear runs
// the column blocks first (fewer variables: 0.6 s against 2.1 s on the
// Gaussian (500,25,10) data) and then, if they do not certify and it has
// at most nuclearSDPMaxVars variables, the lifted block: the runs given,
// sc.sdpRuns(k, D) of sc, cn's cone (sdpMethod).
func (bp *barrierProblem) solveSDP(ds *dataset.Dataset, cn convexNorm, sc sdpCone, runs []sdpRun, full func(*mat.Dense) *mat.Dense, tol float64, b *run.Budget) (*certify.Result, int, error) {
	kind := convexMethod(sdpMethodKind, cn)
	ic := &iterateCertifier{ds: ds, cn: cn, tol: tol, unit: bp.unit, b: b, sink: bp.anytime, method: kind}
	iters := 0
	var failure error
	for _, r := range runs {
		stage := func(z *mat.Dense, lambda []float64) bool {
			iters++
			ic.iteration = iters
			lower, _, upper := bp.floatBounds(cn, barrierResult{z: z, lambda: lambda})
			return !ic.offer(lower, upper, func() (*mat.Dense, []certify.Pair) { return full(z), bp.pairWeights(lambda) })
		}
		err := guarded(kind, func() error {
			return sc.sdpIPM(&bp.pairSpace, bp.startDirection(), r, b, stage)
		})
		ic.flushGuarded()
		if err != nil && !run.IsNumericalFailure(err) {
			return ic.best, iters, err
		}
		if err != nil && failure == nil {
			failure = err
		}
		if ic.best != nil && ic.best.Certified {
			return ic.best, iters, nil
		}
	}
	return ic.best, iters, failure
}
