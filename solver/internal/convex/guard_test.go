package convex

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/solver/internal/ipm"
	"maxmargin/solver/internal/run"
)

// TestSymEigenvalues checks symEigenvalues against eigenvalues known by
// construction: diag(4, -2) rotated by 45 degrees has eigenvalues -2 and
// 4, also when scaled by 2^-600 (below the range where gonum's Dsterf
// panicked) and 2^600; a NaN entry is refused.
func TestSymEigenvalues(t *testing.T) {
	for _, scale := range []float64{1, 0x1p-600, 0x1p600} {
		// R diag(4, -2) R^T with R the rotation by 45 degrees:
		// [[1, 3], [3, 1]].
		a := mat.NewSymDense(2, []float64{scale, 3 * scale, 3 * scale, scale})
		vals, ok := symEigenvalues(a)
		require.True(t, ok)
		require.InEpsilon(t, -2*scale, vals[0], 1e-14)
		require.InEpsilon(t, 4*scale, vals[1], 1e-14)
	}
	_, ok := symEigenvalues(mat.NewSymDense(2, []float64{1, math.NaN(), math.NaN(), 1}))
	require.False(t, ok)
}

// TestRecoverNumerical checks that a panic inside a guarded method becomes
// a *StatusError of status NUMERICAL FAILURE naming the method, and that
// a method without panic keeps its own error.
func TestRecoverNumerical(t *testing.T) {
	err := guarded("SDP interior-point method (spectral)", func() error { panic("lapack: insufficient length of a") })
	var se *run.StatusError
	require.ErrorAs(t, err, &se)
	require.Equal(t, "SDP interior-point method (spectral)", se.Method)
	require.Equal(t, "NUMERICAL FAILURE: panic: lapack: insufficient length of a", se.Status)
	require.True(t, run.IsNumericalFailure(err))
	require.NoError(t, guarded("x", func() error { return nil }))
	timeout := &run.StatusError{Status: "TIMEOUT"}
	require.Equal(t, error(timeout), guarded("x", func() error { return timeout }))
	require.False(t, run.IsNumericalFailure(timeout))
	// A time-out inside a method (Budget.Stop's generic name) names it.
	err = guarded("barrier method (l3)", func() error { return &run.StatusError{Status: "TIMEOUT", Method: ipm.Method} })
	require.EqualError(t, err, "solver: barrier method (l3) status TIMEOUT")
}
