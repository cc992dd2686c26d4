package solver

import (
	"math"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// nuclearSDPMaxVars bounds the number of variables kD + k(k+1)/2 +
// D(D+1)/2 + 1 of nuclearIPM's Newton system (a dense Cholesky
// factorisation per iteration); larger problems use the barrier methods.
const nuclearSDPMaxVars = 2000

// nuclearSDPVars returns the number of variables of nuclearIPM for k×D
// classifiers.
func nuclearSDPVars(k, d int) int { return k*d + k*(k+1)/2 + d*(d+1)/2 + 1 }

// nuclearIPM solves the nuclear max-margin problem as the linear cone
// programme (the lifted form of the nuclear ball, Fazel, Hindi and Boyd
// 2001: ||Z||_* <= 1 exactly when some P, Q have tr P + tr Q <= 2 and
// S = [[P, Z], [Z^T, Q]] >= 0)
//
//	maximize gam  s.t.  s_j = <v_j, Z> - gam >= 0,  s_0 = 2 - tr P - tr Q >= 0,  S >= 0,
//
// over x = (Z, P, Q, gam), P and Q symmetric. Its duals are lambda_j >= 0,
// lambda_0 >= 0 and Y >= 0; dual feasibility reads sum_j lambda_j = 1,
// A(lambda) = -2 Y_12 and Y_11 = Y_22 = lambda_0 I, so that
// sigma_1(A(lambda)) <= 2 lambda_0, the dual objective (the spectral norm is
// the nuclear norm's dual). The method is spectralIPM's (Mehrotra's
// predictor-corrector with Nesterov-Todd scaling, optionally the
// second-order term on the semidefinite block) for the general form
// "maximize c^T x s.t. a_j^T x - b_j >= 0, S = G(x) >= 0" with G(x) =
// sum_a x_a E_a, E_a = alpha_a (e_i e_l^T + e_l e_i^T) for the variable
// S_il (alpha = 1 off the diagonal, 1/2 on it). Each iteration solves
//
//	(sum_j D_j a_j a_j^T + H) dx = c + sum_j (lambda_j + rc_j/s_j) a_j + G^T(sigma mu S^-1 - K),
//
// D = lambda/s over the linear block (margins and s_0), H_ab = tr(M E_a M
// E_b) = 2 alpha_a alpha_b (M_{l,i'} M_{i,l'} + M_{l,l'} M_{i,i'}) for
// a = (i, l), b = (i', l'), M the inverse Nesterov-Todd scaling, K the
// second-order term and G^T(X)_a = 2 alpha_a X_il; then ds = a^T dx,
// dlambda = rc/s - D ds, dS = G(dx), dY = sigma mu S^-1 - Y - K - M dS M.
// The primal iterate stays feasible; the dual starts feasible, at
// lambda_j = 1/(tau s_j), Y = [[l0 I, -A/2], [-A^T/2, l0 I]] and
// lambda_0 = l0 = sigma_1(A)/2 + 1/tau, and its residual only shrinks.
// The start is Z = Z0/(2||Z0||_*), P = (Z Z^T)^{1/2} + e I, Q =
// (Z^T Z)^{1/2} + e I with e = 1/(2(k+D)), which is interior (tr P + tr Q =
// 3/2).
//
// stage is called with each iterate's Z and lambda (margin pairs only);
// the method stops when it returns false, after 100 iterations, when a
// system cannot be solved, or at the deadline (an error).
func (ps *pairSpace) nuclearIPM(z0 []float64, second bool, deadline time.Time, stage func(z *mat.Dense, lambda []float64) bool) error {
	k, d := ps.k, ps.d
	p := k + d
	nz := k * d
	nv := nuclearSDPVars(k, d)
	ng := nv - 1 // index of gam
	m := ps.pairs()

	// Variable a sits at S_{ri[a], ci[a]} with weight alpha[a].
	ri := make([]int, ng)
	ci := make([]int, ng)
	alpha := make([]float64, ng)
	diag := make([]bool, ng)
	idx := 0
	for a := range k {
		for l := range d {
			ri[idx], ci[idx], alpha[idx] = a, k+l, 1
			idx++
		}
	}
	for _, blk := range [][2]int{{0, k}, {k, p}} {
		for i := blk[0]; i < blk[1]; i++ {
			for l := i; l < blk[1]; l++ {
				ri[idx], ci[idx], alpha[idx] = i, l, 1
				if i == l {
					alpha[idx], diag[idx] = 0.5, true
				}
				idx++
			}
		}
	}
	// slack returns S = G(x).
	slack := func(x []float64) *mat.SymDense {
		sm := mat.NewSymDense(p, nil)
		for a := range ng {
			sm.SetSym(ri[a], ci[a], x[a])
		}
		return sm
	}

	// Start.
	x := make([]float64, nv)
	zs := mat.NewDense(k, d, append([]float64(nil), z0...))
	var svd mat.SVD
	if !svd.Factorize(zs, mat.SVDThin) {
		return nil
	}
	sv := svd.Values(nil)
	scale := 0.5 / floats.Sum(sv)
	if floats.Sum(sv) == 0 {
		return nil
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	e := 0.5 / float64(p)
	for a := range nz {
		x[a] = z0[a] * scale
	}
	// P = U diag(scale sv) U^T + e I, Q = V diag(scale sv) V^T + e I.
	sm := slack(x)
	for _, blk := range []struct {
		off int
		f   *mat.Dense
		dim int
	}{{0, &u, k}, {k, &v, d}} {
		for i := range blk.dim {
			for l := i; l < blk.dim; l++ {
				var t float64
				for r, sr := range sv {
					t += blk.f.At(i, r) * blk.f.At(l, r) * sr * scale
				}
				if i == l {
					t += e
				}
				sm.SetSym(blk.off+i, blk.off+l, t)
			}
		}
	}
	for a := nz; a < ng; a++ {
		x[a] = sm.At(ri[a], ci[a])
	}
	s := make([]float64, m)
	ps.margins(mat.NewDense(k, d, x[:nz]), s)
	lo, hi := floats.Min(s), floats.Max(s)
	spread := max(hi-lo, math.Abs(lo), math.Abs(hi))
	if spread == 0 {
		spread = 1
	}
	x[ng] = lo - spread
	trace := func(x []float64) float64 {
		var t float64
		for a := nz; a < ng; a++ {
			if diag[a] {
				t += x[a]
			}
		}
		return t
	}
	s0 := 2 - trace(x)
	var tau float64
	for j := range s {
		s[j] -= x[ng]
		tau += 1 / s[j]
	}
	lambda := make([]float64, m)
	for j := range s {
		lambda[j] = 1 / (tau * s[j])
	}
	var av mat.Dense
	ps.adjoint(lambda, &av)
	l0 := 1 / tau
	var asvd mat.SVD
	if asvd.Factorize(&av, mat.SVDNone) {
		l0 += asvd.Values(nil)[0] / 2
	}
	lambda0 := l0
	y := mat.NewSymDense(p, nil)
	for i := range p {
		y.SetSym(i, i, l0)
	}
	for i := range k {
		for l := range d {
			y.SetSym(i, k+l, -av.At(i, l)/2)
		}
	}

	var chol, hchol mat.Cholesky
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
	var sinv mat.SymDense
	mw := make([]float64, p*p)
	dY := mat.NewSymDense(p, nil)
	corr := mat.NewSymDense(p, nil)
	var dS *mat.SymDense
	var nt ntScaling

	direction := func(sigmaMu float64) bool {
		for j := range m {
			tmp[j] = lambda[j] + rc[j]/s[j]
		}
		var a mat.Dense
		ps.adjoint(tmp, &a)
		ad := a.RawMatrix().Data
		t0 := lambda0 + rc0/s0
		for b := range ng {
			dx[b] = 2 * alpha[b] * (sigmaMu*sinv.At(ri[b], ci[b]) - corr.At(ri[b], ci[b]))
			if b < nz {
				dx[b] += ad[b]
			} else if diag[b] {
				dx[b] -= t0
			}
		}
		dx[ng] = 1 - floats.Sum(tmp)
		vv := mat.NewVecDense(nv, dx)
		if err := hchol.SolveVecTo(vv, vv); err != nil && !isCondition(err) {
			return false
		}
		ps.margins(mat.NewDense(k, d, dx[:nz]), ds)
		for j := range m {
			ds[j] -= dx[ng]
			dl[j] = rc[j]/s[j] - dg[j]*ds[j]
		}
		ds0 = -trace(dx)
		dl0 = rc0/s0 - dg0*ds0
		dS = slack(dx)
		var mdm mat.Dense
		mm := mat.NewDense(p, p, mw)
		mdm.Mul(mm, dS)
		mdm.Mul(&mdm, mm)
		for i := range p {
			for j := i; j < p; j++ {
				dY.SetSym(i, j, sigmaMu*sinv.At(i, j)-y.At(i, j)-corr.At(i, j)-(mdm.At(i, j)+mdm.At(j, i))/2)
			}
		}
		return true
	}
	steps := func() (float64, float64, bool) {
		ap, ad := 1.0, 1.0
		for j := range m {
			if ds[j] < 0 {
				ap = min(ap, -s[j]/ds[j])
			}
			if dl[j] < 0 {
				ad = min(ad, -lambda[j]/dl[j])
			}
		}
		if ds0 < 0 {
			ap = min(ap, -s0/ds0)
		}
		if dl0 < 0 {
			ad = min(ad, -lambda0/dl0)
		}
		mp, ok1 := psdStep(sm, dS)
		md, ok2 := psdStep(y, dY)
		return min(ap, mp), min(ad, md), ok1 && ok2
	}

	for iter := 0; iter < 100; iter++ {
		if !deadline.IsZero() && time.Now().After(deadline) {
			return &StatusError{Status: "TIMEOUT"}
		}
		if !stage(mat.DenseCopyOf(mat.NewDense(k, d, x[:nz])), append([]float64(nil), lambda...)) {
			return nil
		}
		mu := (floats.Dot(s, lambda) + s0*lambda0 + traceProduct(sm, y)) / float64(m+1+p)
		if !chol.Factorize(sm) {
			return nil
		}
		if err := chol.InverseTo(&sinv); err != nil && !isCondition(err) {
			return nil
		}
		if !nt.factorize(&chol, y) {
			return nil
		}
		for i := range p {
			for j := range p {
				mw[i*p+j] = nt.winv.At(i, j)
			}
		}
		for j := range m {
			dg[j] = lambda[j] / s[j]
		}
		dg0 = lambda0 / s0
		h.Zero()
		ps.addGram(h, dg)
		var hz mat.Dense
		ps.adjoint(dg, &hz)
		for i := range k {
			for l := range d {
				h.SetSym(i*d+l, ng, -hz.At(i, l))
			}
		}
		h.SetSym(ng, ng, floats.Sum(dg))
		raw := h.RawSymmetric()
		for a := range ng {
			row := raw.Data[a*raw.Stride:]
			ia, la := ri[a]*p, ci[a]*p
			for b := a; b < ng; b++ {
				ib, lb := ri[b], ci[b]
				v := 2 * alpha[a] * alpha[b] * (mw[la+ib]*mw[ia+lb] + mw[la+lb]*mw[ia+ib])
				if diag[a] && diag[b] {
					v += dg0
				}
				row[b] += v
			}
		}
		if !factorRidge(&hchol, h) {
			return nil
		}
		// Predictor.
		corr.Zero()
		for j := range m {
			rc[j] = -s[j] * lambda[j]
		}
		rc0 = -s0 * lambda0
		if !direction(0) {
			return nil
		}
		ap, ad, ok := steps()
		if !ok {
			return nil
		}
		muAff := (s0 + ap*ds0) * (lambda0 + ad*dl0)
		for j := range m {
			muAff += (s[j] + ap*ds[j]) * (lambda[j] + ad*dl[j])
		}
		sa := mat.NewSymDense(p, nil)
		sa.AddSym(sm, scaledSym(ap, dS))
		ya := mat.NewSymDense(p, nil)
		ya.AddSym(y, scaledSym(ad, dY))
		muAff = (muAff + traceProduct(sa, ya)) / float64(m+1+p)
		sigma := math.Pow(max(muAff, 0)/mu, 3)
		copy(dsAff, ds)
		copy(dlAff, dl)
		ds0Aff, dl0Aff := ds0, dl0
		if second {
			nt.corrector(dS, dY, corr)
		}
		// Corrector.
		for j := range m {
			rc[j] = sigma*mu - s[j]*lambda[j] - dsAff[j]*dlAff[j]
		}
		rc0 = sigma*mu - s0*lambda0 - ds0Aff*dl0Aff
		if !direction(sigma * mu) {
			return nil
		}
		ap, ad, ok = steps()
		if !ok {
			return nil
		}
		ap, ad = min(1, 0.99*ap), min(1, 0.99*ad)
		floats.AddScaled(x, ap, dx)
		floats.AddScaled(s, ap, ds)
		s0 += ap * ds0
		floats.AddScaled(lambda, ad, dl)
		lambda0 += ad * dl0
		sm = slack(x)
		y.AddSym(y, scaledSym(ad, dY))
	}
	return nil
}
