package convex

import (
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// ballBarrier is a smooth convex barrier phi for the unit ball {N(Z) < 1}
// of a k×D matrix norm, possibly lifted with auxiliary variables: phi is
// finite exactly on an open convex set whose projection onto Z is the open
// unit ball, and tends to +inf at its boundary. The variable u holds Z
// row-major (the first k D entries) and then the auxiliary variables.
type ballBarrier interface {
	// size returns the length of u.
	size() int
	// start stores in u a point strictly inside the lifted ball whose Z
	// part is a positive multiple of z0 (z0 != 0).
	start(u, z0 []float64)
	// eval returns phi(u) and false when u is outside the lifted ball.
	// When grad (len size()) or hess (size()×size()) is not nil it stores
	// the gradient or the Hessian of phi there.
	eval(u, grad []float64, hess *mat.SymDense) (float64, bool)
}

// froBarrier is phi(Z) = -log(1 - ||Z||_F^2): gradient 2Z/(1-q) and
// Hessian 2I/(1-q) + 4 z z^T/(1-q)^2, q = ||Z||_F^2.
type froBarrier struct{ n int }

func (b froBarrier) size() int { return b.n }

func (b froBarrier) start(u, z0 []float64) {
	floats.ScaleTo(u, 0.5/math.Sqrt(floats.Dot(z0, z0)), z0)
}

func (b froBarrier) eval(u, grad []float64, hess *mat.SymDense) (float64, bool) {
	q := floats.Dot(u, u)
	if !(q < 1) {
		return math.Inf(1), false
	}
	r := 1 / (1 - q)
	if grad != nil {
		for i, v := range u {
			grad[i] = 2 * r * v
		}
	}
	if hess != nil {
		for i := range u {
			for j := i; j < len(u); j++ {
				h := 4 * r * r * u[i] * u[j]
				if i == j {
					h += 2 * r
				}
				hess.SetSym(i, j, h)
			}
		}
	}
	return -math.Log1p(-q), true
}

// spectralBarrier is phi(Z) = -log det(I - Z Z^T) for the k×D matrix Z,
// finite exactly when sigma_1(Z) < 1. With G = (I - Z Z^T)^{-1}, R = G Z
// and P = I + Z^T G Z = (I - Z^T Z)^{-1}:
//
//	grad phi = 2 G Z,
//	d^2 phi[H, H] = 2 tr(G H H^T) + 2 tr(G H Z^T G Z H^T) + 2 tr(R H^T R H^T),
//
// so that the Hessian entry of (Z_ab, Z_ce) is 2 (G_ac P_be + R_ae R_cb).
// phi is the restriction of the self-concordant barrier
// -log det [[I, Z], [Z^T, I]] of the semidefinite cone.
type spectralBarrier struct{ k, d int }

func (b spectralBarrier) size() int { return b.k * b.d }

func (b spectralBarrier) start(u, z0 []float64) {
	z := mat.NewDense(b.k, b.d, append([]float64(nil), z0...))
	var svd mat.SVD
	s := 1.0
	if svd.Factorize(z, mat.SVDNone) {
		s = svd.Values(nil)[0]
	}
	floats.ScaleTo(u, 0.5/s, z0)
}

func (b spectralBarrier) eval(u, grad []float64, hess *mat.SymDense) (float64, bool) {
	k, d := b.k, b.d
	z := mat.NewDense(k, d, u)
	m := mat.NewSymDense(k, nil)
	m.SymOuterK(-1, z)
	for i := range k {
		m.SetSym(i, i, 1+m.At(i, i))
	}
	var chol mat.Cholesky
	if !chol.Factorize(m) {
		return math.Inf(1), false
	}
	val := -chol.LogDet()
	if math.IsNaN(val) || math.IsInf(val, 0) {
		return math.Inf(1), false
	}
	if grad == nil && hess == nil {
		return val, true
	}
	var g mat.SymDense
	if err := chol.InverseTo(&g); err != nil && !isCondition(err) {
		return math.Inf(1), false
	}
	var r mat.Dense
	r.Mul(&g, z)
	if grad != nil {
		for i := range k {
			for j := range d {
				grad[i*d+j] = 2 * r.At(i, j)
			}
		}
	}
	if hess != nil {
		var p mat.Dense
		p.Mul(z.T(), &r)
		for i := range d {
			p.Set(i, i, p.At(i, i)+1)
		}
		for a := range k {
			for bb := range d {
				row := a*d + bb
				for c := a; c < k; c++ {
					gac := g.At(a, c)
					e0 := 0
					if c == a {
						e0 = bb
					}
					for e := e0; e < d; e++ {
						hess.SetSym(row, c*d+e, 2*(gac*p.At(bb, e)+r.At(a, e)*r.At(c, bb)))
					}
				}
			}
		}
	}
	return val, true
}

// nuclearBarrier lifts the nuclear ball with a symmetric k×k matrix S:
// for S positive definite, Cauchy-Schwarz and AM-GM give
//
//	2 ||Z||_* <= tr S + g(Z, S),   g(Z, S) = tr(Z^T S^{-1} Z),
//
// with equality at S = (Z Z^T)^{1/2}, so {||Z||_* < 1} is the projection of
// {S > 0, h = tr S + g < 2}. g is jointly convex (the matrix-fractional
// function), and
//
//	phi(Z, S) = -log(2 - h(Z, S)) - log det S
//
// is a convex barrier for the lifted set. u holds Z and then the upper
// triangle of S row by row. With X = S^{-1}, M = X Z Z^T X:
//
//	d g = 2 tr(H^T X Z) - tr(E M),
//	d^2 g[(H, E), (H, E)] = 2 tr(H^T X H) - 4 tr(H^T X E X Z) + 2 tr(E X E M),
//	d^2 (-log det S)[E, E] = tr(X E X E),
//
// for a direction (H, E) of (Z, S); an off-diagonal coordinate of u moves
// S_ij and S_ji together (E = e_i e_j^T + e_j e_i^T).
type nuclearBarrier struct{ k, d int }

func (b nuclearBarrier) size() int { return b.k*b.d + b.k*(b.k+1)/2 }

// start scales Z to ||Z||_F = 1/(2 sqrt k) and sets S = I/(2k): then
// tr S = 1/2 and g = 2k ||Z||_F^2 = 1/2, so h = 1 < 2.
func (b nuclearBarrier) start(u, z0 []float64) {
	nz := b.k * b.d
	floats.ScaleTo(u[:nz], 0.5/math.Sqrt(float64(b.k)*floats.Dot(z0, z0)), z0)
	s := u[nz:]
	for i := range s {
		s[i] = 0
	}
	for i := range b.k {
		s[b.packed(i, i)] = 1 / (2 * float64(b.k))
	}
}

// packed returns the index in u[kD:] of S_ij, i <= j.
func (b nuclearBarrier) packed(i, j int) int {
	if i > j {
		i, j = j, i
	}
	return i*b.k - i*(i-1)/2 + (j - i)
}

func (b nuclearBarrier) eval(u, grad []float64, hess *mat.SymDense) (float64, bool) {
	k, d := b.k, b.d
	nz := k * d
	z := mat.NewDense(k, d, u[:nz])
	s := mat.NewSymDense(k, nil)
	for i := range k {
		for j := i; j < k; j++ {
			s.SetSym(i, j, u[nz+b.packed(i, j)])
		}
	}
	var chol mat.Cholesky
	if !chol.Factorize(s) {
		return math.Inf(1), false
	}
	var x mat.SymDense
	if err := chol.InverseTo(&x); err != nil && !isCondition(err) {
		return math.Inf(1), false
	}
	var xz mat.Dense
	xz.Mul(&x, z)
	h := mat.Trace(s)
	for i := range k {
		for j := range d {
			h += z.At(i, j) * xz.At(i, j)
		}
	}
	logdet := chol.LogDet()
	if !(h < 2) || math.IsInf(logdet, 0) || math.IsNaN(logdet) {
		return math.Inf(1), false
	}
	val := -math.Log(2-h) - logdet
	if grad == nil && hess == nil {
		return val, true
	}
	r := 1 / (2 - h)
	var m mat.Dense
	m.Mul(&xz, xz.T()) // X Z Z^T X
	// gh is grad h and gl is grad(-log det S), both in u's coordinates.
	n := b.size()
	gh := make([]float64, n)
	gl := make([]float64, n)
	for i := range k {
		for j := range d {
			gh[i*d+j] = 2 * xz.At(i, j)
		}
	}
	for i := range k {
		for j := i; j < k; j++ {
			w := 2.0
			if i == j {
				w = 1
			}
			g := -m.At(i, j)
			if i == j {
				g++
			}
			gh[nz+b.packed(i, j)] = w * g
			gl[nz+b.packed(i, j)] = -w * x.At(i, j)
		}
	}
	if grad != nil {
		for i := range grad {
			grad[i] = r*gh[i] + gl[i]
		}
	}
	if hess == nil {
		return val, true
	}
	// basis[q] is the direction E of the q-th S coordinate.
	ns := k * (k + 1) / 2
	basis := make([]*mat.Dense, ns)
	for i := range k {
		for j := i; j < k; j++ {
			e := mat.NewDense(k, k, nil)
			e.Set(i, j, 1)
			e.Set(j, i, 1)
			basis[b.packed(i, j)] = e
		}
	}
	xex := make([]*mat.Dense, ns)   // X E X
	xem := make([]*mat.Dense, ns)   // X E M
	cross := make([]*mat.Dense, ns) // X E X Z
	for q, e := range basis {
		var xe mat.Dense
		xe.Mul(&x, e)
		xex[q] = new(mat.Dense)
		xex[q].Mul(&xe, &x)
		xem[q] = new(mat.Dense)
		xem[q].Mul(&xe, &m)
		cross[q] = new(mat.Dense)
		cross[q].Mul(xex[q], z)
	}
	// traceE returns tr(E_q Y) for the basis matrix E_q = basis[q] =
	// e_i e_j^T + e_j e_i^T (e_i e_i^T when i = j): Y_ij + Y_ji, or Y_ii,
	// in O(1) (the dense k×k sum it replaces made the S-S block cost
	// O(k^6): 84 % of a nuclear solve at k = 40, D = 30).
	pi, pj := make([]int, ns), make([]int, ns)
	for i := range k {
		for j := i; j < k; j++ {
			pi[b.packed(i, j)], pj[b.packed(i, j)] = i, j
		}
	}
	traceE := func(q int, y *mat.Dense) float64 {
		i, j := pi[q], pj[q]
		if i == j {
			return y.At(i, i)
		}
		return y.At(i, j) + y.At(j, i)
	}
	for a := range k {
		for bb := range d {
			row := a*d + bb
			for c := a; c < k; c++ {
				e0 := 0
				if c == a {
					e0 = bb
				}
				for e := e0; e < d; e++ {
					v := r * r * gh[row] * gh[c*d+e]
					if e == bb {
						v += r * 2 * x.At(a, c)
					}
					hess.SetSym(row, c*d+e, v)
				}
			}
			for q := range ns {
				hess.SetSym(row, nz+q, r*(-2*cross[q].At(a, bb))+r*r*gh[row]*gh[nz+q])
			}
		}
	}
	for q1 := range ns {
		for q2 := q1; q2 < ns; q2++ {
			v := r*(traceE(q1, xem[q2])+traceE(q2, xem[q1])) + r*r*gh[nz+q1]*gh[nz+q2] + traceE(q1, xex[q2])
			hess.SetSym(nz+q1, nz+q2, v)
		}
	}
	return val, true
}
