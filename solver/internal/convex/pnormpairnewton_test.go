package convex

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/solver/internal/dense"
)

// TestNewtonStepPairs checks that the pair-space step (Woodbury) equals
// newtonStepBall's on newtonSystem's matrix, on random labels with fewer
// pairs than 4/5 of the entries of Z (the case usePairSpace selects), at the
// barrier's start and at a point with unequal dual curvatures.
func TestNewtonStepPairs(t *testing.T) {
	ds := dataset.RandomLabels(2, 8, 20, 3) // 16 pairs, kD = 60
	n, d, k := ds.Dims()
	for _, p := range []float64{1.5, 3} {
		for _, spread := range []float64{1, 1e3} {
			t.Run(fmt.Sprintf("p=%g/spread=%g", p, spread), func(t *testing.T) {
				b := pnormBarrier{n: k * d, p: p}
				bp := &barrierProblem{pairSpace: newPairSpace(ds.X, ds.Y, k), ball: b}
				require.True(t, bp.usePairSpace())
				u := make([]float64, b.size())
				b.start(u, bp.startDirection())
				s := make([]float64, n*(k-1))
				bp.margins(mat.NewDense(k, d, u[:k*d]), s)
				gam := slices.Min(s) - 1
				gc := make([]float64, len(s))
				hc := make([]float64, len(s))
				for j, v := range s {
					v -= gam
					gc[j] = 1 / v
					// Dual curvatures tau lambda_j / s_j spread over
					// `spread` (runPD's, far from the centre).
					hc[j] = math.Pow(spread, float64(j%3)/2) / (v * v)
				}
				nv := b.size() + 1
				g := make([]float64, nv)
				h := mat.NewSymDense(nv, nil)
				bp.newtonSystem(u, 3, gc, hc, g, h)
				want := make([]float64, nv)
				var chol dense.Cholesky
				decWant, ok := bp.newtonStepBall(&chol, h, g, want)
				require.True(t, ok)
				gotG := make([]float64, nv)
				got := make([]float64, nv)
				decGot, ok := bp.newtonStepPairs(u, 3, gc, hc, gotG, got)
				require.True(t, ok)
				for i := range g {
					require.InDelta(t, g[i], gotG[i], 1e-12*max(1, math.Abs(g[i])), "gradient %d", i)
				}
				require.InDelta(t, decWant, decGot, 1e-8*decWant)
				scale := 0.0
				for _, v := range want {
					scale = max(scale, math.Abs(v))
				}
				for i := range want {
					require.InDelta(t, want[i], got[i], 1e-8*max(1, scale), "component %d", i)
				}
			})
		}
	}
}

// TestUsePairSpace checks usePairSpace's limit n(k-1) <= 4kD/5 on the
// shapes of TestConvexSweep around it and the exceptions: the nuclear
// barrier and a single entry of Z.
func TestUsePairSpace(t *testing.T) {
	lp := func(k, d int) ballBarrier { return pnormBarrier{n: k * d, p: 1.5} }
	cases := []struct {
		name    string
		n, k, d int
		ball    func(k, d int) ballBarrier
		want    bool
	}{
		// Gaussian (50,50,40): 40 samples, 1560 pairs <= 1600 = 4kD/5.
		{"gauss (50,50,40)", 40, 40, 50, lp, true},
		// Random labels (50,50,40): 1950 pairs > 1600.
		{"random (50,50,40)", 50, 40, 50, lp, false},
		// k = 2, D = 5: kD = 10, so the limit is 8 pairs (8 samples).
		{"at the limit", 8, 2, 5, lp, true},
		{"above the limit", 9, 2, 5, lp, false},
		{"nuclear", 4, 2, 50, func(k, d int) ballBarrier { return nuclearBarrier{k: k, d: d} }, false},
		{"one entry", 1, 2, 1, func(k, d int) ballBarrier { return pnormBarrier{n: 1, p: 3} }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bp := shapeOnlyProblem(c.n, c.k, c.d, c.ball(c.k, c.d))
			require.Equal(t, c.want, bp.usePairSpace())
		})
	}
}
