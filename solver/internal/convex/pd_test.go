package convex

import (
	"math"

	"maxmargin/solver/internal/certify"

	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// TestStageSteps checks runPD's per-stage budget: for l<p>,
// pdSmallStageSteps when the Newton system, after the power-cone
// barrier's t is eliminated, has at most pdSmallSystem = 500 unknowns
// (kD + 1, or pairs + 1 in pair space), pdStageSteps otherwise; the
// nuclear barrier always pdStageSteps.
func TestStageSteps(t *testing.T) {
	cases := []struct {
		name    string
		n, k, d int
		ball    func(k, d int) ballBarrier
		want    int
	}{
		// The Gaussian (500,25,10) data: kD + 1 = 251 unknowns.
		{"pnorm paper size", 500, 10, 25, func(k, d int) ballBarrier { return pnormBarrier{n: k * d, p: 10} }, pdSmallStageSteps},
		// 1000 pairs > kD/2: weight space with kD + 1 = 501 unknowns.
		{"pnorm weight space above the limit", 1000, 2, 250, func(k, d int) ballBarrier { return pnormBarrier{n: k * d, p: 3} }, pdStageSteps},
		// Random labels (100,200,5): 400 pairs <= kD/2 = 500, pair space, 401 unknowns.
		{"pnorm pair space", 100, 5, 200, func(k, d int) ballBarrier { return pnormBarrier{n: k * d, p: 3} }, pdSmallStageSteps},
		// Random labels (200,500,5): 800 pairs, pair space, 801 unknowns.
		{"pnorm pair space above the limit", 200, 5, 500, func(k, d int) ballBarrier { return pnormBarrier{n: k * d, p: 3} }, pdStageSteps},
		// (1000,60,10): 9000 pairs, weight space, kD + 1 = 601 unknowns.
		{"pnorm weight space large", 1000, 10, 60, func(k, d int) ballBarrier { return pnormBarrier{n: k * d, p: 3} }, pdStageSteps},
		// The nuclear lifted barrier, 19 unknowns.
		{"nuclear", 50, 3, 4, func(k, d int) ballBarrier { return nuclearBarrier{k: k, d: d} }, pdStageSteps},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bp := shapeOnlyProblem(c.n, c.k, c.d, c.ball(c.k, c.d))
			require.Equal(t, c.want, bp.stageSteps())
		})
	}
}

// shapeOnlyProblem is a barrier problem of n zero samples in d features,
// labelled 0, 1, ..., k-1 in turn, with the given ball: enough for the
// methods that look only at the sizes (stageSteps, usePairSpace).
func shapeOnlyProblem(n, k, d int, ball ballBarrier) *barrierProblem {
	y := make([]int, n)
	for i := range y {
		y[i] = i % k
	}
	return &barrierProblem{pairSpace: newPairSpace(mat.NewDense(n, d, nil), y, k), ball: ball}
}

// TestIterateCertifierWithinTolerance checks that an iterate whose
// floating-point width is within the tolerance but above a quarter of it
// is remembered and certified by flush (on digits-300-std, spectral, the
// SDP's width alternated between 5.3e-8 and 1.5e-7 relative, never below
// the quarter, and nothing was certified), and that one wider than the
// tolerance is not. The data: x = 1 of class 0 and x = -1 of class 1, where
// W = [1, -1]/sqrt(2) has margin 2/sqrt(2) = sqrt(2) and norm 1, and the
// weights 1/2 on both pairs give A = [1, -1], ||A||_F = sqrt(2): gamma_fro
// = sqrt(2), certified to rounding.
func TestIterateCertifierWithinTolerance(t *testing.T) {
	ds := mustDataset(t, "two points", [][]float64{{1}, {-1}}, []int{0, 1})
	cn, ok := convexNormOf(mustNorm(t, "fro"))
	require.True(t, ok)
	build := func() (*mat.Dense, []certify.Pair) {
		return mat.NewDense(2, 1, []float64{1 / math.Sqrt2, -1 / math.Sqrt2}), []certify.Pair{{I: 0, C: 1, Weight: 0.5}, {I: 1, C: 0, Weight: 0.5}}
	}
	const tol = 1e-7
	for _, tc := range []struct {
		name      string
		width     float64 // relative to gamma
		certified bool
	}{
		{"half the tolerance", tol / 2, true},
		{"twice the tolerance", 2 * tol, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ic := &iterateCertifier{ds: ds, cn: cn, tol: tol}
			lower := math.Sqrt2
			require.False(t, ic.offer(lower, lower*(1+tc.width), build))
			require.Nil(t, ic.best, "certified at once only below froMargin times the tolerance")
			ic.flush()
			if !tc.certified {
				require.Nil(t, ic.best)
				return
			}
			require.NotNil(t, ic.best)
			require.True(t, ic.best.Certified)
			require.InDelta(t, math.Sqrt2, ic.best.Lower, 1e-15)
			require.InDelta(t, math.Sqrt2, ic.best.Upper, 1e-15)
		})
	}
}
