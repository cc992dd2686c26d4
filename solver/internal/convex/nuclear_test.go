package convex

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// TestSharedHessian checks that the column form's Newton matrix is the
// same whether every block adds all its terms (blockHessian with nothing
// skipped) or the blocks skip the terms between shared entries (those of
// P) and sharedHessian adds them at once: the two sum the same products in
// a different order, so they agree to rounding (1e-12 relative to the
// largest entry). The blocks' matrices are random and symmetric, which is
// all the identity needs. Without sharedHessian the matrices differ (the
// P-P terms are missing), so the comparison can fail.
func TestSharedHessian(t *testing.T) {
	for _, shape := range []struct{ k, d int }{{3, 4}, {5, 2}, {2, 7}} {
		t.Run(fmt.Sprintf("k=%d,d=%d", shape.k, shape.d), func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(11, uint64(shape.k*100+shape.d)))
			lay := newNuclearLayout(shape.k, shape.d, true)
			require.Equal(t, shape.k*(shape.k+1)/2, lay.shared)
			nb := len(lay.dims)
			require.Equal(t, shape.d, nb)
			mw := make([][]float64, nb)
			for b, p := range lay.dims {
				mw[b] = make([]float64, p*p)
				for i := range p {
					for j := i; j < p; j++ {
						v := rnd.NormFloat64()
						mw[b][i*p+j], mw[b][j*p+i] = v, v
					}
				}
			}
			newH := func() blas64.Symmetric {
				return blas64.Symmetric{Uplo: blas.Upper, N: lay.nv, Stride: lay.nv, Data: make([]float64, lay.nv*lay.nv)}
			}
			all, split, partial := newH(), newH(), newH()
			for b := range nb {
				lay.blockHessian(all, b, mw[b], 0)
				lay.blockHessian(split, b, mw[b], lay.shared)
				lay.blockHessian(partial, b, mw[b], lay.shared)
			}
			lay.sharedHessian(split, mw)
			var scale, missing float64
			for i := range lay.nv {
				for j := i; j < lay.nv; j++ {
					scale = max(scale, math.Abs(all.Data[i*lay.nv+j]))
					missing = max(missing, math.Abs(all.Data[i*lay.nv+j]-partial.Data[i*lay.nv+j]))
				}
			}
			require.Greater(t, missing, 1e-3*scale, "the P-P terms matter")
			for i := range lay.nv {
				for j := i; j < lay.nv; j++ {
					assert.InDelta(t, all.Data[i*lay.nv+j], split.Data[i*lay.nv+j], 1e-12*scale, "entry (%d,%d)", i, j)
				}
			}
		})
	}
}
