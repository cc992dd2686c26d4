package ipm

import (
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/solver/internal/dense"
	"maxmargin/solver/internal/workset"
)

// groupWSystem is the weight-space form of the group form's Newton system
// (solveGroup with p.weights, when the kd weights are fewer than the rows),
// solved in the primal variables (direction). With A the rows' coefficients over (P, Q) (pair rows [M, -M], group rows
// -wt_j on the group's entries), E = diag(e_P, e_Q) and
// D = diag(lambda/s, nu/u), the normal matrix K = A E A^T + D^{-1} has, by
// the Sherman-Morrison-Woodbury identity,
//
//	K^{-1} = D - D A H^{-1} A^T D,   H = E^{-1} + A^T D A (2kd×2kd),
//
// and the step in (P, Q) solves H (dx_P, dx_Q) = b (direction). In w = x_P - x_Q and t = x_P + x_Q, H x = (b_P, b_Q) reads
//
//	(2 M^T D_l M + diag alpha) w + diag(beta) t = b_P - b_Q,
//	(2 G + diag alpha) t + diag(beta) w         = b_P + b_Q,
//
// with alpha = (1/e_P + 1/e_Q)/2, beta = (1/e_P - 1/e_Q)/2 and G block
// diagonal over the groups, G_g = rho_g wt_g wt_g^T (rho = nu/u). The
// second equation gives t = S (b_P + b_Q - beta w), S = (2G + diag
// alpha)^{-1} one Sherman-Morrison formula per group,
// S_g z = z/alpha - c_g (wt/alpha) (wt/alpha)^T z with
// c_g = 2 rho_g / (1 + 2 rho_g sum_g wt^2/alpha); the first becomes
//
//	H_r w = b_P - b_Q - beta S (b_P + b_Q),
//	H_r = 2 M^T D_l M + diag(2/(e_P + e_Q)) + sum_g c_g v_g v_g^T,
//
// v = beta wt/alpha on the group's entries: one kd×kd Cholesky
// factorization (normalW assembles M^T D_l M by classes) instead of the
// nn×nn one of K. Both are symmetric positive definite.
type groupWSystem struct {
	p     *ipmLP
	gr    *groupIPM
	h     []float64 // H_r / 2, lower triangle
	tri   blas64.Triangular
	alpha []float64
	beta  []float64
	einv  []float64
	c     []float64 // c_g
	sa    []float64 // sum_g wt^2/alpha
	dl    []float64 // lambda/s over the pairs
	rho   []float64 // nu/u over the groups
	// Workspace.
	yp, ym                               []float64 // over the pairs
	ky, bw, bt, w, t, hg, w1, t1, rb, rr []float64 // over the weights
	schur                                float64
}

// newGroupWSystem allocates the system for m pairs.
func newGroupWSystem(p *ipmLP, gr *groupIPM, m int) *groupWSystem {
	kd, ng := p.k*p.d, gr.count
	mk := func(n int) []float64 { return make([]float64, n) }
	return &groupWSystem{p: p, gr: gr, h: mk(kd * kd), alpha: mk(kd), beta: mk(kd), einv: mk(kd),
		c: mk(ng), sa: mk(ng), dl: mk(m), rho: mk(ng), yp: mk(m), ym: mk(m), rb: mk(kd), rr: mk(kd),
		ky: mk(kd), bw: mk(kd), bt: mk(kd), w: mk(kd), t: mk(kd), hg: mk(kd), w1: mk(kd), t1: mk(kd)}
}

// factor assembles H_r/2 for the iterate (e1, e2: e_P, e_Q; s, lam over
// the pairs; u, nu over the groups) and factorizes it; on failure it
// retries once with 1e-12 of the largest diagonal entry added to the
// diagonal. It reports whether the factorization succeeded.
func (sys *groupWSystem) factor(e1, e2, s, lam, u, nu []float64) bool {
	gr := sys.gr
	kd := len(sys.alpha)
	for r := range sys.dl {
		sys.dl[r] = lam[r] / s[r]
	}
	for gi := range sys.rho {
		sys.rho[gi] = nu[gi] / u[gi]
	}
	for j := range kd {
		i1, i2 := 1/e1[j], 1/e2[j]
		sys.alpha[j] = (i1 + i2) / 2
		sys.beta[j] = (i1 - i2) / 2
		sys.einv[j] = 1 / (e1[j] + e2[j])
	}
	for gi, mem := range gr.members {
		var sa float64
		for _, j := range mem {
			sa += gr.wt[j] * gr.wt[j] / sys.alpha[j]
		}
		sys.sa[gi] = sa
		sys.c[gi] = 2 * sys.rho[gi] / (1 + 2*sys.rho[gi]*sa)
	}
	assemble := func() {
		sys.p.normalW(sys.einv, sys.dl, sys.h)
		for gi, mem := range gr.members {
			half := sys.c[gi] / 2
			for _, j := range mem {
				vj := sys.beta[j] * gr.wt[j] / sys.alpha[j]
				for _, jj := range mem {
					if jj > j {
						break
					}
					sys.h[j*kd+jj] += half * vj * sys.beta[jj] * gr.wt[jj] / sys.alpha[jj]
				}
			}
		}
	}
	var ok bool
	sys.tri, ok = dense.FactorRegularized(kd, sys.h, assemble, nil)
	return ok
}

// applyS sets z = S z, S = (2G + diag alpha)^{-1}.
func (sys *groupWSystem) applyS(z []float64) {
	gr := sys.gr
	for gi, mem := range gr.members {
		var dot float64
		for _, j := range mem {
			z[j] /= sys.alpha[j]
			dot += gr.wt[j] * z[j]
		}
		cd := sys.c[gi] * dot
		for _, j := range mem {
			z[j] -= cd * gr.wt[j] / sys.alpha[j]
		}
	}
}

// border prepares the free column g: h = M^T D_l 1 and w1 = H_r^{-1} 2h,
// t1 = -S beta w1 (the parts of dw and t per unit of dg), and
// sum D_l - h . w1 (the Schur complement of g). Call after factor.
func (sys *groupWSystem) border() {
	for r := range sys.dl {
		sys.yp[r] = sys.dl[r]
	}
	sys.p.mulMT(sys.yp, sys.hg)
	for j := range sys.w1 {
		sys.w1[j] = sys.hg[j] // H_r w1 = 2h, (H_r/2) w1 = h
	}
	sys.solveHr(sys.w1)
	var sdl, hw float64
	for _, v := range sys.dl {
		sdl += v
	}
	for j, v := range sys.hg {
		hw += v * sys.w1[j]
		sys.t1[j] = -sys.beta[j] * sys.w1[j]
	}
	sys.applyS(sys.t1)
	sys.schur = sdl - hw
}

// solveHr overwrites b with (H_r/2)^{-1} b: the factor's solution and
// groupRefine steps of iterative refinement against the product with
// H_r/2 (applyHr), since near the optimum D_l spans many orders of
// magnitude and the factor alone loses digits.
func (sys *groupWSystem) solveHr(b []float64) {
	copy(sys.rb, b)
	sys.solveFactor(b)
	for range groupRefine {
		sys.applyHr(b, sys.rr)
		for j := range sys.rr {
			sys.rr[j] = sys.rb[j] - sys.rr[j]
		}
		sys.solveFactor(sys.rr)
		for j := range b {
			b[j] += sys.rr[j]
		}
	}
}

// groupRefine is the number of refinement steps of solveHr.
const groupRefine = 2

// solveFactor overwrites b with the factor's solution of (H_r/2) x = b.
func (sys *groupWSystem) solveFactor(b []float64) {
	dense.SolveFactored(sys.tri, b)
}

// applyHr sets out = (H_r/2) x = M^T D_l M x + x/(e_P + e_Q) +
// sum_g (c_g/2) v_g (v_g . x), by products with M.
func (sys *groupWSystem) applyHr(x, out []float64) {
	gr := sys.gr
	sys.p.mulM(x, sys.ym)
	for r := range sys.ym {
		sys.ym[r] *= sys.dl[r]
	}
	sys.p.mulMT(sys.ym, out)
	for j := range out {
		out[j] += sys.einv[j] * x[j]
	}
	for gi, mem := range gr.members {
		var dot float64
		for _, j := range mem {
			dot += sys.beta[j] * gr.wt[j] / sys.alpha[j] * x[j]
		}
		dot *= sys.c[gi] / 2
		for _, j := range mem {
			out[j] += dot * sys.beta[j] * gr.wt[j] / sys.alpha[j]
		}
	}
}

// groupIterate is the group form's iterate and the Newton step's
// right-hand side: primal (x1, x2: P, Q; s, u: slacks), dual (lam, nu,
// z1, z2), the residuals rp (pair rows), rq (group rows), rd1, rd2 (the
// entries of P and Q), rdg (the column g) and the complementarity targets
// rs, ru, r1, r2.
type groupIterate struct {
	x1, x2, z1, z2, s, lam, u, nu []float64
	rp, rq, rd1, rd2              []float64
	rdg                           float64
	rs, ru, r1, r2                []float64
}

// groupStep is a Newton direction of the group form.
type groupStep struct {
	s, lam, u, nu, x1, x2, z1, z2 []float64
	g                             float64
}

// direction solves the Newton system of the group form at it in the
// primal variables: it eliminates the duals, dlam = (rs - lam ds)/s with
// ds = rp + M dw - dg (and likewise dnu), solves H (dx_P, dx_Q) = b + dg c
// in (w, t) as in groupWSystem's doc, and fixes dg by sum dlam = -rdg.
// The primal equations then hold exactly, whatever the accuracy of the
// factorization (near the optimum D_l spans many orders of magnitude).
func (sys *groupWSystem) direction(it *groupIterate, out *groupStep) {
	p, gr := sys.p, sys.gr
	m := len(sys.dl)
	// yp = rs/s - D_l rp; the groups' counterpart ru/u - rho rq.
	var syp float64
	for r := range m {
		sys.yp[r] = it.rs[r]/it.s[r] - sys.dl[r]*it.rp[r]
		syp += sys.yp[r]
	}
	p.mulMT(sys.yp, sys.ky)
	for j := range sys.ky {
		gi := gr.of[j]
		q := gr.wt[j] * (it.ru[gi]/it.u[gi] - sys.rho[gi]*it.rq[gi])
		b1 := -it.rd1[j] + sys.ky[j] - q + it.r1[j]/it.x1[j]
		b2 := -it.rd2[j] - sys.ky[j] - q + it.r2[j]/it.x2[j]
		sys.bw[j] = b1 - b2
		sys.bt[j] = b1 + b2
	}
	// w0 = H_r^{-1} (bw - beta S bt), t0 = S (bt - beta w0).
	copy(sys.t, sys.bt)
	sys.applyS(sys.t)
	for j := range sys.w {
		sys.w[j] = (sys.bw[j] - sys.beta[j]*sys.t[j]) / 2
	}
	sys.solveHr(sys.w)
	for j := range sys.t {
		sys.t[j] = sys.bt[j] - sys.beta[j]*sys.w[j]
	}
	sys.applyS(sys.t)
	// sum dlam = syp - h.(w0 + dg w1) + dg sum D_l = -rdg.
	var hw float64
	for j, v := range sys.hg {
		hw += v * sys.w[j]
	}
	dg := (-it.rdg - syp + hw) / sys.schur
	for j := range sys.w {
		sys.w[j] += dg * sys.w1[j]
	}
	// dnu and t from the sum of the two dual equations of each entry,
	// alpha t + beta w + 2 wt dnu = sigma (sigma = -rd1 - rd2 + r1/x1 +
	// r2/x2), and the group row with du = (ru - u dnu)/nu:
	// dnu (2 sa + u/nu) = wt.(sigma - beta w)/alpha - rq + ru/nu. This
	// is S's elimination without its cancellation: for an active group
	// (u -> 0) dnu = (ru - nu du)/u would multiply the rounding error of
	// du by nu/u.
	for gi, mem := range gr.members {
		var q float64
		for _, j := range mem {
			sig := -it.rd1[j] - it.rd2[j] + it.r1[j]/it.x1[j] + it.r2[j]/it.x2[j]
			sys.t[j] = sig - sys.beta[j]*sys.w[j]
			q += gr.wt[j] * sys.t[j] / sys.alpha[j]
		}
		dnu := (q - it.rq[gi] + it.ru[gi]/it.nu[gi]) / (2*sys.sa[gi] + it.u[gi]/it.nu[gi])
		var wtt float64
		for _, j := range mem {
			sys.t[j] = (sys.t[j] - 2*gr.wt[j]*dnu) / sys.alpha[j]
			wtt += gr.wt[j] * sys.t[j]
		}
		out.nu[gi] = dnu
		if it.nu[gi] >= it.u[gi] {
			out.u[gi] = (it.ru[gi] - it.u[gi]*dnu) / it.nu[gi]
		} else {
			out.u[gi] = it.rq[gi] - wtt
		}
	}
	for j := range sys.w {
		out.x1[j] = (sys.t[j] + sys.w[j]) / 2
		out.x2[j] = (sys.t[j] - sys.w[j]) / 2
		out.z1[j] = (it.r1[j] - it.z1[j]*out.x1[j]) / it.x1[j]
		out.z2[j] = (it.r2[j] - it.z2[j]*out.x2[j]) / it.x2[j]
	}
	p.mulM(sys.w, out.s)
	for r := range m {
		out.s[r] += it.rp[r] - dg
		out.lam[r] = (it.rs[r] - it.lam[r]*out.s[r]) / it.s[r]
	}
	out.g = dg
}

// groupSeed returns the pairs that look active at the end of an
// uncertified solve of the group form over every pair: margin under the
// normalized W (data units) within screen res.upper of res.lower
// (Options.ScreenBand), or lambda_p at least seedBand times the largest.
// WorkingSet's next rounds start from them.
func groupSeed(ds *dataset.Dataset, w *mat.Dense, res ipmResult, screen float64) []workset.Row {
	n, _, k := ds.Dims()
	band := max(screen*res.upper, 0)
	seed, _ := workset.Violated(ds, w, res.lower+band, make([]bool, n*k), n*k)
	var big float64
	for _, l := range res.lambda {
		big = max(big, l)
	}
	in := make([]bool, n*k)
	for _, pr := range seed {
		in[pr.I*k+pr.C] = true
	}
	r := 0
	for i, y := range ds.Y {
		for c := range k {
			if c == y {
				continue
			}
			if r < len(res.lambda) && res.lambda[r] >= seedBand*big && !in[i*k+c] {
				seed = append(seed, workset.Row{I: i, C: c})
			}
			r++
		}
	}
	return seed
}

// seedBand is groupSeed's relative band.
const seedBand = 1e-3
