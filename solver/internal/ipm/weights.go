package ipm

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"maxmargin/internal/openblas"
)

// normalW assembles, for the weight-space form of the Newton step, the
// kd×kd matrix
//
//	H = E^{-1} + M^T D M,   D = diag(dl) over the pairs,
//
// into h (lower triangle filled, row-major). By the Sherman-Morrison-
// Woodbury identity the m×m normal matrix K = M E M^T + D^{-1} has
//
//	K^{-1} = D - D M H^{-1} M^T D,
//
// so when kd < m one kd×kd Cholesky factorization of H replaces the m×m one
// of K (ipmLP.solve). With M_p = (e_{y_i} - e_c) x_i^T, H is a k×k grid of
// d×d blocks: the diagonal block of class a is X^T diag(alpha_a) X with
// alpha_a(i) = sum of dl over the pairs of sample i that touch a, and the
// block (a, b), a != b, is -X^T diag(beta_ab) X with beta_ab(i) = dl of the
// pair (i, b) for y_i = a and of (i, a) for y_i = b. Each block is one
// matrix product over the samples concerned.
func (p *ipmLP) normalW(einv, dl, h []float64) {
	n, d, k := p.n, p.d, p.k
	kd := k * d
	clear(h)
	// coef[i*k+c] = dl of the pair (i, c), 0 when it is not in the set.
	coef := make([]float64, n*k)
	for r, pr := range p.pairs {
		coef[pr.I*k+pr.C] += dl[r]
	}
	xs := make([]float64, n*d) // rows coefficient * x_i
	xr := make([]float64, n*d) // rows x_i
	blk := make([]float64, d*d)
	for a := range k {
		for b := 0; b <= a; b++ {
			rows := 0
			for i, y := range p.ds.Y {
				var c float64
				switch {
				case a == b && y == a:
					for cc := range k {
						c += coef[i*k+cc]
					}
				case a == b:
					c = coef[i*k+a]
				case y == a:
					c = -coef[i*k+b]
				case y == b:
					c = -coef[i*k+a]
				}
				if c == 0 {
					continue
				}
				x := p.x[i*d : i*d+d]
				copy(xr[rows*d:rows*d+d], x)
				dst := xs[rows*d : rows*d+d]
				for l, v := range x {
					dst[l] = c * v
				}
				rows++
			}
			if rows == 0 {
				continue
			}
			openblas.Gemm(blas.Trans, blas.NoTrans, 1,
				blas64.General{Rows: rows, Cols: d, Stride: d, Data: xs[:rows*d]},
				blas64.General{Rows: rows, Cols: d, Stride: d, Data: xr[:rows*d]},
				0, blas64.General{Rows: d, Cols: d, Stride: d, Data: blk})
			// Block (a, b) of H, a >= b, rows a*d.., columns b*d...
			for u := range d {
				copy(h[(a*d+u)*kd+b*d:(a*d+u)*kd+b*d+d], blk[u*d:u*d+d])
			}
		}
	}
	for j := range kd {
		h[j*kd+j] += einv[j]
	}
}
