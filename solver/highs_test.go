package solver

import (
	"testing"

	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
)

// debianPython is Debian's interpreter, which sees python3-scipy (the
// python3 first on PATH may be another one; MEASURED.md).
const debianPython = "/usr/bin/python3"

// highsGamma solves the max-margin LP of ds under the named norm with HiGHS
// through scipy (testdata/highs_maxmargin.py), skipping the test when
// /usr/bin/python3 or scipy is missing.
func highsGamma(t *testing.T, ds *dataset.Dataset, name string) float64 {
	t.Helper()
	return pythonGamma(t, ds, []string{"scipy.optimize"}, "highs_maxmargin.py", name)
}

// TestAgainstHiGHS compares gamma_N with HiGHS, an independent LP solver,
// to 1e-7 relative (the LP solver's agreement target, docs/PERFORMANCE.md
// "Targets") on data sets no other test uses.
func TestAgainstHiGHS(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a Python subprocess per case")
	}
	sets := []*dataset.Dataset{
		dataset.GaussianClusters(4242, 4, 12, 8, 0.3), // (n,d,k) = (32,12,4)
		dataset.RandomLabels(4343, 24, 30, 3),         // d > n: separable
	}
	for _, ds := range sets {
		for _, n := range polyhedral {
			t.Run(ds.Name+"/"+n.Name(), func(t *testing.T) {
				res := solveChecked(t, ds, n)
				require.True(t, res.Separable)
				require.InEpsilon(t, highsGamma(t, ds, n.Name()), res.Margin, 1e-7)
			})
		}
	}
}
