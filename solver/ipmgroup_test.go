package solver

import (
	"math"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
	"maxmargin/internal/corpus"
	"maxmargin/norm"
	"maxmargin/solver/internal/certify"
	"maxmargin/solver/internal/ipm"
	"maxmargin/solver/internal/lpsolve"
	"maxmargin/solver/internal/run"
)

// lpSolveOnly runs the lp_solve engine alone.
func lpSolveOnly(t *testing.T, ds *dataset.Dataset, n norm.Polyhedral, tol float64) *certify.Result {
	t.Helper()
	start := time.Now()
	res, err := lpsolve.WorkingSet(ds, n, tol, run.Unlimited(), start)
	require.NoError(t, err)
	require.NotNil(t, res)
	return res
}

// groupOnly runs the interior-point method in the group form alone.
func groupOnly(t *testing.T, ds *dataset.Dataset, n norm.Polyhedral, tol float64) *certify.Result {
	t.Helper()
	res, _, err := ipm.WorkingSet(ds, n, tol, ipm.DefaultOptions(), run.Unlimited(), true)
	require.NoError(t, err)
	require.NotNil(t, res, "the group form did not certify")
	return res
}

// agree checks that two certified results of independent engines on the
// same problem overlap: each one's Margin lies in the other's interval,
// widened by the tolerance.
func agree(t *testing.T, a, b *certify.Result, tol float64) {
	t.Helper()
	require.True(t, a.Certified, "interval [%g, %g]", a.Lower, a.Upper)
	require.True(t, b.Certified, "interval [%g, %g]", b.Lower, b.Upper)
	slack := tol * max(1, a.Upper)
	require.GreaterOrEqual(t, a.Margin, b.Lower-slack)
	require.LessOrEqual(t, a.Margin, b.Upper+slack)
	require.GreaterOrEqual(t, b.Margin, a.Lower-slack)
	require.LessOrEqual(t, b.Margin, a.Upper+slack)
}

// TestGroupFormAgainstLPSolve solves small problems for every grouping
// (max, sum, opinf, op1) with the interior-point method's group form and
// with lp_solve, two independent engines, and checks that both certify
// and that their exact intervals (Certify) agree.
func TestGroupFormAgainstLPSolve(t *testing.T) {
	sets := []*dataset.Dataset{
		dataset.GaussianClusters(31, 3, 8, 10, 0.3), // (n,d,k) = (30,8,3)
		dataset.RandomLabels(32, 24, 30, 4),         // d > n: separable
	}
	for _, ds := range sets {
		for _, n := range polyhedral {
			t.Run(ds.Name+"/"+n.Name(), func(t *testing.T) {
				ref := lpSolveOnly(t, ds, n, DefaultTolerance)
				got := groupOnly(t, ds, n, DefaultTolerance)
				require.True(t, ref.Separable)
				agree(t, ref, got, DefaultTolerance)
				res := solveChecked(t, ds, n)
				agree(t, ref, (*certify.Result)(res), DefaultTolerance)
			})
		}
	}
}

// TestBreastCancerRaw solves raw breast cancer (569 x 30, columns from
// about 1e-3 to 4e3, gamma about 1e-5 to 1e-4; before the corpus fixes lp_solve said
// UNBOUNDED for the max norm, sum took 390 s, opinf gave no answer in
// 900 s) for every LP norm with MaxMargin and with the group form, and
// compares with HiGHS where scipy is installed.
func TestBreastCancerRaw(t *testing.T) {
	ds, err := corpus.Load("breast-cancer")
	require.NoError(t, err)
	for _, n := range polyhedral {
		t.Run(n.Name(), func(t *testing.T) {
			start := time.Now()
			res := solveChecked(t, ds, n)
			t.Logf("%s: [%.17g, %.17g] in %.2f s", n.Name(), res.Lower, res.Upper, time.Since(start).Seconds())
			require.True(t, res.Certified)
			require.True(t, res.Separable)
			if g := n.Grouping(); g == norm.Rows || g == norm.Columns {
				agree(t, (*certify.Result)(res), groupOnly(t, ds, n, DefaultTolerance), DefaultTolerance)
			}
			if testing.Short() {
				return
			}
			// HiGHS's default tolerances (1e-7 on feasibility) bound the
			// agreement.
			require.InEpsilon(t, highsGamma(t, ds, n.Name()), res.Margin, 1e-6)
		})
	}
}

// TestRealCorpusLP solves every LP norm on the real data sets, raw and
// standardized, and compares with HiGHS where installed; the digits set
// only with MAXMARGIN_LONG=1.
func TestRealCorpusLP(t *testing.T) {
	if testing.Short() {
		t.Skip("runs HiGHS through Python")
	}
	entries, err := corpus.Real()
	require.NoError(t, err)
	for _, e := range entries {
		if e.Long && os.Getenv("MAXMARGIN_LONG") == "" {
			continue
		}
		for _, n := range polyhedral {
			t.Run(e.Name+"/"+n.Name(), func(t *testing.T) {
				res := solveChecked(t, e.Data, n)
				require.True(t, res.Certified, "interval [%g, %g]", res.Lower, res.Upper)
				want := highsGamma(t, e.Data, n.Name())
				if !res.Separable {
					require.Less(t, math.Abs(want), 1e-7, "HiGHS: separable")
					return
				}
				require.InEpsilon(t, want, res.Margin, 1e-6)
			})
		}
	}
}
