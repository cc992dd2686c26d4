package dense

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// TestCholesky checks Cholesky against mat.Cholesky: the same solution
// of A x = b (in place, as the interior-point methods call it) on a random
// positive definite A = B^T B + I, and false on an indefinite matrix.
func TestCholesky(t *testing.T) {
	tests := []struct {
		name string
		n    int
	}{
		{"one", 1},
		{"small", 7},
		// Above gonum's block size (64), so Potrf takes its blocked path.
		{"blocked", 150},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tt.n)))
			b := mat.NewDense(tt.n, tt.n, nil)
			for i := range tt.n {
				for j := range tt.n {
					b.Set(i, j, rng.NormFloat64())
				}
			}
			a := mat.NewSymDense(tt.n, nil)
			a.SymOuterK(1, b.T())
			for i := range tt.n {
				a.SetSym(i, i, a.At(i, i)+1)
			}
			rhs := make([]float64, tt.n)
			for i := range rhs {
				rhs[i] = rng.NormFloat64()
			}
			var ref mat.Cholesky
			require.True(t, ref.Factorize(a))
			want := mat.NewVecDense(tt.n, nil)
			require.NoError(t, ref.SolveVecTo(want, mat.NewVecDense(tt.n, rhs)))

			var c Cholesky
			require.True(t, c.Factorize(a))
			got := mat.NewVecDense(tt.n, append([]float64(nil), rhs...))
			require.NoError(t, c.SolveVecTo(got, got))
			for i := range tt.n {
				// Both are backward stable; cond(A) is below about 4n+1
				// here, so 1e-10 relative leaves a wide margin.
				assert.InDelta(t, want.AtVec(i), got.AtVec(i), 1e-10*max(1, mat.Norm(want, 2)), "entry %d", i)
			}
		})
	}
	t.Run("indefinite", func(t *testing.T) {
		a := mat.NewSymDense(2, []float64{1, 2, 2, 1}) // eigenvalues 3 and -1
		var c Cholesky
		assert.False(t, c.Factorize(a))
	})
}
