package convex

import (
	"errors"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// primalSteps bounds the Newton steps of polishMinNorm, and
// primalFeasible is the largest |1 - <v_j, W>| on S it treats as on the
// constraint (the margins are about 1 there; the least-squares steps
// leave 1e-9 to 2e-8 on raw Wine, l20).
const (
	primalSteps    = 300
	primalFeasible = 1e-7
)

// nearFeasible is the largest |1 - <v_j, W>| on S at which polishMinNorm
// keeps the multipliers as fallback weights, for when it never reaches
// primalFeasible: on raw breast cancer, l10, whose margins are sums of
// terms 1e8 times larger, the least-squares steps leave 1e-7 to 7e-6 on
// S, and the iteration ends without an optimum on S; the weights of its
// most nearly stationary point (least -g.dW/f) are still a valid, and
// there the narrowest, dual certificate.
const nearFeasible = 1e-4

// polishMinNorm improves the bounds of an l<p> problem with p > 2 by a
// primal active-set method on
//
//	minimize f(W) = sum_ab |W_ab|^p  subject to  <v_j, W> >= 1 for every pair j,
//
// whose solution W* gives gamma = 1/||W*||_p, while any W with m(W) > 0
// gives the lower bound m(W)/||W||_p. It starts from the feasible W =
// Z/m(Z) with the active set S = activeSet(Z, lambda). Each step is
// Newton's step for f with <v_j, W> = 1 on S (Boyd and Vandenberghe,
// section 10.3, infeasible start for the pairs of S still above 1):
//
//	[[H, M_S^T], [M_S, 0]] (dW, -lambda_S) = (-g, 1 - M_S W),  g = p sign(W)|W|^{p-1},  H = p(p-1) diag(|W|^{p-2}),
//
// H's entries floored at 1e-12 of the largest (as in polishPrimal), solved
// through the QR factorization of H^-1/2 M_S^T (the normal equations
// M_S H^-1 M_S^T lost 8 digits on raw Wine). The step is cut where a pair
// outside S reaches margin 1 (that pair joins S while |S| < kD, so W
// stays feasible), and, once S is on its constraints (primalFeasible),
// backtracked on f (Armijo). At the optimum on S the pair with the most
// negative multiplier leaves S; when none is negative W is optimal and
// lambda_S >= 0 are the dual weights. f is convex, so the method descends
// from any start, unlike Newton's method on the optimality conditions
// (polishPrimal), which needs the small entries of W (whose only curvature
// is |W_ab|^(p-2)) nearly right already; and f is flat along those
// entries, so an error in them costs the lower bound little. It returns
// the W with the largest m(W)/||W||_p seen, normalized to ||W||_p = 1, and
// the weights (over every pair, sum 1) when it reached the optimum or nil
// otherwise, or false when no W had a positive margin. Measured on raw
// Wine, l20 (kD = 39): 20 to 60 steps, under 0.01 s, bounds equal to 10
// digits.
func (bp *barrierProblem) polishMinNorm(p float64, z *mat.Dense, lambda []float64) (*mat.Dense, []float64, bool) {
	in := bp.activeSet(z, lambda)
	if in == nil {
		return nil, nil, false
	}
	kd, d, np := bp.k*bp.d, bp.d, bp.pairs()
	m := make([]float64, np)
	bp.margins(z, m)
	w := slices64(z.RawMatrix().Data)
	floats.Scale(1/floats.Min(m), w)
	var best []float64
	bestLower := math.Inf(-1)
	record := func() {
		wm := mat.NewDense(bp.k, d, w)
		bp.margins(wm, m)
		nw := entrywiseNorm(w, p)
		if l := floats.Min(m) / nw; nw > 0 && l > bestLower && l > 0 {
			best, bestLower = slices64(w), l
		}
	}
	// rows returns M_S, one row vec(v_j) per pair of S.
	rows := func(idx []int) *mat.Dense {
		ms := mat.NewDense(len(idx), kd, nil)
		for r, j := range idx {
			i, c := bp.pairOf(j)
			y := bp.y[i]
			row := ms.RawRowView(r)
			for l, v := range bp.t.RawRowView(i) {
				row[y*d+l], row[c*d+l] = v, -v
			}
		}
		return ms
	}
	f := func(x []float64) float64 {
		var s float64
		for _, v := range x {
			s += math.Pow(math.Abs(v), p)
		}
		return s
	}
	g := make([]float64, kd)
	hinv := make([]float64, kd)
	trial := make([]float64, kd)
	vd := make([]float64, np)
	var weights, near []float64
	nearSlope := math.Inf(1)
	// floor is the largest residual on S seen right after a full step
	// (exact): the rounding level of the constraints, above
	// primalFeasible where the margins are sums of far larger terms (raw
	// breast cancer, l10: 1e-7 to 7e-6, which kept S from ever counting as
	// on its constraints, so that steps went without a line search and f
	// jumped by 1e3).
	floor, exact := 0.0, false
	record()
	for range primalSteps {
		var idx []int
		for j, v := range in {
			if v {
				idx = append(idx, j)
			}
		}
		if len(idx) == 0 {
			break
		}
		ms := rows(idx)
		bp.margins(mat.NewDense(bp.k, d, w), m)
		var hBig, resid float64
		for a, v := range w {
			av := math.Abs(v)
			g[a] = p * math.Copysign(math.Pow(av, p-1), v)
			hinv[a] = p * (p - 1) * math.Pow(av, p-2)
			hBig = max(hBig, hinv[a])
		}
		for a := range hinv {
			hinv[a] = 1 / max(hinv[a], 1e-12*hBig)
		}
		// With B = M_S H^-1/2 and h = H^-1/2 g, dW = H^-1/2 u for the
		// u minimising |u + h| subject to B u = r, r = 1 - M_S W:
		// u = -h + B^T (B B^T)^-1 (r + B h), by the QR factorization B^T
		// = Q R (B B^T = R^T R, so the condition number enters as its
		// square root, not squared as in the normal equations).
		bt := mat.NewDense(kd, len(idx), nil)
		for r := range len(idx) {
			row := ms.RawRowView(r)
			for a := range kd {
				bt.Set(a, r, row[a]*math.Sqrt(hinv[a]))
			}
		}
		h := make([]float64, kd)
		for a := range h {
			h[a] = math.Sqrt(hinv[a]) * g[a]
		}
		rhs := make([]float64, len(idx))
		for r, j := range idx {
			rhs[r] = 1 - m[j]
			resid = max(resid, math.Abs(1-m[j]))
		}
		var bh mat.VecDense
		bh.MulVec(bt.T(), mat.NewVecDense(kd, h))
		floats.Add(rhs, bh.RawVector().Data)
		var qr mat.QR
		qr.Factorize(bt)
		var q, rr mat.Dense
		qr.QTo(&q)
		qr.RTo(&rr)
		ns := len(idx)
		rsq := mat.NewTriDense(ns, mat.Upper, nil)
		for i := range ns {
			for j := i; j < ns; j++ {
				rsq.SetTri(i, j, rr.At(i, j))
			}
		}
		var zv mat.VecDense
		if err := zv.SolveVec(rsq.T(), mat.NewVecDense(ns, rhs)); !conditionOnly(err) {
			break
		}
		if !finite(zv.RawVector().Data) {
			break
		}
		// The multipliers: u = -h + B^T R^-1 z, so lambda_S = R^-1 z
		// (g = M_S^T lambda_S at the optimum on S).
		var lv mat.VecDense
		if err := lv.SolveVec(rsq, &zv); !conditionOnly(err) || !finite(lv.RawVector().Data) {
			break
		}
		lam := lv.RawVector().Data
		var qz mat.VecDense
		qz.MulVec(q.Slice(0, kd, 0, ns), &zv)
		dw := make([]float64, kd)
		for a := range dw {
			dw[a] = math.Sqrt(hinv[a]) * (qz.AtVec(a) - h[a])
		}
		slope := floats.Dot(g, dw)
		f0 := f(w)
		if exact {
			floor = max(floor, resid)
		}
		feasible := max(primalFeasible, 10*floor)
		if r := -slope / f0; resid <= nearFeasible && r < nearSlope && !slices.ContainsFunc(lam, func(v float64) bool { return v < 0 }) {
			// The most nearly stationary point so far whose multipliers
			// are all >= 0: its weights are the fallback.
			nearSlope = r
			near = make([]float64, np)
			for r, j := range idx {
				near[j] = lam[r]
			}
		}
		if resid <= feasible && !(-slope > 1e-15*f0) {
			// Optimal on S: drop the pair with the most negative
			// multiplier lambda_j = -y_j, or stop.
			worst, drop := 0.0, -1
			for r, v := range lam {
				if v < worst {
					worst, drop = v, idx[r]
				}
			}
			if drop < 0 || worst > -1e-9*floats.Norm(lam, math.Inf(1)) {
				weights = make([]float64, np)
				for r, j := range idx {
					weights[j] = max(0, lam[r])
				}
				break
			}
			in[drop] = false
			continue
		}
		// Ratio test: the pairs outside S keep margins >= 1.
		bp.margins(mat.NewDense(bp.k, d, dw), vd)
		alpha, block := 1.0, -1
		for j, v := range vd {
			if !in[j] && v < 0 {
				if a := (m[j] - 1) / -v; a < alpha {
					alpha, block = max(a, 0), j
				}
			}
		}
		if resid <= feasible {
			// Feasible on S: backtrack on f.
			for range 60 {
				for a := range trial {
					trial[a] = w[a] + alpha*dw[a]
				}
				if f(trial) <= f0+1e-4*alpha*slope {
					break
				}
				alpha /= 2
				block = -1
			}
		}
		floats.AddScaled(w, alpha, dw)
		// After a full step the margins on S are 1 up to rounding (the
		// constraints are linear), S unchanged.
		exact = alpha == 1 && block < 0
		if block >= 0 && len(idx) < kd {
			in[block] = true
		}
		record()
	}
	if best == nil {
		return nil, nil, false
	}
	floats.Scale(1/entrywiseNorm(best, p), best)
	if weights == nil {
		weights = near
	}
	if sum := floats.Sum(weights); sum > 0 {
		floats.Scale(1/sum, weights)
	} else {
		weights = nil
	}
	return mat.NewDense(bp.k, d, best), weights, true
}

// conditionOnly reports whether err is nil or only gonum's warning that
// the matrix is ill-conditioned (the solution is still computed).
func conditionOnly(err error) bool {
	var c mat.Condition
	return err == nil || errors.As(err, &c)
}

// slices64 returns a copy of x.
func slices64(x []float64) []float64 { return append([]float64(nil), x...) }
