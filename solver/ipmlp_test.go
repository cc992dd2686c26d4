package solver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/certify"
	"maxmargin/solver/internal/run"
)

// forcedIPM returns the interior-point tuning with the interior-point path
// forced on every size (MinSize 0) and AllPairs set to allPairs (0 forces
// the working-set rounds).
func forcedIPM(allPairs int) *ipmOptions {
	opt := defaultIPMOptions()
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
					res, _, err := maxMarginIPM(ds, n, DefaultTolerance, *opt, run.Unlimited())
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
					res, _, err := maxMarginIPM(ds, n, DefaultTolerance, *opt, run.Unlimited())
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

// TestIPMConstraintReduction checks the reduced Newton systems and the
// conjugate-gradient solves of ipmLP.solve against the plain method (full
// system, Cholesky factorization): on Gaussian clusters few pairs are
// active, so the reduced system must be used in many iterations, and with
// conjugate gradients forced on every size they must carry iterations;
// every variant must certify the optimum the plain method reaches (each is
// certified to the tolerance, so they differ by at most twice it). Random
// labels, where about 60% of the pairs are active, are included as the
// case where neither may cost correctness.
func TestIPMConstraintReduction(t *testing.T) {
	sets := []*dataset.Dataset{
		dataset.GaussianClusters(21, 5, 40, 20, 0.1),
		dataset.GaussianClusters(22, 10, 30, 6, 0.1),
		dataset.RandomLabels(23, 60, 80, 5),
	}
	defaultBand := defaultIPMOptions().Reduce.Band
	type variant struct {
		name      string
		band      float64 // Reduce.Band; 0 turns the reduction off
		pcg       bool    // conjugate gradients on every size
		reduced   bool    // expect reduced iterations (Gaussian only)
		pcgActive bool    // expect conjugate-gradient iterations
	}
	variants := []variant{
		{name: "reduced", band: defaultBand, reduced: true},
		{name: "pcg", pcg: true, pcgActive: true},
		{name: "reduced+pcg", band: defaultBand, pcg: true, reduced: true, pcgActive: true},
	}
	for _, ds := range sets {
		for _, n := range []norm.Polyhedral{norm.Max, norm.Sum} {
			solve := func(t *testing.T, band float64, pcg bool) ipmResult {
				opt := defaultIPMOptions()
				opt.Reduce.Band = band
				if pcg {
					opt.PCG.MinPairs, opt.PCG.Cost = 0, 0
				} else {
					opt.PCG.MinPairs = 1 << 30
				}
				p := newIPM(ds, n == norm.Sum, opt)
				p.floor = certify.MarginFloor(ds, n) // as ipmWorkingSet sets it
				res, ok, err := p.solve(everyPair(ds), DefaultTolerance/4, 100, run.Unlimited())
				require.NoError(t, err)
				require.True(t, ok, "width %g", res.upper-res.lower)
				return res
			}
			for _, v := range variants {
				t.Run(ds.Name+"/"+n.Name()+"/"+v.name, func(t *testing.T) {
					full := solve(t, 0, false)
					require.Zero(t, full.reduced)
					require.Zero(t, full.pcg)
					got := solve(t, v.band, v.pcg)
					if v.reduced && ds.Name[0] == 'g' {
						require.Greater(t, got.reduced, got.iters/4, "reduced iterations")
					}
					if v.pcgActive {
						require.Positive(t, got.pcg, "conjugate-gradient iterations")
					}
					tol := DefaultTolerance * max(certify.MarginFloor(ds, n), full.upper)
					require.InDelta(t, full.lower, got.lower, tol)
					require.InDelta(t, full.upper, got.upper, tol)
					out, err := certify.FromLP(ds, n, got.w, everyPair(ds), got.lambda, DefaultTolerance)
					require.NoError(t, err)
					require.True(t, out.Certified)
				})
			}
		}
	}
}
