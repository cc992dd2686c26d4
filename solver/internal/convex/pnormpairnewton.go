package convex

import (
	"math"

	"maxmargin/solver/internal/dense"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// entryHessian stores in hzz, hzt and htt the per-entry blocks of the
// Hessian of the power-cone barrier at u = (z, t) (pnormBarrier's
// formulas, without the term q^2 1 1^T of -log(1 - sum t) on the t-t
// block) and returns q = 1/(1 - sum t), or false outside the domain.
func (b pnormBarrier) entryHessian(u, hzz, hzt, htt []float64) (float64, bool) {
	n, r := b.n, 2/b.p
	z, t := u[:n], u[n:2*n]
	sum := floats.Sum(t)
	if !(sum < 1) {
		return 0, false
	}
	for a := range n {
		if !(t[a] > 0) {
			return 0, false
		}
		tr := math.Pow(t[a], r)
		g := tr - z[a]*z[a]
		if !(g > 0) {
			return 0, false
		}
		dt := r * tr / t[a]
		hzz[a] = 2/g + 4*z[a]*z[a]/(g*g)
		hzt[a] = -2 * z[a] * dt / (g * g)
		htt[a] = -(r-1)*dt/(t[a]*g) + dt*dt/(g*g) + 2/(t[a]*t[a])
	}
	return 1 / (1 - sum), true
}

// usePairSpace reports whether runPD solves its Newton systems in pair
// space (newtonStepPairs): for the power-cone barrier when the pairs are
// at most four fifths of the entries of Z, n(k-1) <= 4kD/5, where the
// (n(k-1)+1)-square capacitance matrix is at most about half the work of
// the (kD+1)-square Cholesky factorisation of newtonStepBall (its
// assembly, O(k n^2 D), is small beside either). It was n(k-1) <= kD/2;
// at Gaussian (50,50,40) (1560 pairs, kD = 2000) l1.5 took 39 s in weight
// space and 22 s in pair space (same session, load about 5 on 2 cores).
func (bp *barrierProblem) usePairSpace() bool {
	lb, ok := bp.ball.(pnormBarrier)
	return ok && lb.n >= 2 && 5*bp.pairs() <= 4*bp.k*bp.d
}

// newtonStepPairs is newtonSystem followed by newtonStepBall for the
// power-cone barrier, without forming the (2kD+1)-square matrix: it stores
// the gradient g and the step -H^{-1} g in g and step and returns the
// squared Newton decrement. After t is eliminated (newtonStepBall) the
// system over (z, gam) is
//
//	[[P, -M^T h], [-h^T M, sum h]] (x_z, x_gam) = rhs,   P = D + rho v v^T + M^T diag(h) M,
//
// D = diag(hzz - hzt^2/dt), M the n(k-1)×kD matrix of the pairs' v_j and
// h = hc. Block elimination gives x_gam = (rhs_gam + h^T M P^-1 rhs_z) /
// (sum h - h^T M P^-1 M^T h) and x_z = P^-1 (rhs_z + M^T h x_gam), and
// P^-1 = D^-1 - D^-1 W S^-1 W^T D^-1 (Sherman, Morrison and Woodbury) with
// W = [M^T, v] and the capacitance matrix
//
//	S = diag(1/h, 1/rho) + W^T D^-1 W,
//
// whose pair block (v_j^T D^-1 v_l) is assembled from the k Gram matrices
// T diag(D^-1_a) T^T (a the classes), O(k n^2 D), and factorised by
// Cholesky: (n(k-1)+1)^3/3 instead of (kD+1)^3/3. The phases are methods
// of pairNewton: newPairNewton (entryHessian), gradient, eliminateT,
// reducedGradient, factorCapacitance, solveZGam and backSubstitute.
func (bp *barrierProblem) newtonStepPairs(u []float64, tau float64, gc, hc, g, step []float64) (float64, bool) {
	s, ok := bp.newPairNewton(u)
	if !ok {
		return 0, false
	}
	if !s.gradient(u, tau, gc, g) {
		return 0, false
	}
	if !positiveFinite(hc) {
		return 0, false
	}
	if !s.eliminateT() {
		return 0, false
	}
	rz, rg := s.reducedGradient(g)
	if !s.factorCapacitance(hc) {
		return 0, false
	}
	x, xg, ok := s.solveZGam(hc, rz, rg)
	if !ok {
		return 0, false
	}
	s.backSubstitute(g, x, xg, step)
	return -floats.Dot(step, g), true
}

// pairNewton is the state of newtonStepPairs: the per-entry Hessian
// blocks at u, the elimination of t (v, D^-1, rho), and the Cholesky
// factor of the capacitance matrix S with the scratch of its solves.
type pairNewton struct {
	bp         *barrierProblem
	lb         pnormBarrier
	n, d, k    int // n = kD entries of Z
	np, nn     int // pairs and samples
	hzz, c, dt []float64
	q          float64
	v, dinv    []float64 // v = hzt/dt, D^-1 = 1/(hzz - hzt^2/dt)
	rho        float64   // 1/(1/q^2 + sum 1/dt)
	chol       dense.Cholesky
}

// newPairNewton returns newtonStepPairs' state with the per-entry Hessian
// blocks hzz, c = hzt and dt = htt at u and q = 1/(1 - sum t)
// (entryHessian), or false outside the domain.
func (bp *barrierProblem) newPairNewton(u []float64) (*pairNewton, bool) {
	lb := bp.ball.(pnormBarrier)
	n, d, k := lb.n, bp.d, bp.k
	np := bp.pairs()
	nn := bp.n
	hzz := make([]float64, n)
	c := make([]float64, n)
	dt := make([]float64, n)
	q, ok := lb.entryHessian(u, hzz, c, dt)
	if !ok {
		return nil, false
	}
	return &pairNewton{bp: bp, lb: lb, n: n, d: d, k: k, np: np, nn: nn, hzz: hzz, c: c, dt: dt, q: q}, true
}

// gradient stores in g newtonSystem's gradient: the barrier's gradient
// over (z, t) less M^T gc on z, and -tau + sum gc for gam. It returns
// false outside the barrier's domain.
func (s *pairNewton) gradient(u []float64, tau float64, gc, g []float64) bool {
	n := s.n
	// Gradient (newtonSystem).
	if _, ok := s.lb.eval(u, g[:2*n], nil); !ok {
		return false
	}
	var gz mat.Dense
	s.bp.adjoint(gc, &gz)
	for i, v := range gz.RawMatrix().Data {
		g[i] -= v
	}
	g[2*n] = -tau + floats.Sum(gc)
	return true
}

// positiveFinite reports whether every entry of x is positive and finite.
func positiveFinite(x []float64) bool {
	for _, v := range x {
		if !(v > 0) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// eliminateT computes the elimination of t (newtonStepBall): v = c/dt,
// rho = 1/(1/q^2 + sum 1/dt) and D^-1 = 1/(hzz - c^2/dt), the inverse of
// the z-z block's diagonal part after t is eliminated. It returns false
// when some dt or D entry is not positive.
func (s *pairNewton) eliminateT() bool {
	n, q, c, dt, hzz := s.n, s.q, s.c, s.dt, s.hzz
	// Elimination of t (newtonStepBall).
	q2 := q * q
	v := make([]float64, n)
	dinv := make([]float64, n)
	var sumInv float64
	for a := range n {
		if !(dt[a] > 0) {
			return false
		}
		v[a] = c[a] / dt[a]
		sumInv += 1 / dt[a]
	}
	rho := 1 / (1/q2 + sumInv)
	for a := range n {
		da := hzz[a] - c[a]*c[a]/dt[a]
		if !(da > 0) {
			return false
		}
		dinv[a] = 1 / da
	}
	s.v, s.dinv, s.rho = v, dinv, rho
	return true
}

// einv stores E^-1 x in out, E the t-t block (tBlockSolve).
func (s *pairNewton) einv(x, out []float64) { tBlockSolve(s.dt, s.rho, x, out) }

// reducedGradient returns the right-hand side over (z, gam) after t is
// eliminated: rhs_z = g_z - C E^-1 g_t and rhs_gam = g_gam.
func (s *pairNewton) reducedGradient(g []float64) ([]float64, float64) {
	n, c := s.n, s.c
	et := make([]float64, n)
	s.einv(g[n:2*n], et)
	rz := make([]float64, n)
	for a := range n {
		rz[a] = g[a] - c[a]*et[a]
	}
	rg := g[2*n]
	return rz, rg
}

// factorCapacitance assembles the capacitance matrix S = diag(1/h,
// 1/rho) + W^T D^-1 W, W = [M^T, v], (np+1)-square: its pair block
// v_j^T D^-1 v_l from the k Gram matrices T diag(D^-1_a) T^T, its last
// column M D^-1 v and corner 1/rho + v^T D^-1 v, and factorises it by
// Cholesky. It returns false when S is not numerically positive definite.
func (s *pairNewton) factorCapacitance(hc []float64) bool {
	bp, n, d, k, np, nn, dinv, v, rho := s.bp, s.n, s.d, s.k, s.np, s.nn, s.dinv, s.v, s.rho
	// Capacitance matrix S, (np+1)-square.
	sm := mat.NewSymDense(np+1, nil)
	sr := sm.RawSymmetric()
	grams := make([]*mat.Dense, k)
	scaled := mat.NewDense(nn, d, nil)
	for a := range k {
		for i := range nn {
			src, dst := bp.t.RawRowView(i), scaled.RawRowView(i)
			for l, x := range src {
				dst[l] = x * dinv[a*d+l]
			}
		}
		grams[a] = new(mat.Dense)
		grams[a].Mul(scaled, bp.t.T())
	}
	pi := make([]int, np)
	py := make([]int, np)
	pc := make([]int, np)
	for j := range np {
		pi[j], pc[j] = bp.pairOf(j)
		py[j] = bp.y[pi[j]]
	}
	for j := range np {
		row := sr.Data[j*sr.Stride:]
		i, y, cc := pi[j], py[j], pc[j]
		gy, gc2 := grams[y].RawRowView(i), grams[cc].RawRowView(i)
		for l := j; l < np; l++ {
			i2, y2, c2 := pi[l], py[l], pc[l]
			var e float64
			// sum over the classes a in {y, c} x {y2, c2} with signs.
			if y == y2 {
				e += gy[i2]
			}
			if y == c2 {
				e -= gy[i2]
			}
			if cc == y2 {
				e -= gc2[i2]
			}
			if cc == c2 {
				e += gc2[i2]
			}
			row[l] = e
		}
		row[j] += 1 / hc[j]
	}
	dv := make([]float64, n)
	for a := range n {
		dv[a] = dinv[a] * v[a]
	}
	mdv := make([]float64, np)
	bp.margins(mat.NewDense(k, d, dv), mdv)
	for j := range np {
		sr.Data[j*sr.Stride+np] = mdv[j]
	}
	sr.Data[np*sr.Stride+np] = 1/rho + floats.Dot(v, dv)
	return s.chol.Factorize(sm)
}

// solveZGam solves the system over (z, gam) by block elimination with
// P^-1 = D^-1 - D^-1 W S^-1 W^T D^-1 (Woodbury): with w = M^T h, x_gam =
// (rhs_gam + w^T P^-1 rhs_z) / (sum h - w^T P^-1 w) and x_z = P^-1 (rhs_z
// + w x_gam), and returns -x_z and -x_gam (newtonStep's sign), or false
// when a solve fails, the denominator is not positive or the result is
// not finite.
func (s *pairNewton) solveZGam(hc, rz []float64, rg float64) ([]float64, float64, bool) {
	bp, n, d, k, np, dinv, v := s.bp, s.n, s.d, s.k, s.np, s.dinv, s.v
	chol := &s.chol
	// pinv stores P^-1 y in out.
	wty := make([]float64, np+1)
	dy := make([]float64, n)
	sol := mat.NewVecDense(np+1, nil)
	pinv := func(y, out []float64) bool {
		for a := range n {
			dy[a] = dinv[a] * y[a]
		}
		bp.margins(mat.NewDense(k, d, dy), wty[:np])
		wty[np] = floats.Dot(v, dy)
		if err := chol.SolveVecTo(sol, mat.NewVecDense(np+1, wty)); err != nil && !isCondition(err) {
			return false
		}
		var wx mat.Dense
		bp.adjoint(sol.RawVector().Data[:np], &wx)
		last := sol.AtVec(np)
		for a, x := range wx.RawMatrix().Data {
			out[a] = dy[a] - dinv[a]*(x+last*v[a])
		}
		return true
	}
	// w = M^T h.
	var mh mat.Dense
	bp.adjoint(hc, &mh)
	w := mh.RawMatrix().Data
	pz := make([]float64, n)
	pw := make([]float64, n)
	if !pinv(rz, pz) || !pinv(w, pw) {
		return nil, 0, false
	}
	den := floats.Sum(hc) - floats.Dot(w, pw)
	if !(den > 0) {
		return nil, 0, false
	}
	// Solution of A' sol = rhs, then x = -sol as newtonStep's.
	xg := (rg + floats.Dot(w, pz)) / den
	x := make([]float64, n)
	for a := range n {
		x[a] = -(pz[a] + xg*pw[a])
	}
	xg = -xg
	if !finite(x) || math.IsNaN(xg) || math.IsInf(xg, 0) {
		return nil, 0, false
	}
	return x, xg, true
}

// backSubstitute stores the step in step: x_z, -E^-1 (g_t + C x_z) for t,
// and x_gam.
func (s *pairNewton) backSubstitute(g, x []float64, xg float64, step []float64) {
	n, c := s.n, s.c
	// y_t = E^-1 (g_t + C x_z); step_t = -y_t.
	ut := make([]float64, n)
	for a := range n {
		ut[a] = g[n+a] + c[a]*x[a]
	}
	y := make([]float64, n)
	s.einv(ut, y)
	for a := range n {
		step[a] = x[a]
		step[n+a] = -y[a]
	}
	step[2*n] = xg
}
