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
// digits. The phases of a step are methods of primalActiveSet: active and
// rows (S and M_S), gradientCurvature (g and H^-1), reducedSystem and
// solveReduced (dW and lambda_S), keepNearest (the fallback weights),
// dropOrStop (at the optimum on S), ratioTest, backtrack and step.
func (bp *barrierProblem) polishMinNorm(p float64, z *mat.Dense, lambda []float64) (*mat.Dense, []float64, bool) {
	in := bp.activeSet(z, lambda)
	if in == nil {
		return nil, nil, false
	}
	s := bp.newPrimalActiveSet(p, z, in)
	s.record()
	for range primalSteps {
		idx := s.active()
		if len(idx) == 0 {
			break
		}
		ms := s.rows(idx)
		s.gradientCurvature()
		bt, h, rhs, resid := s.reducedSystem(idx, ms)
		dw, lam, ok := s.solveReduced(bt, h, rhs)
		if !ok {
			break
		}
		slope := floats.Dot(s.g, dw)
		f0 := s.f(s.w)
		if s.exact {
			s.floor = max(s.floor, resid)
		}
		feasible := max(primalFeasible, 10*s.floor)
		s.keepNearest(idx, lam, resid, slope, f0)
		if resid <= feasible && !(-slope > 1e-15*f0) {
			// Optimal on S: drop a pair or stop.
			if s.dropOrStop(idx, lam) {
				break
			}
			continue
		}
		alpha, block := s.ratioTest(dw)
		if resid <= feasible {
			// Feasible on S: backtrack on f.
			alpha, block = s.backtrack(dw, alpha, block, slope, f0)
		}
		s.step(dw, alpha, block, len(idx))
	}
	return s.result()
}

// primalActiveSet is the state of polishMinNorm: the iterate W (feasible
// once S is on its constraints), the active set S, the best W seen, the
// dual weights found, and scratch space shared by the steps.
type primalActiveSet struct {
	bp        *barrierProblem
	p         float64
	kd, d, np int
	in        []bool    // S: in[j] for the pairs of the active set
	m         []float64 // margins <v_j, W> of every pair
	w         []float64 // W, row-major k×d
	best      []float64 // the W of largest m(W)/||W||_p seen
	bestLower float64   // its m(W)/||W||_p
	g, hinv   []float64 // gradient of f and H^-1 (floored) at W
	trial, vd []float64 // the line search's W and the step's margins
	weights   []float64 // the multipliers at the optimum on S, or nil
	near      []float64 // the fallback weights (nearFeasible)
	nearSlope float64   // -g.dW/f of near
	floor     float64   // see newPrimalActiveSet
	exact     bool      // the last step was full (alpha = 1, no block)
}

// newPrimalActiveSet returns polishMinNorm's state at its start: W =
// Z/m(Z), S = in, no best W yet.
func (bp *barrierProblem) newPrimalActiveSet(p float64, z *mat.Dense, in []bool) *primalActiveSet {
	kd, d, np := bp.k*bp.d, bp.d, bp.pairs()
	m := make([]float64, np)
	bp.margins(z, m)
	w := slices64(z.RawMatrix().Data)
	floats.Scale(1/floats.Min(m), w)
	s := &primalActiveSet{bp: bp, p: p, kd: kd, d: d, np: np, in: in, m: m, w: w}
	s.bestLower = math.Inf(-1)
	s.g = make([]float64, kd)
	s.hinv = make([]float64, kd)
	s.trial = make([]float64, kd)
	s.vd = make([]float64, np)
	s.nearSlope = math.Inf(1)
	// floor is the largest residual on S seen right after a full step
	// (exact): the rounding level of the constraints, above
	// primalFeasible where the margins are sums of far larger terms (raw
	// breast cancer, l10: 1e-7 to 7e-6, which kept S from ever counting as
	// on its constraints, so that steps went without a line search and f
	// jumped by 1e3).
	s.floor, s.exact = 0.0, false
	return s
}

// record keeps W as the best when its lower bound m(W)/||W||_p is
// positive and the largest so far (it sets the margins m to those of W).
func (s *primalActiveSet) record() {
	wm := mat.NewDense(s.bp.k, s.d, s.w)
	s.bp.margins(wm, s.m)
	nw := entrywiseNorm(s.w, s.p)
	if l := floats.Min(s.m) / nw; nw > 0 && l > s.bestLower && l > 0 {
		s.best, s.bestLower = slices64(s.w), l
	}
}

// active returns the pairs of S in increasing order.
func (s *primalActiveSet) active() []int {
	var idx []int
	for j, v := range s.in {
		if v {
			idx = append(idx, j)
		}
	}
	return idx
}

// rows returns M_S, one row vec(v_j) per pair of S.
func (s *primalActiveSet) rows(idx []int) *mat.Dense {
	bp, d := s.bp, s.d
	ms := mat.NewDense(len(idx), s.kd, nil)
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

// f returns f(x) = sum_a |x_a|^p.
func (s *primalActiveSet) f(x []float64) float64 {
	var sum float64
	for _, v := range x {
		sum += math.Pow(math.Abs(v), s.p)
	}
	return sum
}

// gradientCurvature sets the margins m of W, the gradient g = p
// sign(W)|W|^{p-1} and hinv = H^-1, H = p(p-1) diag(|W|^{p-2}) with
// each entry of H floored at 1e-12 of the largest.
func (s *primalActiveSet) gradientCurvature() {
	p, w, g, hinv := s.p, s.w, s.g, s.hinv
	s.bp.margins(mat.NewDense(s.bp.k, s.d, w), s.m)
	var hBig float64
	for a, v := range w {
		av := math.Abs(v)
		g[a] = p * math.Copysign(math.Pow(av, p-1), v)
		hinv[a] = p * (p - 1) * math.Pow(av, p-2)
		hBig = max(hBig, hinv[a])
	}
	for a := range hinv {
		hinv[a] = 1 / max(hinv[a], 1e-12*hBig)
	}
}

// reducedSystem returns the Newton step's system scaled by H^-1/2: B^T =
// H^-1/2 M_S^T (kd × |S|), h = H^-1/2 g, the right-hand side r + B h with
// r = 1 - M_S W, and the residual on S, max_j |1 - <v_j, W>|.
func (s *primalActiveSet) reducedSystem(idx []int, ms *mat.Dense) (*mat.Dense, []float64, []float64, float64) {
	kd, hinv, g, m := s.kd, s.hinv, s.g, s.m
	var resid float64
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
	return bt, h, rhs, resid
}

// solveReduced solves the scaled system by the QR factorization B^T = Q
// R: z = R^-T (r + B h), the multipliers lambda_S = R^-1 z and the step
// dW = H^-1/2 (Q z - h). It returns false when a triangular solve fails
// (beyond an ill-conditioning warning) or gives a non-finite result.
func (s *primalActiveSet) solveReduced(bt *mat.Dense, h, rhs []float64) ([]float64, []float64, bool) {
	kd, hinv := s.kd, s.hinv
	var qr mat.QR
	qr.Factorize(bt)
	var q, rr mat.Dense
	qr.QTo(&q)
	qr.RTo(&rr)
	ns := len(rhs)
	rsq := mat.NewTriDense(ns, mat.Upper, nil)
	for i := range ns {
		for j := i; j < ns; j++ {
			rsq.SetTri(i, j, rr.At(i, j))
		}
	}
	var zv mat.VecDense
	if err := zv.SolveVec(rsq.T(), mat.NewVecDense(ns, rhs)); !conditionOnly(err) {
		return nil, nil, false
	}
	if !finite(zv.RawVector().Data) {
		return nil, nil, false
	}
	// The multipliers: u = -h + B^T R^-1 z, so lambda_S = R^-1 z
	// (g = M_S^T lambda_S at the optimum on S).
	var lv mat.VecDense
	if err := lv.SolveVec(rsq, &zv); !conditionOnly(err) || !finite(lv.RawVector().Data) {
		return nil, nil, false
	}
	lam := lv.RawVector().Data
	var qz mat.VecDense
	qz.MulVec(q.Slice(0, kd, 0, ns), &zv)
	dw := make([]float64, kd)
	for a := range dw {
		dw[a] = math.Sqrt(hinv[a]) * (qz.AtVec(a) - h[a])
	}
	return dw, lam, true
}

// keepNearest keeps the multipliers lambda_S as the fallback weights near
// when the residual on S is at most nearFeasible, every multiplier is >=
// 0, and -g.dW/f is the least so far.
func (s *primalActiveSet) keepNearest(idx []int, lam []float64, resid, slope, f0 float64) {
	if r := -slope / f0; resid <= nearFeasible && r < s.nearSlope && !slices.ContainsFunc(lam, func(v float64) bool { return v < 0 }) {
		// The most nearly stationary point so far whose multipliers
		// are all >= 0: its weights are the fallback.
		s.nearSlope = r
		s.near = make([]float64, s.np)
		for r, j := range idx {
			s.near[j] = lam[r]
		}
	}
}

// dropOrStop acts at the optimum on S: it removes from S the pair with
// the most negative multiplier and returns false, or, when no multiplier
// is below -1e-9 max |lambda_S|, sets the weights to max(0, lambda_S)
// and returns true (W is optimal).
func (s *primalActiveSet) dropOrStop(idx []int, lam []float64) bool {
	// Optimal on S: drop the pair with the most negative
	// multiplier lambda_j = -y_j, or stop.
	worst, drop := 0.0, -1
	for r, v := range lam {
		if v < worst {
			worst, drop = v, idx[r]
		}
	}
	if drop < 0 || worst > -1e-9*floats.Norm(lam, math.Inf(1)) {
		s.weights = make([]float64, s.np)
		for r, j := range idx {
			s.weights[j] = max(0, lam[r])
		}
		return true
	}
	s.in[drop] = false
	return false
}

// ratioTest returns the step length alpha = min(1, min over pairs j
// outside S with <v_j, dW> < 0 of (m_j - 1)/-<v_j, dW>) (at least 0), so
// that the pairs outside S keep margins >= 1, and the pair that sets it
// (block), or -1 when alpha = 1.
func (s *primalActiveSet) ratioTest(dw []float64) (float64, int) {
	m, vd := s.m, s.vd
	// Ratio test: the pairs outside S keep margins >= 1.
	s.bp.margins(mat.NewDense(s.bp.k, s.d, dw), vd)
	alpha, block := 1.0, -1
	for j, v := range vd {
		if !s.in[j] && v < 0 {
			if a := (m[j] - 1) / -v; a < alpha {
				alpha, block = max(a, 0), j
			}
		}
	}
	return alpha, block
}

// backtrack halves alpha, at most 60 times, until f(W + alpha dW) <=
// f(W) + 1e-4 alpha g.dW (Armijo); a halved step is blocked by no pair.
func (s *primalActiveSet) backtrack(dw []float64, alpha float64, block int, slope, f0 float64) (float64, int) {
	w, trial := s.w, s.trial
	for range 60 {
		for a := range trial {
			trial[a] = w[a] + alpha*dw[a]
		}
		if s.f(trial) <= f0+1e-4*alpha*slope {
			break
		}
		alpha /= 2
		block = -1
	}
	return alpha, block
}

// step sets W = W + alpha dW, adds the blocking pair to S while |S| < kD
// (ns = |S|), and records W.
func (s *primalActiveSet) step(dw []float64, alpha float64, block, ns int) {
	floats.AddScaled(s.w, alpha, dw)
	// After a full step the margins on S are 1 up to rounding (the
	// constraints are linear), S unchanged.
	s.exact = alpha == 1 && block < 0
	if block >= 0 && ns < s.kd {
		s.in[block] = true
	}
	s.record()
}

// result returns polishMinNorm's answer: the best W scaled to ||W||_p =
// 1, the weights (the multipliers at the optimum, else the fallback near)
// scaled to sum 1 or nil when their sum is not positive, or false when no
// W had a positive margin.
func (s *primalActiveSet) result() (*mat.Dense, []float64, bool) {
	best, weights := s.best, s.weights
	if best == nil {
		return nil, nil, false
	}
	floats.Scale(1/entrywiseNorm(best, s.p), best)
	if weights == nil {
		weights = s.near
	}
	if sum := floats.Sum(weights); sum > 0 {
		floats.Scale(1/sum, weights)
	} else {
		weights = nil
	}
	return mat.NewDense(s.bp.k, s.d, best), weights, true
}

// conditionOnly reports whether err is nil or only gonum's warning that
// the matrix is ill-conditioned (the solution is still computed).
func conditionOnly(err error) bool {
	var c mat.Condition
	return err == nil || errors.As(err, &c)
}

// slices64 returns a copy of x.
func slices64(x []float64) []float64 { return append([]float64(nil), x...) }
