package dense

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"maxmargin/internal/openblas"
)

// Cholesky is the Cholesky factorisation A = U^T U of a symmetric
// positive definite matrix by lapack64.Potrf, for the interior-point
// methods' Newton systems. Unlike mat.Cholesky.Factorize it does not
// estimate the condition number (an extra O(n^2) solves' worth of work and
// 9 % of a spectral solve at k = 40, where the systems have about 2000
// unknowns), which those methods never read: they ignore mat.Condition.
type Cholesky struct {
	n int
	u []float64 // U, row-major n×n, upper triangle
}

// Factorize factorises the symmetric a (its upper triangle is read) and
// reports whether it is numerically positive definite; on false the
// receiver must not be used to solve.
func (c *Cholesky) Factorize(a *mat.SymDense) bool {
	raw := a.RawSymmetric()
	n := raw.N
	c.n = n
	if cap(c.u) < n*n {
		c.u = make([]float64, n*n)
	}
	c.u = c.u[:n*n]
	if raw.Uplo == blas.Upper {
		for i := range n {
			copy(c.u[i*n+i:i*n+n], raw.Data[i*raw.Stride+i:i*raw.Stride+n])
		}
	} else {
		for i := range n {
			for j := i; j < n; j++ {
				c.u[i*n+j] = a.At(i, j)
			}
		}
	}
	_, ok := openblas.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: c.u})
	return ok
}

// SolveVecTo stores in dst the solution x of A x = b (dst and b may be the
// same vector). It never fails; the error is there so that it replaces
// mat.Cholesky.SolveVecTo at the call sites.
func (c *Cholesky) SolveVecTo(dst *mat.VecDense, b mat.Vector) error {
	n := c.n
	if dst.Len() != n || b.Len() != n {
		panic(mat.ErrShape)
	}
	x := make([]float64, n)
	for i := range n {
		x[i] = b.AtVec(i)
	}
	openblas.Potrs(blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: n, Stride: n, Data: c.u},
		blas64.General{Rows: n, Cols: 1, Stride: 1, Data: x})
	for i := range n {
		dst.SetVec(i, x[i])
	}
	return nil
}
