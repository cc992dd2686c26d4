package solver

import (
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/certify"
	"maxmargin/solver/internal/lpsolve"
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
			assert.Equal(t, certify.RoundDown(lo), r.Lower)
			assert.Equal(t, certify.RoundUp(up), r.Upper)
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

// TestMarginScale checks sigma_N against its closed forms on a hand-made
// data set: rows x_1 = (3, -4) and x_2 = (1, 2), so max ||x_i||_1 = 7 and
// max ||x_i||_inf = 4, giving sigma = 2*7 (max), 4 (sum), 2*4 (opinf) and
// 7 (op1) (MarginScale's doc: the dual norm of the matrix with rows x_i and
// -x_i), and its exact scaling: sigma_N(2^p X) = 2^p sigma_N(X).
func TestMarginScale(t *testing.T) {
	ds, err := dataset.New("hand", mat.NewDense(2, 2, []float64{3, -4, 1, 2}), []int{0, 1})
	require.NoError(t, err)
	want := map[string]float64{"max": 14, "sum": 4, "opinf": 8, "op1": 7}
	for _, n := range []norm.Polyhedral{norm.Max, norm.Sum, norm.OpInf, norm.Op1} {
		m, e := MarginScale(ds, n)
		assert.Equal(t, want[n.Name()], math.Ldexp(m, e), n.Name())
		for _, p := range []int{-1070, -60, 60, 1000} {
			var x mat.Dense
			x.Scale(math.Ldexp(1, p), ds.X)
			ms, es := MarginScale(&dataset.Dataset{Name: "scaled", X: &x, Y: ds.Y, K: ds.K}, n)
			assert.Equal(t, m, ms, "%s at 2^%d", n.Name(), p)
			assert.Equal(t, e+p, es, "%s at 2^%d", n.Name(), p)
		}
	}
}

// TestUnitInvariantCertificate checks that the polyhedral norms' verdict
// does not depend on the data's units: the tiny-margin data (gamma_N =
// 1e-8 of the data's scale, known exactly: dataset.TinyMarginGamma) and a
// Gaussian set multiplied by 1e-6, 1 and 1e6 (not powers of two, so the
// solves see different numbers) are certified each time, with a width
// within the tolerance relative to gamma (these margins are above the
// floor 2^-10 sigma_N, or refined to the exact gamma below it), and the
// intervals of the scaled copies scale with the data.
func TestUnitInvariantCertificate(t *testing.T) {
	const delta = 1e-8
	tiny := dataset.TinyMargin(7, 6, 12, delta, 1)
	base := dataset.GaussianClusters(9, 3, 5, 8, 0.2)
	for _, n := range []norm.Polyhedral{norm.Max, norm.Sum, norm.OpInf, norm.Op1} {
		t.Run("tiny-margin/"+n.Name(), func(t *testing.T) {
			r, err := MaxMargin(tiny, n, nil)
			require.NoError(t, err)
			require.True(t, r.Certified)
			g, ok := dataset.TinyMarginGamma(n.Name(), delta)
			require.True(t, ok)
			assert.LessOrEqual(t, r.Lower, g*(1+1e-15))
			assert.GreaterOrEqual(t, r.Upper, g*(1-1e-15))
			// Meaningful: relative, not the absolute 1e-9 of the past
			// (which allowed a tenth of gamma).
			assert.LessOrEqual(t, r.Upper-r.Lower, lpsolve.RefineWidth*g, "[%g, %g]", r.Lower, r.Upper)
		})
		ref, err := MaxMargin(base, n, nil)
		require.NoError(t, err)
		require.True(t, ref.Certified)
		for _, c := range []float64{1e-6, 1e6} {
			t.Run(fmt.Sprintf("gaussian-times-%g/%s", c, n.Name()), func(t *testing.T) {
				var x mat.Dense
				x.Scale(c, base.X)
				r, err := MaxMargin(&dataset.Dataset{Name: "scaled", X: &x, Y: base.Y, K: base.K}, n, nil)
				require.NoError(t, err)
				assert.True(t, r.Certified)
				assert.LessOrEqual(t, r.Upper-r.Lower, DefaultTolerance*r.Lower)
				// Different LPs, each certified to 1e-9 relative: the scaled
				// reference agrees to twice that.
				assert.InEpsilon(t, c*ref.Lower, r.Lower, 2e-9)
			})
		}
	}
}

// TestWithinTolerance checks the polyhedral width test on hand-made
// intervals for the data set of TestMarginScale (sigma_max = 14, so the
// floor is 14 2^-10): a margin above the floor is judged relative to L, one
// below it, or non-separable data, against tol 14 2^-10.
func TestWithinTolerance(t *testing.T) {
	ds, err := dataset.New("hand", mat.NewDense(2, 2, []float64{3, -4, 1, 2}), []int{0, 1})
	require.NoError(t, err)
	floor := 14 * 0x1p-10
	rat := func(f float64) *big.Rat { return new(big.Rat).SetFloat64(f) }
	const tol = 1e-9
	for _, c := range []struct {
		name         string
		lower, upper float64
		want         bool
	}{
		{"relative, within", 2, 2 + 1.9e-9, true},
		{"relative, wider", 2, 2 + 2.1e-9, false},
		{"floor, within", 1e-6, 1e-6 + 0.99*tol*floor, true},
		{"floor, wider", 1e-6, 1e-6 + 1.01*tol*floor, false},
		{"non-separable, within", 0, 0.99 * tol * floor, true},
		{"non-separable, wider", 0, 1.01 * tol * floor, false},
	} {
		assert.Equal(t, c.want, WithinTolerance(ds, norm.Max, rat(c.lower), rat(c.upper), tol), c.name)
	}
	// The convex norms keep tol max(1, L): 1e-10 above 0 is within.
	assert.True(t, WithinTolerance(ds, norm.Fro, rat(0), rat(1e-10), tol))
	assert.False(t, WithinTolerance(ds, norm.Max, rat(0), rat(1e-10), tol))
}
