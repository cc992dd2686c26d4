package ipm

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/internal/openblas"
	"maxmargin/norm"
	"maxmargin/solver/internal/certify"
	"maxmargin/solver/internal/dense"
	"maxmargin/solver/internal/run"
	"maxmargin/solver/internal/workset"
)

// ipmLP solves the max-margin LP over a working set of margin rows with a
// primal-dual interior-point method (Mehrotra's predictor-corrector), for
// the max norm (box) and the sum norm (l1 ball). The margin rows are
// M_p . vec(W) >= rhs with M_p = (e_{y_i} - e_c) x_i^T for the pair
// p = (i, c); two forms are used:
//
//	max:  minimize -g        s.t.  M w - g 1 >= 0,     -1 <= w <= 1,   g free;
//	sum:  minimize 1^T(P+Q)  s.t.  M (P - Q) >= 1,     P, Q >= 0,
//
// (the sum form is "minimize the norm subject to margins >= 1": gamma =
// 1/optimum; MEASURED.md). With slacks s >= 0 on the rows, duals lambda >= 0,
// and bound duals z, every Newton step reduces to the m×m normal equations
//
//	K dlambda = r,   K = M E M^T + diag(s / lambda),
//
// E diagonal over the kd entries of W (max: 1/(z_l/(w+1) + z_u/(1-w)); sum:
// P/z_P + Q/z_Q), bordered for the max form by the free column g (-1 on
// every row). K has the class structure of M: for classes a, with
// G_a = X E_a X^T (a Gram matrix of the samples that meet class a),
// K_pq = sum_{a in {y_i, c} and {y_j, c'}} s_p(a) s_q(a) G_a(i, j), where
// s_p(y_i) = 1 and s_p(c) = -1. K is factorized by a dense Cholesky.
//
// Constraint reduction (Tits, Absil and Woessner, SIAM J. Optim. 17, 2006;
// Winternitz et al., Comput. Optim. Appl. 51, 2012): in weight space the
// same step solves H dw = b with H = E^{-1} + sum_p (lambda_p/s_p) M_p^T M_p,
// and a pair far from active adds a term smaller by orders of magnitude
// (on the central path lambda_p/s_p = mu/s_p^2 for an inactive pair,
// lambda_p^2/mu for an active one). Near the optimum each iteration
// therefore builds K over the pairs Q that matter (reducedPairs): the
// Newton step is that of the LP restricted to Q (the multipliers of the
// other pairs R taken as 0 in its dual equations), whose dw and dg then
// give every pair's slack step exactly, ds_r = rp_r + M_r dw - dg, so the
// primal step length still respects all the rows; the multipliers of R are
// reset to the central path, lambda_r = mu_Q / s_r, so that a pair becoming
// active (small s_r) grows its weight and enters Q. When Q would hold more
// than Reduce.Max (Options) of the pairs (far from the optimum, where
// all weigh alike) the full system is used, and for Reduce.Pause
// iterations when the reduced steps stall; if they still stall, for good. On Gaussian clusters
// at (200,500,10) Q falls from 1800 pairs to about 130 over the last half
// of the iterations.
//
// Far from the optimum, on large LPs, the full system is solved by
// conjugate gradients preconditioned with P = blockdiag(K_QQ, diag K_RR),
// Q the Reduce.Cap heaviest pairs (pcgSolve): a product with K is
// M (E (M^T v)) + (s/lambda) v, two n×k×d matrix products, and the method
// converges in 15 to 90 products there (Gaussian (500,1000,10): 4500 pairs,
// 1.5 s an iteration against 6 s for the factorization). Closer to the
// optimum K's coupling between Q and the rest through the free entries of
// W grows like 1/mu and the method stops converging within PCG.MaxIter; the
// iteration is then redone with the reduced system, or else K is factorized.
//
// Any iterate gives certified bounds (MATH.md section 3): W/N(W) a lower
// bound m(W)/N(W) and lambda an upper bound N*(A(lambda))/sum lambda. The
// method stops when these, over the working set, are within tol
// max(upper, floor) of each other (floor: certify.WithinPolyhedral's, in the
// data's units); the caller checks the other pairs.
type ipmLP struct {
	ds      *dataset.Dataset
	n, d, k int
	sum     bool    // sum form (else max form)
	scale   float64 // the LP sees X/scale
	x       []float64
	pairs   []workset.Row
	weights bool // factorize H (normalW) rather than K when kd < m
	nk      []float64
	budget  *run.Budget // the running solve's, for purifyRows' trace
	opt     Options
	// floor is the certified-width test's floor in the data's units: the
	// method stops at upper - lower <= tol max(upper, floor)
	// (certify.WithinPolyhedral; 1 unless set).
	floor float64
}

// ipmResult is the outcome of ipmLP.solve: the classifier W (k×d, not
// normalized), the duals lambda over the pairs, and the restricted bounds
// lower = min_S margin / N(W) and upper = N*(A(lambda))/sum lambda in the
// data's units.
type ipmResult struct {
	w            *mat.Dense
	lambda       []float64
	lower, upper float64
	iters        int
	reduced      int // iterations with a reduced Newton system
	pcg          int // iterations that tried conjugate gradients
}

// newIPM prepares the IPM for ds with the tuning opt; sumForm selects the
// sum norm.
func newIPM(ds *dataset.Dataset, sumForm bool, opt Options) *ipmLP {
	n, d, k := ds.Dims()
	p := &ipmLP{ds: ds, n: n, d: d, k: k, sum: sumForm, floor: 1, opt: opt}
	// Scale X so that the LP's numbers are of order one: for the max norm
	// margins of a ±1 classifier are of order ||x_i||_1, for the sum norm
	// of order |x_il|.
	var tot float64
	raw := ds.X.RawMatrix()
	for i := range n {
		for _, v := range raw.Data[i*raw.Stride : i*raw.Stride+d] {
			tot += math.Abs(v)
		}
	}
	p.scale = tot / float64(n)
	if sumForm {
		p.scale /= float64(d)
	}
	if !(p.scale > 0) || math.IsInf(p.scale, 0) {
		p.scale = 1
	}
	p.x = make([]float64, n*d)
	for i := range n {
		for l, v := range raw.Data[i*raw.Stride : i*raw.Stride+d] {
			p.x[i*d+l] = v / p.scale
		}
	}
	return p
}

// scaleColumns makes the method's features x_il D_l / scale, D_l = cs[l]
// (powers of two, dense.ColumnScales), with scale the mean |x_il D_l|: the group
// form's unknowns are then W' with W = W' D (groupIPM).
func (p *ipmLP) scaleColumns(cs []float64) {
	raw := p.ds.X.RawMatrix()
	var tot float64
	for i := range p.n {
		for l, v := range raw.Data[i*raw.Stride : i*raw.Stride+p.d] {
			tot += math.Abs(v * cs[l])
		}
	}
	p.scale = tot / float64(p.n*p.d)
	if !(p.scale > 0) || math.IsInf(p.scale, 0) {
		p.scale = 1
	}
	for i := range p.n {
		for l, v := range raw.Data[i*raw.Stride : i*raw.Stride+p.d] {
			p.x[i*p.d+l] = v * cs[l] / p.scale
		}
	}
}

// mulM sets out_p = M_p . v (v of length kd, row-major k×d) for the pairs.
// For many pairs it forms P = X V^T (n×k, one matrix product) and reads
// out_p = P_{i y_i} - P_{i c}; for few it takes the dot products directly.
func (p *ipmLP) mulM(v []float64, out []float64) {
	d, k := p.d, p.k
	if 2*len(p.pairs) >= p.n {
		pm := p.prodBuf()
		openblas.Gemm(blas.NoTrans, blas.Trans, 1,
			blas64.General{Rows: p.n, Cols: d, Stride: d, Data: p.x},
			blas64.General{Rows: k, Cols: d, Stride: d, Data: v[:k*d]},
			0, blas64.General{Rows: p.n, Cols: k, Stride: k, Data: pm})
		for r, pr := range p.pairs {
			out[r] = pm[pr.I*k+p.ds.Y[pr.I]] - pm[pr.I*k+pr.C]
		}
		return
	}
	for r, pr := range p.pairs {
		y := p.ds.Y[pr.I]
		x := p.x[pr.I*d : pr.I*d+d]
		vy, vc := v[y*d:y*d+d], v[pr.C*d:pr.C*d+d]
		var s float64
		for l, xv := range x {
			s += xv * (vy[l] - vc[l])
		}
		out[r] = s
	}
}

// mulMT sets out = M^T u = sum_p u_p (e_{y_i} - e_c) x_i^T (length kd). For
// many pairs it gathers the coefficients into U (n×k: U_{i y_i} += u_p,
// U_{i c} -= u_p) and forms U^T X with one matrix product.
func (p *ipmLP) mulMT(u []float64, out []float64) {
	d, k := p.d, p.k
	if 2*len(p.pairs) >= p.n {
		um := p.prodBuf()
		clear(um)
		for r, pr := range p.pairs {
			um[pr.I*k+p.ds.Y[pr.I]] += u[r]
			um[pr.I*k+pr.C] -= u[r]
		}
		openblas.Gemm(blas.Trans, blas.NoTrans, 1,
			blas64.General{Rows: p.n, Cols: k, Stride: k, Data: um},
			blas64.General{Rows: p.n, Cols: d, Stride: d, Data: p.x},
			0, blas64.General{Rows: k, Cols: d, Stride: d, Data: out[:k*d]})
		return
	}
	clear(out)
	for r, pr := range p.pairs {
		if u[r] == 0 {
			continue
		}
		y := p.ds.Y[pr.I]
		x := p.x[pr.I*d : pr.I*d+d]
		oy, oc := out[y*d:y*d+d], out[pr.C*d:pr.C*d+d]
		for l, xv := range x {
			t := u[r] * xv
			oy[l] += t
			oc[l] -= t
		}
	}
}

// prodBuf returns the n×k workspace of mulM and mulMT.
func (p *ipmLP) prodBuf() []float64 {
	if len(p.nk) < p.n*p.k {
		p.nk = make([]float64, p.n*p.k)
	}
	return p.nk
}

// normal assembles K = M E M^T + diag(diag) into k (m×m, lower triangle
// filled, row-major).
func (p *ipmLP) normal(e, diag, kmat []float64) {
	clear(kmat)
	p.normalStride(e, diag, kmat, len(p.pairs))
}

// normalStride adds K = M E M^T + diag(diag) to the leading m×m block of
// kmat (lower triangle, row-major with the given stride).
func (p *ipmLP) normalStride(e, diag, kmat []float64, stride int) {
	m, d := stride, p.d
	// For each class a: the pairs that touch it, with their sign and the
	// local index of their sample.
	type touch struct {
		row  int
		loc  int
		sign float64
	}
	for a := range p.k {
		var touches []touch
		local := make(map[int]int)
		var samples []int
		for r, pr := range p.pairs {
			y := p.ds.Y[pr.I]
			var sg float64
			switch a {
			case y:
				sg = 1
			case pr.C:
				sg = -1
			default:
				continue
			}
			li, ok := local[pr.I]
			if !ok {
				li = len(samples)
				local[pr.I] = li
				samples = append(samples, pr.I)
			}
			touches = append(touches, touch{r, li, sg})
		}
		ns := len(samples)
		if ns == 0 {
			continue
		}
		ea := e[a*d : a*d+d]
		yv := make([]float64, ns*d)
		for li, i := range samples {
			x := p.x[i*d : i*d+d]
			row := yv[li*d : li*d+d]
			for l, xv := range x {
				row[l] = xv * math.Sqrt(ea[l])
			}
		}
		g := make([]float64, ns*ns)
		openblas.Syrk(blas.NoTrans, 1, blas64.General{Rows: ns, Cols: d, Stride: d, Data: yv}, 0,
			blas64.Symmetric{N: ns, Stride: ns, Data: g, Uplo: blas.Lower})
		for u, tp := range touches {
			krow := kmat[tp.row*m:]
			grow := g[tp.loc*ns:]
			for _, tq := range touches[:u+1] {
				// touches are in increasing row order, so tq.row <= tp.row.
				li, lj := tp.loc, tq.loc
				var gv float64
				if lj <= li {
					gv = grow[lj]
				} else {
					gv = g[lj*ns+li]
				}
				krow[tq.row] += tp.sign * tq.sign * gv
			}
		}
	}
	for r := range len(p.pairs) {
		kmat[r*m+r] += diag[r]
	}
}

// maxStep returns the largest alpha in (0, 1] with v + alpha dv >= 0.
func maxStep(v, dv []float64, alpha float64) float64 {
	for j, dj := range dv {
		if dj < 0 {
			alpha = min(alpha, -v[j]/dj)
		}
	}
	return alpha
}

// solve runs the interior-point method on the pairs until the restricted
// certificate width is at most tol max(upper, floor), the iteration limit, or a
// numerical failure (ok false).
//
// The loop is Mehrotra's, over the phases of an ipmWork (Problem): residuals and mu, the bounds and the best certificate so far
// (bounds), purification near the optimum, the stall test (stalled), the
// choice of the reduced pairs (reducePairs), the Newton system's
// factorization or preconditioner (factor), the predictor and the corrector
// (direction, solveK), and the step (step).
func (p *ipmLP) solve(pairs []workset.Row, tol float64, maxIter int, b *run.Budget) (res ipmResult, ok bool, err error) {
	p.pairs = pairs
	p.budget = b
	ws := newIPMWork(p, pairs, b)
	ws.tol, ws.res = tol, &res
	defer func() { p.pairs = pairs }()
	if err := Mehrotra(ws, MehrotraOptions{MaxIter: maxIter}, b, Method); err != nil {
		return res, false, err
	}
	if ws.converged {
		return res, true, nil
	}
	p.pairs = pairs
	p.purify(&res, ws.x1, ws.x2, ws.z1, ws.z2, ws.s, ws.lam, ws.g)
	return res, res.upper-res.lower <= tol*max(p.floor, res.upper), nil
}

// Residuals counts the iterations from 1, computes the residuals and mu,
// updates the bounds and the best certificate in res, purifies near the
// optimum, and stops the loop when the width is within the tolerance
// (converged) or the method stalls; otherwise it chooses the reduced
// pairs.
func (ws *ipmWork) Residuals() (mu float64, more bool) {
	p, res, tol := ws.p, ws.res, ws.tol
	ws.it++
	it := ws.it
	p.pairs = ws.pairs
	ws.residuals(it)
	width := ws.bounds(it, res)
	if width <= tol*max(p.floor, res.upper) {
		ws.converged = true
		return 0, false
	}
	// Close to the optimum, the active set is known: try to jump to the
	// vertex (a least-squares solve) rather than iterate on.
	if width <= 1e-6*max(p.floor, res.upper) && it >= ws.lastPurify+3 {
		ws.lastPurify = it
		p.purify(res, ws.x1, ws.x2, ws.z1, ws.z2, ws.s, ws.lam, ws.g)
		if width = res.upper - res.lower; width <= tol*max(p.floor, res.upper) {
			ws.converged = true
			return 0, false
		}
	}
	if ws.stalled(it, width, res) {
		return 0, false
	}
	ws.reducePairs(it, res)
	return ws.mu, true
}

// Factor factorizes the Newton system (or sets up the preconditioner) and,
// for the max norm, solves K v = 1.
func (ws *ipmWork) Factor() bool {
	if !ws.factor(ws.res) {
		return false
	}
	if !ws.p.sum {
		copy(ws.v, ws.ones[:ws.nq])
		ws.solveK(ws.v[:ws.nq])
	}
	return true
}

// Direction computes the predictor (corr false) or the corrector with the
// centring sigma mu; a failed solve is left to Step.
func (ws *ipmWork) Direction(sigma, mu float64, corr bool) bool {
	if corr {
		ws.corrector(sigma)
	} else {
		ws.predictor()
	}
	return true
}

// Step redoes the iteration after a failed solve that asked for a retry,
// stops after one that cannot be retried, and steps otherwise.
func (ws *ipmWork) Step(ap, ad float64) bool {
	// A failed solve (solveK) leaves the predictor's and the corrector's
	// directions unset: redo the iteration, or stop.
	if ws.retry {
		ws.forceDrop, ws.retrying = true, true
		return true
	}
	if ws.failed {
		return false
	}
	ws.step(ap, ad)
	return true
}

// ipmWork is the state of one ipmLP.solve over m pairs and kd weights: the
// iterate, its residuals, the Newton system's buffers, the constraint
// reduction's and the conjugate gradients' state, and the direction.
type ipmWork struct {
	p     *ipmLP
	b     *run.Budget
	pairs []workset.Row
	m, kd int
	nb    int // bound pairs: (t_l, z_l), (t_u, z_u) for max; (P, z_P), (Q, z_Q) for sum

	// The iterate. Primal: x1, x2 (max: w+1, 1-w kept consistent through
	// w; sum: P, Q).
	w, x1, x2, z1, z2, s, lam []float64
	g                         float64

	// Residuals.
	mw, at, rp, rd1, rd2 []float64
	sumLam, mu, rdg      float64

	e     []float64
	dinv1 []float64 // max: 1/D; sum: 1/D_P
	dinv2 []float64 // sum: 1/D_Q
	// The factorized system: K (m×m) or, when the weights are fewer than
	// the pairs, H = E^{-1} + M^T diag(lambda/s) M (kd×kd; normalW).
	// Weight space only for loose solves (the screening): near the optimum
	// its iterates lose precision faster than those of K (measured on
	// digits: the width stalls near 1e-5).
	wspace bool
	kbuf   []float64
	// Constraint reduction (not in the weight space, where the system's
	// size does not depend on the pairs): the view over the pairs Q of the
	// Newton system, and the terms of the pairs outside it.
	reduce                                                   bool
	pauseUntil                                               int
	forceDrop, retrying                                      bool
	muPrev                                                   float64
	lastReduced                                              bool
	pcgFails                                                 int
	allIdx, qidx                                             []int
	qpairs                                                   []workset.Row
	inQ                                                      []bool
	sQ, lamQ, rpQ, rsQ, rhsQ, cfull, mfull, corr, rd1e, rd2e []float64
	// Conjugate gradients: the preconditioner's pairs and K's diagonal.
	usePCG       bool
	pidx         []int
	ppairs       []workset.Row
	ppos         []int
	pdiag, kfull []float64
	cg           struct{ x, r, z, d, kd, bq []float64 }
	kdiag        []float64 // s/lambda, or lambda/s in weight space
	einv         []float64
	wtmp, mtmp   []float64
	ones         []float64
	v            []float64 // K^{-1} 1 (max form)
	tmp          []float64

	// The direction, the affine (predictor) direction, and the
	// complementarity targets.
	dlam, ds, dx1, dx2, dz1, dz2 []float64
	dg                           float64
	daff                         struct{ s, lam, x1, x2, z1, z2 []float64 }
	rs, r1, r2                   []float64

	tri               blas64.Triangular
	bestWidth         float64
	stall, lastPurify int

	// solve's Mehrotra loop: the iteration count, the tolerance, the
	// best certificate and whether the width reached the tolerance.
	it        int
	tol       float64
	res       *ipmResult
	converged bool

	// This iteration's Newton system: the pairs Q (q, nq of them), the
	// matrix (nk×nk), the preconditioner when conjugate gradients run
	// (factored false), and solveK's failure or request for a retry.
	q        []int
	nq, nk   int
	kmat     []float64
	factored bool
	triP     blas64.Triangular
	pq       []int
	failed   bool
	retry    bool
}

// newIPMWork returns the work of p.solve on pairs at the starting point.
func newIPMWork(p *ipmLP, pairs []workset.Row, b *run.Budget) *ipmWork {
	m, kd := len(pairs), p.k*p.d
	ws := &ipmWork{p: p, b: b, pairs: pairs, m: m, kd: kd, nb: 2 * kd}
	ws.w = make([]float64, kd)
	ws.x1 = make([]float64, kd)
	ws.x2 = make([]float64, kd)
	ws.z1 = make([]float64, kd)
	ws.z2 = make([]float64, kd)
	ws.s = make([]float64, m)
	ws.lam = make([]float64, m)
	x1, x2, z1, z2, s, lam := ws.x1, ws.x2, ws.z1, ws.z2, ws.s, ws.lam
	for j := range kd {
		x1[j], x2[j] = 1, 1
		z1[j], z2[j] = 1, 1
	}
	for r := range m {
		s[r], lam[r] = 1, 1
	}
	if !p.sum {
		for j := range kd {
			z1[j], z2[j] = 1/float64(kd), 1/float64(kd)
		}
		for r := range m {
			lam[r] = 1 / float64(m)
		}
	}

	ws.mw = make([]float64, m)
	ws.at = make([]float64, kd)
	ws.rp = make([]float64, m)
	ws.rd1 = make([]float64, kd)
	ws.rd2 = make([]float64, kd)
	ws.e = make([]float64, kd)
	ws.dinv1 = make([]float64, kd)
	ws.dinv2 = make([]float64, kd)
	ws.wspace = p.weights && kd < m
	nkMax := m
	if ws.wspace {
		nkMax = kd
	}
	ws.kbuf = make([]float64, nkMax*nkMax)
	ws.reduce = p.opt.Reduce.Band > 0 && !ws.wspace
	ws.allIdx = make([]int, m)
	for r := range ws.allIdx {
		ws.allIdx[r] = r
	}
	ws.qidx = make([]int, 0, m)
	ws.qpairs = make([]workset.Row, 0, m)
	ws.inQ = make([]bool, m)
	ws.sQ = make([]float64, m)
	ws.lamQ = make([]float64, m)
	ws.rpQ = make([]float64, m)
	ws.rsQ = make([]float64, m)
	ws.rhsQ = make([]float64, m)
	ws.cfull = make([]float64, m)
	ws.mfull = make([]float64, m)
	ws.corr = make([]float64, kd)
	ws.rd1e = make([]float64, kd)
	ws.rd2e = make([]float64, kd)
	ws.usePCG = !ws.wspace && m >= p.opt.PCG.MinPairs && float64(m)*float64(m) > p.opt.PCG.Cost*float64(p.d)
	ws.pidx = make([]int, 0, m)
	ws.ppairs = make([]workset.Row, 0, m)
	ws.ppos = make([]int, m)
	ws.pdiag = make([]float64, m)
	ws.kfull = make([]float64, m)
	ws.cg = struct{ x, r, z, d, kd, bq []float64 }{
		make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m),
	}
	ws.kdiag = make([]float64, m)
	ws.einv = make([]float64, kd)
	ws.wtmp = make([]float64, kd)
	ws.mtmp = make([]float64, m)
	ws.ones = make([]float64, m)
	for r := range ws.ones {
		ws.ones[r] = 1
	}
	ws.v = make([]float64, m)
	ws.tmp = make([]float64, kd)
	ws.dlam = make([]float64, m)
	ws.ds = make([]float64, m)
	ws.dx1 = make([]float64, kd)
	ws.dx2 = make([]float64, kd)
	ws.dz1 = make([]float64, kd)
	ws.dz2 = make([]float64, kd)
	ws.daff = struct{ s, lam, x1, x2, z1, z2 []float64 }{
		make([]float64, m), make([]float64, m), make([]float64, kd), make([]float64, kd), make([]float64, kd), make([]float64, kd),
	}
	ws.rs = make([]float64, m)
	ws.r1 = make([]float64, kd)
	ws.r2 = make([]float64, kd)
	ws.bestWidth = math.Inf(1)
	ws.lastPurify = -10
	return ws
}

// wmat returns the iterate's W (k×d).
func (ws *ipmWork) wmat() *mat.Dense {
	p := ws.p
	out := mat.NewDense(p.k, p.d, nil)
	raw := out.RawMatrix().Data
	if p.sum {
		for j := range ws.kd {
			raw[j] = ws.x1[j] - ws.x2[j]
		}
	} else {
		copy(raw, ws.w)
	}
	return out
}

// residuals computes W, the residuals, sum lambda and mu at the iterate of
// iteration it, and pauses the constraint reduction when a reduced step
// raised mu.
func (ws *ipmWork) residuals(it int) {
	p, m, kd := ws.p, ws.m, ws.kd
	w, x1, x2, z1, z2, s, lam := ws.w, ws.x1, ws.x2, ws.z1, ws.z2, ws.s, ws.lam
	mw, at, rp, rd1, rd2 := ws.mw, ws.at, ws.rp, ws.rd1, ws.rd2
	// Residuals.
	for j := range kd {
		if p.sum {
			w[j] = x1[j] - x2[j]
		} else {
			// x1 = w + 1 and x2 = 1 - w move by opposite steps.
			w[j] = (x1[j] - x2[j]) / 2
		}
	}
	p.mulM(w, mw)
	p.mulMT(lam, at)
	var sumLam, mu float64
	for r := range m {
		if p.sum {
			rp[r] = mw[r] - s[r] - 1
		} else {
			rp[r] = mw[r] - ws.g - s[r]
		}
		sumLam += lam[r]
		mu += s[r] * lam[r]
	}
	for j := range kd {
		if p.sum {
			rd1[j] = 1 - at[j] - z1[j]
			rd2[j] = 1 + at[j] - z2[j]
		} else {
			rd1[j] = -at[j] - z1[j] + z2[j]
		}
		mu += x1[j]*z1[j] + x2[j]*z2[j]
	}
	mu /= float64(m + ws.nb)
	rdg := -1 + sumLam
	if ws.lastReduced && mu > ws.muPrev && it >= ws.pauseUntil {
		// A reduced step that raised the mean complementarity left
		// the central path's neighbourhood: full steps for a while.
		ws.pauseUntil = it + p.opt.Reduce.Pause
	}
	ws.muPrev, ws.lastReduced = mu, false
	ws.sumLam, ws.mu, ws.rdg = sumLam, mu, rdg
}

// bounds computes the certified-style bounds of iteration it over the
// working set, in data units, keeps in res the best W and the best lambda
// so far, and returns res's width.
func (ws *ipmWork) bounds(it int, res *ipmResult) float64 {
	p, m, kd := ws.p, ws.m, ws.kd
	w, mw, at := ws.w, ws.mw, ws.at
	// Certified-style bounds over the working set, in data units.
	var nw, na, least float64 = 0, 0, math.Inf(1)
	for r := range m {
		least = min(least, mw[r])
	}
	for j := range kd {
		if p.sum {
			nw += math.Abs(w[j])
			na = max(na, math.Abs(at[j]))
		} else {
			nw = max(nw, math.Abs(w[j]))
			na += math.Abs(at[j])
		}
	}
	lower, upper := 0.0, na/ws.sumLam*p.scale
	if nw > 0 && least > 0 {
		lower = least / nw * p.scale
	}
	// Any iterate is a certificate: keep the best W and the best lambda.
	if it == 1 || lower > res.lower {
		res.lower = lower
		res.w = ws.wmat()
	}
	if it == 1 || upper < res.upper {
		res.upper = upper
		res.lambda = append(res.lambda[:0], ws.lam...)
	}
	res.iters = it
	width := res.upper - res.lower
	ws.b.Tracef("interior-point: iteration %d mu %.3g lower %.17g upper %.17g width %.3g", it, ws.mu, lower, upper, width/upper)
	return width
}

// stalled updates the stall count of iteration it with res's width; it
// turns the constraint reduction off, or pauses it, when it stalls, and
// reports whether the method stops.
func (ws *ipmWork) stalled(it int, width float64, res *ipmResult) bool {
	if width < ws.bestWidth*0.9 {
		ws.bestWidth, ws.stall = width, 0
	} else if ws.stall++; ws.stall > 5 && ws.reduce && res.reduced > 0 {
		// Reduced steps led the iterates astray: go on with the full
		// system only.
		ws.reduce, ws.stall = false, 0
	} else if ws.stall > 5 {
		return true
	} else if ws.stall > 2 && ws.reduce && it >= ws.pauseUntil {
		// The reduced steps no longer make progress: go on with the
		// full system for a few iterations.
		ws.pauseUntil = it + ws.p.opt.Reduce.Pause
	}
	return false
}

// reducePairs chooses the pairs Q of iteration it's Newton system and
// counts a reduced iteration in res.
func (ws *ipmWork) reducePairs(it int, res *ipmResult) {
	p, m := ws.p, ws.m
	// Constraint reduction: the Newton system is built over the pairs
	// Q whose weight lambda_p/s_p in K^{-1} (equivalently in
	// H = E^{-1} + M^T diag(lambda/s) M) is at least Reduce.Band of the
	// largest; see reducedPairs.
	var q []int
	if ws.reduce && !ws.wspace && (it >= ws.pauseUntil || ws.forceDrop) {
		q = p.opt.reducedPairs(ws.s, ws.lam, ws.qidx, ws.forceDrop)
		ws.forceDrop = false
	}
	if q == nil {
		q = ws.allIdx
	}
	nq := len(q)
	if nq < m {
		res.reduced++
		ws.lastReduced = true
	}
	ws.qpairs = ws.qpairs[:0]
	for u, r := range q {
		ws.qpairs = append(ws.qpairs, ws.pairs[r])
		ws.sQ[u], ws.lamQ[u], ws.rpQ[u] = ws.s[r], ws.lam[r], ws.rp[r]
	}
	for r := range ws.inQ {
		ws.inQ[r] = nq == m
	}
	for _, r := range q {
		ws.inQ[r] = true
	}
	p.pairs = ws.qpairs
	ws.b.Tracef("interior-point: reduced system of %d pairs", nq)
	nk := nq
	if ws.wspace {
		nk = ws.kd
	}
	ws.q, ws.nq, ws.nk = q, nq, nk
	ws.kmat = ws.kbuf[:nk*nk]
}

// assemble builds the Newton system's matrix over Q in kmat.
func (ws *ipmWork) assemble() {
	if ws.wspace {
		ws.p.normalW(ws.einv, ws.kdiag[:ws.nq], ws.kmat)
	} else {
		ws.p.normal(ws.e, ws.kdiag[:ws.nq], ws.kmat)
	}
}

// fullFactor assembles and factorizes the Newton system's matrix into
// tri, regularized once if it is not positive definite, and reports
// whether the factorization succeeded.
func (ws *ipmWork) fullFactor() bool {
	var fact bool
	ws.tri, fact = dense.FactorRegularized(ws.nk, ws.kmat, ws.assemble, func() { ws.b.Tracef("interior-point: regularized") })
	return fact
}

// factor computes the normal matrix's scalings and either the
// conjugate-gradient preconditioner (counted in res) or the factorization
// of the Newton system; it reports false when the factorization failed.
func (ws *ipmWork) factor(res *ipmResult) bool {
	p, m, kd, nq := ws.p, ws.m, ws.kd, ws.nq
	x1, x2, z1, z2 := ws.x1, ws.x2, ws.z1, ws.z2
	dinv1, dinv2, e, einv, kdiag := ws.dinv1, ws.dinv2, ws.e, ws.einv, ws.kdiag
	// Normal matrix.
	for j := range kd {
		if p.sum {
			dinv1[j] = x1[j] / z1[j]
			dinv2[j] = x2[j] / z2[j]
			e[j] = dinv1[j] + dinv2[j]
		} else {
			dinv1[j] = 1 / (z1[j]/x1[j] + z2[j]/x2[j])
			e[j] = dinv1[j]
		}
	}
	for j := range kd {
		einv[j] = 1 / e[j]
		if !p.sum {
			einv[j] = z1[j]/x1[j] + z2[j]/x2[j]
		}
	}
	for u := range nq {
		if ws.wspace {
			kdiag[u] = ws.lamQ[u] / ws.sQ[u]
		} else {
			kdiag[u] = ws.sQ[u] / ws.lamQ[u]
		}
	}
	// On the full system of a large LP, conjugate gradients
	// preconditioned by the factorized block of the heaviest pairs
	// (pcgSolve) replace the m×m factorization while they converge.
	ws.factored = true
	ws.triP = blas64.Triangular{}
	ws.pq = nil
	if ws.usePCG && nq == m {
		ws.pq = p.opt.precondPairs(ws.s, ws.lam, ws.pidx)
		for r := range ws.ppos {
			ws.ppos[r] = -1
		}
		ws.ppairs = ws.ppairs[:0]
		for u, r := range ws.pq {
			ws.ppairs = append(ws.ppairs, ws.pairs[r])
			ws.pdiag[u] = kdiag[r]
			ws.ppos[r] = u
		}
		np := len(ws.pq)
		p.pairs = ws.ppairs
		p.normal(e, ws.pdiag[:np], ws.kbuf[:np*np])
		p.pairs = ws.pairs
		var ok bool
		ws.triP, ok = openblas.Potrf(blas64.Symmetric{N: np, Stride: np, Data: ws.kbuf[:np*np], Uplo: blas.Lower})
		if ok {
			ws.factored = false
			p.diagK(e, kdiag[:m], ws.kfull)
			res.pcg++
		}
	}
	if ws.factored && !ws.fullFactor() {
		return false
	}
	ws.failed, ws.retry = false, false
	return true
}

// solveK overwrites b with K^{-1} b over the pairs Q: by conjugate
// gradients when they run (on their failure: a retry of the iteration
// with the reduced system, or the factorization), else by the factor of K
// or, in weight space, of H.
func (ws *ipmWork) solveK(b []float64) {
	p, kd, nq, kdiag := ws.p, ws.kd, ws.nq, ws.kdiag
	if ws.failed {
		return
	}
	if !ws.factored {
		if p.pcgSolve(b, ws.pq, ws.ppos, ws.triP, ws.e, kdiag[:ws.m], ws.kfull, ws.cg.x, ws.cg.r, ws.cg.z, ws.cg.d, ws.cg.kd, ws.cg.bq, ws.wtmp) {
			return
		}
		// Conjugate gradients did not converge: retry the
		// iteration with the reduced system, whatever the share
		// of pairs it keeps, or else factorize K.
		p.budget.Tracef("interior-point: conjugate gradients failed")
		if ws.pcgFails++; ws.pcgFails >= p.opt.PCG.GiveUp {
			// Closer to the optimum they will not converge
			// either: factorize from now on.
			ws.usePCG = false
		}
		if ws.reduce && !ws.retrying {
			ws.retry = true
			ws.failed = true
			return
		}
		ws.factored = true
		if !ws.fullFactor() {
			ws.failed = true
			return
		}
	}
	if ws.wspace {
		mtmp, wtmp := ws.mtmp, ws.wtmp
		// K^{-1} b = D (b - M H^{-1} M^T D b), D = diag(lambda/s).
		for r := range nq {
			mtmp[r] = kdiag[r] * b[r]
		}
		p.mulMT(mtmp[:nq], wtmp)
		dense.SolveFactored(ws.tri, wtmp[:kd])
		p.mulM(wtmp, mtmp)
		for r := range nq {
			b[r] = kdiag[r] * (b[r] - mtmp[r])
		}
		return
	}
	// K = L L^T.
	dense.SolveFactored(ws.tri, b[:nq])
}

// direction solves the Newton system for complementarity targets
// rs (s∘lambda), r1, r2 (bound pairs) into dlam, ds, dx1, dx2, dz1,
// dz2, dg. With constraint reduction the system is that of the
// pairs in Q; a pair r outside Q enters it only through the
// constant part c_r = (rs_r - lambda_r rp_r)/s_r of its dual step
// (its coupling lambda_r/s_r (M_r dw - dg) to the step is dropped,
// as it is small by the choice of Q), and its own steps follow
// from the exact linearization: ds_r = rp_r + M_r dw (- dg) and
// dlam_r = (rs_r - lambda_r ds_r)/s_r.
func (ws *ipmWork) direction() {
	p, m, kd, nq, q := ws.p, ws.m, ws.kd, ws.nq, ws.q
	x1, x2, z1, z2, s, lam := ws.x1, ws.x2, ws.z1, ws.z2, ws.s, ws.lam
	rd1e, rd2e, rs, r1, r2, tmp := ws.rd1e, ws.rd2e, ws.rs, ws.r1, ws.r2, ws.tmp
	dinv1, dinv2, kdiag, mtmp, wtmp := ws.dinv1, ws.dinv2, ws.kdiag, ws.mtmp, ws.wtmp
	dlam, ds, dx1, dx2, dz1, dz2 := ws.dlam, ws.ds, ws.dx1, ws.dx2, ws.dz1, ws.dz2
	copy(rd1e, ws.rd1)
	copy(rd2e, ws.rd2)
	rdge := ws.rdg
	if nq < m {
		for r := range m {
			ws.cfull[r] = 0
			if !ws.inQ[r] {
				ws.cfull[r] = -lam[r]
				rdge += ws.cfull[r]
			}
		}
		p.pairs = ws.pairs
		p.mulMT(ws.cfull, ws.corr)
		p.pairs = ws.qpairs
		for j := range kd {
			rd1e[j] -= ws.corr[j]
			rd2e[j] += ws.corr[j]
		}
	}
	for u, r := range q {
		ws.rsQ[u] = rs[r]
	}
	// f = -r1/x1 + r2/x2 (max) or f_P = -r1/x1, f_Q = -r2/x2 (sum).
	for j := range kd {
		if p.sum {
			tmp[j] = (rd1e[j]-r1[j]/x1[j])*dinv1[j] - (rd2e[j]-r2[j]/x2[j])*dinv2[j]
		} else {
			tmp[j] = (rd1e[j] - r1[j]/x1[j] + r2[j]/x2[j]) * dinv1[j]
		}
	}
	rhs := ws.rhsQ[:nq]
	if ws.wspace {
		// K^{-1} (M f + c) = D (c + M u) with
		// H u = E^{-1} f - M^T D c: no M f is formed and
		// cancelled again (Woodbury on M f loses the digits).
		for r := range nq {
			rhs[r] = -ws.rpQ[r] + ws.rsQ[r]/ws.lamQ[r]
			mtmp[r] = kdiag[r] * rhs[r]
		}
		p.mulMT(mtmp[:nq], wtmp)
		for j := range kd {
			wtmp[j] = ws.einv[j]*tmp[j] - wtmp[j]
		}
		dense.SolveFactored(ws.tri, wtmp[:kd])
		p.mulM(wtmp, mtmp)
		for r := range nq {
			rhs[r] = kdiag[r] * (rhs[r] + mtmp[r])
		}
	} else {
		p.mulM(tmp, rhs)
		for r := range nq {
			rhs[r] += -ws.rpQ[r] + ws.rsQ[r]/ws.lamQ[r]
		}
		ws.solveK(rhs)
	}
	if !p.sum {
		var ou, ov float64
		for r := range nq {
			ou += rhs[r]
			ov += ws.v[r]
		}
		ws.dg = (-rdge - ou) / ov
		for r := range nq {
			rhs[r] += ws.dg * ws.v[r]
		}
	}
	for u, r := range q {
		dlam[r] = rhs[u]
		ds[r] = (rs[r] - s[r]*dlam[r]) / lam[r]
	}
	p.mulMT(rhs, tmp)
	for j := range kd {
		if p.sum {
			dx1[j] = (tmp[j] - rd1e[j] + r1[j]/x1[j]) * dinv1[j]
			dx2[j] = (-tmp[j] - rd2e[j] + r2[j]/x2[j]) * dinv2[j]
		} else {
			dw := (tmp[j] - rd1e[j] + r1[j]/x1[j] - r2[j]/x2[j]) * dinv1[j]
			dx1[j], dx2[j] = dw, -dw
		}
		dz1[j] = (r1[j] - z1[j]*dx1[j]) / x1[j]
		dz2[j] = (r2[j] - z2[j]*dx2[j]) / x2[j]
	}
	p.pairs = ws.pairs
	if nq < m {
		for j := range kd {
			tmp[j] = dx1[j]
			if p.sum {
				tmp[j] -= dx2[j]
			}
		}
		p.mulM(tmp, ws.mfull)
		for r := range m {
			if ws.inQ[r] {
				continue
			}
			ds[r] = ws.rp[r] + ws.mfull[r]
			if !p.sum {
				ds[r] -= ws.dg
			}
			dlam[r] = (rs[r] - lam[r]*ds[r]) / s[r]
		}
	}
	p.pairs = ws.qpairs
}

// MaxSteps returns the primal and dual step lengths to the boundary along
// the direction.
func (ws *ipmWork) MaxSteps() (ap, ad float64, ok bool) {
	ap = maxStep(ws.s, ws.ds, 1)
	ap = maxStep(ws.x1, ws.dx1, ap)
	ap = maxStep(ws.x2, ws.dx2, ap)
	ad = maxStep(ws.lam, ws.dlam, 1)
	ad = maxStep(ws.z1, ws.dz1, ad)
	ad = maxStep(ws.z2, ws.dz2, ad)
	return ap, ad, true
}

// predictor computes the affine direction, with complementarity targets
// -s lambda and -x z.
func (ws *ipmWork) predictor() {
	m, kd := ws.m, ws.kd
	x1, x2, z1, z2, s, lam := ws.x1, ws.x2, ws.z1, ws.z2, ws.s, ws.lam
	for r := range m {
		ws.rs[r] = -s[r] * lam[r]
	}
	for j := range kd {
		ws.r1[j] = -x1[j] * z1[j]
		ws.r2[j] = -x2[j] * z2[j]
	}
	ws.direction()
}

// AffineMu returns the mean complementarity mu_aff after the steps ap and
// ad along the affine direction, and copies that direction into daff.
func (ws *ipmWork) AffineMu(ap, ad float64) float64 {
	m, kd := ws.m, ws.kd
	x1, x2, z1, z2, s, lam := ws.x1, ws.x2, ws.z1, ws.z2, ws.s, ws.lam
	ds, dlam, dx1, dx2, dz1, dz2 := ws.ds, ws.dlam, ws.dx1, ws.dx2, ws.dz1, ws.dz2
	var muAff float64
	for r := range m {
		muAff += (s[r] + ap*ds[r]) * (lam[r] + ad*dlam[r])
	}
	for j := range kd {
		muAff += (x1[j]+ap*dx1[j])*(z1[j]+ad*dz1[j]) + (x2[j]+ap*dx2[j])*(z2[j]+ad*dz2[j])
	}
	muAff /= float64(m + ws.nb)
	copy(ws.daff.s, ds)
	copy(ws.daff.lam, dlam)
	copy(ws.daff.x1, dx1)
	copy(ws.daff.x2, dx2)
	copy(ws.daff.z1, dz1)
	copy(ws.daff.z2, dz2)
	return muAff
}

// corrector computes the direction with the centring sigma mu and the
// affine direction's second-order term.
func (ws *ipmWork) corrector(sigma float64) {
	m, kd := ws.m, ws.kd
	x1, x2, z1, z2, s, lam := ws.x1, ws.x2, ws.z1, ws.z2, ws.s, ws.lam
	daff := &ws.daff
	// Corrector.
	sm := sigma * ws.mu
	for r := range m {
		ws.rs[r] = sm - s[r]*lam[r] - daff.s[r]*daff.lam[r]
	}
	for j := range kd {
		ws.r1[j] = sm - x1[j]*z1[j] - daff.x1[j]*daff.z1[j]
		ws.r2[j] = sm - x2[j]*z2[j] - daff.x2[j]*daff.z2[j]
	}
	ws.direction()
}

// step moves the iterate 0.995 of the way to the boundary along the
// direction (ap and ad: the step lengths to it, steps), and takes the pairs
// outside Q back to the central path.
func (ws *ipmWork) step(ap, ad float64) {
	m, kd, nq := ws.m, ws.kd, ws.nq
	x1, x2, z1, z2, s, lam := ws.x1, ws.x2, ws.z1, ws.z2, ws.s, ws.lam
	ap = min(1, 0.995*ap)
	ad = min(1, 0.995*ad)
	for r := range m {
		s[r] += ap * ws.ds[r]
		lam[r] += ad * ws.dlam[r]
	}
	for j := range kd {
		x1[j] += ap * ws.dx1[j]
		x2[j] += ap * ws.dx2[j]
		z1[j] += ad * ws.dz1[j]
		z2[j] += ad * ws.dz2[j]
	}
	ws.g += ap * ws.dg
	ws.retrying = false
	if nq < m {
		// The pairs outside Q are taken back to the central path,
		// lambda_r = mu_Q / s_r with mu_Q the mean complementarity of
		// the rest: their step was not Newton's for the problem, and
		// on the path lambda_r/s_r = mu/s_r^2 is what tells a pair
		// that is becoming active (small s_r) from the others.
		var muQ float64
		for _, r := range ws.q {
			muQ += s[r] * lam[r]
		}
		for j := range kd {
			muQ += x1[j]*z1[j] + x2[j]*z2[j]
		}
		muQ /= float64(nq + ws.nb)
		for r := range m {
			if !ws.inQ[r] {
				lam[r] = muQ / s[r]
			}
		}
	}
}

// purify tries to recover the optimal vertex from an interior iterate close
// to the optimum: the active rows S (lambda_p > s_p) and the free entries F
// of W (max: both bound slacks exceed their duals; sum: P or Q exceeds its
// dual) are taken as the optimal basis, the other entries are fixed at their
// bound (max: sign(w); sum: 0), and the equations M_S w = g 1 (max) or
// M_S w = 1 (sum) are solved for w_F (and g) by least squares. The result
// replaces res.w when its margin bound over the working set is better.
// When S has more rows than there are unknowns, the unknowns' number of
// rows of S with the largest lambda_p/s_p are tried as the basis as well:
// on random labels at (500,1000,10), max norm, S had 2212 rows for 2211
// unknowns, the least-squares vertex lay 1.4e-9 below the best iterate and
// the width stalled at 8.4e-9 relative (above the 1e-9 tolerance, so the
// solve fell through to lp_solve, which needs hours); the square basis
// gives bounds 2e-15 apart.
func (p *ipmLP) purify(res *ipmResult, x1, x2, z1, z2, s, lam []float64, g float64) {
	kd := p.k * p.d
	var rows []int
	for r := range s {
		if lam[r] > s[r] {
			rows = append(rows, r)
		}
	}
	w := make([]float64, kd)
	col := make([]int, kd) // index of the unknown for entry j, or -1
	var free []int
	for j := range kd {
		col[j] = -1
		if p.sum {
			w[j] = x1[j] - x2[j]
			if x1[j] > z1[j] || x2[j] > z2[j] {
				col[j] = len(free)
				free = append(free, j)
			}
			continue
		}
		if x1[j] > z1[j] && x2[j] > z2[j] {
			w[j] = (x1[j] - x2[j]) / 2
			col[j] = len(free)
			free = append(free, j)
		} else if x1[j] < x2[j] {
			w[j] = -1
		} else {
			w[j] = 1
		}
	}
	nu := len(free)
	if !p.sum {
		nu++ // g
	}
	// At a nondegenerate vertex |rows| = nu; many more rows mean that the
	// active set is not yet identified and the solve would be wasted. Fewer
	// rows (a degenerate optimal face, e.g. features that are 0 on every
	// active sample) are fine: the correction has the least norm.
	if len(rows) == 0 || nu == 0 || len(rows) > 2*nu+10 {
		return
	}
	p.purifyRows(res, rows, free, col, w, nu, lam, g)
	if len(rows) > nu {
		// More rows than unknowns: a degenerate vertex, or one row taken
		// for active wrongly. The least-squares solve then satisfies none
		// of the rows exactly; the nu rows of largest lambda/s are tried
		// as the basis too, and the better bounds kept.
		top := slices.Clone(rows)
		slices.SortStableFunc(top, func(a, b int) int { return cmp.Compare(lam[b]/s[b], lam[a]/s[a]) })
		top = top[:nu]
		slices.Sort(top)
		p.purifyRows(res, top, free, col, w, nu, lam, g)
	}
}

// purifyRows is purify's solve for the basis rows (active pairs) and free
// entries free (col maps an entry of W to its unknown, or -1), from the
// iterate w (not modified), lambda and g, keeping in res the better bounds.
func (p *ipmLP) purifyRows(res *ipmResult, rows, free, col []int, w0 []float64, nu int, lam []float64, g float64) {
	kd, d := p.k*p.d, p.d
	w := slices.Clone(w0)
	a := mat.NewDense(len(rows), nu, nil)
	b := mat.NewDense(len(rows), 1, nil)
	for q, r := range rows {
		pr := p.pairs[r]
		y := p.ds.Y[pr.I]
		x := p.x[pr.I*d : pr.I*d+d]
		// The unknowns are the corrections to w_F (and g) from the
		// iterate: the least-norm correction stays inside the box.
		rhs := 1.0
		if !p.sum {
			rhs = g
			a.Set(q, nu-1, -1)
		}
		for _, cs := range [2]struct {
			c    int
			sign float64
		}{{y, 1}, {pr.C, -1}} {
			for l, xv := range x {
				j := cs.c*d + l
				if u := col[j]; u >= 0 {
					a.Set(q, u, a.At(q, u)+cs.sign*xv)
				}
				rhs -= cs.sign * xv * w[j]
			}
		}
		b.Set(q, 0, rhs)
	}
	var sol mat.Dense
	if err := sol.Solve(a, b); err != nil {
		return
	}
	for u, j := range free {
		v := w[j] + sol.At(u, 0)
		if !p.sum {
			v = max(-1, min(1, v))
		}
		w[j] = v
	}
	mw := make([]float64, len(p.pairs))
	p.mulM(w, mw)
	least := math.Inf(1)
	for _, v := range mw {
		least = min(least, v)
	}
	var nw float64
	for _, v := range w {
		if p.sum {
			nw += math.Abs(v)
		} else {
			nw = max(nw, math.Abs(v))
		}
	}
	p.budget.Tracef("interior-point: purify rows %d free %d margin %.17g lower %.17g", len(rows), nu, least/nw*p.scale, res.lower)
	if nw > 0 && least > 0 && least/nw*p.scale > res.lower {
		res.lower = least / nw * p.scale
		wm := mat.NewDense(p.k, p.d, nil)
		copy(wm.RawMatrix().Data, w)
		res.w = wm
	}

	// The dual vertex: lambda supported on the rows with A_e(lambda) = 0
	// (max) or sign(w_e) (sum) on the free entries, and sum lambda = 1 for
	// the max form's g, i.e. a^T lambda_S = t; least-norm correction again.
	t := mat.NewDense(nu, 1, nil)
	for u, j := range free {
		if p.sum {
			t.Set(u, 0, math.Copysign(1, w[j]))
		}
	}
	if !p.sum {
		t.Set(nu-1, 0, -1)
	}
	l0 := mat.NewDense(len(rows), 1, nil)
	for q, r := range rows {
		l0.Set(q, 0, lam[r])
	}
	var at0 mat.Dense
	at0.Mul(a.T(), l0)
	t.Sub(t, &at0)
	var dl mat.Dense
	if err := dl.Solve(a.T(), t); err != nil {
		return
	}
	nl := make([]float64, len(p.pairs))
	var sumLam float64
	for q, r := range rows {
		nl[r] = max(0, lam[r]+dl.At(q, 0))
		sumLam += nl[r]
	}
	if !(sumLam > 0) {
		return
	}
	av := make([]float64, kd)
	p.mulMT(nl, av)
	var na float64
	for _, v := range av {
		if p.sum {
			na = max(na, math.Abs(v))
		} else {
			na += math.Abs(v)
		}
	}
	if up := na / sumLam * p.scale; up < res.upper {
		res.upper = up
		res.lambda = nl
	}
}

// MaxMargin solves the max-margin LP of a polyhedral norm N by interior
// points over a growing working set: max and sum (Entries, Whole) in the
// forms of ipmLP, opinf and op1 (Rows, Columns) in the group form
// (solveGroup). Start with each sample's worst pair under the class-mean
// classifier, solve the restricted LP (ipmLP.solve), add every pair whose
// margin under the normalized W lies below the restricted lower bound by
// more than a quarter of the tolerance (each sample's worst first), and
// repeat. When no pair is below, the restricted dual lambda is a dual
// certificate for the whole problem, gamma_N <= N*(A(lambda))/sum lambda,
// and certify.FromLP decides whether the interval is within tol. It returns
// the certified Result and the final working set; a nil Result (and nil
// error) when the method did not certify, so that the caller falls back to
// lp_solve; on a time-out or cancellation the budget's *run.StatusError,
// with the best certified Result so far (nil when none: the first working
// set was not solved far enough). opt is the method's tuning
// (DefaultOptions in solver.MaxMargin).
func MaxMargin(ds *dataset.Dataset, pn norm.Polyhedral, tol float64, opt Options, b *run.Budget) (*certify.Result, []workset.Row, error) {
	g := pn.Grouping()
	return WorkingSet(ds, pn, tol, opt, b, g == norm.Rows || g == norm.Columns)
}

// WorkingSet is MaxMargin with the form chosen by the caller: the group
// form (solveGroup, any grouping) when group is true, else the max form
// (Entries) or the sum form (Whole and the other groupings).
func WorkingSet(ds *dataset.Dataset, pn norm.Polyhedral, tol float64, opt Options, b *run.Budget, group bool) (*certify.Result, []workset.Row, error) {
	r := newRounds(ds, pn, tol, opt, b, group)
	p := r.p
	nn, _, k := ds.Dims()
	for round := 1; round <= 50; round++ {
		res, w, err := r.solve()
		if err != nil {
			// The budget ended the solve: the best certificate so far,
			// with the error.
			r.keep(w, res.lambda, round)
			return r.best, r.pairs, err
		}
		if b.Reporting() {
			r.keep(w, res.lambda, round)
		}
		if r.screen {
			r.screen = false
			r.setPairs(screenPairs(p, w, res))
			if len(r.pairs) == nn*(k-1) {
				// The screen kept every pair: the next solve is over
				// every pair, so solve it to the target at once (a loose
				// pair-space solve over every pair costs as much as the
				// tight one; near-duplicates-520x45x10, max: 3.2 s with
				// it, see docs/PERFORMANCE.md, Robustness corpus).
				r.loose = false
			}
			b.Tracef("interior-point: screened to %d pairs after %d iterations, [%.17g, %.17g]", len(r.pairs), res.iters, res.lower, res.upper)
			continue
		}
		slack := tol * max(p.floor, res.upper) / 4
		add, _ := workset.Violated(ds, w, res.lower-slack, r.in, p.opt.AddLimit*nn)
		b.Tracef("interior-point: round %d pairs %d iterations %d adding %d, [%.17g, %.17g]", round, len(r.pairs), res.iters, len(add), res.lower, res.upper)
		full := res.upper-res.lower <= tol/4*max(p.floor, res.upper)
		if len(add) == 0 && r.loose && !full {
			r.loose = false
			continue
		}
		if len(add) > 0 {
			for _, pr := range add {
				r.in[pr.I*k+pr.C] = true
			}
			r.pairs = append(r.pairs, add...)
			continue
		}
		// Not full: the exact certificate may still pass (its tolerance is
		// four times the target); it decides.
		r.keep(w, res.lambda, round)
		if r.best != nil && !r.best.Certified && r.gspace && w != nil {
			// The weight-space solve over every pair came close but
			// its duals lost digits: solve again over the nearly
			// active pairs (groupSeed) with the nn×nn system.
			r.gspace = false
			r.setPairs(groupSeed(ds, w, res, p.opt.ScreenBand))
			b.Tracef("interior-point: weight space uncertified after %d iterations, [%.17g, %.17g]; %d pairs seeded", res.iters, res.lower, res.upper, len(r.pairs))
			continue
		}
		if r.best != nil && !r.best.Certified {
			return nil, r.pairs, nil
		}
		return r.best, r.pairs, nil
	}
	return nil, r.pairs, nil
}

// rounds is the state of WorkingSet's rounds: the method, the working set
// (pairs, and in[i*k+c] for its membership), the solve's mode (a first
// screening solve, the group form in weight space, loose intermediate
// solves) and the narrowest exactly certified interval so far (best),
// kept for the progress reports and returned when the budget ends the
// solve.
type rounds struct {
	ds                    *dataset.Dataset
	pn                    norm.Polyhedral
	tol                   float64
	b                     *run.Budget
	p                     *ipmLP
	gr                    *groupIPM // the group form's grouping; nil for the max and sum forms
	pairs                 []workset.Row
	in                    []bool
	screen, gspace, loose bool
	method                string
	best                  *certify.Result
}

// newRounds prepares the method in the form chosen (WorkingSet) and the
// first working set.
func newRounds(ds *dataset.Dataset, pn norm.Polyhedral, tol float64, opt Options, b *run.Budget, group bool) *rounds {
	nn, d, k := ds.Dims()
	p := newIPM(ds, pn.Grouping() != norm.Entries || group, opt)
	p.floor = certify.MarginFloor(ds, pn)
	r := &rounds{ds: ds, pn: pn, tol: tol, b: b, p: p}
	if group {
		cs := dense.ColumnScales(ds.X)
		r.gr = newGroupIPM(pn.Grouping(), k, d, cs)
		p.scaleColumns(cs)
	}
	// Screening: when the pairs outnumber the weights, the weight-space
	// Newton system makes a loose solve over every pair cheap; its nearly
	// active pairs then start the working set.
	// (For the max form only when the weights are fewer than half the
	// pairs: at (400,200,10) Gaussian max took 30 to 41 s with the
	// screening, 13 to 16 s without; the sum form 100 s with it, 185 s
	// without.)
	wfac := 1
	if pn.Grouping() != norm.Whole {
		wfac = 2
	}
	r.screen = !group && nn*(k-1) > p.opt.ScreenMinPairs && wfac*k*d < nn*(k-1)
	allPairs := p.opt.AllPairs
	if group {
		allPairs = p.opt.GroupAllPairs
	}
	// The group form in weight space (groupWSystem) when there are more
	// pairs than opt.GroupAllPairs and than weights: every pair from the
	// start, so that one solve certifies (a working set grown over rounds
	// costs a cold start per round).
	r.gspace = group && nn*(k-1) > p.opt.GroupAllPairs && k*d < nn*(k-1)
	r.in = make([]bool, nn*k)
	if nn*(k-1) <= allPairs || r.screen || r.gspace {
		r.setPairs(everyPair(ds))
	} else {
		r.setPairs(workset.InitialRows(ds))
	}
	// Solve loosely until no pair is violated; with every pair in the first
	// working set none can be, and the first solve is the last.
	r.loose = len(r.pairs) < nn*(k-1) || r.screen
	r.method = "interior-point (" + pn.Name() + ")"
	return r
}

// setPairs makes pairs the working set.
func (r *rounds) setPairs(pairs []workset.Row) {
	_, _, k := r.ds.Dims()
	r.pairs = pairs
	clear(r.in)
	for _, pr := range pairs {
		r.in[pr.I*k+pr.C] = true
	}
}

// solve runs the method over the working set, to LooseTol (or tol/4 if
// tighter) in a loose round and to tol/4 otherwise, and returns its result
// with W scaled to N(W) = 1.
func (r *rounds) solve() (res ipmResult, w *mat.Dense, err error) {
	p := r.p
	rtol := r.tol / 4
	if r.loose {
		rtol = max(rtol, p.opt.LooseTol)
	}
	p.weights = r.screen || r.gspace
	if r.gr != nil {
		res, _, err = p.solveGroup(r.pairs, r.gr, rtol, 100, r.b)
	} else {
		res, _, err = p.solve(r.pairs, rtol, 100, r.b)
	}
	w = res.w
	if w != nil {
		if nw := r.pn.Value(w); nw > 0 {
			w.Scale(1/nw, w)
		}
	}
	return res, w, err
}

// keep certifies W and the duals lambda of the working set exactly, keeps
// the result in best when its interval is narrower, and reports best.
func (r *rounds) keep(w *mat.Dense, lambda []float64, round int) {
	prs := r.pairs
	if w == nil || len(lambda) != len(prs) {
		return
	}
	out, err := certify.FromLP(r.ds, r.pn, w, prs, lambda, r.tol)
	if err != nil {
		return
	}
	out.Rows, out.Rounds = len(prs), round
	if r.best == nil || out.Upper-out.Lower < r.best.Upper-r.best.Lower {
		r.best = out
	}
	r.b.Report(run.Progress{Method: r.method, Iteration: round, Lower: r.best.Lower, Upper: r.best.Upper})
}

// screenPairs returns the pairs of p's last solve that are nearly active
// there: margin under the normalized w within ScreenBand res.upper of
// res.lower, or lambda_p at least ScreenBand times the largest. The loop
// of MaxMargin adds back any pair that the smaller LP's solution
// violates, so the screen affects only the speed.
func screenPairs(p *ipmLP, w *mat.Dense, res ipmResult) []workset.Row {
	mw := make([]float64, len(p.pairs))
	p.mulM(w.RawMatrix().Data, mw)
	var big float64
	for _, l := range res.lambda {
		big = max(big, l)
	}
	var out []workset.Row
	for r, pr := range p.pairs {
		if mw[r]*p.scale <= res.lower+p.opt.ScreenBand*res.upper || res.lambda[r] >= p.opt.ScreenBand*big {
			out = append(out, pr)
		}
	}
	return out
}

// everyPair returns every pair (i, c), c != y_i, by sample then class.
func everyPair(ds *dataset.Dataset) []workset.Row {
	n, _, k := ds.Dims()
	out := make([]workset.Row, 0, n*(k-1))
	for i, y := range ds.Y {
		for c := range k {
			if c != y {
				out = append(out, workset.Row{I: i, C: c})
			}
		}
	}
	return out
}

// Options is the tuning of the interior-point LP method (measured; see the
// package documentation). MinSize is the least n(k-1)d for which
// solver.MaxMargin tries it before lp_solve (solver's useIPM; below,
// lp_solve's vertex is found in milliseconds); AllPairs the
// most pairs n(k-1) that are all put in the first working set, and
// GroupAllPairs the same for the group form, whose Newton system has no
// constraint reduction; AddLimit the pairs added per round, in units of n;
// LooseTol the relative width to which working sets that may still grow
// are solved; ScreenBand the relative band of the screening (screenPairs)
// and ScreenMinPairs the least n(k-1) for which it runs; GroupReg the
// primal regularization of the group form (solveGroup). Reduce.Band,
// Reduce.Active, Reduce.Max and Reduce.Pause set the constraint reduction
// (reducedPairs; Pause the iterations a stalled reduction waits);
// Reduce.Cap the share of pairs in the conjugate-gradient preconditioner
// (precondPairs), which is used when the pairs are at least PCG.MinPairs
// and m^2 > PCG.Cost d (a product with K costs about 4md flops against
// m^3/3 for its factorization, and the method needs 15 to 90 products per
// solve); PCG.Tol, PCG.MinIter and PCG.MaxIter are its stopping rule
// (pcgSolve) and PCG.GiveUp the failed solves after which it is no longer
// tried. Measured: see docs/PERFORMANCE.md, section "Solver design
// measurements". solver.MaxMargin uses DefaultOptions; tests build their
// own.
type Options struct {
	Reduce struct {
		Active, Band, Max, Cap float64
		Pause                  int
	}
	PCG struct {
		MinPairs                 int
		Cost, Tol                float64
		MinIter, GiveUp, MaxIter int
	}
	MinSize, AllPairs, GroupAllPairs, AddLimit, ScreenMinPairs int
	LooseTol, ScreenBand, GroupReg                             float64
}

// DefaultOptions returns the measured tuning of the interior-point LP
// method (Options), the one solver.MaxMargin uses.
func DefaultOptions() Options {
	var o Options
	o.Reduce.Active = 100.0
	o.Reduce.Band = 1e-2
	o.Reduce.Max = 0.7
	o.Reduce.Pause = 3
	o.Reduce.Cap = 0.3
	o.PCG.MinPairs = 1000
	o.PCG.Cost = 8000.0
	o.PCG.Tol = 1e-10
	o.PCG.MinIter = 50
	o.PCG.GiveUp = 2
	o.PCG.MaxIter = 500
	o.MinSize = 40000
	o.AllPairs = 5000
	o.GroupAllPairs = 1000
	o.AddLimit = 1
	o.LooseTol = 1e-4
	o.ScreenBand = 0.1
	o.ScreenMinPairs = 2000
	o.GroupReg = 1e-10
	return o
}

// reducedPairs returns in out the indices of the pairs kept in the
// reduced Newton system: those whose weight lambda_p/s_p in
// H = E^{-1} + M^T diag(lambda/s) M is at least Reduce.Band times the
// largest, and those that look active (lambda_p >= s_p / Reduce.Active).
// On the central path s_p lambda_p = mu, so an active pair has s_p -> 0
// and lambda_p/s_p = lambda_p^2/mu -> inf, an inactive one
// lambda_p/s_p = mu/s_p^2 -> 0; the second test keeps the active pairs
// whose multiplier is small next to the others'. It returns nil when the
// pairs kept would be more than Reduce.Max of all, where the full system
// costs little more.
func (o *Options) reducedPairs(s, lam []float64, out []int, force bool) []int {
	m := len(s)
	var dmax float64
	for r := range m {
		dmax = max(dmax, lam[r]/s[r])
	}
	out = out[:0]
	for r := range m {
		if lam[r] >= o.Reduce.Band*dmax*s[r] || lam[r]*o.Reduce.Active >= s[r] {
			out = append(out, r)
		}
	}
	if float64(len(out)) > o.Reduce.Max*float64(m) && !force {
		return nil
	}
	return out
}

// precondPairs returns in out the pairs of the factorized block of the
// conjugate-gradient preconditioner: those whose weight lambda_p/s_p in
// H = E^{-1} + M^T diag(lambda/s) M is at least Reduce.Band times the
// largest, at most Reduce.Cap of all pairs (the heaviest). On the central
// path s_p lambda_p = mu, so an active pair has s_p -> 0 and
// lambda_p/s_p = lambda_p^2/mu -> inf, an inactive one mu/s_p^2 -> 0: near
// the optimum Q is the active set and K is nearly block diagonal between
// Q and the rest, whose block is dominated by its diagonal s/lambda.
func (o *Options) precondPairs(s, lam []float64, out []int) []int {
	m := len(s)
	wts := make([]float64, m)
	var dmax float64
	for r := range m {
		wts[r] = lam[r] / s[r]
		dmax = max(dmax, wts[r])
	}
	cut := o.Reduce.Band * dmax
	if q := int(o.Reduce.Cap * float64(m)); q < m {
		sorted := slices.Clone(wts)
		slices.Sort(sorted)
		cut = max(cut, sorted[m-max(q, 1)])
	}
	out = out[:0]
	for r := range m {
		if wts[r] >= cut {
			out = append(out, r)
		}
	}
	return out
}

// diagK sets out_r = K_rr = sum_l x_il^2 (E_{y_i l} + E_{c l}) + dl_r, the
// diagonal of K = M E M^T + diag(dl) over the pairs.
func (p *ipmLP) diagK(e, dl, out []float64) {
	d := p.d
	for r, pr := range p.pairs {
		y := p.ds.Y[pr.I]
		x := p.x[pr.I*d : pr.I*d+d]
		ey, ec := e[y*d:y*d+d], e[pr.C*d:pr.C*d+d]
		var t float64
		for l, xv := range x {
			t += xv * xv * (ey[l] + ec[l])
		}
		out[r] = t + dl[r]
	}
}

// pcgSolve overwrites b with K^{-1} b, K = M E M^T + diag(dl), by
// conjugate gradients preconditioned with P = blockdiag(K_QQ, diag(K_RR)):
// tri is the Cholesky factor of K_QQ (pairs q, qpos their positions or -1)
// and kdiag K's diagonal. It stops when ||r|| <= PCG.Tol ||b|| and reports
// false (b unchanged) after an iteration limit between PCG.MinIter and
// PCG.MaxIter, set so that the products cost at most a sixth of
// factorizing K. x, r, z, dv, kv and bq
// (length m) and wt (length kd) are workspace.
func (p *ipmLP) pcgSolve(b []float64, q, qpos []int, tri blas64.Triangular, e, dl, kdiag, x, r, z, dv, kv, bq, wt []float64) bool {
	m := len(p.pairs)
	x, r, z, dv, kv = x[:m], r[:m], z[:m], dv[:m], kv[:m]
	precond := func(src, dst []float64) {
		for u, i := range q {
			bq[u] = src[i]
		}
		dense.SolveFactored(tri, bq[:len(q)])
		for i := range m {
			if u := qpos[i]; u >= 0 {
				dst[i] = bq[u]
			} else {
				dst[i] = src[i] / kdiag[i]
			}
		}
	}
	mulK := func(src, dst []float64) {
		p.mulMT(src, wt)
		for j := range wt {
			wt[j] *= e[j]
		}
		p.mulM(wt, dst)
		for i := range m {
			dst[i] += dl[i] * src[i]
		}
	}
	bn := floats.Norm(b, 2)
	if bn == 0 {
		return true
	}
	clear(x)
	copy(r, b)
	precond(r, z)
	copy(dv, z)
	rz := floats.Dot(r, z)
	// At most as many products as cost a sixth of K's factorization
	// (m^3/3 flops against 4nkd a product; three solves an iteration).
	limit := int(float64(m) * float64(m) * float64(m) / 3 / (24 * float64(p.n*p.k*p.d)))
	limit = max(p.opt.PCG.MinIter, min(limit, p.opt.PCG.MaxIter))
	for range limit {
		mulK(dv, kv)
		alpha := rz / floats.Dot(dv, kv)
		floats.AddScaled(x, alpha, dv)
		floats.AddScaled(r, -alpha, kv)
		if floats.Norm(r, 2) <= p.opt.PCG.Tol*bn {
			copy(b, x)
			return true
		}
		precond(r, z)
		rzNew := floats.Dot(r, z)
		beta := rzNew / rz
		rz = rzNew
		for i := range dv {
			dv[i] = z[i] + beta*dv[i]
		}
	}
	return false
}
