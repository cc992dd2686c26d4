package norm

import (
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Spectral is the spectral norm (Schatten infinity), the largest singular
// value sigma_1(W). Its dual is the nuclear norm, and its steepest direction is
// U V^T from the thin SVD G = U Sigma V^T restricted to the nonzero singular
// values (Spectral-GD; Muon with momentum).
var Spectral Norm = spectral{}

// Nuclear is the nuclear norm (Schatten 1), the sum of the singular values.
// Its dual is the spectral norm, and its steepest direction is u_1 v_1^T for a
// top singular pair of G.
var Nuclear Norm = nuclear{}

type spectral struct{}
type nuclear struct{}

func (spectral) Name() string { return "spectral" }
func (nuclear) Name() string  { return "nuclear" }

// Value returns sigma_1(W).
func (spectral) Value(w *mat.Dense) float64 { return singularValues(w)[0] }

// Dual returns sum_i sigma_i(G).
func (spectral) Dual(g *mat.Dense) float64 { return floats.Sum(singularValues(g)) }

// Value returns sum_i sigma_i(W).
func (nuclear) Value(w *mat.Dense) float64 { return floats.Sum(singularValues(w)) }

// Dual returns sigma_1(G).
func (nuclear) Dual(g *mat.Dense) float64 { return singularValues(g)[0] }

// SteepestDirection stores U V^T over the singular values of G above the
// numerical rank threshold max(r, c) eps sigma_1 (numpy's matrix_rank) and
// returns their sum, the nuclear norm of G. It
// allocates (an SVD).
func (spectral) SteepestDirection(dst, g *mat.Dense) float64 {
	checkDst(dst, g)
	u, s, v, ok := thinSVD(g)
	dst.Zero()
	if !ok {
		return 0
	}
	var sum float64
	var outer mat.Dense
	r, c := g.Dims()
	tol := float64(max(r, c)) * 0x1p-52 * s[0]
	for i, sigma := range s {
		if sigma <= tol {
			break
		}
		sum += sigma
		outer.Outer(1, u.ColView(i), v.ColView(i))
		dst.Add(dst, &outer)
	}
	return sum
}

// SteepestDirection stores u_1 v_1^T for the top singular pair of G and
// returns sigma_1(G). It allocates (an SVD).
func (nuclear) SteepestDirection(dst, g *mat.Dense) float64 {
	checkDst(dst, g)
	u, s, v, ok := thinSVD(g)
	dst.Zero()
	if !ok || s[0] == 0 {
		return 0
	}
	dst.Outer(1, u.ColView(0), v.ColView(0))
	return s[0]
}

func singularValues(a *mat.Dense) []float64 {
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDNone) {
		panic("norm: SVD did not converge")
	}
	return svd.Values(nil)
}

func thinSVD(a *mat.Dense) (u *mat.Dense, s []float64, v *mat.Dense, ok bool) {
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		panic("norm: SVD did not converge")
	}
	s = svd.Values(nil)
	if len(s) == 0 || s[0] == 0 {
		return nil, s, nil, false
	}
	u, v = new(mat.Dense), new(mat.Dense)
	svd.UTo(u)
	svd.VTo(v)
	return u, s, v, true
}

func checkDst(dst, g *mat.Dense) {
	r, c := g.Dims()
	if dr, dc := dst.Dims(); dr != r || dc != c {
		panic(badShape)
	}
	if dst == g {
		panic("norm: dst aliases g")
	}
}
