package convex

import (
	"testing"

	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
	"maxmargin/solver/internal/run"
)

// TestPolishMinNorm checks polishMinNorm on raw Wine, l20, the case it was
// written for: from every runPD iterate whose floating-point width is
// below polishStart (1e-2 relative; measured 2.4e-3 and 2.4e-4 at tau =
// 1.3e9 and 1.3e10, where polishPNorm fails), its W must give a lower bound
// no smaller than the iterate's and its multipliers an upper bound no
// larger, and the two must meet within DefaultTolerance relative
// (measured: equal to 10 digits, 1.1685281e-4 on the scaled data).
func TestPolishMinNorm(t *testing.T) {
	raw, err := dataset.LoadCSV("../../../cases/data/wine.csv")
	require.NoError(t, err)
	bp, cn := scaledBarrierProblem(t, raw, "l20")
	polished := 0
	require.NoError(t, bp.runPD(bp.startDirection(), func(br barrierResult) bool {
		lower, _, upper := bp.floatBounds(cn, br)
		if !(upper-lower <= polishStart*upper) {
			return true
		}
		polished++
		w, mult, ok := bp.polishMinNorm(cn.cone.(pnormCone).p, br.z, br.lambda)
		require.True(t, ok)
		require.NotNil(t, mult, "converged: the multipliers are returned")
		pl, _, pu := bp.floatBounds(cn, barrierResult{z: w, lambda: mult})
		require.GreaterOrEqual(t, pl, lower)
		require.LessOrEqual(t, pu, upper)
		require.LessOrEqual(t, pl, pu)
		require.LessOrEqual(t, pu-pl, DefaultTolerance*pu)
		return true
	}, run.Unlimited()))
	require.Positive(t, polished, "some iterate was within polishStart")
}
