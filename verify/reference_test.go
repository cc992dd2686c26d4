package verify

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
	"maxmargin/solver"
)

// TestReferenceHonesty checks that a claim never passes on a reference that
// is not a certified, separable, finite interval.
func TestReferenceHonesty(t *testing.T) {
	tests := []struct {
		name string
		r    solver.Result
		want error
	}{
		{"uncertified", solver.Result{Lower: 0.5, Upper: 0.6, Separable: true}, ErrUncertified},
		{"NaN", solver.Result{Lower: math.NaN(), Upper: 1, Certified: true, Separable: true}, ErrUncertified},
		{"infinite", solver.Result{Lower: 1, Upper: math.Inf(1), Certified: true, Separable: true}, ErrUncertified},
		{"not separable", solver.Result{Certified: true}, ErrNotSeparable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorIs(t, usable("max", &tt.r), tt.want)
		})
	}
	assert.NoError(t, usable("max", &solver.Result{Lower: 1, Upper: 1, Certified: true, Separable: true}))

	t.Run("iris fails its claims", func(t *testing.T) {
		ds, err := dataset.LoadCSV("../cases/data/iris.csv")
		require.NoError(t, err)
		_, err = SolveReferences(ds)
		require.ErrorIs(t, err, ErrNotSeparable)
		c := BareCase("../cases/data/iris.csv")
		s := Run(context.Background(), Jobs([]*Case{c}), 1, Options{StepScale: 0.001}, nil)
		require.Len(t, s.Reports, 2)
		assert.False(t, s.Pass)
		for _, r := range s.Reports {
			assert.False(t, r.Pass)
			assert.Contains(t, r.Error, "not linearly separable")
		}
	})
	t.Run("missing own reference", func(t *testing.T) {
		ds := dataset.GaussianClusters(2, 3, 4, 5, 0.1)
		refs, err := SolveReferences(ds)
		require.NoError(t, err)
		delete(refs, "max")
		r := CheckClaim(context.Background(), "g", ds, refs, CaseClaim{Claim: "signgd", Steps: 100}, nil, Options{})
		assert.False(t, r.Pass)
		assert.Contains(t, r.Error, "no certified reference")
	})
}
