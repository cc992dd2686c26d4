package convex

import (
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// mustDataset builds a data set from rows of features and labels.
func mustDataset(t testing.TB, name string, x [][]float64, y []int) *dataset.Dataset {
	t.Helper()
	d := len(x[0])
	raw := make([]float64, 0, len(x)*d)
	for _, r := range x {
		raw = append(raw, r...)
	}
	ds, err := dataset.New(name, mat.NewDense(len(x), d, raw), y)
	require.NoError(t, err)
	return ds
}

// mustNorm returns norm.ByName(name).
func mustNorm(t testing.TB, name string) norm.Norm {
	t.Helper()
	n, err := norm.ByName(name)
	require.NoError(t, err)
	return n
}
