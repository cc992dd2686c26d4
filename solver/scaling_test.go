package solver

import (
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// scalingLadder is the ladder of TestSolveScaling: the base (n, d, k) =
// (200, 200, 10) and, one at a time, n, d or k halved and doubled.
var scalingLadder = [][3]int{
	{200, 200, 10},
	{100, 200, 10}, {400, 200, 10},
	{200, 100, 10}, {200, 400, 10},
	{200, 200, 5}, {200, 200, 20},
}

// fitPowerLaw returns c and the exponents (a, b, e) of the least-squares
// fit log t = log c + a log n + b log d + e log k over the sizes.
func fitPowerLaw(sizes [][3]int, secs []float64) (c float64, exps [3]float64) {
	a := mat.NewDense(len(sizes), 4, nil)
	y := mat.NewVecDense(len(sizes), nil)
	for i, s := range sizes {
		a.SetRow(i, []float64{1, math.Log(float64(s[0])), math.Log(float64(s[1])), math.Log(float64(s[2]))})
		y.SetVec(i, math.Log(secs[i]))
	}
	var x mat.VecDense
	if err := x.SolveVec(a, y); err != nil {
		panic(err)
	}
	return math.Exp(x.AtVec(0)), [3]float64{x.AtVec(1), x.AtVec(2), x.AtVec(3)}
}

// TestFitPowerLaw checks fitPowerLaw on times made by an exact power law,
// t = 2e-6 n^1.5 d^0.5 k^2, whose exponents it must return.
func TestFitPowerLaw(t *testing.T) {
	secs := make([]float64, len(scalingLadder))
	for i, s := range scalingLadder {
		secs[i] = 2e-6 * math.Pow(float64(s[0]), 1.5) * math.Pow(float64(s[1]), 0.5) * float64(s[2]*s[2])
	}
	c, e := fitPowerLaw(scalingLadder, secs)
	require.InDelta(t, 2e-6, c, 1e-15)
	require.InDeltaSlice(t, []float64{1.5, 0.5, 2}, e[:], 1e-12)
}

// TestSolveScaling times MaxMargin (max and sum norms, Gaussian clusters
// and random labels; one run each) on scalingLadder and prints the
// log-log fit of solve time against n, d and k. It runs only when
// MAXMARGIN_SCALING is set (a few minutes).
func TestSolveScaling(t *testing.T) {
	if os.Getenv("MAXMARGIN_SCALING") == "" {
		t.Skip("set MAXMARGIN_SCALING=1 to time the solve-time ladder")
	}
	for _, kind := range []string{"gaussian", "random"} {
		for _, nrm := range []norm.Norm{norm.Max, norm.Sum} {
			secs := make([]float64, len(scalingLadder))
			for i, s := range scalingLadder {
				n, d, k := s[0], s[1], s[2]
				ds := dataset.RandomLabels(1, n, d, k)
				if kind == "gaussian" {
					ds = dataset.GaussianClusters(1, k, d, n/k, 0.1)
				}
				start := time.Now()
				res, err := MaxMargin(ds, nrm, nil)
				require.NoError(t, err)
				require.True(t, res.Certified)
				secs[i] = time.Since(start).Seconds()
				fmt.Printf("scaling %s %s n=%d d=%d k=%d seconds=%.4f\n", kind, nrm.Name(), n, d, k, secs[i])
			}
			c, e := fitPowerLaw(scalingLadder, secs)
			fmt.Printf("fit %s %s t = %.3g n^%.2f d^%.2f k^%.2f\n", kind, nrm.Name(), c, e[0], e[1], e[2])
		}
	}
}
