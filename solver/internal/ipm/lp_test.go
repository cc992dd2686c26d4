package ipm

import (
	"testing"

	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/certify"
	"maxmargin/solver/internal/run"
)

// defaultTolerance is solver.DefaultTolerance, the certified relative
// width of solver.MaxMargin's LP norms.
const defaultTolerance = 1e-9

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
	defaultBand := DefaultOptions().Reduce.Band
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
				opt := DefaultOptions()
				opt.Reduce.Band = band
				if pcg {
					opt.PCG.MinPairs, opt.PCG.Cost = 0, 0
				} else {
					opt.PCG.MinPairs = 1 << 30
				}
				p := newIPM(ds, n == norm.Sum, opt)
				p.floor = certify.MarginFloor(ds, n) // as WorkingSet sets it
				res, ok, err := p.solve(everyPair(ds), defaultTolerance/4, 100, run.Unlimited())
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
					tol := defaultTolerance * max(certify.MarginFloor(ds, n), full.upper)
					require.InDelta(t, full.lower, got.lower, tol)
					require.InDelta(t, full.upper, got.upper, tol)
					out, err := certify.FromLP(ds, n, got.w, everyPair(ds), got.lambda, defaultTolerance)
					require.NoError(t, err)
					require.True(t, out.Certified)
				})
			}
		}
	}
}
