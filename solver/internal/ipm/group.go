package ipm

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"maxmargin/norm"
	"maxmargin/solver/internal/dense"
	"maxmargin/solver/internal/run"
	"maxmargin/solver/internal/workset"
)

// groupIPM holds the grouping of the group form of the interior-point
// method (solveGroup): of[j] is the group of the entry j = a*d + l of W,
// count the number of groups, members the entries of each group, and wt[j]
// the weight of the entry in the norm, the power of two D_l by which the
// method's features x_il D_l were scaled (dense.ColumnScales): the method's
// unknowns are W' with W = W' D, and N(W) = max_g sum_{j in g} wt_j |W'_j|.
type groupIPM struct {
	grouping norm.Grouping
	of       []int
	count    int
	members  [][]int
	wt       []float64
}

// newGroupIPM returns the grouping g of the k×d entries of W, with the
// column weights colScale (length d).
func newGroupIPM(g norm.Grouping, k, d int, colScale []float64) *groupIPM {
	gr := &groupIPM{grouping: g, of: make([]int, k*d), count: g.Count(k, d), wt: make([]float64, k*d)}
	gr.members = make([][]int, gr.count)
	for a := range k {
		for l := range d {
			j := a*d + l
			gr.of[j] = g.Of(a, l, d)
			gr.wt[j] = colScale[l]
			gr.members[gr.of[j]] = append(gr.members[gr.of[j]], j)
		}
	}
	return gr
}

// value returns N(W) = max_g sum_{j in g} wt_j |w_j| for the method's w.
func (gr *groupIPM) value(w []float64) float64 {
	var out float64
	for _, mem := range gr.members {
		var s float64
		for _, j := range mem {
			s += gr.wt[j] * math.Abs(w[j])
		}
		out = max(out, s)
	}
	return out
}

// dual returns sum_g max_{j in g} |a_j| / wt_j, the dual norm of the
// method's A(lambda) (that of A(lambda) in the data's units).
func (gr *groupIPM) dual(a []float64) float64 {
	var out float64
	for _, mem := range gr.members {
		var m float64
		for _, j := range mem {
			m = max(m, math.Abs(a[j])/gr.wt[j])
		}
		out += m
	}
	return out
}

// solveGroup runs the interior-point method in the group form, valid for
// every group norm N(W) = max_g sum_{j in g} |W_j| (any norm.Grouping):
//
//	minimize -g  s.t.  M (P - Q) - g 1 >= 0       (duals lambda, slacks s),
//	                   1 - sum_{j in g} (P_j + Q_j) >= 0  for each group g
//	                                               (duals nu, slacks u),
//	                   P, Q >= 0 (duals z_P, z_Q), g free,
//
// the LP that lp_solve solves too. Eliminating the bound pairs and the
// slacks leaves the normal equations over the m pair rows and the G group
// rows, K = A E A^T + diag(s/lambda, u/nu), A the rows' coefficients over
// (P, Q) and E = diag(P/z_P, Q/z_Q):
//
//	K_pp = M (E_P + E_Q) M^T + diag(s/lambda)      (ipmLP.normal),
//	K_pg = -M (E_P - E_Q) 1_g,                      (one column per group),
//	K_gg = sum_{j in g} (E_P + E_Q)_j + u_g/nu_g    (diagonal: groups are disjoint),
//
// bordered by the free column g as in the max form (v = K^{-1} (1, 0)). K
// is symmetric positive definite and factorized whole by a dense Cholesky:
// the groups are few for the operator norms (k rows for opinf, d columns
// for op1), or, with p.weights and fewer weights than rows, replaced by the
// kd×kd weight-space system (groupWSystem). There is no constraint
// reduction and no conjugate-gradient solve in this form; MaxMargin keeps
// the working set small instead. Every iterate's W and lambda give
// certified bounds, the best are kept, and near the optimum purifyGroup
// jumps to the vertex, as in solve. The loop is Mehrotra's over the phases
// of a groupWork.
func (p *ipmLP) solveGroup(pairs []workset.Row, gr *groupIPM, tol float64, maxIter int, b *run.Budget) (res ipmResult, ok bool, err error) {
	p.pairs = pairs
	gw := newGroupWork(p, gr, len(pairs), tol, b, &res)
	if err := Mehrotra(gw, MehrotraOptions{MaxIter: maxIter}, b, Method); err != nil {
		return res, false, err
	}
	if gw.converged {
		return res, true, nil
	}
	p.purifyGroup(&res, gr, gw.x1, gw.x2, gw.z1, gw.z2, gw.s, gw.lam, gw.u, gw.nu, gw.g)
	return res, res.upper-res.lower <= tol*max(p.floor, res.upper), nil
}

// groupWork is the state of one solveGroup over m pair rows, ng groups
// and kd weights, and its iteration as the phases of Mehrotra's loop
// (Problem): the iterate, its residuals, the Newton system (K, or
// groupWSystem in weight space), the direction and the affine direction.
type groupWork struct {
	p           *ipmLP
	gr          *groupIPM
	b           *run.Budget
	res         *ipmResult
	tol         float64
	m, kd, ng   int
	nn          int // m + ng: K's order
	it          int
	converged   bool
	bestWidth   float64
	stall       int
	lastPurify  int
	wspace      bool
	kmat        []float64
	wsys        *groupWSystem
	tri         blas64.Triangular
	mu, rdg, ov float64

	// The iterate: P = x1, Q = x2, their duals z1, z2; the margin rows'
	// slacks s and duals lam; the group rows' slacks u and duals nu; g.
	x1, x2, z1, z2, s, lam, u, nu []float64
	g                             float64

	// Residuals and the system's buffers.
	at, w, mw, rp, rq, rd1, rd2, e1, e2, f, col []float64
	v, rhs, kb, kr, ky, kh, t1, t2, tt          []float64

	// The direction, the complementarity targets and the affine direction.
	dlam, ds, dnu, du, dx1, dx2, dz1, dz2 []float64
	rs, ru, r1, r2                        []float64
	aff                                   struct{ s, lam, u, nu, x1, x2, z1, z2 []float64 }
	dg                                    float64
}

// newGroupWork allocates the state of solveGroup and sets the starting
// point: W = 0 (P = Q, each group at half its budget), g = -1 so that
// every margin row has slack 1, lambda uniform summing to 1 and the bound
// duals dual feasible for nu_g = 1 + max_{j in g} |A_j(lambda)|.
func newGroupWork(p *ipmLP, gr *groupIPM, m int, tol float64, b *run.Budget, res *ipmResult) *groupWork {
	kd, ng := p.k*p.d, gr.count
	nn := m + ng
	gw := &groupWork{p: p, gr: gr, b: b, res: res, tol: tol, m: m, kd: kd, ng: ng, nn: nn}
	x1 := make([]float64, kd)
	x2 := make([]float64, kd)
	z1 := make([]float64, kd)
	z2 := make([]float64, kd)
	s := make([]float64, m)
	lam := make([]float64, m)
	u := make([]float64, ng)
	nu := make([]float64, ng)
	g := -1.0
	for _, mem := range gr.members {
		var tot float64
		for _, j := range mem {
			tot += gr.wt[j]
		}
		for _, j := range mem {
			x1[j] = 1 / (4 * tot)
			x2[j] = x1[j]
		}
	}
	for r := range m {
		s[r], lam[r] = 1, 1/float64(m)
	}
	at := make([]float64, kd)
	p.mulMT(lam, at)
	for gi, mem := range gr.members {
		var big float64
		for _, j := range mem {
			big = max(big, math.Abs(at[j])/gr.wt[j])
		}
		u[gi], nu[gi] = 0.5, 1+big
		for _, j := range mem {
			z1[j] = gr.wt[j]*nu[gi] - at[j]
			z2[j] = gr.wt[j]*nu[gi] + at[j]
		}
	}
	gw.x1, gw.x2, gw.z1, gw.z2, gw.s, gw.lam, gw.u, gw.nu, gw.g, gw.at = x1, x2, z1, z2, s, lam, u, nu, g, at

	gw.w = make([]float64, kd)
	gw.mw = make([]float64, m)
	gw.rp = make([]float64, m)
	gw.rq = make([]float64, ng)
	gw.rd1 = make([]float64, kd)
	gw.rd2 = make([]float64, kd)
	gw.e1 = make([]float64, kd)
	gw.e2 = make([]float64, kd)
	gw.f = make([]float64, kd)
	gw.col = make([]float64, m)
	// wspace: factorize the kd×kd weight-space matrix (groupWSystem)
	// rather than K (nn×nn), when the weights are fewer than the rows.
	gw.wspace = p.weights && kd < nn
	if gw.wspace {
		gw.wsys = newGroupWSystem(p, gr, m)
	} else {
		gw.kmat = make([]float64, nn*nn)
	}
	gw.v = make([]float64, nn)
	gw.rhs = make([]float64, nn)
	gw.kb = make([]float64, nn)
	gw.kr = make([]float64, nn)
	gw.ky = make([]float64, kd)
	gw.kh = make([]float64, kd)
	gw.t1 = make([]float64, kd)
	gw.t2 = make([]float64, kd)
	gw.tt = make([]float64, kd)
	gw.dlam = make([]float64, m)
	gw.ds = make([]float64, m)
	gw.dnu = make([]float64, ng)
	gw.du = make([]float64, ng)
	gw.dx1 = make([]float64, kd)
	gw.dx2 = make([]float64, kd)
	gw.dz1 = make([]float64, kd)
	gw.dz2 = make([]float64, kd)
	gw.rs = make([]float64, m)
	gw.ru = make([]float64, ng)
	gw.r1 = make([]float64, kd)
	gw.r2 = make([]float64, kd)
	gw.aff.s, gw.aff.lam, gw.aff.u, gw.aff.nu = make([]float64, m), make([]float64, m), make([]float64, ng), make([]float64, ng)
	gw.aff.x1, gw.aff.x2, gw.aff.z1, gw.aff.z2 = make([]float64, kd), make([]float64, kd), make([]float64, kd), make([]float64, kd)
	gw.bestWidth = math.Inf(1)
	gw.stall, gw.lastPurify = 0, -10
	return gw
}

// Residuals computes the residuals and mu at the iterate, updates the
// bounds and the best certificate in res, stops the loop when the width is
// within the tolerance (converged, after a purification near the optimum
// if need be) or has not shrunk by a tenth in nine iterations.
func (gw *groupWork) Residuals() (mu float64, more bool) {
	p, gr, b, res, tol := gw.p, gw.gr, gw.b, gw.res, gw.tol
	m, kd := gw.m, gw.kd
	x1, x2, z1, z2, s, lam, u, nu, g := gw.x1, gw.x2, gw.z1, gw.z2, gw.s, gw.lam, gw.u, gw.nu, gw.g
	w, mw, at, rp, rq, rd1, rd2 := gw.w, gw.mw, gw.at, gw.rp, gw.rq, gw.rd1, gw.rd2
	gw.it++
	it := gw.it
	for j := range kd {
		w[j] = x1[j] - x2[j]
	}
	p.mulM(w, mw)
	p.mulMT(lam, at)
	var sumLam float64
	least := math.Inf(1)
	for r := range m {
		rp[r] = mw[r] - g - s[r]
		sumLam += lam[r]
		mu += s[r] * lam[r]
		least = min(least, mw[r])
	}
	for gi, mem := range gr.members {
		t := 1 - u[gi]
		for _, j := range mem {
			t -= gr.wt[j] * (x1[j] + x2[j])
			rd1[j] = -at[j] + gr.wt[j]*nu[gi] - z1[j]
			rd2[j] = at[j] + gr.wt[j]*nu[gi] - z2[j]
		}
		rq[gi] = t
		mu += u[gi] * nu[gi]
	}
	for j := range kd {
		mu += x1[j]*z1[j] + x2[j]*z2[j]
	}
	mu /= float64(m + gw.ng + 2*kd)
	rdg := -1 + sumLam
	gw.mu, gw.rdg = mu, rdg

	lower, upper := 0.0, gr.dual(at)/sumLam*p.scale
	if nw := gr.value(w); nw > 0 && least > 0 {
		lower = least / nw * p.scale
	}
	if it == 1 || lower > res.lower {
		res.lower = lower
		res.w = p.groupW(gr, w)
	}
	if it == 1 || upper < res.upper {
		res.upper = upper
		res.lambda = append(res.lambda[:0], lam...)
	}
	res.iters = it
	width := res.upper - res.lower
	if b.Tracing() {
		var np, nq, nd float64
		for _, v := range rp {
			np = max(np, math.Abs(v))
		}
		for _, v := range rq {
			nq = max(nq, math.Abs(v))
		}
		for j := range rd1 {
			nd = max(nd, math.Abs(rd1[j]), math.Abs(rd2[j]))
		}
		b.Tracef("group interior-point: iteration %d mu %.3g lower %.17g upper %.17g width %.3g residuals %.3g %.3g %.3g %.3g gap %.3g", it, mu, lower, upper, width/upper, np, nq, nd, rdg, g)
	}
	if width <= tol*max(p.floor, res.upper) {
		gw.converged = true
		return mu, false
	}
	if width <= 1e-6*max(p.floor, res.upper) && it >= gw.lastPurify+3 {
		gw.lastPurify = it
		p.purifyGroup(res, gr, x1, x2, z1, z2, s, lam, u, nu, g)
		if width = res.upper - res.lower; width <= tol*max(p.floor, res.upper) {
			gw.converged = true
			return mu, false
		}
	}
	if width < gw.bestWidth*0.9 {
		gw.bestWidth, gw.stall = width, 0
	} else if gw.stall++; gw.stall > 8 {
		return mu, false
	}
	return mu, true
}

// Factor assembles and factorizes the Newton system (K with one
// regularized retry, or the weight-space system) and, for K, solves
// K v = (1, 0) for the free column g.
func (gw *groupWork) Factor() bool {
	p, m, kd, nn := gw.p, gw.m, gw.kd, gw.nn
	x1, x2, z1, z2 := gw.x1, gw.x2, gw.z1, gw.z2
	e1, e2, f := gw.e1, gw.e2, gw.f
	// Normal matrix K over the pair rows then the group rows.
	for j := range kd {
		e1[j] = 1 / (z1[j]/x1[j] + p.opt.GroupReg)
		e2[j] = 1 / (z2[j]/x2[j] + p.opt.GroupReg)
		f[j] = e1[j] + e2[j]
	}
	if gw.wspace {
		if !gw.wsys.factor(e1, e2, gw.s, gw.lam, gw.u, gw.nu) {
			return false
		}
		gw.wsys.border()
	} else {
		var fact bool
		if gw.tri, fact = dense.FactorRegularized(nn, gw.kmat, gw.assemble, nil); !fact {
			return false
		}
	}
	gw.ov = 0
	if !gw.wspace {
		v := gw.v
		clear(v)
		for r := range m {
			v[r] = 1
		}
		gw.solveK(v)
		for r := range m {
			gw.ov += v[r]
		}
	}
	return true
}

// assemble writes K, over the pair rows then the group rows, into kmat.
func (gw *groupWork) assemble() {
	p, gr, m, nn := gw.p, gw.gr, gw.m, gw.nn
	kmat, col, s, lam, u, nu := gw.kmat, gw.col, gw.s, gw.lam, gw.u, gw.nu
	e1, e2 := gw.e1, gw.e2
	clear(kmat)
	for r := range m {
		col[r] = s[r] / lam[r]
	}
	p.normalStride(gw.f, col, kmat, nn)
	for gi, mem := range gr.members {
		fg := gw.t1 // workspace: (E_P - E_Q) on the group
		clear(fg)
		var diag float64
		for _, j := range mem {
			fg[j] = gr.wt[j] * (e1[j] - e2[j])
			diag += gr.wt[j] * gr.wt[j] * (e1[j] + e2[j])
		}
		p.mulM(fg, col)
		row := kmat[(m+gi)*nn:]
		for r := range m {
			row[r] = -col[r]
		}
		row[m+gi] = diag + u[gi]/nu[gi]
	}
}

// applyK sets out = K x by products with M (K's definition, not its
// factor): with y = M^T x_p and h_j = wt_j (E_P - E_Q)_j x_g(j),
// out_p = M (f y - h) + (s/lambda) x_p and
// out_g = -sum_{j in g} wt_j (E_P - E_Q)_j y_j + K_gg x_g.
func (gw *groupWork) applyK(x, out []float64) {
	p, gr, m, kd := gw.p, gw.gr, gw.m, gw.kd
	ky, kh, f, e1, e2, s, lam, u, nu := gw.ky, gw.kh, gw.f, gw.e1, gw.e2, gw.s, gw.lam, gw.u, gw.nu
	p.mulMT(x[:m], ky)
	for j := range kd {
		kh[j] = f[j]*ky[j] - gr.wt[j]*(e1[j]-e2[j])*x[m+gr.of[j]]
	}
	p.mulM(kh, out[:m])
	for r := range m {
		out[r] += s[r] / lam[r] * x[r]
	}
	for gi, mem := range gr.members {
		var t, diag float64
		for _, j := range mem {
			de := gr.wt[j] * (e1[j] - e2[j])
			t -= de * ky[j]
			diag += gr.wt[j] * gr.wt[j] * (e1[j] + e2[j])
		}
		out[m+gi] = t + (diag+u[gi]/nu[gi])*x[m+gi]
	}
}

// solveK solves K x = b in place, with two steps of iterative refinement
// against applyK: near the optimum K's condition grows like 1/mu and the
// factor's solution alone let the iterates drift off the central path (raw
// breast cancer, op1).
func (gw *groupWork) solveK(x []float64) {
	nn, kb, kr := gw.nn, gw.kb, gw.kr
	copy(kb, x)
	dense.SolveFactored(gw.tri, x[:nn])
	for range 2 {
		gw.applyK(x, kr)
		for r := range nn {
			kr[r] = kb[r] - kr[r]
		}
		dense.SolveFactored(gw.tri, kr[:nn])
		for r := range nn {
			x[r] += kr[r]
		}
	}
}

// Direction sets the complementarity targets of the predictor (corr
// false: -s lambda, -u nu, -x z) or of the corrector (sigma mu minus the
// products and the affine direction's second-order term) and solves the
// Newton system for the direction.
func (gw *groupWork) Direction(sigma, mu float64, corr bool) bool {
	m, kd, ng := gw.m, gw.kd, gw.ng
	x1, x2, z1, z2, s, lam, u, nu := gw.x1, gw.x2, gw.z1, gw.z2, gw.s, gw.lam, gw.u, gw.nu
	rs, ru, r1, r2 := gw.rs, gw.ru, gw.r1, gw.r2
	if !corr {
		for r := range m {
			rs[r] = -s[r] * lam[r]
		}
		for gi := range ng {
			ru[gi] = -u[gi] * nu[gi]
		}
		for j := range kd {
			r1[j] = -x1[j] * z1[j]
			r2[j] = -x2[j] * z2[j]
		}
	} else {
		aff := &gw.aff
		sm := sigma * mu
		for r := range m {
			rs[r] = sm - s[r]*lam[r] - aff.s[r]*aff.lam[r]
		}
		for gi := range ng {
			ru[gi] = sm - u[gi]*nu[gi] - aff.u[gi]*aff.nu[gi]
		}
		for j := range kd {
			r1[j] = sm - x1[j]*z1[j] - aff.x1[j]*aff.z1[j]
			r2[j] = sm - x2[j]*z2[j] - aff.x2[j]*aff.z2[j]
		}
	}
	gw.direction()
	return true
}

// direction solves the Newton system for the complementarity targets rs
// (s∘lambda), ru (u∘nu), r1 and r2 (the bound pairs).
func (gw *groupWork) direction() {
	p, gr, m, kd, ng, nn := gw.p, gw.gr, gw.m, gw.kd, gw.ng, gw.nn
	x1, x2, z1, z2, s, lam, u, nu := gw.x1, gw.x2, gw.z1, gw.z2, gw.s, gw.lam, gw.u, gw.nu
	rp, rq, rd1, rd2, rdg := gw.rp, gw.rq, gw.rd1, gw.rd2, gw.rdg
	rs, ru, r1, r2 := gw.rs, gw.ru, gw.r1, gw.r2
	ds, dlam, du, dnu, dx1, dx2, dz1, dz2 := gw.ds, gw.dlam, gw.du, gw.dnu, gw.dx1, gw.dx2, gw.dz1, gw.dz2
	e1, e2, t1, t2, tt, rhs, v := gw.e1, gw.e2, gw.t1, gw.t2, gw.tt, gw.rhs, gw.v
	if gw.wspace {
		step := groupStep{s: ds, lam: dlam, u: du, nu: dnu, x1: dx1, x2: dx2, z1: dz1, z2: dz2}
		gw.wsys.direction(&groupIterate{x1: x1, x2: x2, z1: z1, z2: z2, s: s, lam: lam, u: u, nu: nu,
			rp: rp, rq: rq, rd1: rd1, rd2: rd2, rdg: rdg, rs: rs, ru: ru, r1: r1, r2: r2}, &step)
		gw.dg = step.g
		return
	}
	for j := range kd {
		t1[j] = e1[j] * (rd1[j] - r1[j]/x1[j])
		t2[j] = e2[j] * (rd2[j] - r2[j]/x2[j])
		tt[j] = t1[j] - t2[j]
	}
	p.mulM(tt, rhs[:m])
	var ou float64
	for r := range m {
		rhs[r] += -rp[r] + rs[r]/lam[r]
	}
	for gi, mem := range gr.members {
		var t float64
		for _, j := range mem {
			t -= gr.wt[j] * (t1[j] + t2[j])
		}
		rhs[m+gi] = t - rq[gi] + ru[gi]/nu[gi]
	}
	gw.solveK(rhs)
	for r := range m {
		ou += rhs[r]
	}
	dg := (-rdg - ou) / gw.ov
	gw.dg = dg
	for r := range nn {
		rhs[r] += dg * v[r]
	}
	for r := range m {
		dlam[r] = rhs[r]
		ds[r] = (rs[r] - s[r]*dlam[r]) / lam[r]
	}
	for gi := range ng {
		dnu[gi] = rhs[m+gi]
		du[gi] = (ru[gi] - u[gi]*dnu[gi]) / nu[gi]
	}
	p.mulMT(dlam, tt)
	for j := range kd {
		dn := gr.wt[j] * dnu[gr.of[j]]
		dx1[j] = e1[j] * (tt[j] - dn - rd1[j] + r1[j]/x1[j])
		dx2[j] = e2[j] * (-tt[j] - dn - rd2[j] + r2[j]/x2[j])
		dz1[j] = (r1[j] - z1[j]*dx1[j]) / x1[j]
		dz2[j] = (r2[j] - z2[j]*dx2[j]) / x2[j]
		tt[j] = dx1[j] - dx2[j]
	}
}

// MaxSteps returns the primal and dual step lengths, at most 1, to the
// boundary along the direction.
func (gw *groupWork) MaxSteps() (ap, ad float64, ok bool) {
	ap = maxStep(gw.s, gw.ds, 1)
	ap = maxStep(gw.u, gw.du, ap)
	ap = maxStep(gw.x1, gw.dx1, ap)
	ap = maxStep(gw.x2, gw.dx2, ap)
	ad = maxStep(gw.lam, gw.dlam, 1)
	ad = maxStep(gw.nu, gw.dnu, ad)
	ad = maxStep(gw.z1, gw.dz1, ad)
	ad = maxStep(gw.z2, gw.dz2, ad)
	return ap, ad, true
}

// AffineMu returns the mean complementarity after the steps ap and ad
// along the affine direction, and keeps that direction for the
// corrector's second-order term.
func (gw *groupWork) AffineMu(ap, ad float64) float64 {
	m, kd, ng := gw.m, gw.kd, gw.ng
	x1, x2, z1, z2, s, lam, u, nu := gw.x1, gw.x2, gw.z1, gw.z2, gw.s, gw.lam, gw.u, gw.nu
	ds, dlam, du, dnu, dx1, dx2, dz1, dz2 := gw.ds, gw.dlam, gw.du, gw.dnu, gw.dx1, gw.dx2, gw.dz1, gw.dz2
	var muAff float64
	for r := range m {
		muAff += (s[r] + ap*ds[r]) * (lam[r] + ad*dlam[r])
	}
	for gi := range ng {
		muAff += (u[gi] + ap*du[gi]) * (nu[gi] + ad*dnu[gi])
	}
	for j := range kd {
		muAff += (x1[j]+ap*dx1[j])*(z1[j]+ad*dz1[j]) + (x2[j]+ap*dx2[j])*(z2[j]+ad*dz2[j])
	}
	muAff /= float64(m + ng + 2*kd)
	aff := &gw.aff
	copy(aff.s, ds)
	copy(aff.lam, dlam)
	copy(aff.u, du)
	copy(aff.nu, dnu)
	copy(aff.x1, dx1)
	copy(aff.x2, dx2)
	copy(aff.z1, dz1)
	copy(aff.z2, dz2)
	return muAff
}

// Step moves the iterate 0.995 of the way to the boundary along the
// direction (ap and ad: the step lengths to it, MaxSteps).
func (gw *groupWork) Step(ap, ad float64) bool {
	m, kd, ng := gw.m, gw.kd, gw.ng
	ap = min(1, 0.995*ap)
	ad = min(1, 0.995*ad)
	for r := range m {
		gw.s[r] += ap * gw.ds[r]
		gw.lam[r] += ad * gw.dlam[r]
	}
	for gi := range ng {
		gw.u[gi] += ap * gw.du[gi]
		gw.nu[gi] += ad * gw.dnu[gi]
	}
	for j := range kd {
		gw.x1[j] += ap * gw.dx1[j]
		gw.x2[j] += ap * gw.dx2[j]
		gw.z1[j] += ad * gw.dz1[j]
		gw.z2[j] += ad * gw.dz2[j]
	}
	gw.g += ap * gw.dg
	return true
}

// groupW returns the classifier W = W' D of the method's w (length kd) as
// a k×d matrix in the data's units (exact: D holds powers of two).
func (p *ipmLP) groupW(gr *groupIPM, w []float64) *mat.Dense {
	out := mat.NewDense(p.k, p.d, nil)
	raw := out.RawMatrix().Data
	for j, v := range w {
		raw[j] = v * gr.wt[j]
	}
	return out
}

// purifyGroup is purify for the group form: the active pair rows S
// (lambda_p > s_p), the active groups (nu_g > u_g) and the nonzero entries
// F of W (P_j > z_P,j or Q_j > z_Q,j) are taken as the optimal basis, the
// other entries are set to 0, and the equations M_S w = g 1 and
// sum_{j in g} sign(w_j) w_j = 1 on the active groups are solved for w_F
// and g by least squares (the least-norm correction of the iterate). The
// dual vertex solves the transposed system for (lambda_S, -nu) with
// sum lambda = 1. The better bounds are kept in res.
func (p *ipmLP) purifyGroup(res *ipmResult, gr *groupIPM, x1, x2, z1, z2, s, lam, u, nu []float64, g float64) {
	kd := p.k * p.d
	var rows, groups []int
	for r := range s {
		if lam[r] > s[r] {
			rows = append(rows, r)
		}
	}
	for gi := range u {
		if nu[gi] > u[gi] {
			groups = append(groups, gi)
		}
	}
	w := make([]float64, kd)
	col := make([]int, kd)
	var free []int
	for j := range kd {
		col[j] = -1
		if x1[j] > z1[j] || x2[j] > z2[j] {
			w[j] = x1[j] - x2[j]
			col[j] = len(free)
			free = append(free, j)
		}
	}
	nu0 := len(free) + 1
	if len(rows) == 0 || len(free) == 0 || len(rows)+len(groups) > 2*nu0+10 {
		return
	}
	p.purifyGroupRows(res, gr, rows, groups, free, col, w, lam, nu, g)
	if len(rows)+len(groups) > nu0 && len(groups) < nu0 {
		top := slices.Clone(rows)
		slices.SortStableFunc(top, func(a, b int) int { return cmp.Compare(lam[b]/s[b], lam[a]/s[a]) })
		top = top[:min(len(top), nu0-len(groups))]
		slices.Sort(top)
		p.purifyGroupRows(res, gr, top, groups, free, col, w, lam, nu, g)
	}
}

// purifyGroupRows is purifyGroup's solve for the given basis, from the
// iterate w (not modified), lambda, nu and g.
func (p *ipmLP) purifyGroupRows(res *ipmResult, gr *groupIPM, rows, groups, free, col []int, w0, lam, nu []float64, g float64) {
	kd, d := p.k*p.d, p.d
	nv := len(free) + 1 // w_F, then g
	nr := len(rows) + len(groups)
	w := slices.Clone(w0)
	a := mat.NewDense(nr, nv, nil)
	rhs := mat.NewDense(nr, 1, nil)
	for q, r := range rows {
		pr := p.pairs[r]
		y := p.ds.Y[pr.I]
		x := p.x[pr.I*d : pr.I*d+d]
		t := g
		a.Set(q, nv-1, -1)
		for _, cs := range [2]struct {
			c    int
			sign float64
		}{{y, 1}, {pr.C, -1}} {
			for l, xv := range x {
				j := cs.c*d + l
				if c := col[j]; c >= 0 {
					a.Set(q, c, a.At(q, c)+cs.sign*xv)
				}
				t -= cs.sign * xv * w[j]
			}
		}
		rhs.Set(q, 0, t)
	}
	for q, gi := range groups {
		t := 1.0
		for _, j := range gr.members[gi] {
			if c := col[j]; c >= 0 {
				a.Set(len(rows)+q, c, math.Copysign(gr.wt[j], w[j]))
			}
			t -= gr.wt[j] * math.Abs(w[j])
		}
		rhs.Set(len(rows)+q, 0, t)
	}
	var sol mat.Dense
	if err := sol.Solve(a, rhs); err != nil {
		return
	}
	for c, j := range free {
		w[j] += sol.At(c, 0)
	}
	mw := make([]float64, len(p.pairs))
	p.mulM(w, mw)
	least := math.Inf(1)
	for _, v := range mw {
		least = min(least, v)
	}
	if nw := gr.value(w); nw > 0 && least > 0 && least/nw*p.scale > res.lower {
		res.lower = least / nw * p.scale
		res.w = p.groupW(gr, w)
	}

	// Dual vertex: a^T (lambda_S, -nu_G) = (0, ..., 0, -1).
	t := mat.NewDense(nv, 1, nil)
	t.Set(nv-1, 0, -1)
	l0 := mat.NewDense(nr, 1, nil)
	for q, r := range rows {
		l0.Set(q, 0, lam[r])
	}
	for q, gi := range groups {
		l0.Set(len(rows)+q, 0, -nu[gi])
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
	if up := gr.dual(av) / sumLam * p.scale; up < res.upper {
		res.upper = up
		res.lambda = nl
	}
}
