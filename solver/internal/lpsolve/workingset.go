package lpsolve

import (
	"fmt"
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/certify"
	"maxmargin/solver/internal/run"
	"maxmargin/solver/internal/workset"
)

// WorkingSet computes gamma_N for the polyhedral norm pn with lp_solve over
// a growing working set of margin rows (constraint generation, as
// solver.MaxMargin documents): it starts from each sample's worst row under
// the class-mean classifier (workset.InitialRows), solves the restricted LP,
// adds each sample's most violated row (workset.Violated) and stops when no
// margin is below the restricted optimum by more than tol max(|gamma|,
// phi sigma_N)/4; the last LP's W and row duals are then certified exactly
// (certify.FromLP) to the tolerance tol. A small margin (2^-900 < gamma <
// 2^-4) that does not certify, or certifies by the width test's floor only
// and wider than RefineWidth, is solved again once in the ball of radius
// 2^-e, gamma in [2^(e-1), 2^e). When the budget b ends the loop, it returns
// the certificate of the last solved working set (Certified only if within
// the tolerance) with the *run.StatusError; an lp_solve status other than
// OPTIMAL is a *run.StatusError.
func WorkingSet(ds *dataset.Dataset, pn norm.Polyhedral, tol float64, b *run.Budget, start time.Time) (*certify.Result, error) {
	pairs := workset.InitialRows(ds)
	guess := workset.DualMatrix(ds, pairs)
	ws := &workingSet{ds: ds, pn: pn, tol: tol, b: b, start: start,
		lp:    NewRestricted(ds, pn.Grouping(), pairs, guess, 1),
		floor: certify.MarginFloor(ds, pn)}
	for round := 1; ; round++ {
		if err := b.Stop(""); err != nil {
			return ws.end(err)
		}
		limit, ok := ws.limit()
		if !ok {
			return ws.refined, nil
		}
		gamma, w, lambda, err := ws.lp.Solve(limit)
		if ws.refined != nil && (err != nil || time.Now().After(ws.refineUntil)) {
			return ws.refined, nil
		}
		if err != nil {
			if serr := b.Stop(""); serr != nil {
				return ws.stopped(serr)
			}
			return nil, err
		}
		if err := b.Stop(""); err != nil {
			// Measured: interrupted by its time-out, lp_solve can report
			// OPTIMAL with gamma = 0.
			return ws.end(err)
		}
		ws.keep(round, w, lambda)
		res, done, err := ws.next(round, gamma, w, lambda)
		if done {
			return res, err
		}
	}
}

// workingSet is the state of one WorkingSet loop.
type workingSet struct {
	ds    *dataset.Dataset
	pn    norm.Polyhedral
	tol   float64
	b     *run.Budget
	start time.Time
	lp    *Restricted
	floor float64 // phi sigma_N (certify.MarginFloor)
	best  float64 // largest m(W)/N(W) seen, in floating point

	// The last solved working set's W, rows and duals: a certificate.
	lastW      *mat.Dense
	lastRows   []workset.Row
	lastLambda []float64
	lastRound  int

	// refined is a result certified by the width test's floor only (wider
	// than Tolerance L), kept while the same rows are solved again in a
	// larger ball until refineUntil; it is returned when that refinement
	// fails, runs out of time or ends wider.
	refined     *certify.Result
	refineUntil time.Time
}

// stopped returns the certificate of the last solved working set (nil
// when there is none) with err, the budget's error.
func (ws *workingSet) stopped(err error) (*certify.Result, error) {
	if ws.lastW == nil {
		return nil, err
	}
	res, cerr := certify.FromLP(ws.ds, ws.pn, ws.lastW, ws.lastRows, ws.lastLambda, ws.tol)
	if cerr != nil {
		return nil, err
	}
	res.Rows, res.Rounds = len(ws.lastRows), ws.lastRound
	res.Seconds = time.Since(ws.start).Seconds()
	return res, err
}

// end is the loop's exit when the budget ends it: the refined result
// when a refinement is running (it is certified), else stopped(err).
func (ws *workingSet) end(err error) (*certify.Result, error) {
	if ws.refined != nil {
		return ws.refined, nil
	}
	return ws.stopped(err)
}

// limit returns lp_solve's time limit for the next solve: the budget's
// remaining time (0: none), cut to the refinement's end while one runs;
// ok is false when the refinement's time is up.
func (ws *workingSet) limit() (limit time.Duration, ok bool) {
	limit, _ = ws.b.Remaining()
	if ws.refined != nil {
		rl := time.Until(ws.refineUntil)
		if rl <= 0 {
			return 0, false
		}
		if limit <= 0 || rl < limit {
			limit = rl
		}
	}
	return limit, true
}

// keep normalizes the solved W to N(W) = 1, keeps it with the rows and
// duals as the last certificate, and reports progress.
func (ws *workingSet) keep(round int, w *mat.Dense, lambda []float64) {
	const method = "lp_solve working set"
	if nw := ws.pn.Value(w); nw > 0 {
		w.Scale(1/nw, w)
	}
	ws.lastW, ws.lastRows, ws.lastLambda, ws.lastRound = w, slices.Clone(ws.lp.Rows), lambda, round
	if ws.b.Reporting() {
		if res, err := certify.FromLP(ws.ds, ws.pn, w, ws.lp.Rows, lambda, ws.tol); err == nil {
			ws.b.Report(run.Progress{Method: method, Iteration: round, Lower: res.Lower, Upper: res.Upper})
		}
	}
}

// next decides, after the solve of round with the restricted optimum gamma
// and the normalized W: add the violated rows and go on, solve the same
// rows again in a larger ball (a small margin) or with every row below
// gamma (the exact test failed), or end the loop (done) with the result.
func (ws *workingSet) next(round int, gamma float64, w *mat.Dense, lambda []float64) (res *certify.Result, done bool, err error) {
	ds, pn, tol, lp := ws.ds, ws.pn, ws.tol, ws.lp
	nn, _, k := ds.Dims()
	slack := tol * max(math.Abs(gamma), ws.floor) / 4
	// lp_solve's objective is noisy at its own tolerances, about 1e-9
	// of the data's margin scale (non-separable cars-std, sum: -1.5e-12
	// after a margin of 0): only a drop beyond that is a wrong OPTIMAL.
	if gamma < ws.best-max(slack, tol*ws.floor/certify.FloorFraction/4) {
		if ws.refined != nil {
			return ws.refined, true, nil
		}
		// The restricted optimum bounds gamma_N from above, and an
		// earlier W from below: lp_solve's OPTIMAL was wrong.
		return nil, true, &run.StatusError{Status: fmt.Sprintf("OPTIMAL with objective %g below the margin %g of an earlier classifier", gamma, ws.best)}
	}
	add, m := workset.Violated(ds, w, gamma-slack, lp.In, nn)
	ws.best = max(ws.best, m)
	if gamma > slack && len(add) > 0 {
		lp.Add(add)
		return nil, false, nil
	}
	res, err = certify.FromLP(ds, pn, w, lp.Rows, lambda, tol)
	if err != nil {
		return nil, true, err
	}
	floorOnly := res.Certified && res.Upper-res.Lower > max(tol, RefineWidth)*res.Lower
	if _, e := math.Frexp(gamma); (!res.Certified || floorOnly) && lp.Radius == 1 && gamma > 0 && e < -3 && e > -900 {
		// A small margin: lp_solve's absolute tolerances are coarse
		// next to it (tiny-margin data at 1e-8 of its scale came back
		// with a relative width of 1e-4). Solve the same rows again,
		// once, in the ball of radius 2^-e, where the optimal margins
		// are of order one; solve returns gamma in the unit ball's
		// terms. When the result is certified already, by the floor
		// of the width test only, and wider than RefineWidth, this is
		// a refinement limited to refineTime: on raw breast cancer the
		// larger ball made lp_solve run for minutes (sum, opinf), on
		// the tiny-margin entries it gave the exact gamma in
		// milliseconds.
		if floorOnly {
			res.Rows, res.Rounds = len(lp.Rows), round
			res.Seconds = time.Since(ws.start).Seconds()
			ws.refined, ws.refineUntil = res, time.Now().Add(refineTime)
		}
		ws.lp = NewRestricted(ds, pn.Grouping(), lp.Rows, w, math.Ldexp(1, -e))
		return nil, false, nil
	}
	if !res.Certified && gamma > 0 {
		// The float test passed but the exact one did not: add every
		// pair still below gamma and try again, if there is one.
		if add, _ := workset.Violated(ds, w, gamma, lp.In, nn*k); len(add) > 0 {
			lp.Add(add)
			return nil, false, nil
		}
	}
	if ws.refined != nil && !(res.Certified && res.Upper-res.Lower < ws.refined.Upper-ws.refined.Lower) {
		return ws.refined, true, nil
	}
	res.Rows, res.Rounds = len(lp.Rows), round
	res.Seconds = time.Since(ws.start).Seconds()
	return res, true, nil
}

// RefineWidth is the relative width above which WorkingSet refines
// a result certified by the width test's floor only: 2^-16, about 1.5e-5.
// Measured: raw breast cancer certifies to 8e-7..4e-6 relative at once
// (0.25 s; a refinement would cost lp_solve's one second, over HiGHS's
// 0.2 to 0.6 s), the tiny-margin entries to 1e-6..1.2e-4 and the
// refinement gives them their exact gamma in milliseconds.
const RefineWidth = 0x1p-16

// refineTime bounds WorkingSet's refinement of a result certified
// by the width test's floor only: one second, lp_solve's time limits being
// whole seconds.
const refineTime = time.Second
