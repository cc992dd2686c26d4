package solver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/ipm"
	"maxmargin/solver/internal/run"
)

// forcedIPM returns the interior-point tuning with the interior-point path
// forced on every size (MinSize 0) and AllPairs set to allPairs (0 forces
// the working-set rounds).
func forcedIPM(allPairs int) *ipm.Options {
	opt := ipm.DefaultOptions()
	opt.MinSize, opt.AllPairs = 0, allPairs
	return &opt
}

// TestIPMAgainstLPSolve checks that the interior-point path certifies the
// same gamma_N as lp_solve (to the certified tolerance) on small data sets,
// with all pairs at once and with working-set rounds, and that its result
// satisfies the Result contract (checkResult).
func TestIPMAgainstLPSolve(t *testing.T) {
	sets := []*dataset.Dataset{
		dataset.GaussianClusters(11, 3, 10, 7, 0.5),
		dataset.GaussianClusters(12, 4, 6, 5, 0.3),
		dataset.RandomLabels(13, 10, 12, 3),
		dataset.RandomLabels(14, 15, 20, 5),
		dataset.GaussianClusters(15, 5, 40, 8, 0.1),
		dataset.RandomLabels(16, 40, 60, 4),
	}
	for _, ds := range sets {
		for _, n := range []norm.Polyhedral{norm.Max, norm.Sum} {
			ref, err := MaxMargin(ds, n, nil)
			require.NoError(t, err)
			for _, all := range []int{0, 1 << 30} {
				name := ds.Name + "/" + n.Name() + "/rounds"
				if all > 0 {
					name = ds.Name + "/" + n.Name() + "/all"
				}
				t.Run(name, func(t *testing.T) {
					opt := forcedIPM(all)
					res, _, err := ipm.MaxMargin(ds, n, DefaultTolerance, *opt, run.Unlimited())
					require.NoError(t, err)
					require.NotNil(t, res, "interior points did not certify")
					require.True(t, res.Certified)
					require.InDelta(t, ref.Margin, res.Margin, 2*DefaultTolerance*max(1, ref.Margin))
					res2 := solveCheckedWith(t, ds, n, &Settings{ipm: opt})
					require.InDelta(t, ref.Margin, res2.Margin, 2*DefaultTolerance*max(1, ref.Margin))
				})
			}
		}
	}
}

// TestIPMNotSeparable checks the interior-point path on data with
// gamma_N = 0: MaxMargin still reports them as not separable (the sum form
// "margins >= 1" is infeasible there, and lp_solve takes over).
func TestIPMNotSeparable(t *testing.T) {
	sets := []*dataset.Dataset{
		mustDataset(t, "same point, two labels", [][]float64{{1, 2}, {1, 2}, {-3, 1}}, []int{0, 1, 2}),
		mustDataset(t, "same side of 0", [][]float64{{3}, {1}}, []int{0, 1}),
	}
	for _, ds := range sets {
		for _, n := range []norm.Polyhedral{norm.Max, norm.Sum} {
			t.Run(ds.Name+"/"+n.Name(), func(t *testing.T) {
				res := solveCheckedWith(t, ds, n, &Settings{ipm: forcedIPM(1 << 30)})
				require.False(t, res.Separable)
				require.Zero(t, res.Lower)
				require.LessOrEqual(t, res.Upper, DefaultTolerance)
			})
		}
	}
}

// TestIPMTimeout checks that the interior-point path honours the time-out.
func TestIPMTimeout(t *testing.T) {
	ds := dataset.RandomLabels(17, 100, 200, 5)
	_, err := MaxMargin(ds, norm.Max, &Settings{Timeout: time.Millisecond})
	var se *StatusError
	require.ErrorAs(t, err, &se)
	require.Equal(t, "TIMEOUT", se.Status)
}

// TestConvexTimeout checks that the convex norms' interior-point and
// barrier methods honour the time-out and say which method stopped (not
// lp_solve, which they do not call).
func TestConvexTimeout(t *testing.T) {
	ds := dataset.RandomLabels(17, 100, 200, 5)
	for _, tc := range []struct{ name, method string }{
		{"fro", "QP interior-point method (fro)"},
		{"spectral", "SDP interior-point method (spectral)"},
		{"nuclear", "SDP interior-point method (nuclear)"},
		{"l3", "primal-dual barrier method (l3)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nrm, err := norm.ByName(tc.name)
			require.NoError(t, err)
			_, err = MaxMargin(ds, nrm, &Settings{Timeout: time.Nanosecond})
			var se *StatusError
			require.ErrorAs(t, err, &se)
			require.EqualError(t, err, "solver: "+tc.method+" status TIMEOUT")
		})
	}
}

// TestIPMScreening checks the screening path (a loose weight-space solve
// over every pair, kd < n(k-1), then a working set) on separable and
// non-separable data against lp_solve.
func TestIPMScreening(t *testing.T) {
	sep := dataset.GaussianClusters(21, 4, 3, 10, 0.2) // kd = 12 < 120 pairs
	noisy := dataset.RandomLabels(22, 40, 2, 3)        // kd = 6 < 80 pairs
	for _, ds := range []*dataset.Dataset{sep, noisy} {
		for _, n := range []norm.Polyhedral{norm.Max, norm.Sum} {
			t.Run(ds.Name+"/"+n.Name(), func(t *testing.T) {
				ref, err := MaxMargin(ds, n, nil)
				require.NoError(t, err)
				opt := forcedIPM(0)
				if ds == sep {
					res, _, err := ipm.MaxMargin(ds, n, DefaultTolerance, *opt, run.Unlimited())
					require.NoError(t, err)
					require.NotNil(t, res, "interior points did not certify")
					require.Greater(t, res.Rounds, 1, "no screening round")
				}
				res := solveCheckedWith(t, ds, n, &Settings{ipm: opt})
				require.Equal(t, ref.Separable, res.Separable)
				require.InDelta(t, ref.Margin, res.Margin, 2*DefaultTolerance*max(1, ref.Margin))
			})
		}
	}
}
