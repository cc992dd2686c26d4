package convex

import (
	"math"

	"maxmargin/solver/internal/dense"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// pnormBarrier lifts the entry-wise lp ball (1 < p < inf) with one
// variable t_a per entry: sum_a |z_a|^p <= 1 exactly when some t has
// |z_a|^p <= t_a and sum_a t_a <= 1. Each epigraph {|z| <= t^{1/p}} has
// the self-concordant barrier -log(t^{2/p} - z^2) - 2 log t (Nesterov and
// Nemirovskii's barrier of the epigraph of |x|^p), so
//
//	phi(Z, t) = sum_a [-log(t_a^r - z_a^2) - 2 log t_a] - log(1 - sum_a t_a),   r = 2/p,
//
// is a barrier of the lifted ball whose curvature stays finite at z_a = 0
// (unlike that of -log(1 - sum_a |z_a|^p), infinite there for p < 2). u holds Z and then t. With g = t^r - z^2:
// d/dz = 2z/g, d/dt = -r t^{r-1}/g - 2/t, d2/dz2 = 2/g + 4z^2/g^2,
// d2/dzdt = -2 r z t^{r-1}/g^2, d2/dt2 = -r(r-1) t^{r-2}/g + (r t^{r-1})^2/g^2
// + 2/t^2, plus 1/(1 - sum t) on the t-gradient and its square on every
// t-t entry of the Hessian.
type pnormBarrier struct {
	n int
	p float64
}

func (b pnormBarrier) size() int { return 2 * b.n }

// start scales z0 to sum |z|^p = 1/4 and sets t_a = 2|z_a|^p + 1/(4n)
// (sum t = 3/4).
func (b pnormBarrier) start(u, z0 []float64) {
	var h float64
	for _, v := range z0 {
		h += math.Pow(math.Abs(v), b.p)
	}
	floats.ScaleTo(u[:b.n], math.Pow(0.25/h, 1/b.p), z0)
	for a, v := range u[:b.n] {
		u[b.n+a] = 2*math.Pow(math.Abs(v), b.p) + 0.25/float64(b.n)
	}
}

func (b pnormBarrier) eval(u, grad []float64, hess *mat.SymDense) (float64, bool) {
	n, r := b.n, 2/b.p
	z, t := u[:n], u[n:2*n]
	sum := floats.Sum(t)
	if !(sum < 1) {
		return math.Inf(1), false
	}
	f := -math.Log1p(-sum)
	q := 1 / (1 - sum)
	if hess != nil {
		// The leading 2n×2n block is overwritten: zeros off the diagonal
		// of the z-z and z-t blocks (rows of the upper triangle cleared
		// in place, half the work of zeroing the whole matrix, which at
		// kD = 2000 was 8 % of an l<p> solve), the t-t block below.
		raw := hess.RawSymmetric()
		for a := range n {
			clear(raw.Data[a*raw.Stride+a : a*raw.Stride+2*n])
		}
	}
	for a := range n {
		if !(t[a] > 0) {
			return math.Inf(1), false
		}
		tr := math.Pow(t[a], r)
		g := tr - z[a]*z[a]
		if !(g > 0) {
			return math.Inf(1), false
		}
		f -= math.Log(g) + 2*math.Log(t[a])
		dt := r * tr / t[a] // r t^{r-1}
		if grad != nil {
			grad[a] = 2 * z[a] / g
			grad[n+a] = -dt/g - 2/t[a] + q
		}
		if hess != nil {
			hess.SetSym(a, a, 2/g+4*z[a]*z[a]/(g*g))
			hess.SetSym(a, n+a, -2*z[a]*dt/(g*g))
			hess.SetSym(n+a, n+a, -(r-1)*dt/(t[a]*g)+dt*dt/(g*g)+2/(t[a]*t[a]))
		}
	}
	if hess != nil {
		raw := hess.RawSymmetric()
		for a := n; a < 2*n; a++ {
			row := raw.Data[a*raw.Stride:]
			row[a] += q * q
			for c := a + 1; c < 2*n; c++ {
				row[c] = q * q
			}
		}
	}
	return f, true
}

// newtonStepBall is newtonStep for the barrier problem's Newton system h
// over (u, gam). For pnormBarrier it eliminates t: with u = (z, t), the
// t-t block is E = Dt + q^2 1 1^T (Dt diagonal, q = 1/(1 - sum t)), the
// z-t block the diagonal C and t couples to nothing else, so with
// E^-1 = Dt^-1 - rho w w^T (w = Dt^-1 1, rho = 1/(1/q^2 + sum 1/dt); Sherman
// and Morrison) the Schur complement over (z, gam),
//
//	A' = A - diag(c^2/dt) + rho v v^T,   v = c/dt,
//
// is solved for the right-hand side g_1 - C E^-1 g_t, and then
// y_t = E^-1 (g_t - C x_z): a (kD+1)-square Cholesky factorisation instead
// of a (2kD+1)-square one.
func (bp *barrierProblem) newtonStepBall(chol *dense.Cholesky, h *mat.SymDense, g, step []float64) (float64, bool) {
	lb, ok := bp.ball.(pnormBarrier)
	if !ok || lb.n < 2 {
		return newtonStep(chol, h, g, step)
	}
	n := lb.n
	q2 := h.At(n, n+1)
	dt := make([]float64, n)
	v := make([]float64, n)
	var sumInv float64
	for a := range n {
		dt[a] = h.At(n+a, n+a) - q2
		if !(dt[a] > 0) {
			return newtonStep(chol, h, g, step)
		}
		v[a] = h.At(a, n+a) / dt[a]
		sumInv += 1 / dt[a]
	}
	rho := 1 / (1/q2 + sumInv)
	einv := func(x, out []float64) { tBlockSolve(dt, rho, x, out) }
	// Every entry of r's upper triangle is overwritten below, so the
	// matrix is kept across steps (32 MB at kD = 2000).
	if bp.reduced == nil || bp.reduced.SymmetricDim() != n+1 {
		bp.reduced = mat.NewSymDense(n+1, nil)
	}
	r := bp.reduced
	rr := r.RawSymmetric()
	hr := h.RawSymmetric()
	for a := range n {
		copy(rr.Data[a*rr.Stride+a:a*rr.Stride+n], hr.Data[a*hr.Stride+a:a*hr.Stride+n])
		rr.Data[a*rr.Stride+n] = hr.Data[a*hr.Stride+2*n]
		c := h.At(a, n+a)
		rr.Data[a*rr.Stride+a] -= c * c / dt[a]
		for b := a; b < n; b++ {
			rr.Data[a*rr.Stride+b] += rho * v[a] * v[b]
		}
	}
	rr.Data[n*rr.Stride+n] = hr.Data[2*n*hr.Stride+2*n]
	et := make([]float64, n)
	einv(g[n:2*n], et)
	rhs := make([]float64, n+1)
	for a := range n {
		rhs[a] = g[a] - h.At(a, n+a)*et[a]
	}
	rhs[n] = g[2*n]
	x := make([]float64, n+1)
	if _, ok := newtonStep(chol, r, rhs, x); !ok {
		return 0, false
	}
	// x = -A'^-1 rhs; the full solution is sol = -step.
	u := make([]float64, n)
	for a := range n {
		u[a] = g[n+a] + h.At(a, n+a)*x[a]
	}
	y := make([]float64, n)
	einv(u, y)
	for a := range n {
		step[a] = x[a]
		step[n+a] = -y[a]
	}
	step[2*n] = x[n]
	return -floats.Dot(step, g), true
}

// tBlockSolve stores E^-1 x in out for the t-t block E = Dt + q^2 1 1^T of
// pnormBarrier's Hessian: E^-1 x = Dt^-1 x - rho (1^T Dt^-1 x) Dt^-1 1 with
// rho = 1/(1/q^2 + sum 1/dt) (Sherman and Morrison; newtonStepBall).
func tBlockSolve(dt []float64, rho float64, x, out []float64) {
	var s float64
	for a, v := range dt {
		s += x[a] / v
	}
	for a, v := range dt {
		out[a] = x[a]/v - rho*s/v
	}
}
