package solver

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
	"maxmargin/solver/internal/convex"
)

// TestConvexMeasure logs the certified width and the time of every
// convex norm on the data sets of convex.Solve's table (Wine raw and
// standardized, Gaussian (500,25,10), random labels (100,200,5)) and
// requires each to certify. It is the measurement behind that table and
// runs only with MAXMARGIN_MEASURE set (MAXMARGIN_MEASURE=1 for every
// norm, lp for l1.5 and l3, or a comma-separated list of norm names; MAXMARGIN_MEASURE_SET=wine-raw, wine-std,
// gaussian or random for one data set).
func TestConvexMeasure(t *testing.T) {
	which := os.Getenv("MAXMARGIN_MEASURE")
	if which == "" {
		t.Skip("a measurement: set MAXMARGIN_MEASURE to run it")
	}
	raw, err := dataset.LoadCSV("../cases/data/wine.csv")
	require.NoError(t, err)
	sets := map[string]*dataset.Dataset{
		"wine-raw": raw,
		"wine-std": raw.Standardized(),
		"gaussian": dataset.GaussianClusters(1, 10, 25, 50, 0.1),
		"random":   dataset.RandomLabels(1, 100, 200, 5),
	}
	names := convexNames
	switch which {
	case "1":
	case "lp":
		names = []string{"l1.5", "l3"}
	default:
		names = strings.Split(which, ",")
	}
	for _, key := range []string{"wine-raw", "wine-std", "gaussian", "random"} {
		if s := os.Getenv("MAXMARGIN_MEASURE_SET"); s != "" && s != key {
			continue
		}
		for _, name := range names {
			res, err := convex.Solve(sets[key], mustNorm(t, name), 0, nil)
			require.NoError(t, err)
			assert.True(t, res.Certified, "%s %s: [%v, %v]", key, name, res.Lower, res.Upper)
			t.Logf("%-9s %-8s width %.1e rel %.1e certified %v %.2f s rows %d rounds %d", key, name,
				res.Upper-res.Lower, (res.Upper-res.Lower)/max(1, res.Lower), res.Certified, res.Seconds, res.Rows, res.Rounds)
		}
	}
}
