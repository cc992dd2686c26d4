package trainer

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
)

// gaussianSet is the generated set of the long-run and inequality tests:
// MATH.md section 4's 150 Gaussian-cluster points, k = 5, d = 8, sigma = 0.1.
// testdata/gaussian-k5-d8-n150.csv is the same data as CSV (for the Python
// references).
func gaussianSet() *dataset.Dataset { return dataset.GaussianClusters(1, 5, 8, 30, 0.1) }

// loadWine returns the UCI Wine data (178 samples, 13 features, 3 classes).
func loadWine(t testing.TB) *dataset.Dataset {
	t.Helper()
	ds, err := dataset.LoadCSV("../cases/data/wine.csv")
	require.NoError(t, err)
	return ds
}

// Max-margin values gamma_N pinned from scipy 1.10's HiGHS (linprog,
// method="highs") on the LP of MATH.md section 3, run with /usr/bin/python3 on
// ../cases/data/wine.csv and testdata/gaussian-k5-d8-n150.csv. HiGHS's
// default feasibility tolerance is 1e-7, so the tests allow gammaRelTol.
var (
	gammaWine = map[string]float64{
		"max": 0.26098219455513216, "sum": 0.03236266207853063,
		"opinf": 0.06662775186053772, "op1": 0.13049109727760408,
	}
	gammaGaussian = map[string]float64{
		"max": 5.203463027441169, "sum": 0.25862974352477913,
		"opinf": 1.2210348052483475, "op1": 2.0299783216828993,
	}
)

const gammaRelTol = 1e-6

// logTol is the tolerance, in natural-log units (relative), of the checks
// on logarithms of losses and dual norms: a few hundred roundings.
const logTol = 1e-10

// eta returns eta_t = eta0 (t+1)^{-a} as Train computes it.
func eta(eta0, a float64, t int) float64 { return eta0 * math.Pow(float64(t+1), -a) }

// mathString formats v for a subtest name.
func mathString(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
