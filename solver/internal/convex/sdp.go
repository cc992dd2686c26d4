package convex

import (
	"math"

	"maxmargin/solver/internal/dense"
	"maxmargin/solver/internal/ipm"
	"maxmargin/solver/internal/run"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// spectralIPM solves the spectral max-margin problem as the linear cone
// programme (an SDP with n(k-1) linear inequalities)
//
//	maximize gam  s.t.  s_j = <v_j, Z> - gam >= 0,  S = F(Z) = [[I_k, Z], [Z^T, I_D]] >= 0,
//
// (F(Z) is positive semidefinite exactly when sigma_1(Z) <= 1), with
// duals lambda >= 0 of the margins and Y >= 0 of F; dual feasibility reads
// sum_j lambda_j = 1 and A(lambda) = sum_j lambda_j v_j = -2 Y_12, which
// gives nuclear(A(lambda)) <= tr Y, the dual objective. The method is
// Mehrotra's predictor-corrector with the Nesterov-Todd scaling W of the
// semidefinite block (W Y W = S; W = L V Sigma^-1 V^T L^T from S = L L^T,
// Y = R R^T and the SVD R^T L = U Sigma V^T; Todd, Toh and Tuetuencue 1998),
// Mehrotra's second-order term on the linear block and, when second is
// true, on the semidefinite block (ntScaling.corrector). The primal
// iterate stays feasible (s and S are the margins and F(Z) of the current
// Z), the dual starts on the central path of the start point and its
// residual vanishes with the steps. Each iteration solves, over (Z, gam),
//
//	(sum_j D_j a_j a_j^T + G^T (M . M) G) dx = rhs,   D = lambda/s,  M = W^-1,
//
// a_j = (v_j, -1), G Z = F(Z) - I, whose Z-Z entries of the second term
// are tr(M E_ab M E_ce) = 2 (M_ac M_{k+b,k+e} + M_{a,k+e} M_{c,k+b}); the
// right-hand side, with rc the target of lambda_j s_j,
//
//	rhs_Z = A(lambda + rc/s) + 2 sigma mu (S^-1)_12,   rhs_gam = 1 - sum_j (lambda_j + rc_j/s_j),
//
// and then ds_j = <v_j, dZ> - dgam, dlambda = rc/s - D ds, dS = F(dZ) - I,
// dY = sigma mu S^-1 - Y - M dS M. The primal and dual step lengths are
// separate (the problem is linear), a fraction (sdpStepLengths) of the
// way to the boundary of s, lambda >= 0 and S, Y >= 0 (the least
// eigenvalue of L^-1 dS L^-T).
//
// stage is called with each iterate's Z and lambda; the method stops when
// it returns false, after 100 iterations, when a system cannot be solved,
// or at the deadline (an error).
func (ps *pairSpace) spectralIPM(z0 []float64, second bool, b *run.Budget, stage func(z *mat.Dense, lambda []float64) bool) error {
	return ipm.Mehrotra(newSpectralProblem(ps, z0, second, stage), ipm.MehrotraOptions{MaxIter: 100}, b, ipm.Method)
}

// spectralProblem is spectralIPM's iterate (Z and gam in x, the margins s,
// F(Z) in sm, lambda, Y), its Nesterov-Todd scaling, directions and
// Newton system: a ipm.Problem.
type spectralProblem struct {
	ps                 *pairSpace
	second             bool
	stage              func(z *mat.Dense, lambda []float64) bool
	k, d, p, nz, nv, m int

	x, s, lambda []float64
	sm, y        *mat.SymDense
	chol         mat.Cholesky

	dg, rc, tmp  []float64
	dx, ds, dl   []float64
	dsAff, dlAff []float64
	h            *mat.SymDense
	hchol        dense.Cholesky
	sinv, mw     mat.SymDense
	dS, dY, corr *mat.SymDense
	nt           ntScaling
}

// newSpectralProblem returns spectralIPM's problem at its start: Z from
// z0 (spectralBarrier.start), gam below the least margin, lambda on the
// central path and a dual feasible Y.
func newSpectralProblem(ps *pairSpace, z0 []float64, second bool, stage func(z *mat.Dense, lambda []float64) bool) *spectralProblem {
	k, d := ps.k, ps.d
	p := k + d
	nz := k * d
	nv := nz + 1
	m := ps.pairs()

	x := make([]float64, nv)
	spectralBarrier{k: k, d: d}.start(x[:nz], z0)
	s := make([]float64, m)
	ps.margins(mat.NewDense(k, d, x[:nz]), s)
	lo, hi := floats.Min(s), floats.Max(s)
	spread := max(hi-lo, math.Abs(lo), math.Abs(hi))
	if spread == 0 {
		spread = 1
	}
	x[nz] = lo - spread
	var tau float64
	for j := range s {
		s[j] -= x[nz]
		tau += 1 / s[j]
	}
	lambda := make([]float64, m)
	for j := range s {
		lambda[j] = 1 / (tau * s[j])
	}
	sm := sdpSlack(x[:nz], k, d)
	// A dual feasible start: Y = [[c I, -A/2], [-A^T/2, c I]] with
	// A = A(lambda) and c = sigma_1(A)/2 + 1/tau, positive definite.
	var av mat.Dense
	ps.adjoint(lambda, &av)
	c := 1 / tau
	var svd mat.SVD
	if svd.Factorize(&av, mat.SVDNone) {
		c += svd.Values(nil)[0] / 2
	}
	y := mat.NewSymDense(p, nil)
	for i := range p {
		y.SetSym(i, i, c)
	}
	for i := range k {
		for l := range d {
			y.SetSym(i, k+l, -av.At(i, l)/2)
		}
	}

	return &spectralProblem{
		ps: ps, second: second, stage: stage,
		k: k, d: d, p: p, nz: nz, nv: nv, m: m,
		x: x, s: s, lambda: lambda, sm: sm, y: y,
		dg:    make([]float64, m),
		rc:    make([]float64, m),
		tmp:   make([]float64, m),
		dx:    make([]float64, nv),
		ds:    make([]float64, m),
		dl:    make([]float64, m),
		dsAff: make([]float64, m),
		dlAff: make([]float64, m),
		h:     mat.NewSymDense(nv, nil),
		dS:    mat.NewSymDense(p, nil),
		dY:    mat.NewSymDense(p, nil),
		corr:  mat.NewSymDense(p, nil),
	}
}

func (sp *spectralProblem) Residuals() (mu float64, more bool) {
	k, d, nz, m, p := sp.k, sp.d, sp.nz, sp.m, sp.p
	if !sp.stage(mat.DenseCopyOf(mat.NewDense(k, d, sp.x[:nz])), append([]float64(nil), sp.lambda...)) {
		return 0, false
	}
	mu = (floats.Dot(sp.s, sp.lambda) + traceProduct(sp.sm, sp.y)) / float64(m+p)
	return mu, true
}

func (sp *spectralProblem) Factor() bool {
	k, d, nz, m, p := sp.k, sp.d, sp.nz, sp.m, sp.p
	if !sp.chol.Factorize(sp.sm) {
		return false
	}
	if err := sp.chol.InverseTo(&sp.sinv); err != nil && !isCondition(err) {
		return false
	}
	if !sp.nt.factorize(&sp.chol, sp.y) {
		return false
	}
	mw := &sp.mw
	mw.Reset()
	mw.ReuseAsSym(p)
	mw.CopySym(sp.nt.winv)
	for j := range m {
		sp.dg[j] = sp.lambda[j] / sp.s[j]
	}
	sp.ps.marginBlock(sp.h, sp.dg, nz)
	raw := sp.h.RawSymmetric()
	for a := range k {
		for b := range d {
			row := raw.Data[(a*d+b)*raw.Stride:]
			for c := a; c < k; c++ {
				e0 := 0
				if c == a {
					e0 = b
				}
				mac := mw.At(a, c)
				mcb := mw.At(c, k+b)
				for e := e0; e < d; e++ {
					row[c*d+e] += 2 * (mac*mw.At(k+b, k+e) + mw.At(a, k+e)*mcb)
				}
			}
		}
	}
	return factorRidge(&sp.hchol, sp.h)
}

func (sp *spectralProblem) Direction(sigma, mu float64, corr bool) bool {
	s, lambda, rc := sp.s, sp.lambda, sp.rc
	if !corr {
		sp.corr.Zero()
		for j := range sp.m {
			rc[j] = -s[j] * lambda[j]
		}
		return sp.solve(0)
	}
	copy(sp.dsAff, sp.ds)
	copy(sp.dlAff, sp.dl)
	if sp.second {
		sp.nt.corrector(sp.dS, sp.dY, sp.corr)
	}
	for j := range sp.m {
		rc[j] = sigma*mu - s[j]*lambda[j] - sp.dsAff[j]*sp.dlAff[j]
	}
	return sp.solve(sigma * mu)
}

// solve solves the Newton system for the targets rc (linear block) and
// sigmaMu (semidefinite block) and stores the step.
func (sp *spectralProblem) solve(sigmaMu float64) bool {
	k, d, p, nz, nv, m := sp.k, sp.d, sp.p, sp.nz, sp.nv, sp.m
	s, lambda, rc, tmp, dx, ds, dl := sp.s, sp.lambda, sp.rc, sp.tmp, sp.dx, sp.ds, sp.dl
	sinv, corr, dS, dY, y := &sp.sinv, sp.corr, sp.dS, sp.dY, sp.y
	for j := range m {
		tmp[j] = lambda[j] + rc[j]/s[j]
	}
	var a mat.Dense
	sp.ps.adjoint(tmp, &a)
	ad := a.RawMatrix().Data
	for i := range k {
		for l := range d {
			dx[i*d+l] = ad[i*d+l] + 2*sigmaMu*sinv.At(i, k+l) - 2*corr.At(i, k+l)
		}
	}
	dx[nz] = 1 - floats.Sum(tmp)
	v := mat.NewVecDense(nv, dx)
	if err := sp.hchol.SolveVecTo(v, v); err != nil && !isCondition(err) {
		return false
	}
	sp.ps.margins(mat.NewDense(k, d, dx[:nz]), ds)
	for j := range m {
		ds[j] -= dx[nz]
		dl[j] = rc[j]/s[j] - sp.dg[j]*ds[j]
	}
	dS.Zero()
	for i := range k {
		for l := range d {
			dS.SetSym(i, k+l, dx[i*d+l])
		}
	}
	var mdm mat.Dense
	mdm.Mul(&sp.mw, dS)
	mdm.Mul(&mdm, &sp.mw)
	for i := range p {
		for j := i; j < p; j++ {
			dY.SetSym(i, j, sigmaMu*sinv.At(i, j)-y.At(i, j)-corr.At(i, j)-(mdm.At(i, j)+mdm.At(j, i))/2)
		}
	}
	return true
}

// MaxSteps returns the primal and dual step lengths to the boundary, at
// most 1.
func (sp *spectralProblem) MaxSteps() (float64, float64, bool) {
	ap, ad := linearSteps(sp.s, sp.ds, sp.lambda, sp.dl)
	mp, ok1 := psdStep(sp.sm, sp.dS)
	md, ok2 := psdStep(sp.y, sp.dY)
	return min(ap, mp), min(ad, md), ok1 && ok2
}

// AffineMu returns the complementarity after the steps, at least 0.
func (sp *spectralProblem) AffineMu(ap, ad float64) float64 {
	s, lambda, ds, dl, p := sp.s, sp.lambda, sp.ds, sp.dl, sp.p
	var muAff float64
	for j := range sp.m {
		muAff += (s[j] + ap*ds[j]) * (lambda[j] + ad*dl[j])
	}
	sa := mat.NewSymDense(p, nil)
	sa.AddSym(sp.sm, scaledSym(ap, sp.dS))
	ya := mat.NewSymDense(p, nil)
	ya.AddSym(sp.y, scaledSym(ad, sp.dY))
	muAff = (muAff + traceProduct(sa, ya)) / float64(sp.m+p)
	return max(muAff, 0)
}

// Step offers the dual point of the longest Step of lambda (fullDualStep)
// and takes the steps of sdpStepLengths.
func (sp *spectralProblem) Step(ap, ad float64) bool {
	k, d, nz := sp.k, sp.d, sp.nz
	if lf := fullDualStep(sp.s, sp.ds, sp.lambda, sp.dl, ad); lf != nil && !sp.stage(mat.DenseCopyOf(mat.NewDense(k, d, sp.x[:nz])), lf) {
		return false
	}
	ap, ad = sdpStepLengths(ap, ad)
	floats.AddScaled(sp.x, ap, sp.dx)
	floats.AddScaled(sp.s, ap, sp.ds)
	floats.AddScaled(sp.lambda, ad, sp.dl)
	sp.sm = sdpSlack(sp.x[:nz], k, d)
	sp.y.AddSym(sp.y, scaledSym(ad, sp.dY))
	return true
}

// fullDualStep returns lambda + lad dl, lad <= 1 the longest step that
// keeps lambda >= 0, when it is longer than the dual step ad the method
// takes, and nil otherwise. The certificate reads only lambda, so the SDP
// methods offer this point to it as well: it satisfies the linearized dual
// equations, whose residual the short steps of Y (0.1 to 0.3 in the middle
// phase) would otherwise leave decaying by 1 - ad per iteration.
func fullDualStep(s, ds, lambda, dl []float64, ad float64) []float64 {
	_, lad := linearSteps(s, ds, lambda, dl)
	if !(lad > ad) {
		return nil
	}
	lf := make([]float64, len(lambda))
	for j, v := range lambda {
		lf[j] = max(0, v+lad*dl[j])
	}
	return lf
}

// sdpStepLengths returns the primal and dual step lengths the SDP methods
// take, given the largest ones ap and ad that keep the iterate feasible: a
// fraction g = 0.9 + 0.09 min(ap, ad) of each, at most 1 (SDPT3's rule;
// Toh, Todd and Tuetuencue 1999). A short step stops further from the
// boundary and leaves the next iterate better centred. With the fixed
// fraction 0.99, nuclearIPM on random labels (50,50,40) took 45
// iterations, its primal step held to 0.03 to 0.3 by a column block near
// its boundary, and certified in 24.5 s; with this rule it took 16
// iterations and 8.1 s.
func sdpStepLengths(ap, ad float64) (float64, float64) {
	g := 0.9 + 0.09*min(ap, ad, 1)
	return min(1, g*ap), min(1, g*ad)
}

// linearSteps returns the largest primal and dual step lengths, at most 1,
// that keep s + ap ds >= 0 and lambda + ad dl >= 0.
func linearSteps(s, ds, lambda, dl []float64) (ap, ad float64) {
	ap, ad = 1, 1
	for j := range s {
		if ds[j] < 0 {
			ap = min(ap, -s[j]/ds[j])
		}
		if dl[j] < 0 {
			ad = min(ad, -lambda[j]/dl[j])
		}
	}
	return ap, ad
}

// sdpSlack returns F(Z) = [[I_k, Z], [Z^T, I_D]] for Z (k×D, row-major).
func sdpSlack(z []float64, k, d int) *mat.SymDense {
	f := mat.NewSymDense(k+d, nil)
	for i := range k + d {
		f.SetSym(i, i, 1)
	}
	for i := range k {
		for l := range d {
			f.SetSym(i, k+l, z[i*d+l])
		}
	}
	return f
}

// scaledSym returns a a.
func scaledSym(a float64, x *mat.SymDense) *mat.SymDense {
	var out mat.SymDense
	out.ScaleSym(a, x)
	return &out
}

// traceProduct returns tr(A B) for symmetric A and B.
func traceProduct(a, b *mat.SymDense) float64 {
	n := a.SymmetricDim()
	var t float64
	for i := range n {
		for j := range n {
			t += a.At(i, j) * b.At(j, i)
		}
	}
	return t
}

// ntScaling is the Nesterov-Todd scaling of a pair (S, Y) of positive
// definite matrices: with S = L L^T, Y = R R^T and R^T L = U Sigma V^T,
// the matrix r = L V Sigma^-1/2 satisfies r^-1 S r^-T = r^T Y r = Sigma
// (the scaled point, diagonal), W = r r^T satisfies W Y W = S, and
// winv = W^-1 = L^-T V Sigma V^T L^-1.
type ntScaling struct {
	r, rinv *mat.Dense
	sigma   []float64
	winv    *mat.SymDense
}

// factorize computes the scaling of (S, Y) from S's Cholesky
// factorisation; it reports false when Y is not numerically positive
// definite.
func (nt *ntScaling) factorize(s *mat.Cholesky, y *mat.SymDense) bool {
	var yc mat.Cholesky
	if !yc.Factorize(y) {
		return false
	}
	var l, r mat.TriDense
	s.LTo(&l)
	yc.LTo(&r)
	ld := mat.DenseCopyOf(&l) // dense products avoid TriDense's element access
	var rl mat.Dense
	rl.Mul(mat.DenseCopyOf(&r).T(), ld)
	var svd mat.SVD
	if !svd.Factorize(&rl, mat.SVDFull) {
		return false
	}
	var v, linv mat.Dense
	svd.VTo(&v)
	if err := linv.Inverse(ld); err != nil && !isCondition(err) {
		return false
	}
	nt.sigma = svd.Values(nil)
	n := len(nt.sigma)
	// r = L V Sigma^-1/2, rinv = Sigma^1/2 V^T L^-1.
	var lv, vtl mat.Dense
	lv.Mul(ld, &v)
	vtl.Mul(v.T(), &linv)
	nt.r = mat.NewDense(n, n, nil)
	nt.rinv = mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			nt.r.Set(i, j, lv.At(i, j)/math.Sqrt(nt.sigma[j]))
			nt.rinv.Set(i, j, vtl.At(i, j)*math.Sqrt(nt.sigma[i]))
		}
	}
	var full mat.Dense
	full.Mul(nt.rinv.T(), nt.rinv)
	nt.winv = mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			nt.winv.SetSym(i, j, (full.At(i, j)+full.At(j, i))/2)
		}
	}
	return true
}

// corrector stores in out Mehrotra's second-order term of the semidefinite
// block for the affine steps (dS, dY): r^-T K r^-1 with
// K_ij = (dS~ dY~ + dY~ dS~)_ij / (sigma_i + sigma_j), dS~ = r^-1 dS r^-T and
// dY~ = r^T dY r, which solves the scaled complementarity
// Sigma o X = -(dS~ o dY~) (o the symmetrised product) for X.
func (nt *ntScaling) corrector(dS, dY *mat.SymDense, out *mat.SymDense) {
	var ds, dy, t, prod mat.Dense
	t.Mul(nt.rinv, dS)
	ds.Mul(&t, nt.rinv.T())
	t.Mul(nt.r.T(), dY)
	dy.Mul(&t, nt.r)
	prod.Mul(&ds, &dy)
	n := len(nt.sigma)
	kk := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			kk.Set(i, j, (prod.At(i, j)+prod.At(j, i))/(nt.sigma[i]+nt.sigma[j]))
		}
	}
	t.Mul(nt.rinv.T(), kk)
	var c mat.Dense
	c.Mul(&t, nt.rinv)
	for i := range n {
		for j := i; j < n; j++ {
			out.SetSym(i, j, (c.At(i, j)+c.At(j, i))/2)
		}
	}
}

// psdStep returns the largest alpha (+Inf when unbounded) with
// X + alpha dX positive semidefinite, for X positive definite: with
// X = L L^T, -1/lambda_min(L^-1 dX L^-T) when that eigenvalue is negative.
func psdStep(x, dx *mat.SymDense) (float64, bool) {
	var c mat.Cholesky
	if !c.Factorize(x) {
		return 0, false
	}
	var l mat.TriDense
	c.LTo(&l)
	var a, b mat.Dense
	if err := a.Solve(&l, dx); err != nil && !isCondition(err) {
		return 0, false
	}
	if err := b.Solve(&l, a.T()); err != nil && !isCondition(err) {
		return 0, false
	}
	n := x.SymmetricDim()
	sym := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			sym.SetSym(i, j, (b.At(i, j)+b.At(j, i))/2)
		}
	}
	vals, ok := symEigenvalues(sym)
	if !ok {
		return 0, false
	}
	least := vals[0]
	if least >= 0 {
		return math.Inf(1), true
	}
	return -1 / least, true
}
