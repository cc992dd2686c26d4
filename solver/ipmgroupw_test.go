package solver

import (
	"testing"

	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/ipm"
)

// TestGroupWeightSpace solves opinf and op1 by the group form on data
// with more than ipm.Options.GroupAllPairs pairs and fewer weights than
// pairs, where it solves in weight space (ipm's groupWSystem) over every
// pair, and checks the exact certificate against lp_solve, an independent
// engine. The Gaussian sets certify in the first solve, so the result's
// rows are all the n(k-1) pairs (the nearly-active fallback would have
// fewer).
func TestGroupWeightSpace(t *testing.T) {
	sets := []*dataset.Dataset{
		dataset.GaussianClusters(41, 5, 10, 60, 0.5), // (n,d,k) = (300,10,5): 1200 pairs, kd = 50
		dataset.GaussianClusters(42, 10, 8, 15, 0.3), // (150,8,10): 1350 pairs, kd = 80
	}
	for _, ds := range sets {
		nn, d, k := ds.Dims()
		require.Greater(t, nn*(k-1), ipm.DefaultOptions().GroupAllPairs)
		require.Less(t, k*d, nn*(k-1))
		for _, name := range []string{"opinf", "op1"} {
			nrm, err := norm.ByName(name)
			require.NoError(t, err)
			n := nrm.(norm.Polyhedral)
			t.Run(ds.Name+"/"+name, func(t *testing.T) {
				got := groupOnly(t, ds, n, DefaultTolerance)
				require.Equal(t, nn*(k-1), got.Rows, "certified by the weight-space solve over every pair")
				ref := lpSolveOnly(t, ds, n, DefaultTolerance)
				require.True(t, ref.Separable)
				agree(t, ref, got, DefaultTolerance)
			})
		}
	}
}
