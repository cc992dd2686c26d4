package convex

import (
	"cmp"
	"math"
	"slices"

	"github.com/draffensperger/golp"
	"gonum.org/v1/gonum/mat"
)

// slpSteps bounds the linear programmes of slpRefine, and slpRows the
// margin rows each holds (the smallest margins of W; the lower bound is
// evaluated on every pair afterwards). Measured on raw Wine, l10 (kD = 39,
// 356 pairs), from runPD's iterate at tau = 1.4e11: four steps raised
// m(W)/||W||_p from 0.2196638709 to 0.2196641245 (gamma = 0.2196641280),
// enough for polishPNorm to converge from there.
const (
	slpSteps = 8
	slpRows  = 200
)

// slpMaxColumns is the largest kD for which polished tries slpRefine: its
// linear programmes have kD columns, and lp_solve's cost grows fast with
// them; it is needed on raw Wine (kD = 39) and not at kD >= 1000, where
// polishPNorm certifies from a later stage without it. Measured: see
// docs/PERFORMANCE.md, section "Solver design measurements".
const slpMaxColumns = 500

// slpRefine improves the small entries of Z for the l<p> problem with p >
// 2 by sequential linear programming, so that polishPNorm starts inside
// Newton's region of convergence. At large p the entries of the optimum
// that are small against the largest are fixed only by the curvature
// (p-1)|W_ab|^(p-2) of the norm, 1e-6 of the largest at p = 10 for an
// entry 0.2 (raw Wine), which an interior-point iterate resolves only at
// a tiny barrier parameter: there they can have the wrong sign, and
// Newton's method on |W|^(p-1) = A/nu diverges from such a start. Yet their
// effect on the margins is first order while their cost in the norm is
// second order, so a linear programme fixes them: with W0 = Z/||Z||_p and
// s = sign(W0)|W0|^(p-1), one step solves
//
//	maximize t  s.t.  <v_j, W0 + D> >= t (the slpRows smallest margins of W0),
//	                  <s, D> <= 0,  |D_ab| <= delta_ab,
//
// whose constraint <s, D> <= 0 keeps sum |W0 + D|^p = 1 + O(D^2), with the
// trust region delta_ab = min(sqrt(e / h_ab), e^(1/p)), e = eta/kD, h_ab =
// p(p-1)/2 |W0_ab|^(p-2) the second-order coefficient of the norm (the
// second bound for the entries near 0, where |D_ab|^p is the increase), so
// that the norm grows by about eta at most. (lp_solve leaves a column that
// does not matter at a bound of its trust region, not at 0.) eta starts at 1e-6 and
// doubles after a step that raises m(W)/||W||_p over all pairs, and is
// quartered otherwise. slpRefine returns the best W (by m(W)/||W||_p in
// floating point), or nil when no step improved Z.
func (bp *barrierProblem) slpRefine(p float64, z *mat.Dense) *mat.Dense {
	kd := bp.k * bp.d
	best := mat.DenseCopyOf(z)
	bestLower := bp.normalizedMargin(p, best)
	improved := false
	eta := 1e-6
	for range slpSteps {
		if bp.b.Stop("") != nil {
			break
		}
		w, ok := bp.slpStep(p, best.RawMatrix().Data, eta)
		if !ok {
			break
		}
		cand := mat.NewDense(bp.k, bp.d, w[:kd])
		if l := bp.normalizedMargin(p, cand); l > bestLower {
			best, bestLower, improved = cand, l, true
			eta *= 2
		} else {
			eta /= 4
		}
	}
	if !improved {
		return nil
	}
	return best
}

// normalizedMargin returns m(W)/||W||_p in floating point (-Inf for W =
// 0 or a non-finite norm).
func (bp *barrierProblem) normalizedMargin(p float64, w *mat.Dense) float64 {
	nw := entrywiseNorm(w.RawMatrix().Data, p)
	if !(nw > 0) || math.IsInf(nw, 0) {
		return math.Inf(-1)
	}
	m := make([]float64, bp.pairs())
	bp.margins(w, m)
	return slices.Min(m) / nw
}

// slpStep solves slpRefine's linear programme at W0 = w/||w||_p with
// lp_solve and returns W0 + D, or false when lp_solve does not report an
// optimum.
func (bp *barrierProblem) slpStep(p float64, w []float64, eta float64) ([]float64, bool) {
	kd, d := bp.k*bp.d, bp.d
	np := bp.pairs()
	nw := entrywiseNorm(w, p)
	if !(nw > 0) || math.IsInf(nw, 0) {
		return nil, false
	}
	w0 := slices.Clone(w)
	for a := range w0 {
		w0[a] /= nw
	}
	m := make([]float64, np)
	bp.margins(mat.NewDense(bp.k, bp.d, w0), m)
	order := make([]int, np)
	for j := range order {
		order[j] = j
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(m[a], m[b]) })
	rows := order[:min(np, slpRows)]

	// Columns: U = D/delta (kD, in [-1, 1]), then t. Every row is
	// divided by its largest coefficient: on raw breast cancer data
	// (columns from 1e-3 to 4e3) the unscaled programme, with entries from
	// 1e-12 to 1, kept lp_solve busy for minutes.
	lp := golp.NewLP(0, kd+1)
	lp.SetTimeout(slpTimeout)
	e := eta / float64(kd)
	delta := make([]float64, kd)
	for a := range kd {
		h := p * (p - 1) / 2 * math.Pow(math.Abs(w0[a]), p-2)
		delta[a] = math.Pow(e, 1/p)
		if h > 0 {
			delta[a] = min(delta[a], math.Sqrt(e/h))
		}
		lp.SetBounds(a, -1, 1)
	}
	lp.SetUnbounded(kd)
	norm := make([]golp.Entry, 0, kd)
	for a, v := range w0 {
		if s := math.Copysign(math.Pow(math.Abs(v), p-1), v) * delta[a]; s != 0 {
			norm = append(norm, golp.Entry{Col: a, Val: s})
		}
	}
	if err := lp.AddConstraintSparse(equilibrated(norm), golp.LE, 0); err != nil {
		return nil, false
	}
	// <v_j, D> - t >= -<v_j, W0>, with t in units of the least margin's
	// size.
	tScale := max(math.Abs(m[rows[0]]), 0x1p-1000)
	row := make([]golp.Entry, 0, 2*d+1)
	for _, j := range rows {
		i, c := bp.pairOf(j)
		y := bp.y[i]
		row = row[:0]
		for l, v := range bp.t.RawRowView(i) {
			if v != 0 {
				row = append(row, golp.Entry{Col: y*d + l, Val: v * delta[y*d+l]}, golp.Entry{Col: c*d + l, Val: -v * delta[c*d+l]})
			}
		}
		row = append(row, golp.Entry{Col: kd, Val: -tScale})
		big := rowScale(row)
		if err := lp.AddConstraintSparse(equilibrated(row), golp.GE, -m[j]/big); err != nil {
			return nil, false
		}
	}
	obj := make([]float64, kd+1)
	obj[kd] = 1
	lp.SetObjFn(obj)
	lp.SetMaximize()
	if lp.Solve() != golp.OPTIMAL {
		return nil, false
	}
	x := lp.Variables()
	out := make([]float64, kd)
	for a := range kd {
		out[a] = w0[a] + x[a]*delta[a]
	}
	return out, true
}

// slpTimeout is lp_solve's time limit for one of slpRefine's programmes,
// in seconds (lp_solve counts whole seconds); a programme takes
// milliseconds when lp_solve copes with it.
const slpTimeout = 1

// rowScale returns the largest |coefficient| of row (1 for a zero row).
func rowScale(row []golp.Entry) float64 {
	var big float64
	for _, e := range row {
		big = max(big, math.Abs(e.Val))
	}
	if big == 0 {
		return 1
	}
	return big
}

// equilibrated divides row, in place, by rowScale(row) and returns it.
func equilibrated(row []golp.Entry) []golp.Entry {
	big := rowScale(row)
	for i := range row {
		row[i].Val /= big
	}
	return row
}
