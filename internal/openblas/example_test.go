package openblas_test

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"maxmargin/internal/openblas"
)

// ExamplePotrf solves A x = b for A = [4 2; 2 3] and b = (2, 1): by hand,
// det A = 8, A^{-1} = [3 -2; -2 4]/8, x = (6-2, -4+4)/8 = (0.5, 0).
func ExamplePotrf() {
	a := blas64.Symmetric{Uplo: blas.Upper, N: 2, Stride: 2, Data: []float64{4, 2, 0, 3}}
	u, ok := openblas.Potrf(a)
	if !ok {
		fmt.Println("not positive definite")
		return
	}
	b := blas64.General{Rows: 2, Cols: 1, Stride: 1, Data: []float64{2, 1}}
	openblas.Potrs(u, b)
	fmt.Printf("U = [%.4g %.4g; 0 %.4g], x = (%.4g, %.4g)\n", u.Data[0], u.Data[1], u.Data[3], round(b.Data[0]), round(b.Data[1]))
	// Output: U = [2 1; 0 1.414], x = (0.5, 0)
}

// round drops rounding errors below 1e-12, which depend on the kernels
// OpenBLAS picks for the CPU.
func round(v float64) float64 { return math.Round(v*1e12)/1e12 + 0 }
