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
	nn, _, k := ds.Dims()
	const method = "lp_solve working set"
	pairs := workset.InitialRows(ds)
	guess := workset.DualMatrix(ds, pairs)
	lp := NewRestricted(ds, pn.Grouping(), pairs, guess, 1)
	floor := certify.MarginFloor(ds, pn)
	best := 0.0 // largest m(W)/N(W) seen, in floating point
	// The last solved working set's W, rows and duals: a certificate.
	var lastW *mat.Dense
	var lastPairs []workset.Row
	var lastLambda []float64
	lastRound := 0
	// refined is a result certified by the width test's floor only (wider
	// than Tolerance L), kept while the same rows are solved again in a
	// larger ball until refineUntil; it is returned when that refinement
	// fails, runs out of time or ends wider.
	var refined *certify.Result
	var refineUntil time.Time
	stopped := func(err error) (*certify.Result, error) {
		if lastW == nil {
			return nil, err
		}
		res, cerr := certify.FromLP(ds, pn, lastW, lastPairs, lastLambda, tol)
		if cerr != nil {
			return nil, err
		}
		res.Rows, res.Rounds = len(lastPairs), lastRound
		res.Seconds = time.Since(start).Seconds()
		return res, err
	}
	for round := 1; ; round++ {
		if err := b.Stop(""); err != nil {
			if refined != nil {
				return refined, nil
			}
			return stopped(err)
		}
		limit, _ := b.Remaining()
		if refined != nil {
			rl := time.Until(refineUntil)
			if rl <= 0 {
				return refined, nil
			}
			if limit <= 0 || rl < limit {
				limit = rl
			}
		}
		gamma, w, lambda, err := lp.Solve(limit)
		if refined != nil && (err != nil || time.Now().After(refineUntil)) {
			return refined, nil
		}
		if err != nil {
			if serr := b.Stop(""); serr != nil {
				return stopped(serr)
			}
			return nil, err
		}
		if err := b.Stop(""); err != nil {
			// Measured: interrupted by its time-out, lp_solve can report
			// OPTIMAL with gamma = 0.
			if refined != nil {
				return refined, nil
			}
			return stopped(err)
		}
		if nw := pn.Value(w); nw > 0 {
			w.Scale(1/nw, w)
		}
		lastW, lastPairs, lastLambda, lastRound = w, slices.Clone(lp.Rows), lambda, round
		if b.Reporting() {
			if res, err := certify.FromLP(ds, pn, w, lp.Rows, lambda, tol); err == nil {
				b.Report(run.Progress{Method: method, Iteration: round, Lower: res.Lower, Upper: res.Upper})
			}
		}
		slack := tol * max(math.Abs(gamma), floor) / 4
		// lp_solve's objective is noisy at its own tolerances, about 1e-9
		// of the data's margin scale (non-separable cars-std, sum: -1.5e-12
		// after a margin of 0): only a drop beyond that is a wrong OPTIMAL.
		if gamma < best-max(slack, tol*floor/certify.FloorFraction/4) {
			if refined != nil {
				return refined, nil
			}
			// The restricted optimum bounds gamma_N from above, and an
			// earlier W from below: lp_solve's OPTIMAL was wrong.
			return nil, &run.StatusError{Status: fmt.Sprintf("OPTIMAL with objective %g below the margin %g of an earlier classifier", gamma, best)}
		}
		add, m := workset.Violated(ds, w, gamma-slack, lp.In, nn)
		best = max(best, m)
		if gamma > slack && len(add) > 0 {
			lp.Add(add)
			continue
		}
		res, err := certify.FromLP(ds, pn, w, lp.Rows, lambda, tol)
		if err != nil {
			return nil, err
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
			// a refinement limited to refineTime: on raw breast cancer the larger ball made
			// lp_solve run for minutes (sum, opinf), on the tiny-margin
			// entries it gave the exact gamma in milliseconds.
			if floorOnly {
				res.Rows, res.Rounds = len(lp.Rows), round
				res.Seconds = time.Since(start).Seconds()
				refined, refineUntil = res, time.Now().Add(refineTime)
			}
			lp = NewRestricted(ds, pn.Grouping(), lp.Rows, w, math.Ldexp(1, -e))
			continue
		}
		if !res.Certified && gamma > 0 {
			// The float test passed but the exact one did not: add every
			// pair still below gamma and try again, if there is one.
			if add, _ := workset.Violated(ds, w, gamma, lp.In, nn*k); len(add) > 0 {
				lp.Add(add)
				continue
			}
		}
		if refined != nil && !(res.Certified && res.Upper-res.Lower < refined.Upper-refined.Lower) {
			return refined, nil
		}
		res.Rows, res.Rounds = len(lp.Rows), round
		res.Seconds = time.Since(start).Seconds()
		return res, nil
	}
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
