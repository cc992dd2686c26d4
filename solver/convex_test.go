package solver

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/certify"
	"maxmargin/solver/internal/convex"
)

// convexNames lists the non-polyhedral norms convex.Solve supports, with
// two entry-wise exponents.
var convexNames = []string{"fro", "spectral", "nuclear", "l1.5", "l3"}

// mustNorm returns norm.ByName(name).
func mustNorm(t testing.TB, name string) norm.Norm {
	t.Helper()
	n, err := norm.ByName(name)
	require.NoError(t, err)
	return n
}

// solveConvexChecked runs convex.Solve and asserts the invariants of
// every result: ordered, certified interval within DefaultConvexTolerance,
// Margin = Lower, weights positive on wrong classes summing to 1, the
// bounds reproduced by Bounds, and W attaining Margin with N(W) = 1.
func solveConvexChecked(t *testing.T, ds *dataset.Dataset, n norm.Norm) *Result {
	t.Helper()
	r, err := convex.Solve(ds, n, 0, nil)
	require.NoError(t, err)
	res := (*Result)(r)
	require.Equal(t, n.Name(), res.Norm)
	require.LessOrEqual(t, res.Lower, res.Upper)
	require.True(t, res.Certified, "interval [%v, %v]", res.Lower, res.Upper)
	require.LessOrEqual(t, res.Upper-res.Lower, DefaultConvexTolerance*max(1, res.Margin))
	require.Equal(t, res.Lower, res.Margin)
	var sum float64
	for _, p := range res.Lambda {
		require.Greater(t, p.Weight, 0.0)
		require.NotEqual(t, ds.Y[p.I], p.C)
		sum += p.Weight
	}
	require.InDelta(t, 1, sum, 1e-12, "dual weights sum to 1")
	lower, upper, err := Bounds(ds, n, res.W, res.Lambda)
	require.NoError(t, err)
	require.Equal(t, res.Lower, certify.RoundDown(lower))
	require.Equal(t, res.Upper, certify.RoundUp(upper))
	if res.Separable {
		require.InDelta(t, 1, n.Value(res.W), 1e-12, "W is scaled to N(W) = 1")
		require.InDelta(t, res.Margin, ds.Margin(res.W)/n.Value(res.W), 1e-12*max(1, res.Margin), "W attains Margin")
	}
	return res
}

// TestConvexHandSolved checks gamma_N on configurations solved on paper.
func TestConvexHandSolved(t *testing.T) {
	// Two points on a line (d = 1, k = 2): x_0 = 2 in class 0, x_1 = -1 in
	// class 1. With delta = w_0 - w_1 the margins are 2 delta and delta, so
	// m(W) = delta, and W = (w_0, w_1)^T is a column: its Frobenius,
	// spectral and nuclear norms all equal sqrt(w_0^2 + w_1^2), maximised
	// against delta at w = (1, -1)/sqrt 2: gamma = sqrt 2. Under the
	// entry-wise lp norm the optimum is w_0 = -w_1 = 2^{-1/p} (symmetry and
	// concavity), so gamma = 2^{1 - 1/p}: 2^{1/3} for p = 1.5, 2^{2/3} for
	// p = 3 (and 1, 2 at the LP limits p = 1, inf).
	line := mustDataset(t, "line", [][]float64{{2}, {-1}}, []int{0, 1})
	// Rank-one data: x_0 = 2v in class 0, x_1 = -v in class 1,
	// v = (3, 4), |v| = 5. Every A(lambda) = (e_0 - e_1)(2 lambda_0 +
	// lambda_1) v^T is rank one, so its nuclear, spectral and Frobenius
	// norms coincide, and so do gamma_N = min_lambda N*(A(lambda)) for fro,
	// spectral and nuclear. The minimum puts all weight on sample 1:
	// A = (e_0 - e_1) v^T, of norm |e_0 - e_1| |v| = 5 sqrt 2; it is
	// attained by W = (e_0 - e_1) v^T / (5 sqrt 2), whose margins are
	// 2 |e_0 - e_1|^2 |v|^2 / (5 sqrt 2) = 10 sqrt 2 and 5 sqrt 2.
	rank1 := mustDataset(t, "rank one", [][]float64{{6, 8}, {-3, -4}}, []int{0, 1})
	tests := []struct {
		ds    *dataset.Dataset
		gamma map[string]float64
	}{
		{line, map[string]float64{"fro": math.Sqrt2, "spectral": math.Sqrt2, "nuclear": math.Sqrt2,
			"l1.5": math.Pow(2, 1.0/3), "l3": math.Pow(2, 2.0/3)}},
		{rank1, map[string]float64{"fro": 5 * math.Sqrt2, "spectral": 5 * math.Sqrt2, "nuclear": 5 * math.Sqrt2}},
	}
	for _, tc := range tests {
		for _, name := range convexNames {
			want, ok := tc.gamma[name]
			if !ok {
				continue
			}
			t.Run(tc.ds.Name+"/"+name, func(t *testing.T) {
				res := solveConvexChecked(t, tc.ds, mustNorm(t, name))
				require.True(t, res.Separable)
				require.LessOrEqual(t, res.Lower, want*(1+1e-15))
				require.GreaterOrEqual(t, res.Upper, want*(1-1e-15))
				require.InDelta(t, want, res.Margin, 1e-7*want)
			})
		}
	}
}

// TestConvexOrdering checks norm-equivalence consequences on random data:
// with max(W) <= N(W) <= sum(W) (MATH.md section 2), gamma_sum <= gamma_N
// <= gamma_max for every norm; and sigma_1 <= ||.||_F <= ||.||_* gives
// gamma_nuclear <= gamma_fro <= gamma_spectral. The entry-wise lp norms
// approach the LP's: for m = kd entries, ||W||_p <= ||W||_1 <=
// m^{1-1/p} ||W||_p and ||W||_inf <= ||W||_p <= m^{1/p} ||W||_inf give
//
//	gamma_sum <= gamma_p <= m^{1-1/p} gamma_sum,   gamma_max m^{-1/p} <= gamma_p <= gamma_max,
//
// so for m = 24, p = 1.01 is within a factor 24^{0.0099} = 1.032 of sum and
// p = 50 within 24^{0.02} = 1.066 of max.
func TestConvexOrdering(t *testing.T) {
	ds := dataset.GaussianClusters(51, 3, 8, 6, 0.4) // (n,d,k) = (18,8,3), m = 24
	_, d, k := ds.Dims()
	m := float64(k * d)
	lp := func(n norm.Polyhedral) float64 {
		res, err := MaxMargin(ds, n, nil)
		require.NoError(t, err)
		return res.Margin
	}
	gSum, gMax := lp(norm.Sum), lp(norm.Max)
	got := map[string]*Result{}
	for _, name := range append(convexNames, "l1.01", "l50") {
		t.Run(name, func(t *testing.T) {
			res := solveConvexChecked(t, ds, mustNorm(t, name))
			got[name] = res
			require.LessOrEqual(t, gSum, res.Upper*(1+1e-9))
			require.LessOrEqual(t, res.Lower, gMax*(1+1e-9))
		})
	}
	require.Len(t, got, len(convexNames)+2, "every norm solved")
	require.LessOrEqual(t, got["nuclear"].Lower, got["fro"].Upper)
	require.LessOrEqual(t, got["fro"].Lower, got["spectral"].Upper)
	require.LessOrEqual(t, got["l1.01"].Lower, math.Pow(m, 1-1/1.01)*gSum*(1+1e-9))
	require.GreaterOrEqual(t, got["l50"].Upper, gMax*math.Pow(m, -1.0/50)*(1-1e-9))
}

// TestConvexWine solves the Wine data (cases/data/wine.csv) for every norm,
// l10 and l20, standardized and raw. The raw features (proline ~1000 next
// to hue ~1) are badly scaled: the interior-point iterates of l3 stop near
// 8e-6 relative there, and polishPNorm takes them to rounding level; for l10
// and l20 polishPNorm fails and polishMinNorm certifies (measured 6.5e-9 and
// 1.3e-9 relative in 0.08 and 0.07 s; l20 was 4.0e-5 wide, not
// certified, before it).
func TestConvexWine(t *testing.T) {
	raw, err := dataset.LoadCSV("../cases/data/wine.csv")
	require.NoError(t, err)
	sets := []struct {
		name string
		ds   *dataset.Dataset
	}{{"standardized", raw.Standardized()}, {"raw", raw}}
	for _, set := range sets {
		for _, name := range append(slices.Clone(convexNames), "l10", "l20") {
			t.Run(set.name+"/"+name, func(t *testing.T) {
				res := solveConvexChecked(t, set.ds, mustNorm(t, name))
				require.True(t, res.Separable)
			})
		}
	}
}

// TestConvexPaperSize solves every convex norm on data of the paper's
// experiment (MATH.md section 7: k = 10 centres in d = 25, 50 points per
// class, sigma = 0.1; n k d = 125,000) and on random labels with d > n
// ((100, 200, 5): 400 pairs, kD = 1000 weights, n k d = 100,000),
// certified to DefaultConvexTolerance within the convex references' 10 s. Measured on
// the shared 2-core machine at load 2 to 3:
//   - fro and spectral: 0.1 to 3 s each.
//   - nuclear (nuclearIPM, the nuclear ball's column-block SDP; 331 and
//     616 SDP variables): about 0.9 and 0.6 s, against 22 s (2e-3, not
//     certified) and 14 s (1e-6, not certified) with the lifted barrier.
//   - l1.5, l3, l10, l20 (where the earlier barrier
//     -log(1 - sum |Z_ab|^p) stalled): 0.7 to 2.7 s each with polishPNorm,
//     newtonStepPairs and runPD's longer stages on small systems
//     (stageSteps); l10 and l20 on the Gaussian data took 13 s without
//     them, l1.5 and l3 on the random labels 8.6 to 10 s without the
//     first two.
func TestConvexPaperSize(t *testing.T) {
	if testing.Short() {
		t.Skip("solves fourteen problems of 10^5 entries")
	}
	sets := []*dataset.Dataset{
		dataset.GaussianClusters(1, 10, 25, 50, 0.1),
		dataset.RandomLabels(1, 100, 200, 5),
	}
	for _, ds := range sets {
		for _, name := range []string{"fro", "spectral", "nuclear", "l1.5", "l3", "l10", "l20"} {
			t.Run(ds.Name+"/"+name, func(t *testing.T) {
				res := solveConvexChecked(t, ds, mustNorm(t, name))
				require.True(t, res.Separable)
				require.Less(t, res.Seconds, 10.0)
			})
		}
	}
}

// TestConvexManyClasses certifies spectral and nuclear at 40 classes on
// Gaussian (80,30,40) (n k d = 96000, within the target size), where the SDP
// methods' Newton systems have 1201 and 2051 unknowns and nuclearIPM 30
// column blocks sharing P (sharedHessian): within the 10 s target each
// (measured 0.8 and 2.9 s on a quiet machine, TestConvexSweep 2026-11-30;
// before that day's step-length rule and kernels, 3.0 and 14.6 s).
//
// Wall-clock time on the shared 2-core machine depends on the other
// processes (nuclear: 8.5 to 9.8 s alone and 14 to 18 s while other tests
// ran, 2026-12-05), so the test bounds what load does not change: the
// iterations (Result.Rounds: 35 for spectral and 36 for nuclear, measured
// 2026-12-05; maxIters leaves room for small changes of the step rules,
// not for a method that loses its way), and the process's CPU time, the
// issue's 10 s (measured 0.76 and 3.2 s CPU, 0.77 and 3.9 s wall at load
// 3.6). The wall-clock bound is only a guard against a hang: three times
// the budget.
func TestConvexManyClasses(t *testing.T) {
	if testing.Short() {
		t.Skip("solves two problems of 10^5 entries")
	}
	const maxIters = 50
	ds := dataset.GaussianClusters(1, 40, 30, 2, 0.1)
	for _, name := range []string{"spectral", "nuclear"} {
		t.Run(name, func(t *testing.T) {
			cpu0, cpuOK := processCPU()
			res := solveConvexChecked(t, ds, mustNorm(t, name))
			cpu1, _ := processCPU()
			require.True(t, res.Separable)
			require.LessOrEqual(t, res.Rounds, maxIters)
			if cpuOK {
				require.Less(t, (cpu1 - cpu0).Seconds(), 10.0, "CPU time")
			}
			require.Less(t, res.Seconds, 30.0)
			t.Logf("%s: %d iterations, %.2f s CPU, %.2f s", name, res.Rounds, (cpu1 - cpu0).Seconds(), res.Seconds)
		})
	}
}

// TestConvexNotSeparable checks that data with gamma_N = 0 give a result
// with Separable false and Upper within the tolerance of 0.
func TestConvexNotSeparable(t *testing.T) {
	// No bias term: 3 and 1 on the positive half-line cannot be split.
	ds := mustDataset(t, "same side of 0", [][]float64{{3}, {1}}, []int{0, 1})
	for _, name := range convexNames {
		t.Run(name, func(t *testing.T) {
			res, err := convex.Solve(ds, mustNorm(t, name), 0, nil)
			require.NoError(t, err)
			require.False(t, res.Separable)
			require.Zero(t, res.Lower)
			require.LessOrEqual(t, res.Upper, DefaultConvexTolerance)
			require.True(t, res.Certified)
		})
	}
}

// pythonGamma runs the script testdata/<script> under /usr/bin/python3 on
// ds, written as a CSV file (features with full float64 precision, then the
// label), with the extra arguments, and parses the gamma it prints. It
// skips the test, with the reason, when the interpreter or one of the
// modules is missing.
func pythonGamma(t *testing.T, ds *dataset.Dataset, modules []string, script string, args ...string) float64 {
	t.Helper()
	if _, err := os.Stat(debianPython); err != nil {
		t.Skipf("%s needs %s: %v", script, debianPython, err)
	}
	for _, m := range modules {
		if out, err := exec.Command(debianPython, "-c", "import "+m).CombinedOutput(); err != nil {
			t.Skipf("%s needs %s under %s (Debian package python3-%s): %v: %s", script, m, debianPython, strings.Split(m, ".")[0], err, bytes.TrimSpace(out))
		}
	}
	var buf bytes.Buffer
	require.NoError(t, dataset.WriteCSV(&buf, ds))
	path := filepath.Join(t.TempDir(), "data.csv")
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	out, err := exec.Command(debianPython, append([]string{filepath.Join("testdata", script), path}, args...)...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	gamma, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	require.NoError(t, err, "%s", out)
	return gamma
}

// sciPyFro solves the multiclass hard-margin SVM with scipy's SLSQP
// (testdata/svm_fro.py) and returns 1/||W*||_F.
func sciPyFro(t *testing.T, ds *dataset.Dataset) float64 {
	t.Helper()
	return pythonGamma(t, ds, []string{"scipy.optimize"}, "svm_fro.py")
}

// TestFroAgainstSLSQP compares gamma_fro with scipy's SLSQP on the SVM QP,
// an independent method, to 1e-6 relative (the convex references' agreement target) on data no
// other test uses; the rank-one set also checks gamma_spectral = gamma_fro.
func TestFroAgainstSLSQP(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a Python subprocess per case")
	}
	sets := []*dataset.Dataset{
		dataset.GaussianClusters(6161, 4, 6, 5, 0.4), // (n,d,k) = (20,6,4)
		dataset.RandomLabels(6262, 15, 20, 3),        // d > n: separable
	}
	for _, ds := range sets {
		t.Run(ds.Name, func(t *testing.T) {
			res := solveConvexChecked(t, ds, norm.Fro)
			require.True(t, res.Separable)
			require.InEpsilon(t, sciPyFro(t, ds), res.Margin, 1e-6)
		})
	}
}

// TestConvexAgainstCvxopt compares gamma_N for fro, spectral and nuclear
// with cvxopt's cone solvers (testdata/cvxopt_maxmargin.py: the SVM QP and
// two SDPs, run to 1e-10 tolerances) to 1e-6 relative (the agreement target), on data
// sets no other test uses: a Gaussian-cluster set and a random-label set
// with d > n, both separable.
func TestConvexAgainstCvxopt(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a Python subprocess per case")
	}
	sets := []*dataset.Dataset{
		dataset.GaussianClusters(9191, 4, 7, 8, 0.3), // (n,d,k) = (32,7,4)
		dataset.RandomLabels(9292, 14, 16, 3),        // d > n: separable
	}
	for _, ds := range sets {
		for _, name := range []string{"fro", "spectral", "nuclear"} {
			t.Run(ds.Name+"/"+name, func(t *testing.T) {
				res := solveConvexChecked(t, ds, mustNorm(t, name))
				require.True(t, res.Separable)
				want := pythonGamma(t, ds, []string{"cvxopt", "numpy"}, "cvxopt_maxmargin.py", name)
				t.Logf("gamma %.12g in [%.12g, %.12g] (%.2f s), cvxopt %.12g: relative difference %.1e", res.Margin, res.Lower, res.Upper, res.Seconds, want, math.Abs(res.Margin-want)/want)
				require.InEpsilon(t, want, res.Margin, 1e-6)
			})
		}
	}
}

// TestConvexShapes certifies fro and spectral on shapes that stress the
// interior-point methods: d = 1, k > d (W taller than wide), tight clusters
// (many nearly parallel constraints), overlapping clusters (sigma = 1:
// gamma_spectral = 0.14 on features up to ~4, where solveSDP's
// second-order run stalls near 1e-6 and its first-order run certifies),
// k = 10 classes with d > n, and n >> d.
func TestConvexShapes(t *testing.T) {
	sets := []*dataset.Dataset{
		dataset.GaussianClusters(1, 2, 1, 5, 0.3),
		dataset.GaussianClusters(1, 3, 2, 20, 0.5),
		dataset.GaussianClusters(1, 5, 10, 30, 1.0),
		dataset.GaussianClusters(1, 20, 5, 10, 0.05),
		dataset.GaussianClusters(1, 8, 40, 10, 0.3),
		dataset.RandomLabels(1, 40, 60, 4),
		dataset.RandomLabels(1, 30, 300, 10),
		dataset.RandomLabels(1, 200, 100, 2),
	}
	for _, ds := range sets {
		for _, name := range []string{"fro", "spectral"} {
			t.Run(ds.Name+"/"+name, func(t *testing.T) {
				solveConvexChecked(t, ds, mustNorm(t, name))
			})
		}
	}
}
