package trainer

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Tile sizes for gemmSerial. gonum's Dgemm splits a product into 64×64 blocks
// and runs them on goroutines once it has 4 or more blocks, which allocates
// (a channel, a WaitGroup and closures). A 192×64 or 64×192 tile has at most 3
// blocks, so each call below stays serial and allocation-free. The inner
// dimension is never split, so every entry of C is summed in the same order
// as by one serial call: the result does not depend on the tiling.
const (
	tileLong  = 192
	tileShort = 64
)

// gemmSerial computes C = alpha op(A) op(B) + beta C through blas64.Gemm on
// tiles of C small enough for gonum to run serially, so that the product
// allocates nothing and is deterministic. op is the identity or the transpose
// according to tA and tB.
func gemmSerial(tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	tr, tc := tileLong, tileShort
	if c.Cols > c.Rows {
		tr, tc = tileShort, tileLong
	}
	for i0 := 0; i0 < c.Rows; i0 += tr {
		i1 := min(i0+tr, c.Rows)
		for j0 := 0; j0 < c.Cols; j0 += tc {
			j1 := min(j0+tc, c.Cols)
			blas64.Gemm(tA, tB, alpha, rowBlock(a, tA, i0, i1), rowBlock(b, transposed(tB), j0, j1), beta, sub(c, i0, i1, j0, j1))
		}
	}
}

// transposed returns the opposite transpose flag.
func transposed(t blas.Transpose) blas.Transpose {
	if t == blas.NoTrans {
		return blas.Trans
	}
	return blas.NoTrans
}

// rowBlock returns the part of m that produces rows i0..i1-1 of op(m): rows
// i0..i1-1 of m when t is NoTrans, columns i0..i1-1 when it is Trans.
func rowBlock(m blas64.General, t blas.Transpose, i0, i1 int) blas64.General {
	if t == blas.NoTrans {
		return sub(m, i0, i1, 0, m.Cols)
	}
	return sub(m, 0, m.Rows, i0, i1)
}

// sub returns the view of rows i0..i1-1 and columns j0..j1-1 of m.
func sub(m blas64.General, i0, i1, j0, j1 int) blas64.General {
	if i1 == i0 || j1 == j0 {
		return blas64.General{Rows: i1 - i0, Cols: j1 - j0, Stride: max(1, m.Stride)}
	}
	return blas64.General{
		Rows:   i1 - i0,
		Cols:   j1 - j0,
		Stride: m.Stride,
		Data:   m.Data[i0*m.Stride+j0 : (i1-1)*m.Stride+j1],
	}
}
