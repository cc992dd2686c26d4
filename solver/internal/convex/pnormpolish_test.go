package convex

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/run"
)

// TestPolishPNormHandSolved checks polishPNorm on the two-point line of
// TestConvexHandSolved (x_0 = 2 in class 0, x_1 = -1 in class 1), where
// gamma = 2^{1 - 1/p} is attained by w = (2^{-1/p}, -2^{-1/p}) with all
// the weight on sample 1 (pair (1, 0)). The start has a W off the
// optimum and weight 1e-3 on the inactive pair (0, 1), below activeSet's
// threshold activeRatio times its relative slack 1, so the polish solves
// on the active pair alone (both pairs together are degenerate: v_0 and
// v_1 are parallel, so the margins 2 delta and delta cannot be equalised)
// and returns gamma to rounding (4 ulps, allowing for the rounding of the
// p-th powers and roots).
func TestPolishPNormHandSolved(t *testing.T) {
	ds := mustDataset(t, "line", [][]float64{{2}, {-1}}, []int{0, 1})
	for _, p := range []float64{1.5, 2, 3} {
		t.Run(fmt.Sprintf("p=%g", p), func(t *testing.T) {
			bp := &barrierProblem{pairSpace: newPairSpace(ds.X, ds.Y, 2)}
			z := mat.NewDense(2, 1, []float64{0.6, -0.5})
			w, lam, ok := bp.polishPNorm(p, z, []float64{1e-3, 1 - 1e-3})
			require.True(t, ok)
			require.Equal(t, []float64{0, 1}, lam)
			want := math.Pow(2, 1-1/p)
			ln, err := norm.LP(p)
			require.NoError(t, err)
			require.InDelta(t, 1, ln.Value(w), 4e-16)
			require.InDelta(t, want, ds.Margin(w), 4*want*0x1p-52)
			require.InDelta(t, -w.At(0, 0), w.At(1, 0), 4*0x1p-52)
		})
	}
}

// TestPolishPNorm checks that polishPNorm turns an interior-point iterate that
// does not certify (the first runPD stage whose floating-point width is
// below 1e-6 relative, 10 times the default tolerance) into a certified
// result far inside DefaultTolerance (1e-7): width below 1e-10
// relative. The polished bounds agree to rounding: measured 1e-13 to 1e-18
// with gonum's Cholesky in the interior-point stages, and up to 3.1e-11
// (raw Wine, l1.5, the worst-scaled case) with OpenBLAS's, whose different
// rounding hands the polish another loose iterate. The data are well and
// badly scaled (raw Wine: features from ~0.1 to ~1000) and random labels
// with d > n, for the dual (p <= 2) and the primal (p > 2) forms.
func TestPolishPNorm(t *testing.T) {
	raw, err := dataset.LoadCSV("../../../cases/data/wine.csv")
	require.NoError(t, err)
	sets := []struct {
		name string
		ds   *dataset.Dataset
	}{
		{"wine-raw", raw},
		{"wine-standardized", raw.Standardized()},
		{"gaussian", dataset.GaussianClusters(1, 4, 6, 10, 0.2)},
		{"random-labels", dataset.RandomLabels(1, 40, 60, 4)},
	}
	for _, set := range sets {
		ds := set.ds
		for _, name := range []string{"l1.5", "l3"} {
			t.Run(set.name+"/"+name, func(t *testing.T) {
				bp, cn := scaledBarrierProblem(t, ds, name)
				var loose *barrierResult
				var lower, upper float64
				err := bp.runPD(bp.startDirection(), func(br barrierResult) bool {
					lower, _, upper = bp.floatBounds(cn, br)
					if upper-lower <= 1e-6*max(1, lower) {
						loose = &br
						return false
					}
					return true
				}, run.Unlimited())
				require.NoError(t, err)
				require.NotNil(t, loose, "runPD reached width 1e-6")
				before, err := convexCertify(ds, cn, mat.DenseCopyOf(loose.z), bp.pairWeights(loose.lambda), DefaultTolerance)
				require.NoError(t, err)
				require.False(t, before.Certified, "interval [%v, %v]", before.Lower, before.Upper)
				pr, ok := bp.polished(cn, *loose, lower, upper)
				require.True(t, ok)
				for _, v := range pr.lambda {
					require.GreaterOrEqual(t, v, 0.0)
				}
				res, err := convexCertify(ds, cn, pr.z, bp.pairWeights(pr.lambda), DefaultTolerance)
				require.NoError(t, err)
				require.True(t, res.Certified)
				require.Less(t, res.Upper-res.Lower, 1e-10*max(1, res.Lower))
				require.Less(t, res.Upper-res.Lower, before.Upper-before.Lower)
				require.GreaterOrEqual(t, res.Upper, before.Lower, "the intervals overlap")
				require.LessOrEqual(t, res.Lower, before.Upper, "the intervals overlap")
			})
		}
	}
}

// TestSolveDense checks solveDense on a regular system (solved to
// rounding) and on an exactly singular one, which gonum reports as
// Condition(+Inf) with an empty solution: solveDense must say false, not
// return the empty vector (a polish on raw Wine, l10, indexed it).
func TestSolveDense(t *testing.T) {
	tests := []struct {
		name string
		a    []float64
		b    []float64
		want []float64
		ok   bool
	}{
		// [[2, 1], [1, 3]] x = (3, 5): x = (4/5, 7/5).
		{"regular", []float64{2, 1, 1, 3}, []float64{3, 5}, []float64{0.8, 1.4}, true},
		// Rank one: the second row is twice the first.
		{"singular", []float64{1, 2, 2, 4}, []float64{1, 1}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, ok := solveDense(mat.NewDense(2, 2, tc.a), tc.b)
			require.Equal(t, tc.ok, ok)
			if !tc.ok {
				return
			}
			require.Len(t, x, len(tc.want))
			for i := range x {
				require.InDelta(t, tc.want[i], x[i], 4*0x1p-52)
			}
		})
	}
}

// TestAddBelow checks addBelow's two reports, on which polishNewton's
// verdict rests: with k = 2 and d = 1 the active set holds at most kD = 2
// pairs, so once two are in, a third pair below gam cannot join and must
// be reported (polishNewton then fails instead of claiming an optimum).
func TestAddBelow(t *testing.T) {
	ds := mustDataset(t, "line", [][]float64{{2}, {-1}, {3}}, []int{0, 1, 0})
	bp := &barrierProblem{pairSpace: newPairSpace(ds.X, ds.Y, ds.K)}
	gam := 1.0
	tests := []struct {
		name         string
		in           []bool
		m            []float64
		added, below bool
		after        []bool
	}{
		{"room: the pair below joins", []bool{true, false, false}, []float64{1, 0.5, 2}, true, true, []bool{true, true, false}},
		{"none below", []bool{true, false, false}, []float64{1, 1, 2}, false, false, []bool{true, false, false}},
		{"full with a pair below", []bool{true, true, false}, []float64{1, 1, 0.5}, false, true, []bool{true, true, false}},
		{"full, none below", []bool{true, true, false}, []float64{1, 1, 2}, false, false, []bool{true, true, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := slices.Clone(tc.in)
			ns := 0
			for _, v := range in {
				if v {
					ns++
				}
			}
			added, below := bp.addBelow(in, tc.m, gam, ns)
			require.Equal(t, tc.added, added)
			require.Equal(t, tc.below, below)
			require.Equal(t, tc.after, in)
		})
	}
}

// scaledBarrierProblem builds the barrier problem of the entry-wise norm
// name on ds scaled to unit size, as Solve does for the norms
// that are not unitarily invariant.
func scaledBarrierProblem(t *testing.T, ds *dataset.Dataset, name string) (*barrierProblem, convexNorm) {
	t.Helper()
	cn, ok := convexNormOf(mustNorm(t, name))
	require.True(t, ok)
	require.False(t, cn.unitaryInvariant())
	_, _, k := ds.Dims()
	x, _ := scaledToUnit(ds.X)
	_, d := x.Dims()
	return &barrierProblem{pairSpace: newPairSpace(x, ds.Y, k), ball: cn.barrier(k, d)}, cn
}
