package norm

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Fro is the Frobenius norm ||W||_F = sqrt(sum_ab W_ab^2). It is its own dual,
// and its steepest direction is G/||G||_F (normalized gradient descent). It is
// not polyhedral: its max-margin problem is the multiclass hard-margin SVM, a
// quadratic programme.
var Fro Norm = fro{}

type fro struct{}

func (fro) Name() string { return "fro" }

// Value returns ||W||_F.
func (fro) Value(w *mat.Dense) float64 { return mat.Norm(w, 2) }

// Dual returns ||G||_F.
func (fro) Dual(g *mat.Dense) float64 { return mat.Norm(g, 2) }

// SteepestDirection stores G/||G||_F in dst (0 for G = 0) and returns ||G||_F.
func (fro) SteepestDirection(dst, g *mat.Dense) float64 {
	r, c := g.Dims()
	if dr, dc := dst.Dims(); dr != r || dc != c {
		panic(badShape)
	}
	if dst == g {
		panic("norm: dst aliases g")
	}
	f := mat.Norm(g, 2)
	if f == 0 || math.IsInf(f, 0) {
		dst.Zero()
		return f
	}
	dst.Scale(1/f, g)
	return f
}
