package solver

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// TestExtremeScales checks that gamma_N(2^p X) = 2^p gamma_N(X) holds exactly
// for data of size 1e300 and 1e-300, where lp_solve's absolute tolerances
// would otherwise declare tiny data not separable and huge data infeasible,
// and that data mixing both scales (some features underflow when scaled) are
// certified on the original data.
func TestExtremeScales(t *testing.T) {
	base := dataset.GaussianClusters(8, 3, 4, 6, 0.2)
	for _, n := range []norm.Polyhedral{norm.Max, norm.Sum, norm.OpInf, norm.Op1} {
		ref, err := MaxMargin(base, n, nil)
		require.NoError(t, err)
		require.True(t, ref.Certified && ref.Separable)
		for _, p := range []int{-1000, -40, 40, 990} {
			var x mat.Dense
			x.Scale(math.Ldexp(1, p), base.X)
			ds := &dataset.Dataset{Name: "scaled", X: &x, Y: base.Y, K: base.K}
			r, err := MaxMargin(ds, n, nil)
			require.NoError(t, err, "%s at 2^%d", n.Name(), p)
			assert.True(t, r.Certified, "%s at 2^%d", n.Name(), p)
			assert.True(t, r.Separable, "%s at 2^%d", n.Name(), p)
			// The same LP on the rescaled data: equal to lp_solve's
			// accuracy, certified either way.
			assert.InEpsilon(t, math.Ldexp(ref.Margin, p), r.Margin, 1e-9, "%s at 2^%d", n.Name(), p)
			lo, up, err := Certify(ds, n, r.W, r.Lambda)
			require.NoError(t, err)
			assert.Equal(t, roundDown(lo), r.Lower)
			assert.Equal(t, roundUp(up), r.Upper)
		}
	}
	t.Run("mixed scales", func(t *testing.T) {
		// Class 0 at x = (1e300, 1e-300), class 1 at (-1e300, -1e-300):
		// scaling by 2^-997 makes the second feature underflow, so the
		// result is certified on the original data. gamma_max = 2e300 + 2e-300
		// (w_0 = (1, 1), w_1 = (-1, -1)), which rounds to 2e300.
		ds, err := dataset.New("mixed", mat.NewDense(2, 2, []float64{1e300, 1e-300, -1e300, -1e-300}), []int{0, 1})
		require.NoError(t, err)
		r, err := MaxMargin(ds, norm.Max, nil)
		require.NoError(t, err)
		assert.True(t, r.Separable)
		assert.True(t, r.Certified)
		assert.InEpsilon(t, 2e300, r.Margin, 1e-12)
	})
}

// TestTooLarge checks that a problem beyond the memory budget is refused up
// front with its size (only the shape is needed, so no data are made).
func TestTooLarge(t *testing.T) {
	// 32 n k d = 32 * 1e6 * 10 * 1e3 bytes = 298 GiB > 8 GiB.
	n, d, k := 1000000, 1000, 10
	err := checkSizeDims(n, d, k, true)
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Contains(t, err.Error(), "n = 1000000, d = 1000, k = 10 needs about 298.0 GiB")
	// The paper's size, (500, 25, 10): 4 MB for the LP, 8 * 4500^2 bytes =
	// 155 MiB for a dense system over the pairs.
	require.NoError(t, checkSizeDims(500, 25, 10, false))
	// n = 1e4, d = 100, k = 10: the LP needs 32e7 bytes = 0.3 GiB, allowed;
	// a dense system over 9e4 pairs needs 8 * 8.1e9 bytes = 60 GiB.
	require.NoError(t, checkSizeDims(10000, 100, 10, true))
	require.ErrorIs(t, checkSizeDims(10000, 100, 10, false), ErrTooLarge)
	// n = 1e5, d = 1e4, k = 10: the LP needs 298 GiB.
	require.ErrorIs(t, checkSizeDims(100000, 10000, 10, false), ErrTooLarge)
}
