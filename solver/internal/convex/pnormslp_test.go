package convex

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/solver/internal/run"
)

// TestSlpRefine checks slpRefine on raw Wine, l10, the case it was written
// for: from the first runPD iterate whose floating-point width is below
// 1e-3 relative (tau = 1.4e10, where polishPNorm alone fails: the small
// features' weights have the wrong signs), slpRefine must raise
// m(W)/||W||_p, never above the iterate's upper bound (it is a lower
// bound), and polishPNorm from its W must certify far inside
// DefaultTolerance: 1e-11 relative (measured 3e-13 to 1e-12).
//
// The iterates depend on OpenBLAS's kernels in their last bits, and so
// does where slpRefine's W lands: with the Haswell kernels
// (OPENBLAS_CORETYPE=Haswell) polishPNorm from the first stage's W converges
// on an active set that leaves five pairs violated and cycles, and
// certifies from the next stage's. So the polish may succeed from any of
// the first three stages below 1e-3, as it may in Solve, which
// tries it at every stage.
func TestSlpRefine(t *testing.T) {
	raw, err := dataset.LoadCSV("../../../cases/data/wine.csv")
	require.NoError(t, err)
	bp, cn := scaledBarrierProblem(t, raw, "l10")
	p := cn.cone.(pnormCone).p
	type iterate struct {
		br           barrierResult
		lower, upper float64
	}
	var its []iterate
	require.NoError(t, bp.runPD(bp.startDirection(), func(br barrierResult) bool {
		l, _, u := bp.floatBounds(cn, br)
		if l > 0 && u-l <= 1e-3*u {
			its = append(its, iterate{br, l, u})
		}
		return len(its) < 3
	}, run.Unlimited()))
	require.NotEmpty(t, its, "no runPD stage below 1e-3")

	for i, it := range its {
		w := bp.slpRefine(p, it.br.z)
		if i == 0 {
			require.NotNil(t, w, "slpRefine improves the first stage")
		}
		if w == nil {
			continue
		}
		got := bp.normalizedMargin(p, w)
		require.Greater(t, got, it.lower)
		require.LessOrEqual(t, got, it.upper)

		z, lam, ok := bp.polishPNorm(p, w, it.br.lambda)
		if !ok {
			t.Logf("stage %d: polishPNorm from slpRefine's W did not converge", i)
			continue
		}
		res, err := convexCertify(raw, cn, mat.DenseCopyOf(z), bp.pairWeights(lam), DefaultTolerance)
		require.NoError(t, err)
		require.True(t, res.Certified)
		require.LessOrEqual(t, res.Upper-res.Lower, 1e-11*max(1, res.Lower))
		t.Logf("stage %d: certified, width %.1e", i, (res.Upper-res.Lower)/max(1, res.Lower))
		return
	}
	t.Fatal("polishPNorm from slpRefine's W certified from none of the first three stages below 1e-3")
}

// TestSlpStepTrustRegion checks one linear programme of slpRefine on the
// two-point line of TestConvexHandSolved (x_0 = 2 in class 0, x_1 = -1 in
// class 1; W is 2×1): from W0 = (0.6, -0.5) normalised, the step moves
// each entry by at most its trust radius min(sqrt(e/h), e^(1/p)), e =
// eta/kD, h = p(p-1)/2 |W0|^(p-2), does not increase <s, W> (s =
// sign(W0)|W0|^(p-1): the linearised norm), and raises the least margin
// (both margins grow with w_0 - w_1, which the LP can increase).
func TestSlpStepTrustRegion(t *testing.T) {
	ds := mustDataset(t, "line", [][]float64{{2}, {-1}}, []int{0, 1})
	bp := &barrierProblem{pairSpace: newPairSpace(ds.X, ds.Y, 2)}
	for _, p := range []float64{3, 10} {
		t.Run(fmt.Sprintf("p=%g", p), func(t *testing.T) {
			w := []float64{0.6, -0.5}
			nw := entrywiseNorm(w, p)
			w0 := []float64{w[0] / nw, w[1] / nw}
			const eta = 1e-6
			out, ok := bp.slpStep(p, w, eta)
			require.True(t, ok)
			var lin0, lin float64
			for a := range w0 {
				e := eta / 2
				h := p * (p - 1) / 2 * math.Pow(math.Abs(w0[a]), p-2)
				radius := min(math.Sqrt(e/h), math.Pow(e, 1/p))
				require.LessOrEqual(t, math.Abs(out[a]-w0[a]), radius*(1+1e-12))
				s := math.Copysign(math.Pow(math.Abs(w0[a]), p-1), w0[a])
				lin0 += s * w0[a]
				lin += s * out[a]
			}
			require.LessOrEqual(t, lin, lin0*(1+1e-12))
			m0, m := make([]float64, 2), make([]float64, 2)
			bp.margins(mat.NewDense(2, 1, w0), m0)
			bp.margins(mat.NewDense(2, 1, out), m)
			require.Greater(t, min(m[0], m[1]), min(m0[0], m0[1]))
		})
	}
}

// TestPNormWide checks l10 and l20 on data with many more features
// than samples (kD = 2000 and 5000 entries of W, n k d <= 1e5), where
// slpRefine's linear programmes once took 10 to 32 s (slpMaxColumns): each
// must certify within DefaultTolerance inside the convex references' 10 s (the
// budget, solver's Settings.Timeout; measured 0.4 to 1.1 s, widths 2e-12 to 3e-12
// relative).
func TestPNormWide(t *testing.T) {
	sets := []struct {
		name string
		ds   *dataset.Dataset
	}{
		{"gaussian (20,1000,5)", dataset.GaussianClusters(1, 5, 1000, 4, 0.1)},
		{"random (50,500,4)", dataset.RandomLabels(1, 50, 500, 4)},
	}
	for _, s := range sets {
		for _, name := range []string{"l10", "l20"} {
			t.Run(s.name+" "+name, func(t *testing.T) {
				res, err := Solve(s.ds, mustNorm(t, name), 0, run.NewBudget(nil, 10*time.Second, nil, nil, time.Now()))
				require.NoError(t, err)
				require.True(t, res.Certified, "[%v, %v]", res.Lower, res.Upper)
				require.LessOrEqual(t, res.Upper-res.Lower, DefaultTolerance*max(1, res.Lower))
			})
		}
	}
}
