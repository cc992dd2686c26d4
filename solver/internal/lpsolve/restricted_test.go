package lpsolve

import (
	"testing"

	"github.com/draffensperger/golp"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/workset"
)

// TestGolpDualSign pins lp_solve's sign convention for row duals, on which
// MaxMargin's lambda = -dual rests. The LP
//
//	maximize g  s.t.  x - g >= 0  (row 1),  -x >= -1  (row 2),  x, g free
//
// has optimum g = x = 1. Its Lagrangian g + mu_1 (x - g) + mu_2 (1 - x) with
// mu >= 0 is stationary for mu_1 = 1 (coefficient of g) and mu_2 = mu_1 = 1
// (coefficient of x), and the optimum moves by mu_2 = 1 per unit of row 2's
// right-hand side: lp_solve reports these >= rows of a maximisation with
// the opposite sign, -1 and -1.
func TestGolpDualSign(t *testing.T) {
	p := golp.NewLP(0, 2)
	p.SetUnbounded(0)
	p.SetUnbounded(1)
	require.NoError(t, p.AddConstraint([]float64{1, -1}, golp.GE, 0))
	require.NoError(t, p.AddConstraint([]float64{-1, 0}, golp.GE, -1))
	p.SetObjFn([]float64{0, 1})
	p.SetMaximize()
	require.Equal(t, golp.OPTIMAL, p.Solve())
	require.InDelta(t, 1, p.Objective(), 1e-12)
	duals := p.Duals()
	require.Len(t, duals, 2)
	require.InDelta(t, -1, duals[0], 1e-12)
	require.InDelta(t, -1, duals[1], 1e-12)
}

// TestRestrictedDuals checks lambda = -dual on the two-point line of
// solver.TestHandSolved: both samples' margins equal delta = w_0 - w_1 and the
// dual weights (sum 1) can be any split; their sum is 1 since the
// objective gamma has coefficient 1 and appears with -1 in every row.
func TestRestrictedDuals(t *testing.T) {
	ds := &dataset.Dataset{Name: "line", X: mat.NewDense(2, 1, []float64{2, -1}), Y: []int{0, 1}, K: 2}
	for _, n := range []norm.Polyhedral{norm.Max, norm.Sum, norm.OpInf, norm.Op1} {
		t.Run(n.Name(), func(t *testing.T) {
			r := NewRestricted(ds, n.Grouping(), []workset.Row{{I: 0, C: 1}, {I: 1, C: 0}}, nil, 1)
			gamma, _, lambda, err := r.Solve(0)
			require.NoError(t, err)
			require.Greater(t, gamma, 0.0)
			require.InDelta(t, 1, lambda[0]+lambda[1], 1e-12)
		})
	}
}
