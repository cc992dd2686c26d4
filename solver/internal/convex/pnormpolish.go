package convex

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"maxmargin/internal/openblas"
	"maxmargin/solver/internal/certify"
)

// polishSteps bounds the Newton steps of polishPNorm, over all changes of its
// active set, and polishPhaseSteps those between two growths of the set:
// from an interior-point iterate whose active set is right, Newton's
// method converges quadratically and 3 to 6 steps reach rounding level;
// the slowest successful phase measured (raw Wine, l1.5, from the first
// stage below 1e-6) took 22, most of them cut short by the backtracking. A
// step costs O(|S|^2 kD), at most about 3 of runPD's (kD+1)-square
// Cholesky factorisations, so the bounds keep a failing polish within a
// stage's cost.
const (
	polishSteps      = 50
	polishPhaseSteps = 25
)

// polishSmallSteps replaces polishSteps when Z has at most
// polishSmallColumns entries, where a step of polishNewton costs little
// (at kD = 60, |S| near 30, microseconds; at digits, kD = 640, about 10
// ms): from an interior-point iterate whose interval is still wide, the
// active set changes many times, each change a phase of 10 to 15 steps
// (raw breast cancer, l3: from runPD's iterate at tau = 5e10, [7.6e-9,
// 2e-8] in the method's units, gam fell from 8.9e-8 to 4.6e-8 in four
// phases and 50 steps; standardized digits, l3: from runPD's stalled
// third stage, 40 % wide, the polish certifies with 400 steps and not
// with 50).
const (
	polishSmallSteps   = 400
	polishSmallColumns = 1000
)

// polishStepLimit returns polishNewton's bound on its Newton steps:
// polishSmallSteps when kD <= polishSmallColumns, polishSteps otherwise.
func (bp *barrierProblem) polishStepLimit() int {
	if bp.k*bp.d <= polishSmallColumns {
		return polishSmallSteps
	}
	return polishSteps
}

// polishDropAll is the step length below which polishNewton, instead of
// cutting the step where the first weight of S reaches 0 (one pair leaves
// S per step), removes from S every pair whose full step would make its
// weight negative: measured on the Gaussian (500,25,10) data, l1.5 and l3
// then certify after 3 stages instead of 4 and 5 (the polish at the 3rd
// had 110 pairs, dropped one per step and ran out of steps), with the
// rounds elsewhere unchanged at 0.01 (at 0.1 and 0.5 raw Wine l1.5 took
// one more).
const polishDropAll = 0.01

// polishPNorm sharpens an interior-point iterate (Z, lambda) of the
// entry-wise lp max-margin problem (1 < p < inf) by solving its
// optimality conditions with the active set fixed. Let q = p/(p-1),
// A(lambda) = sum_j lambda_j v_j and f = ||A||_q. The maximiser of <A, W>
// over ||W||_p <= 1 is the steepest direction
//
//	G(lambda) = grad f(A) = sign(A) |A|^{q-1} / f^{q-1},
//
// and at an optimum with active pairs S (lambda_j = 0 outside S)
// W = G(lambda) and every margin on S equals gamma:
//
//	F(lambda_S, gam) = (<v_j, G(lambda)> - gam for j in S,  sum_S lambda_j - 1) = 0.
//
// Its Jacobian is [[K, -1], [1^T, 0]] with K = M_S H M_S^T, M_S the rows
// vec(v_j) of S and H the Hessian of the q-norm,
//
//	H = (q-1)/f [diag(|A/f|^{q-2}) - G G^T],
//
// positive semidefinite with H A = 0 (G is homogeneous of degree 0), so
// K lambda_S = 0; the bordered matrix is nonsingular when lambda_S spans
// K's null space. For 1 < p <= 2 polishPNorm solves F = 0 by Newton's method
// (polishDual: dense LU of the |S|+1 square Jacobian), for p > 2 the
// equivalent system with Z as a variable (polishPrimal), both by
// polishNewton, from the iterate's weights on the pairs S of activeSet,
// renormalized to sum 1 (and, for p > 2, Z/||Z||_p).
//
// For 1 < p <= 2, when the dual form fails, polishPNorm runs the primal
// form too (polishPNormPrimal), from a fresh start (measured on raw breast
// cancer, l1.5: the dual form starts 1e3 relative off and fails at every
// stage, the primal form converges in 10 steps).
//
// polishPNorm returns W (G(lambda) for p <= 2, Z/||Z||_p for p > 2; ||W||_p
// = 1 up to rounding) and the weights over every pair (0 outside S, sum 1),
// or false when the Newton iteration breaks down. The
// result is a candidate only: whatever it is, W and lambda >= 0 give valid
// bounds, which the caller certifies and keeps only when narrower.
func (bp *barrierProblem) polishPNorm(p float64, z *mat.Dense, lambda []float64) (*mat.Dense, []float64, bool) {
	in, lam, ok := bp.polishStart(z, lambda)
	if !ok {
		return nil, nil, false
	}
	if p > 2 {
		return bp.polishPNormPrimal(p, z, lam, in)
	}
	if w, lam, ok := bp.polishPNormDual(p, lam, in); ok {
		return w, lam, true
	}
	// The dual form failed: the primal form from a fresh start (the
	// Newton iteration changed in and lam).
	if in, lam, ok = bp.polishStart(z, lambda); !ok {
		return nil, nil, false
	}
	return bp.polishPNormPrimal(p, z, lam, in)
}

// polishPNormDual is polishPNorm's dual form for 1 < p <= 2 (polishDual)
// from the weights lam on the active set in, which it changes.
func (bp *barrierProblem) polishPNormDual(p float64, lam []float64, in []bool) (*mat.Dense, []float64, bool) {
	m := make([]float64, bp.pairs())
	// gam = sum_S lambda_j <v_j, G> = <A, G> = f.
	form := &polishDual{bp: bp, q: p / (p - 1), g: mat.NewDense(bp.k, bp.d, nil)}
	x := []float64{1}
	if _, ok := form.eval(x, lam, m, nil); !ok {
		return nil, nil, false
	}
	x[0] = form.f
	if !bp.polishNewton(form, x, lam, in) {
		return nil, nil, false
	}
	if _, ok := form.eval(x, lam, m, nil); !ok {
		return nil, nil, false
	}
	return mat.DenseCopyOf(form.g), lam, true
}

// polishStart returns the active set S = activeSet(Z, lambda) that polishPNorm
// starts from and lambda restricted to S and renormalized to sum 1, or
// false when S is empty or the weights on it vanish.
func (bp *barrierProblem) polishStart(z *mat.Dense, lambda []float64) ([]bool, []float64, bool) {
	in := bp.activeSet(z, lambda)
	if in == nil {
		return nil, nil, false
	}
	lam := make([]float64, bp.pairs())
	for j, v := range in {
		if v {
			lam[j] = lambda[j]
		}
	}
	sum := floats.Sum(lam)
	if !(sum > 0) {
		return nil, nil, false
	}
	floats.Scale(1/sum, lam)
	return in, lam, true
}

// polishPNormPrimal is polishPNorm's Newton iteration in the primal form
// (polishPrimal) from Z/||Z||_p and the weights lam (over every pair, 0
// outside the active set in, sum 1), with the same result. It is the form
// of p > 2, and for 1 < p <= 2 the fallback of polished when the dual form
// fails: the dual form starts from A(lam) with the weights outside S
// dropped, and where A(lambda) cancels to far below the scale of its terms
// (raw breast cancer, l1.5: ||A||_q/sum lambda is 1e-8 of max |v_j|), that
// start is far from the optimum (residual 1e3 relative) and its Newton
// iteration fails, while the primal form, whose first block A(lambda) =
// nu s(Z) is linear in lambda, converges from the iterate's Z in 10 steps.
func (bp *barrierProblem) polishPNormPrimal(p float64, z *mat.Dense, lam []float64, in []bool) (*mat.Dense, []float64, bool) {
	kd := bp.k * bp.d
	m := make([]float64, bp.pairs())
	// Z/||Z||_p, nu = <A, s>/<s, s>, gam = sum_S lambda_j <v_j, Z>.
	x := make([]float64, kd+2)
	copy(x, z.RawMatrix().Data)
	nz := entrywiseNorm(x[:kd], p)
	if !(nz > 0) || math.IsInf(nz, 0) {
		return nil, nil, false
	}
	floats.Scale(1/nz, x[:kd])
	form := &polishPrimal{bp: bp, p: p, sz: make([]float64, kd), r1: make([]float64, kd)}
	x[kd] = 1
	if _, ok := form.eval(x, lam, m, nil); !ok {
		return nil, nil, false
	}
	x[kd] = floats.Dot(form.a.RawMatrix().Data, form.sz) / floats.Dot(form.sz, form.sz)
	x[kd+1] = floats.Dot(lam, m)
	if !(x[kd] > 0) || !bp.polishNewton(form, x, lam, in) {
		return nil, nil, false
	}
	w := mat.NewDense(bp.k, bp.d, x[:kd])
	nz = entrywiseNorm(x[:kd], p)
	if !(nz > 0) || math.IsInf(nz, 0) {
		return nil, nil, false
	}
	w.Scale(1/nz, w)
	return w, lam, true
}

// polishForm is one of the two systems polishPNorm solves by Newton's
// method. The continuous variables x end with gam; the weights lambda are
// over every pair (0 outside the active set S).
type polishForm interface {
	// eval stores in m the margins of the form's W at (x, lambda) and
	// returns max |F| over S, each component relative to its scale
	// (gam for the margins), or false when W is undefined.
	eval(x, lambda, m []float64, idx []int) (float64, bool)
	// direction returns the Newton step (dx, dlambda on idx) at (x,
	// lambda), or false when the system cannot be solved.
	direction(x, lambda, m []float64, idx []int) ([]float64, []float64, bool)
}

// polishNewton runs Newton's method on the form's system from (x, lambda)
// with active set in, and returns the final (x, lambda) with in updated.
// A step is cut where a weight of S reaches 0 (that pair then leaves S),
// unless that is before polishDropAll of it (then every pair whose full
// step is negative leaves S and the step is recomputed), and halved, up
// to 5 times, while it increases the residual; a pair of S
// with weight 0 whose step is negative leaves S before the step. Once the
// residual is at rounding level (1e-13, or falling by less than 10 % per
// step below 1e-8: on raw Wine, l10, the steps converge linearly, by a
// factor 0.36, and a halving rule stopped at 9e-10 with some kernels)
// the pairs outside S with margins below gam join it (addBelow); the
// iteration stops when none lies below gam, and fails when S is full (kD
// pairs) with pairs still below gam, or after polishSteps steps in all or
// polishPhaseSteps without reaching rounding level.
func (bp *barrierProblem) polishNewton(form polishForm, x, lam []float64, in []bool) bool {
	np := bp.pairs()
	m := make([]float64, np)
	trialX := make([]float64, len(x))
	trialL := make([]float64, np)
	members := func() []int {
		idx := make([]int, 0, np)
		for j, v := range in {
			if v {
				idx = append(idx, j)
			}
		}
		return idx
	}
	idx := members()
	worst, ok := form.eval(x, lam, m, idx)
	if !ok {
		return false
	}
	prev := math.Inf(1)
	phase := 0
	for step := 0; step < bp.polishStepLimit(); step, phase = step+1, phase+1 {
		if len(idx) == 0 || phase > polishPhaseSteps {
			return false
		}
		gam := x[len(x)-1]
		if worst <= 1e-13 || (worst > 0.9*prev && worst <= 1e-8) {
			added, below := bp.addBelow(in, m, gam, len(idx))
			if !added {
				// Done when no pair lies below gam; a full set with
				// pairs still below is a failure.
				return !below
			}
			idx = members()
			if worst, ok = form.eval(x, lam, m, idx); !ok {
				return false
			}
			prev, phase = math.Inf(1), 0
			continue
		}
		prev = worst
		dx, dl, ok := form.direction(x, lam, m, idx)
		if !ok {
			return false
		}
		leave := false
		for r, j := range idx {
			if lam[j] == 0 && dl[r] < 0 {
				in[j] = false
				leave = true
			}
		}
		if leave {
			idx = members()
			if worst, ok = form.eval(x, lam, m, idx); !ok {
				return false
			}
			continue
		}
		alpha, block := 1.0, -1
		for r, j := range idx {
			if dl[r] < 0 && lam[j]+dl[r] < 0 {
				if a := lam[j] / -dl[r]; a < alpha {
					alpha, block = a, j
				}
			}
		}
		if alpha < polishDropAll {
			// Blocked early: every pair whose full step would be
			// negative leaves S at once.
			for r, j := range idx {
				if lam[j]+dl[r] < 0 {
					lam[j], in[j] = 0, false
				}
			}
			sum := floats.Sum(lam)
			if !(sum > 0) {
				return false
			}
			floats.Scale(1/sum, lam)
			idx = members()
			if worst, ok = form.eval(x, lam, m, idx); !ok {
				return false
			}
			prev = math.Inf(1)
			continue
		}
		for try := 0; ; try++ {
			for i := range x {
				trialX[i] = x[i] + alpha*dx[i]
			}
			copy(trialL, lam)
			for r, j := range idx {
				trialL[j] = max(0, lam[j]+alpha*dl[r])
			}
			trialIn := idx
			if block >= 0 && try == 0 {
				trialL[block] = 0
				trialIn = slices.DeleteFunc(slices.Clone(idx), func(j int) bool { return j == block })
			}
			w, ok := form.eval(trialX, trialL, m, trialIn)
			if ok && (w < worst || try == 5) {
				copy(x, trialX)
				copy(lam, trialL)
				if len(trialIn) < len(idx) {
					in[block] = false
				}
				idx, worst = trialIn, w
				break
			}
			if try == 5 {
				return false
			}
			alpha /= 2
		}
	}
	return true
}

// polishDual is the form of polishPNorm in (lambda_S, gam), x = (gam), for
// 1 < p <= 2, where G(lambda) = sign(A)|A|^{q-1}/f^{q-1} is smooth
// (q - 1 >= 1).
type polishDual struct {
	bp *barrierProblem
	q  float64
	a  mat.Dense
	g  *mat.Dense
	f  float64
}

func (pd *polishDual) eval(x, lam, m []float64, idx []int) (float64, bool) {
	bp := pd.bp
	bp.adjoint(lam, &pd.a)
	ad := pd.a.RawMatrix().Data
	pd.f = entrywiseNorm(ad, pd.q)
	if !(pd.f > 0) || math.IsInf(pd.f, 0) {
		return 0, false
	}
	gd := pd.g.RawMatrix().Data
	for i, v := range ad {
		gd[i] = math.Copysign(math.Pow(math.Abs(v)/pd.f, pd.q-1), v)
	}
	bp.margins(pd.g, m)
	gam := x[0]
	worst := math.Abs(floats.Sum(lam) - 1)
	for _, j := range idx {
		worst = max(worst, math.Abs(m[j]-gam)/gam)
	}
	return worst, true
}

// direction solves [[K, -1], [1^T, 0]] (dlambda, dgam) = -F with
// K = (q-1)/f (M_S diag(|A/f|^{q-2}) M_S^T - (M_S G)(M_S G)^T).
func (pd *polishDual) direction(x, lam, m []float64, idx []int) ([]float64, []float64, bool) {
	bp := pd.bp
	if _, ok := pd.eval(x, lam, m, idx); !ok {
		return nil, nil, false
	}
	kd := bp.k * bp.d
	ns := len(idx)
	q, f := pd.q, pd.f
	dg := make([]float64, kd)
	for i, v := range pd.a.RawMatrix().Data {
		dg[i] = math.Pow(math.Abs(v)/f, q-2)
	}
	if !finite(dg) {
		return nil, nil, false
	}
	kk := bp.pairGram(idx, dg)
	jac := mat.NewDense(ns+1, ns+1, nil)
	rhs := make([]float64, ns+1)
	scale := (q - 1) / f
	gam := x[0]
	for r, j := range idx {
		row := jac.RawRowView(r)
		src := kk.RawRowView(r)
		for c2, j2 := range idx {
			row[c2] = scale * (src[c2] - m[j]*m[j2])
		}
		row[ns] = -1
		jac.Set(ns, r, 1)
		rhs[r] = -(m[j] - gam)
	}
	rhs[ns] = -(floats.Sum(lam) - 1)
	sol, ok := solveDense(jac, rhs)
	if !ok {
		return nil, nil, false
	}
	return sol[ns:], sol[:ns], true
}

// polishPrimal is the form of polishPNorm for p > 2, where G(lambda), a
// power q - 1 < 1 of A, has unbounded derivatives near the entries of A
// that vanish and Newton's method on the weights alone converges slowly
// (measured on random labels (100,200,5), l3: linearly, 30 steps from
// 1e-2 to 1e-4); there the inverse map, the gradient of the p-norm, is
// smooth. It solves the optimality conditions in x = (Z, nu, gam) and
// lambda_S,
//
//	A(lambda) - nu s(Z) = 0,   <v_j, Z> = gam (j in S),   sum_S lambda_j = 1,   sum |Z_ab|^p = 1,
//
// s(Z) = sign(Z)|Z|^{p-1}. With E = diag(1/(nu (p-1)|Z|^{p-2})) the first
// block gives dZ = E (M_S^T dlambda - s dnu + r_1), which leaves the
// (|S|+2)-square system
//
//	[[M_S E M_S^T, -M_S E s, -1], [(M_S E s)^T, -s^T E s, 0], [1^T, 0, 0]]
//
// in (dlambda, dnu, dgam). The denominators of E are floored at 1e-12 of
// the largest, which makes the step an approximate Newton step where
// entries of Z are near 0 and p is large, and faster and more precise at
// p = 10 than the exact step (measured: see docs/PERFORMANCE.md, section
// "Solver design measurements").
type polishPrimal struct {
	bp     *barrierProblem
	p      float64
	sz, r1 []float64
	a      mat.Dense
}

func (pp *polishPrimal) eval(x, lam, m []float64, idx []int) (float64, bool) {
	bp := pp.bp
	kd := bp.k * bp.d
	zd := x[:kd]
	nu, gam := x[kd], x[kd+1]
	if !(nu > 0) || !finite(zd) {
		return 0, false
	}
	var sBig, r4 float64
	for i, v := range zd {
		pp.sz[i] = math.Copysign(math.Pow(math.Abs(v), pp.p-1), v)
		sBig = max(sBig, math.Abs(pp.sz[i]))
		r4 += math.Pow(math.Abs(v), pp.p)
	}
	bp.adjoint(lam, &pp.a)
	bp.margins(mat.NewDense(bp.k, bp.d, zd), m)
	worst := max(math.Abs(floats.Sum(lam)-1), math.Abs(r4-1))
	for i, v := range pp.a.RawMatrix().Data {
		pp.r1[i] = v - nu*pp.sz[i]
		worst = max(worst, math.Abs(pp.r1[i])/(nu*sBig))
	}
	for _, j := range idx {
		worst = max(worst, math.Abs(m[j]-gam)/gam)
	}
	return worst, true
}

func (pp *polishPrimal) direction(x, lam, m []float64, idx []int) ([]float64, []float64, bool) {
	bp := pp.bp
	if _, ok := pp.eval(x, lam, m, idx); !ok {
		return nil, nil, false
	}
	kd, d, p := bp.k*bp.d, bp.d, pp.p
	zd := x[:kd]
	nu, gam := x[kd], x[kd+1]
	ns := len(idx)
	e := make([]float64, kd)
	var dBig, r4 float64
	for i, v := range zd {
		e[i] = (p - 1) * math.Pow(math.Abs(v), p-2)
		dBig = max(dBig, e[i])
		r4 += math.Pow(math.Abs(v), p)
	}
	r4--
	for i := range e {
		e[i] = 1 / (nu * max(e[i], 1e-12*dBig))
	}
	sz, r1 := pp.sz, pp.r1
	mes := make([]float64, ns)
	mer := make([]float64, ns)
	for r, j := range idx {
		i, c := bp.pairOf(j)
		y := bp.y[i]
		for l, v := range bp.t.RawRowView(i) {
			a1, a2 := y*d+l, c*d+l
			e1, e2 := e[a1]*v, -e[a2]*v
			mes[r] += e1*sz[a1] + e2*sz[a2]
			mer[r] += e1*r1[a1] + e2*r1[a2]
		}
	}
	var ses, ser float64
	for i := range kd {
		ses += e[i] * sz[i] * sz[i]
		ser += e[i] * sz[i] * r1[i]
	}
	kk := bp.pairGram(idx, e)
	jac := mat.NewDense(ns+2, ns+2, nil)
	rhs := make([]float64, ns+2)
	for r, j := range idx {
		row := jac.RawRowView(r)
		copy(row, kk.RawRowView(r))
		row[ns] = -mes[r]
		row[ns+1] = -1
		jac.Set(ns, r, mes[r])
		jac.Set(ns+1, r, 1)
		rhs[r] = -(m[j] - gam) - mer[r]
	}
	jac.Set(ns, ns, -ses)
	rhs[ns] = -r4/p - ser
	rhs[ns+1] = -(floats.Sum(lam) - 1)
	sol, ok := solveDense(jac, rhs)
	if !ok {
		return nil, nil, false
	}
	// dZ = E (M_S^T dlambda - s dnu + r_1).
	dl := make([]float64, bp.pairs())
	for r, j := range idx {
		dl[j] = sol[r]
	}
	dnu := sol[ns]
	var mt mat.Dense
	bp.adjoint(dl, &mt)
	dx := make([]float64, kd+2)
	for i, v := range mt.RawMatrix().Data {
		dx[i] = e[i] * (v - sz[i]*dnu + r1[i])
	}
	dx[kd], dx[kd+1] = dnu, sol[ns+1]
	return dx, sol[:ns], true
}

// solveDense returns the solution of the square system a x = b by LU, or
// false when it is singular or not finite.
func solveDense(a *mat.Dense, b []float64) ([]float64, bool) {
	var lu mat.LU
	lu.Factorize(a)
	var sol mat.VecDense
	// gonum reports an exactly singular matrix as Condition(+Inf) and then
	// leaves sol empty.
	err := lu.SolveVecTo(&sol, false, mat.NewVecDense(len(b), b))
	if (err != nil && !isCondition(err)) || sol.Len() != len(b) || !finite(sol.RawVector().Data) {
		return nil, false
	}
	return sol.RawVector().Data, true
}

// activeRatio is the threshold of activeSet. On the central path lambda_j
// s_j = mu, so an active pair has a large weight and a small slack and an
// inactive one the reverse; with hat lambda_j = lambda_j / sum lambda and
// hat s_j = s_j/s_min - 1, the rule hat lambda_j > c hat s_j keeps the
// pairs with hat lambda_j > sqrt(c mu'), mu' = hat lambda_j hat s_j. A
// missed active pair costs a round of polishPNorm (addBelow, about 4 Newton
// steps) and a wrong one a step (its weight turns negative), so c is
// small; 0.01 was the fastest of 1 to 1e-4 (measured: see
// docs/PERFORMANCE.md, section "Solver design measurements").
const activeRatio = 0.01

// activeSet returns the pairs polishPNorm starts from: with s_j the margins of
// Z and s_min their least, the pairs with lambda_j / sum lambda >
// activeRatio (s_j/s_min - 1), at most kD of them (the largest ratios
// first): the bordered Jacobian of polishPNorm is singular with more, its K
// having rank at most kD. It returns nil when Z has no positive margin or
// lambda no positive weight.
func (bp *barrierProblem) activeSet(z *mat.Dense, lambda []float64) []bool {
	np := bp.pairs()
	s := make([]float64, np)
	bp.margins(z, s)
	lo := floats.Min(s)
	if !(lo > 0) {
		return nil
	}
	sum := floats.Sum(lambda)
	if !(sum > 0) {
		return nil
	}
	ratio := make([]float64, np)
	var cand []int
	for j := range np {
		slack := s[j]/lo - 1
		if lambda[j]/sum > activeRatio*slack {
			cand = append(cand, j)
			ratio[j] = math.Inf(1)
			if slack > 0 {
				ratio[j] = lambda[j] / sum / slack
			}
		}
	}
	slices.SortStableFunc(cand, func(a, b int) int { return cmp.Compare(ratio[b], ratio[a]) })
	in := make([]bool, np)
	for _, j := range cand[:min(len(cand), bp.k*bp.d)] {
		in[j] = true
	}
	return in
}

// pairGram returns the ns×ns matrix K = M_S diag(e) M_S^T over the pairs
// idx = S, e a weight per entry of Z (k×D, row-major). With M_j = (e_y -
// e_c) t_i^T for j = (i, c), y = y_i, only the classes the two pairs share
// contribute:
//
//	K_rs = sum_{a in {y_r, c_r} and {y_s, c_s}} sigma_r(a) sigma_s(a) G_a(i_r, i_s),
//
// sigma_j(y) = 1, sigma_j(c) = -1, with the class Gram matrices G_a = T_U
// diag(e_a) T_U^T over the samples U that the pairs of S involve. That is
// k |U|^2 D multiply-adds for the Gram matrices and at most 4 ns^2 for K,
// against ns^2 kD for the dense product (at random labels (50,50,40),
// ns near 1600 and kD = 2000: 5e9 multiply-adds per Newton step).
func (bp *barrierProblem) pairGram(idx []int, e []float64) *mat.Dense {
	d, k := bp.d, bp.k
	local := make(map[int]int)
	var samples []int
	pi := make([]int, len(idx))
	pc := make([]int, len(idx))
	for r, j := range idx {
		i, c := bp.pairOf(j)
		pc[r] = c
		u, ok := local[i]
		if !ok {
			u = len(samples)
			local[i] = u
			samples = append(samples, i)
		}
		pi[r] = u
	}
	nu := len(samples)
	ts := mat.NewDense(nu, d, nil)
	for u, i := range samples {
		copy(ts.RawRowView(u), bp.t.RawRowView(i))
	}
	scaled := mat.NewDense(nu, d, nil)
	grams := make([]*mat.Dense, k)
	for a := range k {
		ea := e[a*d : (a+1)*d]
		for u := range nu {
			src, dst := ts.RawRowView(u), scaled.RawRowView(u)
			for l, v := range src {
				dst[l] = ea[l] * v
			}
		}
		grams[a] = mat.NewDense(nu, nu, nil)
		openblas.Gemm(blas.NoTrans, blas.Trans, 1, scaled.RawMatrix(), ts.RawMatrix(), 0, grams[a].RawMatrix())
	}
	ns := len(idx)
	kk := mat.NewDense(ns, ns, nil)
	for r := range ns {
		yr, cr, ur := bp.y[samples[pi[r]]], pc[r], pi[r]
		row := kk.RawRowView(r)
		for s := range ns {
			ys, cs, us := bp.y[samples[pi[s]]], pc[s], pi[s]
			var v float64
			if yr == ys {
				v += grams[yr].At(ur, us)
			}
			if yr == cs {
				v -= grams[yr].At(ur, us)
			}
			if cr == ys {
				v -= grams[cr].At(ur, us)
			}
			if cr == cs {
				v += grams[cr].At(ur, us)
			}
			row[s] = v
		}
	}
	return kk
}

// pairOf returns the sample and the wrong class of pair j.
func (ps *pairSpace) pairOf(j int) (i, c int) {
	i = j / (ps.k - 1)
	c = j % (ps.k - 1)
	if c >= ps.y[i] {
		c++
	}
	return i, c
}

// entrywiseNorm returns (sum |a_i|^q)^{1/q}, scaled by max |a_i| against
// overflow and underflow.
func entrywiseNorm(a []float64, q float64) float64 {
	var big float64
	for _, v := range a {
		big = max(big, math.Abs(v))
	}
	if big == 0 || math.IsInf(big, 0) {
		return big
	}
	var s float64
	for _, v := range a {
		s += math.Pow(math.Abs(v)/big, q)
	}
	return big * math.Pow(s, 1/q)
}

// polishStart is the relative floating-point width below which an
// interior-point iterate of an l<p> problem is polished (polishPNorm). The
// polishes that succeeded in the measurements of Solve's table
// started from widths of 2e-8 to 6e-3; 1e-1 and 1 only added failed
// polishes (no fewer stages on those data, nor on l10).
const polishStart = 1e-2

// offerPolished polishes the iterate br of an l<p> problem whose
// floating-point interval [lower, upper] is narrower than polishStart
// relative, and offers the result to ic; it reports what ic.offer reports
// (false when nothing was offered).
func (bp *barrierProblem) offerPolished(ic *iterateCertifier, br barrierResult, lower, upper float64, full func(*mat.Dense) *mat.Dense) bool {
	pr, ok := bp.polished(ic.cn, br, lower, upper)
	if !ok {
		return false
	}
	pl, _, pu := bp.floatBounds(ic.cn, pr)
	return ic.offer(pl, pu, func() (*mat.Dense, []certify.Pair) { return full(pr.z), bp.pairWeights(pr.lambda) })
}

// polished returns the cone's polish (cone.polish: polishPNorm for l<p>)
// of the iterate br whose floating-point interval [lower, upper] is
// narrower than polishStart relative, or false (another norm, a wider
// interval, or a failed polish).
func (bp *barrierProblem) polished(cn convexNorm, br barrierResult, lower, upper float64) (barrierResult, bool) {
	if !(upper-max(0, lower) <= polishStart*max(1, lower)) {
		return barrierResult{}, false
	}
	return cn.polish(bp, cn, br)
}

// polish returns polishPNorm's result for the iterate br. For p > 2, when
// polishPNorm fails from br, it is run again from br's Z refined by
// slpRefine (measured on raw Wine, l10: from runPD's iterate at tau =
// 1.4e11 the first polish fails, the second certifies a width of 2e-10),
// and when that fails too polishMinNorm's candidate is taken
// (minNormCandidate), unless Z has more than slpMaxColumns entries.
func (c pnormCone) polish(bp *barrierProblem, cn convexNorm, br barrierResult) (barrierResult, bool) {
	z, lam, ok := bp.polishPNorm(c.p, br.z, br.lambda)
	if !ok && c.p > 2 && bp.k*bp.d <= slpMaxColumns {
		if rz := bp.slpRefine(c.p, br.z); rz != nil {
			z, lam, ok = bp.polishPNorm(c.p, rz, br.lambda)
		}
	}
	if !ok && c.p > 2 && bp.k*bp.d <= slpMaxColumns {
		z, lam, ok = bp.minNormCandidate(cn, c.p, br)
	}
	if !ok {
		return barrierResult{}, false
	}
	return barrierResult{z: z, lambda: lam, tau: br.tau, newton: br.newton}, true
}

// The Schatten and Frobenius cones have no polish: their barrier and SDP
// methods reach the tolerance on their own.
func (froCone) polish(*barrierProblem, convexNorm, barrierResult) (barrierResult, bool) {
	return barrierResult{}, false
}

func (spectralCone) polish(*barrierProblem, convexNorm, barrierResult) (barrierResult, bool) {
	return barrierResult{}, false
}

func (nuclearCone) polish(*barrierProblem, convexNorm, barrierResult) (barrierResult, bool) {
	return barrierResult{}, false
}

// minNormCandidate returns polishMinNorm's W from the iterate br of an l<p>
// problem (p > 2) with the narrower of the two upper bounds of br's
// weights and polishMinNorm's multipliers, or false when it fails.
func (bp *barrierProblem) minNormCandidate(cn convexNorm, p float64, br barrierResult) (*mat.Dense, []float64, bool) {
	w, mult, ok := bp.polishMinNorm(p, br.z, br.lambda)
	if !ok {
		return nil, nil, false
	}
	lam := br.lambda
	if mult != nil {
		_, _, u0 := bp.floatBounds(cn, barrierResult{z: w, lambda: lam})
		if _, _, u1 := bp.floatBounds(cn, barrierResult{z: w, lambda: mult}); u1 < u0 {
			lam = mult
		}
	}
	return w, lam, true
}

// addBelow adds to the active set in the pairs outside it whose margin m_j
// lies below gam (1 - 1e-12), the smallest first and at most max(8, ns/2)
// of them (ns the size of the set), and no more than make kD pairs (see
// activeSet): a Newton step costs O(ns^2 kD), and
// adding every violated pair at once (4453 of 4500 on the Gaussian
// (500,25,10) data, from a set of 1) took 4 s. It reports whether it added
// any and whether any pair outside in lay below gam (1 - 1e-12).
func (bp *barrierProblem) addBelow(in []bool, m []float64, gam float64, ns int) (added, below bool) {
	var add []int
	for j, v := range m {
		if !in[j] && v < gam*(1-1e-12) {
			add = append(add, j)
		}
	}
	slices.SortFunc(add, func(a, b int) int { return cmp.Compare(m[a], m[b]) })
	room := min(len(add), max(8, ns/2), bp.k*bp.d-ns)
	if room <= 0 {
		return false, len(add) > 0
	}
	for _, j := range add[:room] {
		in[j] = true
	}
	return true, true
}

// finite reports whether every entry of x is finite.
func finite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
