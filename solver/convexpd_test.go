package solver

import (
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
		{"lp paper size", 500, 10, 25, func(k, d int) ballBarrier { return lpConeBarrier{n: k * d, p: 10} }, pdSmallStageSteps},
		// 1000 pairs > kD/2: weight space with kD + 1 = 501 unknowns.
		{"lp weight space above the limit", 1000, 2, 250, func(k, d int) ballBarrier { return lpConeBarrier{n: k * d, p: 3} }, pdStageSteps},
		// Random labels (100,200,5): 400 pairs <= kD/2 = 500, pair space, 401 unknowns.
		{"lp pair space", 100, 5, 200, func(k, d int) ballBarrier { return lpConeBarrier{n: k * d, p: 3} }, pdSmallStageSteps},
		// Random labels (200,500,5): 800 pairs, pair space, 801 unknowns.
		{"lp pair space above the limit", 200, 5, 500, func(k, d int) ballBarrier { return lpConeBarrier{n: k * d, p: 3} }, pdStageSteps},
		// (1000,60,10): 9000 pairs, weight space, kD + 1 = 601 unknowns.
		{"lp weight space large", 1000, 10, 60, func(k, d int) ballBarrier { return lpConeBarrier{n: k * d, p: 3} }, pdStageSteps},
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
