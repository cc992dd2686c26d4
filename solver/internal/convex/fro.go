package convex

import (
	"math"

	"maxmargin/dataset"
	"maxmargin/solver/internal/certify"
	"maxmargin/solver/internal/dense"
	"maxmargin/solver/internal/ipm"
	"maxmargin/solver/internal/run"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// svmIterate is one iterate of svmIPM: the classifier w (k×D, row-major),
// its margins <v_j, w>, the dual weights alpha and A(alpha) (k×D,
// row-major).
type svmIterate struct {
	w, margins, alpha, aw []float64
}

// svmIPM solves the multiclass hard-margin SVM
//
//	minimize (1/2) ||W||_F^2   subject to  <v_j, W> >= 1 for every pair j,
//
// whose dual is maximize sum_j alpha_j - (1/2) ||A(alpha)||_F^2 over
// alpha >= 0 with W = A(alpha) = sum_j alpha_j v_j at the optimum, so that
// gamma_fro = 1/||W*||_F = 1/sqrt(sum_j alpha_j*), by Mehrotra's
// predictor-corrector primal-dual interior-point method (Nocedal and
// Wright, Numerical Optimization, 2nd ed., algorithm 16.4, for a convex QP).
//
// With the slacks s = V w - 1 and D = diag(alpha/s), each Newton step
// solves the kD-square system (I + V^T D V) dw = rhs (pairSpace.addGram,
// O(k n D^2) to assemble) by Cholesky factorisation, once for the affine
// predictor and once for the centred corrector with sigma = (mu_aff/mu)^3;
// both primal and dual move by one step length, 0.995 of the way to the
// boundary (the primal and dual variables of a QP are coupled through
// w - V^T alpha = 0). The start is w = 0, s = alpha = 1 (an infeasible
// start; the residuals vanish geometrically).
//
// After each iteration done(it) is called; the method stops when it
// returns true, after 200 iterations, when the Newton system cannot be
// factorised, or at the deadline (an error).
func (ps *pairSpace) svmIPM(b *run.Budget, done func(svmIterate) bool) error {
	return ipm.Mehrotra(newSVMProblem(ps, done), ipm.MehrotraOptions{MaxIter: 200}, b, ipm.Method)
}

// svmProblem is svmIPM's iterate (w, s, alpha), its residuals, directions
// and Newton system: a ipm.Problem.
type svmProblem struct {
	ps    *pairSpace
	done  func(svmIterate) bool
	m, nw int

	w, s, alpha    []float64
	vw, rp, rd, dg []float64
	tmp, rc        []float64
	dw, ds, da     []float64
	dsAff, daAff   []float64
	h              *mat.SymDense
	chol           dense.Cholesky
	vta            mat.Dense
}

// newSVMProblem returns svmIPM's problem at its start w = 0, s = alpha = 1.
func newSVMProblem(ps *pairSpace, done func(svmIterate) bool) *svmProblem {
	m := ps.pairs()
	nw := ps.k * ps.d
	p := &svmProblem{ps: ps, done: done, m: m, nw: nw}
	p.w = make([]float64, nw)
	p.s = make([]float64, m)
	p.alpha = make([]float64, m)
	for j := range m {
		p.s[j], p.alpha[j] = 1, 1
	}
	p.vw = make([]float64, m)
	p.rp = make([]float64, m)
	p.rd = make([]float64, nw)
	p.dg = make([]float64, m)
	p.tmp = make([]float64, m)
	p.rc = make([]float64, m)
	p.dw = make([]float64, nw)
	p.ds = make([]float64, m)
	p.da = make([]float64, m)
	p.dsAff = make([]float64, m)
	p.daAff = make([]float64, m)
	p.h = mat.NewSymDense(nw, nil)
	return p
}

func (p *svmProblem) Residuals() (mu float64, more bool) {
	ps, m, w, s, alpha := p.ps, p.m, p.w, p.s, p.alpha
	ps.margins(mat.NewDense(ps.k, ps.d, w), p.vw)
	ps.adjoint(alpha, &p.vta)
	for i, v := range p.vta.RawMatrix().Data {
		p.rd[i] = w[i] - v
	}
	for j := range m {
		p.rp[j] = p.vw[j] - 1 - s[j]
		p.dg[j] = alpha[j] / s[j]
	}
	if p.done(svmIterate{w: w, margins: p.vw, alpha: alpha, aw: p.vta.RawMatrix().Data}) {
		return 0, false
	}
	mu = floats.Dot(s, alpha) / float64(m)
	return mu, true
}

func (p *svmProblem) Factor() bool {
	p.h.Zero()
	for i := range p.nw {
		p.h.SetSym(i, i, 1)
	}
	p.ps.addGram(p.h, p.dg)
	return factorRidge(&p.chol, p.h)
}

func (p *svmProblem) Direction(sigma, mu float64, corr bool) bool {
	s, alpha, rc := p.s, p.alpha, p.rc
	if !corr {
		for j := range p.m {
			rc[j] = -s[j] * alpha[j]
		}
		return p.solve()
	}
	copy(p.dsAff, p.ds)
	copy(p.daAff, p.da)
	for j := range p.m {
		rc[j] = sigma*mu - s[j]*alpha[j] - p.dsAff[j]*p.daAff[j]
	}
	return p.solve()
}

// solve solves the Newton system for the complementarity target rc
// (alpha_j ds_j + s_j dalpha_j = rc_j).
func (p *svmProblem) solve() bool {
	ps, m, nw := p.ps, p.m, p.nw
	s, alpha, rc, rp, dw, ds, da := p.s, p.alpha, p.rc, p.rp, p.dw, p.ds, p.da
	// rhs = -rd + V^T (rc/s - D rp)
	for j := range m {
		p.tmp[j] = rc[j]/s[j] - p.dg[j]*rp[j]
	}
	var a mat.Dense
	ps.adjoint(p.tmp, &a)
	rhs := a.RawMatrix().Data
	for i := range nw {
		dw[i] = rhs[i] - p.rd[i]
	}
	v := mat.NewVecDense(nw, dw)
	if err := p.chol.SolveVecTo(v, v); err != nil && !isCondition(err) {
		return false
	}
	ps.margins(mat.NewDense(ps.k, ps.d, dw), ds)
	for j := range m {
		ds[j] += rp[j]
		da[j] = (rc[j] - alpha[j]*ds[j]) / s[j]
	}
	return true
}

// MaxSteps returns the largest step in (0, 1] keeping s and alpha >= 0,
// as both the primal and the dual step (they are coupled).
func (p *svmProblem) MaxSteps() (ap, ad float64, ok bool) {
	step := 1.0
	for j := range p.m {
		if p.ds[j] < 0 {
			step = min(step, -p.s[j]/p.ds[j])
		}
		if p.da[j] < 0 {
			step = min(step, -p.alpha[j]/p.da[j])
		}
	}
	return step, step, true
}

// AffineMu returns mu at s + step ds, alpha + step dalpha (step = ap = ad).
func (p *svmProblem) AffineMu(step, _ float64) float64 {
	var muAff float64
	for j := range p.m {
		muAff += (p.s[j] + step*p.ds[j]) * (p.alpha[j] + step*p.da[j])
	}
	muAff /= float64(p.m)
	return muAff
}

// Step moves w, s and alpha by 0.995 of the Step to the boundary, at most
// 1 (Step = ap = ad).
func (p *svmProblem) Step(step, _ float64) bool {
	step = min(1, 0.995*step)
	floats.AddScaled(p.w, step, p.dw)
	floats.AddScaled(p.s, step, p.ds)
	floats.AddScaled(p.alpha, step, p.da)
	return true
}

// floatWidth returns, in floating point, L = min_j <v_j, w>/||w||_F and
// U = ||A(alpha)||_F / sum alpha.
func (it svmIterate) floatWidth() (lower, upper float64) {
	lower = floats.Min(it.margins) / floats.Norm(it.w, 2)
	upper = floats.Norm(it.aw, 2) / floats.Sum(it.alpha)
	return lower, upper
}

// maxMarginFro computes gamma_fro and its certificate with svmIPM on the
// coordinates T = X Q of the sample span (sampleSpan), scaled by a power of
// two 2^-e with max |T_il| < 2^e (exact; gamma(cX) = c gamma(X), and the
// weights and the direction of W do not change): after each iteration
// whose floating-point width (floatWidth) is within the tolerance, the
// bounds may be evaluated exactly on the original data (convexCertify,
// by the rules of iterateCertifier) and the method stops once they are
// certified. It
// returns the certified result, or the narrowest uncertified one (nil when
// no iterate had a positive float lower bound and a finite upper one).
func maxMarginFro(ds *dataset.Dataset, cn convexNorm, tol float64, b *run.Budget, sink *anytimeBest) (*certify.Result, int, error) {
	_, _, k := ds.Dims()
	t, q := sampleSpan(ds.X)
	t, unit := scaledToUnit(t)
	ps := newPairSpace(t, ds.Y, k)
	ic := &iterateCertifier{ds: ds, cn: cn, tol: tol, unit: unit, b: b, sink: sink, method: convexMethod(qpMethodKind, cn)}
	iters := 0
	// polishFrom is the weights of the iterate of narrowest relative
	// floating-point width with a positive lower bound, where
	// minNormPolish starts.
	var polishFrom []float64
	polishWidth := math.Inf(1)
	err := guarded(ic.method, func() error {
		return ps.svmIPM(b, func(it svmIterate) bool {
			iters++
			ic.iteration = iters
			lower, upper := it.floatWidth()
			// The iterate's slices change with the next step, and ic may
			// build it later (flush): copy them now.
			wc, alpha := append([]float64(nil), it.w...), append([]float64(nil), it.alpha...)
			if w := (upper - lower) / upper; lower > 0 && w < polishWidth {
				polishFrom, polishWidth = alpha, w
			}
			return ic.offer(lower, upper, func() (*mat.Dense, []certify.Pair) {
				w := mat.NewDense(k, ps.d, wc)
				if q != nil {
					var full mat.Dense
					full.Mul(w, q.T())
					w = &full
				}
				return w, ps.pairWeights(supportWeights(alpha))
			})
		})
	})
	ic.flushGuarded()
	if polishFrom != nil && (err == nil || run.IsNumericalFailure(err)) && (ic.best == nil || !ic.best.Certified) {
		perr := guarded(ic.method, func() error {
			w, pairs, ok := minNormPolish(ds, ps.pairWeights(supportWeights(polishFrom)), b)
			if ok {
				ic.certify(func() (*mat.Dense, []certify.Pair) { return w, pairs })
			}
			return nil
		})
		if err == nil {
			err = perr
		}
		if ic.best != nil && ic.best.Certified {
			err = nil
		}
	}
	return ic.best, iters, err
}

// froMargin is the fraction of the tolerance maxMarginFro aims at once an
// iterate is certified: an interior-point iteration near the optimum cuts
// the gap tenfold or more, so 2^-10 costs two or three iterations and
// leaves room for data sets whose exact bounds are looser than the
// floating-point ones.
const froMargin = 0x1p-10

// supportWeights returns alpha with the weights at most 2^-40 max alpha set
// to 0: the interior-point method leaves every inactive pair a tiny
// positive weight, which would change the bound by about that fraction
// and list every pair in Result.Lambda.
func supportWeights(alpha []float64) []float64 {
	cut := floats.Max(alpha) * 0x1p-40
	out := make([]float64, len(alpha))
	for j, v := range alpha {
		if v > cut {
			out[j] = v
		}
	}
	return out
}

// scaledToUnit returns c t, c = 2^-e with 2^e the least power of two
// above max |t_il| (t itself and c = 1 when t is zero), and c. The scaling
// is exact unless it underflows; margins, and gamma_N, scale by c.
func scaledToUnit(t *mat.Dense) (*mat.Dense, float64) {
	largest := mat.Norm(t, math.Inf(1)) // >= max |t_il|
	if largest == 0 || math.IsInf(largest, 0) {
		return t, 1
	}
	_, e := math.Frexp(largest)
	c := math.Ldexp(1, -e)
	var out mat.Dense
	out.Scale(c, t)
	return &out, c
}
