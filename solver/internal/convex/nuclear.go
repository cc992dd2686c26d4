package convex

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"maxmargin/internal/openblas"
	"maxmargin/solver/internal/dense"
	"maxmargin/solver/internal/ipm"
	"maxmargin/solver/internal/run"
)

// nuclearSDPMaxVars bounds the number of variables of nuclearIPM's Newton
// system (a dense Cholesky factorisation per iteration); larger problems
// use the barrier methods. It admits the k = 40 shapes of TestConvexSweep
// (2051 to 2871 variables). Measured: see docs/PERFORMANCE.md, section
// "Solver design measurements".
const nuclearSDPMaxVars = 3000

// nuclearSDPVars returns the number of variables of nuclearIPM for k×D
// classifiers: kD + k(k+1)/2 + D(D+1)/2 + 1 for the lifted block, kD +
// k(k+1)/2 + D + 1 for the column blocks.
func nuclearSDPVars(k, d int, columns bool) int {
	if columns {
		return k*d + k*(k+1)/2 + d + 1
	}
	return k*d + k*(k+1)/2 + d*(d+1)/2 + 1
}

// sdpEntry places variable v at entries (r, c) and (c, r) of a
// semidefinite block: the block is sum_v x_v E_v with E_v = alpha
// (e_r e_c^T + e_c e_r^T), alpha = 1 off the diagonal and 1/2 on it.
type sdpEntry struct {
	v, r, c int
	alpha   float64
}

// nuclearLayout is the variables and semidefinite blocks of nuclearIPM.
type nuclearLayout struct {
	nv      int          // variables, gam last
	dims    []int        // block sizes
	entries [][]sdpEntry // per block
	trace   []bool       // per variable: counted in tr P + tr Q
	pIdx    [][]int      // variable of P_ij, i <= j
	qIdx    [][]int      // variable of Q_ij, i <= j (lifted) or of q_l at [l][0] (columns)
	// shared is the number of leading entries of every block that all
	// blocks share (those of P, k(k+1)/2, in the column form; 0 in the
	// lifted form, which has one block).
	shared int
	// scratch of sharedHessian, kept across iterations (S is 20 MB at 40
	// classes)
	hx, hs []float64
}

// newNuclearLayout returns the layout for k×D classifiers Z (variable
// a*D + l is Z_al). Lifted: one block [[P, Z], [Z^T, Q]] of size k + D.
// Columns: D blocks [[P, z_l], [z_l^T, q_l]] of size k + 1 sharing P, with
// tr P + sum_l q_l <= 2; since the blocks hold exactly when q_l >= z_l^T
// P^-1 z_l (P > 0) and min_P tr P + tr(Z^T P^-1 Z) = 2 ||Z||_* (at P =
// (Z Z^T)^{1/2}), the feasible Z are again the nuclear unit ball.
func newNuclearLayout(k, d int, columns bool) *nuclearLayout {
	lay := &nuclearLayout{}
	next := k * d
	lay.pIdx = make([][]int, k)
	for i := range k {
		lay.pIdx[i] = make([]int, k)
		for j := i; j < k; j++ {
			lay.pIdx[i][j] = next
			next++
		}
	}
	lay.qIdx = make([][]int, d)
	for i := range d {
		if columns {
			lay.qIdx[i] = []int{next}
			next++
			continue
		}
		lay.qIdx[i] = make([]int, d)
		for j := i; j < d; j++ {
			lay.qIdx[i][j] = next
			next++
		}
	}
	lay.nv = next + 1
	lay.trace = make([]bool, lay.nv)
	for i := range k {
		lay.trace[lay.pIdx[i][i]] = true
	}
	for i := range d {
		lay.trace[lay.qIdx[i][0]] = columns
		if !columns {
			lay.trace[lay.qIdx[i][i]] = true
		}
	}
	entry := func(v, r, c int) sdpEntry {
		if r == c {
			return sdpEntry{v, r, c, 0.5}
		}
		return sdpEntry{v, r, c, 1}
	}
	pEntries := func() []sdpEntry {
		var es []sdpEntry
		for i := range k {
			for j := i; j < k; j++ {
				es = append(es, entry(lay.pIdx[i][j], i, j))
			}
		}
		return es
	}
	if !columns {
		es := pEntries()
		for a := range k {
			for l := range d {
				es = append(es, entry(a*d+l, a, k+l))
			}
		}
		for i := range d {
			for j := i; j < d; j++ {
				es = append(es, entry(lay.qIdx[i][j], k+i, k+j))
			}
		}
		lay.dims, lay.entries = []int{k + d}, [][]sdpEntry{es}
		return lay
	}
	for l := range d {
		es := pEntries()
		for a := range k {
			es = append(es, entry(a*d+l, a, k))
		}
		es = append(es, entry(lay.qIdx[l][0], k, k))
		lay.dims = append(lay.dims, k+1)
		lay.entries = append(lay.entries, es)
	}
	lay.shared = k * (k + 1) / 2
	return lay
}

// blockHessian adds to the upper triangle of the Newton matrix h block b's
// terms 2 alpha_v alpha_w (M[c,r'] M[r,c'] + M[c,c'] M[r,r']) for its
// entries v at (r, c) and w at (r', c'), M = mb (row-major p×p), except
// those between two of its first skip entries (the shared ones, which
// sharedHessian sums over the blocks at once).
func (lay *nuclearLayout) blockHessian(h blas64.Symmetric, b int, mb []float64, skip int) {
	p := lay.dims[b]
	es := lay.entries[b]
	for i1, e1 := range es {
		r1, c1 := e1.r*p, e1.c*p
		from := 0
		if i1 < skip {
			from = skip
		}
		for _, e2 := range es[from:] {
			if e2.v < e1.v {
				continue
			}
			h.Data[e1.v*h.Stride+e2.v] += 2 * e1.alpha * e2.alpha * (mb[c1+e2.r]*mb[r1+e2.c] + mb[c1+e2.c]*mb[r1+e2.r])
		}
	}
}

// sharedHessian adds to the upper triangle of the Newton matrix h the
// semidefinite blocks' terms between pairs of shared entries (those of P):
// for entries v at (r, c) and w at (r', c') of P,
//
//	sum_b 2 alpha_v alpha_w (M_b[c,r'] M_b[r,c'] + M_b[c,c'] M_b[r,r']),
//
// with M_b the blocks' inverse scalings (mw, row-major p×p): the sums are
// S[(c,r'),(r,c')] + S[(c,c'),(r,r')] of the k²×k² matrix
// S[(i,j),(i',j')] = sum_b M_b[i,j] M_b[i',j'], one product X^T X whose
// rows of X are the leading k×k blocks of the M_b, flattened. At 50
// column blocks of 40 classes that is 1.3e8 multiply-adds in OpenBLAS
// against 1.8e7 scattered updates in the per-block loop (0.12 s per
// iteration of nuclearIPM, a quarter of it, at random labels (50,50,40)).
func (lay *nuclearLayout) sharedHessian(h blas64.Symmetric, mw [][]float64) {
	if lay.shared == 0 {
		return
	}
	nb := len(lay.dims)
	k := lay.dims[0] - 1
	kk := k * k
	if len(lay.hx) != nb*kk {
		lay.hx, lay.hs = make([]float64, nb*kk), make([]float64, kk*kk)
	}
	x, s := lay.hx, lay.hs
	for b, mb := range mw {
		p := lay.dims[b]
		for i := range k {
			copy(x[b*kk+i*k:b*kk+i*k+k], mb[i*p:i*p+k])
		}
	}
	openblas.Gemm(blas.Trans, blas.NoTrans, 1,
		blas64.General{Rows: nb, Cols: kk, Stride: kk, Data: x},
		blas64.General{Rows: nb, Cols: kk, Stride: kk, Data: x},
		0, blas64.General{Rows: kk, Cols: kk, Stride: kk, Data: s})
	es := lay.entries[0][:lay.shared]
	for i1, e1 := range es {
		for _, e2 := range es[i1:] {
			v1, v2 := e1.v, e2.v
			if v2 < v1 {
				v1, v2 = v2, v1
			}
			t := s[(e1.c*k+e2.r)*kk+e1.r*k+e2.c] + s[(e1.c*k+e2.c)*kk+e1.r*k+e2.r]
			h.Data[v1*h.Stride+v2] += 2 * e1.alpha * e2.alpha * t
		}
	}
}

// slack returns block b of G(x).
func (lay *nuclearLayout) slack(b int, x []float64) *mat.SymDense {
	sm := mat.NewSymDense(lay.dims[b], nil)
	for _, e := range lay.entries[b] {
		sm.SetSym(e.r, e.c, x[e.v])
	}
	return sm
}

// traceOf returns tr P + tr Q (or + sum q_l) at x.
func (lay *nuclearLayout) traceOf(x []float64) float64 {
	var t float64
	for v, in := range lay.trace {
		if in {
			t += x[v]
		}
	}
	return t
}

// nuclearIPM solves the nuclear max-margin problem as a linear cone
// programme over a lifted form of the nuclear ball (Fazel, Hindi and Boyd
// 2001: ||Z||_* <= 1 exactly when some P, Q have tr P + tr Q <= 2 and
// [[P, Z], [Z^T, Q]] >= 0; or, when columns is true, the column blocks of
// newNuclearLayout)
//
//	maximize gam  s.t.  s_j = <v_j, Z> - gam >= 0,  s_0 = 2 - tr P - tr Q >= 0,  S_b = G_b(x) >= 0,
//
// over x = (Z, P, Q, gam). Its duals are lambda_j >= 0, lambda_0 >= 0 and
// Y_b >= 0; dual feasibility (c + sum_j lambda_j a_j + sum_b G_b^T(Y_b) = 0)
// gives, for the lifted block, sum_j lambda_j = 1, A(lambda) = -2 Y_12 and
// Y_11 = Y_22 = lambda_0 I, so that sigma_1(A(lambda)) <= 2 lambda_0, the
// dual objective (the spectral norm is the nuclear norm's dual). The method
// is spectralIPM's (Mehrotra's predictor-corrector with the Nesterov-Todd
// scaling of each block, optionally the second-order term on the
// semidefinite blocks) for the general form "maximize c^T x s.t.
// a_j^T x - b_j >= 0, S_b = G_b(x) >= 0". Each iteration solves
//
//	(sum_j D_j a_j a_j^T + H) dx = c + sum_j (lambda_j + rc_j/s_j) a_j + sum_b G_b^T(sigma mu S_b^-1 - K_b),
//
// D = lambda/s over the linear block (margins and s_0), H = sum_b G_b^T
// (M_b . M_b) G_b with entries tr(M E_v M E_w) = 2 alpha_v alpha_w
// (M_{c,r'} M_{r,c'} + M_{c,c'} M_{r,r'}) for v at (r, c) and w at
// (r', c'), M_b the inverse Nesterov-Todd scaling, K_b the second-order
// term and G_b^T(X)_v = 2 alpha_v X_rc; then ds = a^T dx, dlambda =
// rc/s - D ds, dS_b = G_b(dx), dY_b = sigma mu S_b^-1 - Y_b - K_b - M_b dS_b
// M_b. The primal iterate stays feasible; the dual starts feasible and its
// residual shrinks by the factor 1 - alpha_dual per step.
//
// Start: Z = Z0/(2||Z0||_*), P = (Z Z^T)^{1/2} + e I and Q = (Z^T Z)^{1/2}
// + e I (lifted) or q_l = z_l^T P^-1 z_l + e (columns), e = 1/(2(k+D)),
// interior with tr P + tr Q <= 3/2; lambda_j = 1/(tau s_j) and, with
// A = A(lambda), Y = [[l0 I, -A/2], [-A^T/2, l0 I]], lambda_0 = l0 =
// sigma_1(A)/2 + 1/tau (lifted), or Y_l = [[l0/D I, -a_l/2], [-a_l^T/2,
// l0]], l0 = sqrt(D) max_l |a_l|/2 + 1/tau (columns, a_l column l of A).
//
// stage is called with each iterate's Z and lambda (margin pairs only);
// the method stops when it returns false, after 100 iterations, when a
// system cannot be solved, or at the deadline (an error).
func (ps *pairSpace) nuclearIPM(z0 []float64, columns, second bool, b *run.Budget, stage func(z *mat.Dense, lambda []float64) bool) error {
	np := newNuclearProblem(ps, z0, columns, second, stage)
	if np == nil {
		return nil
	}
	return ipm.Mehrotra(np, ipm.MehrotraOptions{MaxIter: 100}, b, ipm.Method)
}

// nuclearProblem is nuclearIPM's iterate (Z, the blocks' variables and
// gam in x, the margins s, the trace slack s0, the blocks' slacks sm,
// lambda, lambda0, Y), its Nesterov-Todd scalings, directions and Newton
// system: a ipm.Problem.
type nuclearProblem struct {
	ps                      *pairSpace
	second                  bool
	stage                   func(z *mat.Dense, lambda []float64) bool
	lay                     *nuclearLayout
	k, d, nz, nv, ng, m, nb int
	cone                    int

	x, s, lambda []float64
	s0, lambda0  float64
	sm, y        []*mat.SymDense

	chol               []mat.Cholesky
	sinv               []*mat.SymDense
	nt                 []ntScaling
	mw                 [][]float64
	dS, dY, corr       []*mat.SymDense
	hchol              dense.Cholesky
	dg, rc, tmp        []float64
	dx, ds, dl         []float64
	dsAff, dlAff       []float64
	rc0, ds0, dl0, dg0 float64
	h                  *mat.SymDense
}

// newNuclearProblem returns nuclearIPM's problem at its start, nil when
// the start cannot be computed (the method stops).
func newNuclearProblem(ps *pairSpace, z0 []float64, columns, second bool, stage func(z *mat.Dense, lambda []float64) bool) *nuclearProblem {
	k, d := ps.k, ps.d
	nz := k * d
	lay := newNuclearLayout(k, d, columns)
	nv := lay.nv
	ng := nv - 1 // index of gam
	m := ps.pairs()
	nb := len(lay.dims)
	cone := 0
	for _, p := range lay.dims {
		cone += p
	}

	// Primal start.
	x := make([]float64, nv)
	zs := mat.NewDense(k, d, append([]float64(nil), z0...))
	var svd mat.SVD
	if !svd.Factorize(zs, mat.SVDThin) {
		return nil
	}
	sv := svd.Values(nil)
	if floats.Sum(sv) == 0 {
		return nil
	}
	scale := 0.5 / floats.Sum(sv)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	e := 0.5 / float64(k+d)
	floats.ScaleTo(x[:nz], scale, z0)
	root := func(f *mat.Dense, dim int) *mat.SymDense {
		r := mat.NewSymDense(dim, nil)
		for i := range dim {
			for l := i; l < dim; l++ {
				var t float64
				for c, sc := range sv {
					t += f.At(i, c) * f.At(l, c) * sc * scale
				}
				if i == l {
					t += e
				}
				r.SetSym(i, l, t)
			}
		}
		return r
	}
	pm := root(&u, k)
	for i := range k {
		for j := i; j < k; j++ {
			x[lay.pIdx[i][j]] = pm.At(i, j)
		}
	}
	if columns {
		var pc mat.Cholesky
		if !pc.Factorize(pm) {
			return nil
		}
		zl := mat.NewVecDense(k, nil)
		sol := mat.NewVecDense(k, nil)
		for l := range d {
			for a := range k {
				zl.SetVec(a, x[a*d+l])
			}
			if err := pc.SolveVecTo(sol, zl); err != nil && !isCondition(err) {
				return nil
			}
			x[lay.qIdx[l][0]] = mat.Dot(zl, sol) + e
		}
	} else {
		qm := root(&v, d)
		for i := range d {
			for j := i; j < d; j++ {
				x[lay.qIdx[i][j]] = qm.At(i, j)
			}
		}
	}
	s := make([]float64, m)
	ps.margins(mat.NewDense(k, d, x[:nz]), s)
	lo, hi := floats.Min(s), floats.Max(s)
	spread := max(hi-lo, math.Abs(lo), math.Abs(hi))
	if spread == 0 {
		spread = 1
	}
	x[ng] = lo - spread
	s0 := 2 - lay.traceOf(x)
	var tau float64
	for j := range s {
		s[j] -= x[ng]
		tau += 1 / s[j]
	}
	sm := make([]*mat.SymDense, nb)
	for b := range nb {
		sm[b] = lay.slack(b, x)
	}

	// Dual start.
	lambda := make([]float64, m)
	for j := range s {
		lambda[j] = 1 / (tau * s[j])
	}
	var av mat.Dense
	ps.adjoint(lambda, &av)
	y := make([]*mat.SymDense, nb)
	var lambda0 float64
	if columns {
		var amax float64
		for l := range d {
			amax = max(amax, floats.Norm(mat.Col(nil, l, &av), 2))
		}
		lambda0 = math.Sqrt(float64(d))*amax/2 + 1/tau
		for l := range d {
			yl := mat.NewSymDense(k+1, nil)
			for i := range k {
				yl.SetSym(i, i, lambda0/float64(d))
				yl.SetSym(i, k, -av.At(i, l)/2)
			}
			yl.SetSym(k, k, lambda0)
			y[l] = yl
		}
	} else {
		lambda0 = 1 / tau
		var asvd mat.SVD
		if asvd.Factorize(&av, mat.SVDNone) {
			lambda0 += asvd.Values(nil)[0] / 2
		}
		y0 := mat.NewSymDense(k+d, nil)
		for i := range k + d {
			y0.SetSym(i, i, lambda0)
		}
		for i := range k {
			for l := range d {
				y0.SetSym(i, k+l, -av.At(i, l)/2)
			}
		}
		y[0] = y0
	}

	chol := make([]mat.Cholesky, nb)
	sinv := make([]*mat.SymDense, nb)
	nt := make([]ntScaling, nb)
	mw := make([][]float64, nb)
	dS := make([]*mat.SymDense, nb)
	dY := make([]*mat.SymDense, nb)
	corr := make([]*mat.SymDense, nb)
	for b, p := range lay.dims {
		sinv[b] = mat.NewSymDense(p, nil)
		mw[b] = make([]float64, p*p)
		dY[b] = mat.NewSymDense(p, nil)
		corr[b] = mat.NewSymDense(p, nil)
	}
	dg := make([]float64, m)
	rc := make([]float64, m)
	tmp := make([]float64, m)
	dx := make([]float64, nv)
	ds := make([]float64, m)
	dl := make([]float64, m)
	dsAff := make([]float64, m)
	dlAff := make([]float64, m)
	var rc0, ds0, dl0, dg0 float64
	h := mat.NewSymDense(nv, nil)

	return &nuclearProblem{
		ps: ps, second: second, stage: stage, lay: lay,
		k: k, d: d, nz: nz, nv: nv, ng: ng, m: m, nb: nb, cone: cone,
		x: x, s: s, lambda: lambda, s0: s0, lambda0: lambda0, sm: sm, y: y,
		chol: chol, sinv: sinv, nt: nt, mw: mw, dS: dS, dY: dY, corr: corr,
		dg: dg, rc: rc, tmp: tmp, dx: dx, ds: ds, dl: dl, dsAff: dsAff, dlAff: dlAff,
		rc0: rc0, ds0: ds0, dl0: dl0, dg0: dg0, h: h,
	}
}

func (np *nuclearProblem) Residuals() (mu float64, more bool) {
	k, d, nz, m, nb := np.k, np.d, np.nz, np.m, np.nb
	if !np.stage(mat.DenseCopyOf(mat.NewDense(k, d, np.x[:nz])), append([]float64(nil), np.lambda...)) {
		return 0, false
	}
	mu = floats.Dot(np.s, np.lambda) + np.s0*np.lambda0
	for b := range nb {
		mu += traceProduct(np.sm[b], np.y[b])
	}
	mu /= float64(m + 1 + np.cone)
	return mu, true
}

func (np *nuclearProblem) Factor() bool {
	lay, ng, m := np.lay, np.ng, np.m
	dg, mw := np.dg, np.mw
	for j := range m {
		dg[j] = np.lambda[j] / np.s[j]
	}
	np.dg0 = np.lambda0 / np.s0
	np.ps.marginBlock(np.h, dg, ng)
	raw := np.h.RawSymmetric()
	for w := range ng {
		if !lay.trace[w] {
			continue
		}
		for w2 := w; w2 < ng; w2++ {
			if lay.trace[w2] {
				raw.Data[w*raw.Stride+w2] += np.dg0
			}
		}
	}
	for b, p := range lay.dims {
		if !np.chol[b].Factorize(np.sm[b]) {
			return false
		}
		if err := np.chol[b].InverseTo(np.sinv[b]); err != nil && !isCondition(err) {
			return false
		}
		if !np.nt[b].factorize(&np.chol[b], np.y[b]) {
			return false
		}
		mb := mw[b]
		for i := range p {
			for j := range p {
				mb[i*p+j] = np.nt[b].winv.At(i, j)
			}
		}
		lay.blockHessian(raw, b, mb, lay.shared)
	}
	lay.sharedHessian(raw, mw)
	return factorRidge(&np.hchol, np.h)
}

func (np *nuclearProblem) Direction(sigma, mu float64, corr bool) bool {
	s, lambda, rc := np.s, np.lambda, np.rc
	if !corr {
		for b := range np.nb {
			np.corr[b].Zero()
		}
		for j := range np.m {
			rc[j] = -s[j] * lambda[j]
		}
		np.rc0 = -np.s0 * np.lambda0
		return np.solve(0)
	}
	copy(np.dsAff, np.ds)
	copy(np.dlAff, np.dl)
	ds0Aff, dl0Aff := np.ds0, np.dl0
	if np.second {
		for b := range np.nb {
			np.nt[b].corrector(np.dS[b], np.dY[b], np.corr[b])
		}
	}
	for j := range np.m {
		rc[j] = sigma*mu - s[j]*lambda[j] - np.dsAff[j]*np.dlAff[j]
	}
	np.rc0 = sigma*mu - np.s0*np.lambda0 - ds0Aff*dl0Aff
	return np.solve(sigma * mu)
}

// solve solves the Newton system for the targets rc and rc0 (linear
// blocks) and sigmaMu (semidefinite blocks) and stores the step.
func (np *nuclearProblem) solve(sigmaMu float64) bool {
	lay, k, d, nz, nv, ng, m, nb := np.lay, np.k, np.d, np.nz, np.nv, np.ng, np.m, np.nb
	s, lambda, rc, tmp, dx, ds, dl := np.s, np.lambda, np.rc, np.tmp, np.dx, np.ds, np.dl
	sinv, corr, y, mw, dS, dY := np.sinv, np.corr, np.y, np.mw, np.dS, np.dY
	for j := range m {
		tmp[j] = lambda[j] + rc[j]/s[j]
	}
	var a mat.Dense
	np.ps.adjoint(tmp, &a)
	copy(dx, a.RawMatrix().Data)
	for w := nz; w < ng; w++ {
		dx[w] = 0
		if lay.trace[w] {
			dx[w] = -(np.lambda0 + np.rc0/np.s0)
		}
	}
	dx[ng] = 1 - floats.Sum(tmp)
	for b := range nb {
		for _, en := range lay.entries[b] {
			dx[en.v] += 2 * en.alpha * (sigmaMu*sinv[b].At(en.r, en.c) - corr[b].At(en.r, en.c))
		}
	}
	vv := mat.NewVecDense(nv, dx)
	if err := np.hchol.SolveVecTo(vv, vv); err != nil && !isCondition(err) {
		return false
	}
	np.ps.margins(mat.NewDense(k, d, dx[:nz]), ds)
	for j := range m {
		ds[j] -= dx[ng]
		dl[j] = rc[j]/s[j] - np.dg[j]*ds[j]
	}
	np.ds0 = -lay.traceOf(dx)
	np.dl0 = np.rc0/np.s0 - np.dg0*np.ds0
	for b, p := range lay.dims {
		dS[b] = lay.slack(b, dx)
		var mdm mat.Dense
		mm := mat.NewDense(p, p, mw[b])
		mdm.Mul(mm, dS[b])
		mdm.Mul(&mdm, mm)
		for i := range p {
			for j := i; j < p; j++ {
				dY[b].SetSym(i, j, sigmaMu*sinv[b].At(i, j)-y[b].At(i, j)-corr[b].At(i, j)-(mdm.At(i, j)+mdm.At(j, i))/2)
			}
		}
	}
	return true
}

// MaxSteps returns the primal and dual step lengths to the boundary, at
// most 1.
func (np *nuclearProblem) MaxSteps() (float64, float64, bool) {
	ap, ad := linearSteps(np.s, np.ds, np.lambda, np.dl)
	if np.ds0 < 0 {
		ap = min(ap, -np.s0/np.ds0)
	}
	if np.dl0 < 0 {
		ad = min(ad, -np.lambda0/np.dl0)
	}
	for b := range np.nb {
		mp, ok1 := psdStep(np.sm[b], np.dS[b])
		md, ok2 := psdStep(np.y[b], np.dY[b])
		if !ok1 || !ok2 {
			return 0, 0, false
		}
		ap, ad = min(ap, mp), min(ad, md)
	}
	return ap, ad, true
}

// coneProduct returns sum_b tr((S_b + ap dS_b)(Y_b + ad dY_b)).
func (np *nuclearProblem) coneProduct(ap, ad float64) float64 {
	var t float64
	for b, p := range np.lay.dims {
		sa := mat.NewSymDense(p, nil)
		sa.AddSym(np.sm[b], scaledSym(ap, np.dS[b]))
		ya := mat.NewSymDense(p, nil)
		ya.AddSym(np.y[b], scaledSym(ad, np.dY[b]))
		t += traceProduct(sa, ya)
	}
	return t
}

// AffineMu returns the complementarity after the steps, at least 0.
func (np *nuclearProblem) AffineMu(ap, ad float64) float64 {
	s, lambda, ds, dl := np.s, np.lambda, np.ds, np.dl
	muAff := (np.s0 + ap*np.ds0) * (np.lambda0 + ad*np.dl0)
	for j := range np.m {
		muAff += (s[j] + ap*ds[j]) * (lambda[j] + ad*dl[j])
	}
	muAff = (muAff + np.coneProduct(ap, ad)) / float64(np.m+1+np.cone)
	return max(muAff, 0)
}

// Step offers the dual point of the longest Step of lambda (fullDualStep)
// and takes the steps of sdpStepLengths.
func (np *nuclearProblem) Step(ap, ad float64) bool {
	k, d, nz := np.k, np.d, np.nz
	if lf := fullDualStep(np.s, np.ds, np.lambda, np.dl, ad); lf != nil && !np.stage(mat.DenseCopyOf(mat.NewDense(k, d, np.x[:nz])), lf) {
		return false
	}
	ap, ad = sdpStepLengths(ap, ad)
	floats.AddScaled(np.x, ap, np.dx)
	floats.AddScaled(np.s, ap, np.ds)
	np.s0 += ap * np.ds0
	floats.AddScaled(np.lambda, ad, np.dl)
	np.lambda0 += ad * np.dl0
	for b := range np.nb {
		np.sm[b] = np.lay.slack(b, np.x)
		np.y[b].AddSym(np.y[b], scaledSym(ad, np.dY[b]))
	}
	return true
}
