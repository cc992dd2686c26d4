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
// for op1). There is no constraint reduction and no conjugate-gradient or
// weight-space solve in this form; MaxMargin keeps the working set small
// instead. Every iterate's W and lambda give certified bounds, the best are
// kept, and near the optimum purifyGroup jumps to the vertex, as in solve.
func (p *ipmLP) solveGroup(pairs []workset.Row, gr *groupIPM, tol float64, maxIter int, b *run.Budget) (res ipmResult, ok bool, err error) {
	p.pairs = pairs
	m, kd, ng := len(pairs), p.k*p.d, gr.count
	nn := m + ng
	x1 := make([]float64, kd)
	x2 := make([]float64, kd)
	z1 := make([]float64, kd)
	z2 := make([]float64, kd)
	s := make([]float64, m)
	lam := make([]float64, m)
	u := make([]float64, ng)
	nu := make([]float64, ng)
	// Start: W = 0 (P = Q, each group at half its budget), g = -1 so that
	// every margin row has slack 1, lambda uniform summing to 1 and the
	// bound duals dual feasible for nu_g = 1 + max_{j in g} |A_j(lambda)|.
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

	w := make([]float64, kd)
	mw := make([]float64, m)
	rp := make([]float64, m)
	rq := make([]float64, ng)
	rd1 := make([]float64, kd)
	rd2 := make([]float64, kd)
	e1 := make([]float64, kd)
	e2 := make([]float64, kd)
	f := make([]float64, kd)
	col := make([]float64, m)
	// wspace: factorize the kd×kd weight-space matrix (groupWSystem)
	// rather than K (nn×nn), when the weights are fewer than the rows.
	wspace := p.weights && kd < nn
	var kmat []float64
	var wsys *groupWSystem
	if wspace {
		wsys = newGroupWSystem(p, gr, m)
	} else {
		kmat = make([]float64, nn*nn)
	}
	v := make([]float64, nn)
	rhs := make([]float64, nn)
	kb := make([]float64, nn)
	kr := make([]float64, nn)
	ky := make([]float64, kd)
	kh := make([]float64, kd)
	t1 := make([]float64, kd)
	t2 := make([]float64, kd)
	tt := make([]float64, kd)
	dlam := make([]float64, m)
	ds := make([]float64, m)
	dnu := make([]float64, ng)
	du := make([]float64, ng)
	dx1 := make([]float64, kd)
	dx2 := make([]float64, kd)
	dz1 := make([]float64, kd)
	dz2 := make([]float64, kd)
	rs := make([]float64, m)
	ru := make([]float64, ng)
	r1 := make([]float64, kd)
	r2 := make([]float64, kd)
	type dir struct{ s, lam, u, nu, x1, x2, z1, z2 []float64 }
	aff := dir{make([]float64, m), make([]float64, m), make([]float64, ng), make([]float64, ng),
		make([]float64, kd), make([]float64, kd), make([]float64, kd), make([]float64, kd)}
	var dg float64

	var tri blas64.Triangular
	bestWidth := math.Inf(1)
	stall, lastPurify := 0, -10
	for it := 1; it <= maxIter; it++ {
		if err := b.Stop(Method); err != nil {
			return res, false, err
		}
		for j := range kd {
			w[j] = x1[j] - x2[j]
		}
		p.mulM(w, mw)
		p.mulMT(lam, at)
		var sumLam, mu float64
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
		mu /= float64(m + ng + 2*kd)
		rdg := -1 + sumLam

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
			return res, true, nil
		}
		if width <= 1e-6*max(p.floor, res.upper) && it >= lastPurify+3 {
			lastPurify = it
			p.purifyGroup(&res, gr, x1, x2, z1, z2, s, lam, u, nu, g)
			if width = res.upper - res.lower; width <= tol*max(p.floor, res.upper) {
				return res, true, nil
			}
		}
		if width < bestWidth*0.9 {
			bestWidth, stall = width, 0
		} else if stall++; stall > 8 {
			break
		}

		// Normal matrix K over the pair rows then the group rows.
		for j := range kd {
			e1[j] = 1 / (z1[j]/x1[j] + p.opt.GroupReg)
			e2[j] = 1 / (z2[j]/x2[j] + p.opt.GroupReg)
			f[j] = e1[j] + e2[j]
		}
		assemble := func() {
			clear(kmat)
			for r := range m {
				col[r] = s[r] / lam[r]
			}
			p.normalStride(f, col, kmat, nn)
			for gi, mem := range gr.members {
				fg := t1 // workspace: (E_P - E_Q) on the group
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
		var solve1 func(x []float64)
		if wspace {
			if !wsys.factor(e1, e2, s, lam, u, nu) {
				break
			}
			wsys.border()
		} else {
			var fact bool
			if tri, fact = dense.FactorRegularized(nn, kmat, assemble, nil); !fact {
				break
			}
			solve1 = func(x []float64) { dense.SolveFactored(tri, x[:nn]) }
		}
		// applyK sets out = K x by products with M (K's definition, not
		// its factor): with y = M^T x_p and h_j = wt_j (E_P - E_Q)_j x_g(j),
		// out_p = M (f y - h) + (s/lambda) x_p and
		// out_g = -sum_{j in g} wt_j (E_P - E_Q)_j y_j + K_gg x_g.
		applyK := func(x, out []float64) {
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
		// solveK solves K x = b in place, with two steps of iterative
		// refinement against applyK: near the optimum K's condition
		// grows like 1/mu and the factor's solution alone let the
		// iterates drift off the central path (raw breast cancer, op1).
		solveK := func(x []float64) {
			copy(kb, x)
			solve1(x)
			for range 2 {
				applyK(x, kr)
				for r := range nn {
					kr[r] = kb[r] - kr[r]
				}
				solve1(kr)
				for r := range nn {
					x[r] += kr[r]
				}
			}
		}
		var ov float64
		if !wspace {
			clear(v)
			for r := range m {
				v[r] = 1
			}
			solveK(v)
			for r := range m {
				ov += v[r]
			}
		}

		// direction solves the Newton system for the complementarity
		// targets rs (s∘lambda), ru (u∘nu), r1 and r2 (the bound pairs).
		direction := func() {
			if wspace {
				step := groupStep{s: ds, lam: dlam, u: du, nu: dnu, x1: dx1, x2: dx2, z1: dz1, z2: dz2}
				wsys.direction(&groupIterate{x1: x1, x2: x2, z1: z1, z2: z2, s: s, lam: lam, u: u, nu: nu,
					rp: rp, rq: rq, rd1: rd1, rd2: rd2, rdg: rdg, rs: rs, ru: ru, r1: r1, r2: r2}, &step)
				dg = step.g
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
			solveK(rhs)
			for r := range m {
				ou += rhs[r]
			}
			dg = (-rdg - ou) / ov
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
		steps := func() (ap, ad float64) {
			ap = maxStep(s, ds, 1)
			ap = maxStep(u, du, ap)
			ap = maxStep(x1, dx1, ap)
			ap = maxStep(x2, dx2, ap)
			ad = maxStep(lam, dlam, 1)
			ad = maxStep(nu, dnu, ad)
			ad = maxStep(z1, dz1, ad)
			ad = maxStep(z2, dz2, ad)
			return ap, ad
		}

		// Predictor.
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
		direction()
		ap, ad := steps()
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
		sigma := math.Pow(muAff/mu, 3)
		copy(aff.s, ds)
		copy(aff.lam, dlam)
		copy(aff.u, du)
		copy(aff.nu, dnu)
		copy(aff.x1, dx1)
		copy(aff.x2, dx2)
		copy(aff.z1, dz1)
		copy(aff.z2, dz2)

		// Corrector.
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
		direction()
		ap, ad = steps()
		ap = min(1, 0.995*ap)
		ad = min(1, 0.995*ad)
		for r := range m {
			s[r] += ap * ds[r]
			lam[r] += ad * dlam[r]
		}
		for gi := range ng {
			u[gi] += ap * du[gi]
			nu[gi] += ad * dnu[gi]
		}
		for j := range kd {
			x1[j] += ap * dx1[j]
			x2[j] += ap * dx2[j]
			z1[j] += ad * dz1[j]
			z2[j] += ad * dz2[j]
		}
		g += ap * dg
	}
	p.purifyGroup(&res, gr, x1, x2, z1, z2, s, lam, u, nu, g)
	return res, res.upper-res.lower <= tol*max(p.floor, res.upper), nil
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
