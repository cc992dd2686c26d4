package solver

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/certify"
)

// TestBoundsReproduceMaxMargin checks Bounds, the re-check of the
// cache, against MaxMargin's own certificate on every kind of norm: the
// fresh bounds prove the returned interval to the last bit.
func TestBoundsReproduceMaxMargin(t *testing.T) {
	ds := dataset.GaussianClusters(7, 4, 3, 6, 0.2).Standardized()
	for _, name := range []string{"max", "sum", "opinf", "op1", "fro", "spectral", "nuclear", "l1.5"} {
		t.Run(name, func(t *testing.T) {
			n, err := norm.ByName(name)
			require.NoError(t, err)
			r, err := MaxMargin(ds, n, nil)
			require.NoError(t, err)
			require.True(t, r.Certified)
			lower, upper, err := Bounds(ds, n, r.W, r.Lambda)
			require.NoError(t, err)
			lf, _ := lower.Float64()
			uf, _ := upper.Float64()
			assert.GreaterOrEqual(t, lower.Cmp(ratOf(r.Lower)), 0, "fresh lower %v < stored %v", lf, r.Lower)
			assert.LessOrEqual(t, upper.Cmp(ratOf(r.Upper)), 0, "fresh upper %v > stored %v", uf, r.Upper)
			assert.Equal(t, r.Lower, certify.RoundDown(lower), "the same evaluation rounds to the same lower end")
			assert.Equal(t, r.Upper, certify.RoundUp(upper), "the same evaluation rounds to the same upper end")
		})
	}
}

// TestBoundsUnsupported checks the error for a norm without a certificate.
func TestBoundsUnsupported(t *testing.T) {
	ds := dataset.GaussianClusters(7, 3, 2, 4, 0.2)
	_, _, err := Bounds(ds, unsupportedNorm{norm.Max}, nil, nil)
	assert.ErrorIs(t, err, ErrUnsupportedNorm)
}

// unsupportedNorm hides the polyhedral methods of a norm.
type unsupportedNorm struct{ norm.Norm }

func (unsupportedNorm) Name() string { return "hidden" }

// ratOf returns x as an exact rational.
func ratOf(x float64) *big.Rat { return new(big.Rat).SetFloat64(x) }
