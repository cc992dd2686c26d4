package solver

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/certify"
)

// polyhedral lists the norms MaxMargin supports, in a fixed order.
var polyhedral = []norm.Polyhedral{norm.Max, norm.Sum, norm.OpInf, norm.Op1}

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

// checkResult asserts the invariants every result satisfies: the interval
// is ordered and certified, the returned W attains Margin = Lower, and
// Certify reproduces the interval from (W, Lambda).
func checkResult(t *testing.T, ds *dataset.Dataset, n norm.Polyhedral, res *Result) {
	t.Helper()
	require.Equal(t, n.Name(), res.Norm)
	require.LessOrEqual(t, res.Lower, res.Upper)
	require.True(t, res.Certified, "interval [%v, %v]", res.Lower, res.Upper)
	require.LessOrEqual(t, res.Upper-res.Lower, DefaultTolerance*max(1, res.Margin))
	require.Equal(t, res.Lower, res.Margin)
	_, d, k := ds.Dims()
	r, c := res.W.Dims()
	require.Equal(t, []int{k, d}, []int{r, c})
	var sum float64
	for _, p := range res.Lambda {
		require.Greater(t, p.Weight, 0.0)
		require.NotEqual(t, ds.Y[p.I], p.C)
		sum += p.Weight
	}
	require.InDelta(t, 1, sum, 1e-12, "dual weights sum to 1")
	lower, upper, err := Certify(ds, n, res.W, res.Lambda)
	require.NoError(t, err)
	require.Equal(t, res.Lower, certify.RoundDown(lower))
	require.Equal(t, res.Upper, certify.RoundUp(upper))
	if res.Separable {
		require.Greater(t, res.Margin, 0.0)
		require.InDelta(t, 1, n.Value(res.W), 1e-14, "W is scaled to N(W) = 1")
		attained := ds.Margin(res.W) / n.Value(res.W)
		require.InDelta(t, res.Margin, attained, 1e-12*max(1, res.Margin), "W attains Margin")
	} else {
		require.Zero(t, res.Margin)
		require.Zero(t, mat.Norm(res.W, 1), "W = 0 when not separable")
	}
}

// solveChecked runs MaxMargin and checkResult.
func solveChecked(t *testing.T, ds *dataset.Dataset, n norm.Polyhedral) *Result {
	t.Helper()
	return solveCheckedWith(t, ds, n, nil)
}

// solveCheckedWith runs MaxMargin with the settings s and checkResult.
func solveCheckedWith(t *testing.T, ds *dataset.Dataset, n norm.Polyhedral, s *Settings) *Result {
	t.Helper()
	res, err := MaxMargin(ds, n, s)
	require.NoError(t, err)
	checkResult(t, ds, n, res)
	return res
}

// TestHandSolved checks gamma_N on configurations solved on paper.
func TestHandSolved(t *testing.T) {
	// Two points on a line (d = 1, k = 2): x_0 = 2 in class 0, x_1 = -1 in
	// class 1. With delta = w_0 - w_1 the margins are 2 delta and
	// (w_1 - w_0)(-1) = delta, so m(W) = delta for delta > 0. W is 2×1: its
	// rows are the classes and its single column the feature, so
	//   max:   |w_0|, |w_1| <= 1         -> delta = 1 - (-1) = 2;
	//   sum:   |w_0| + |w_1| <= 1        -> delta <= 1, at w = (1/2, -1/2);
	//   opinf: max row sum = max(|w_0|, |w_1|) <= 1, as max -> 2;
	//   op1:   the one column's sum |w_0| + |w_1| <= 1, as sum -> 1.
	line := mustDataset(t, "line", [][]float64{{2}, {-1}}, []int{0, 1})
	// Three classes in the plane: x_0 = (1, 0) in class 0, x_1 = (0, 1) in
	// class 1, x_2 = (-1, -1) in class 2. The dual weights lambda = 1/2 on
	// the pairs (sample 0, class 1) and (sample 1, class 0) give
	// A(lambda) = 1/2 [[1, -1], [-1, 1], [0, 0]], so gamma_N <= N*(A):
	//   max:   N* = sum |A| = 2;    W = [[1, -1], [-1, 1], [-1, -1]] has
	//          margins 2, 2 | 2, 2 | 2, 2 (sample 2: (1-1) - (-2) = 2), so gamma = 2;
	//   sum:   N* = max |A| = 1/2;  W = [[1, 0], [0, 1], [0, 0]] / 2 has every
	//          margin 1/2 and sum 1, so gamma = 1/2;
	//   opinf: N* = sum of row maxima = 1/2 + 1/2 + 0 = 1; W = [[1, 0], [0, 1],
	//          [0, 0]] has row sums 1 and every margin 1, so gamma = 1;
	//   op1:   N* = sum of column maxima = 1/2 + 1/2 = 1; the same W has
	//          column sums 1 and every margin 1, so gamma = 1.
	tri := mustDataset(t, "triangle", [][]float64{{1, 0}, {0, 1}, {-1, -1}}, []int{0, 1, 2})
	tests := []struct {
		ds    *dataset.Dataset
		gamma map[string]float64
	}{
		{line, map[string]float64{"max": 2, "sum": 1, "opinf": 2, "op1": 1}},
		{tri, map[string]float64{"max": 2, "sum": 0.5, "opinf": 1, "op1": 1}},
	}
	for _, tc := range tests {
		for _, n := range polyhedral {
			t.Run(tc.ds.Name+"/"+n.Name(), func(t *testing.T) {
				res := solveChecked(t, tc.ds, n)
				want := tc.gamma[n.Name()]
				require.True(t, res.Separable)
				require.InDelta(t, want, res.Margin, 1e-12)
				require.InDelta(t, want, res.Upper, 1e-12)
			})
		}
	}
}

// TestRandomSeparable checks the invariants and the optimum against gonum's
// simplex on the dual LP (dual_test.go) for small random data sets.
func TestRandomSeparable(t *testing.T) {
	sets := []*dataset.Dataset{
		dataset.GaussianClusters(11, 3, 10, 7, 0.5), // (n,d,k) = (21,10,3)
		dataset.GaussianClusters(12, 4, 6, 5, 0.3),  // (20,6,4)
		dataset.RandomLabels(13, 10, 12, 3),         // d > n: separable
		dataset.RandomLabels(14, 15, 20, 5),         // d > n: separable
	}
	for _, ds := range sets {
		for _, n := range polyhedral {
			t.Run(ds.Name+"/"+n.Name(), func(t *testing.T) {
				res := solveChecked(t, ds, n)
				require.True(t, res.Separable)
				gamma := dualSimplex(t, ds, n)
				require.InEpsilon(t, gamma, res.Margin, 1e-7, "gonum simplex on the dual LP")
			})
		}
	}
}

// TestNotSeparable checks data with gamma_N = 0: a result, not an error.
func TestNotSeparable(t *testing.T) {
	iris, err := dataset.LoadCSV("../cases/data/iris.csv")
	require.NoError(t, err)
	sets := []*dataset.Dataset{
		iris, // versicolor and virginica overlap (cases/data/README.md)
		// The same point with two labels: its two margins are opposite.
		mustDataset(t, "same point, two labels", [][]float64{{1, 2}, {1, 2}, {-3, 1}}, []int{0, 1, 2}),
		// No bias term: 3 and 1 on the positive half-line cannot be split,
		// since 3(w_0 - w_1) > 0 forces 1 (w_1 - w_0) < 0.
		mustDataset(t, "same side of 0", [][]float64{{3}, {1}}, []int{0, 1}),
		// All samples equal: every W scores them alike.
		mustDataset(t, "all-equal features", [][]float64{{0.5, -1}, {0.5, -1}, {0.5, -1}, {0.5, -1}}, []int{0, 1, 2, 0}),
		// x = 0 has margin 0 under every W.
		mustDataset(t, "zero sample", [][]float64{{0, 0}, {1, 0}}, []int{0, 1}),
	}
	for _, ds := range sets {
		for _, n := range polyhedral {
			t.Run(ds.Name+"/"+n.Name(), func(t *testing.T) {
				res := solveChecked(t, ds, n)
				require.False(t, res.Separable)
				require.Zero(t, res.Lower)
				require.LessOrEqual(t, res.Upper, DefaultTolerance)
			})
		}
	}
}

// TestDegenerate checks that duplicated samples and constant-zero features
// do not change gamma_N: duplicates repeat constraints, and a zero column of
// X leaves the margins unchanged while its weights only cost norm, so the
// optimum puts 0 there.
func TestDegenerate(t *testing.T) {
	base := dataset.GaussianClusters(21, 3, 4, 5, 0.4)
	n0, d0, _ := base.Dims()
	dup := mat.NewDense(2*n0, d0, nil)
	dup.Stack(base.X, base.X)
	dupDS, err := dataset.New("duplicates", dup, append(append([]int(nil), base.Y...), base.Y...))
	require.NoError(t, err)
	wide := mat.NewDense(n0, d0+2, nil)
	for i := range n0 {
		copy(wide.RawRowView(i)[1:], base.X.RawRowView(i)) // zero first and last columns
	}
	wideDS, err := dataset.New("zero features", wide, base.Y)
	require.NoError(t, err)
	for _, n := range polyhedral {
		ref, err := MaxMargin(base, n, nil)
		require.NoError(t, err)
		for _, ds := range []*dataset.Dataset{dupDS, wideDS} {
			t.Run(ds.Name+"/"+n.Name(), func(t *testing.T) {
				res := solveChecked(t, ds, n)
				require.InDelta(t, ref.Margin, res.Margin, 2*DefaultTolerance*max(1, ref.Margin))
			})
		}
	}
}

// TestWine pins gamma_N on the UCI Wine data (cases/data/wine.csv). The
// reference values are HiGHS's (scipy 1.10 linprog, method "highs") on the
// same LP, written by testdata/highs_maxmargin.py; cases/data/README.md
// quotes the max-norm margin as about 0.261.
func TestWine(t *testing.T) {
	ds, err := dataset.LoadCSV("../cases/data/wine.csv")
	require.NoError(t, err)
	highs := map[string]float64{
		"max":   0.26098219455513216,
		"sum":   0.03236266207853063,
		"opinf": 0.06662775186053772,
		"op1":   0.13049109727760408,
	}
	for _, n := range polyhedral {
		t.Run(n.Name(), func(t *testing.T) {
			res := solveChecked(t, ds, n)
			require.True(t, res.Separable)
			require.InEpsilon(t, highs[n.Name()], res.Margin, 1e-7)
		})
	}
}

// TestDeterministic checks that the same input gives the same output.
func TestDeterministic(t *testing.T) {
	ds := dataset.RandomLabels(31, 30, 20, 3)
	for _, n := range polyhedral {
		t.Run(n.Name(), func(t *testing.T) {
			a, err := MaxMargin(ds, n, nil)
			require.NoError(t, err)
			b, err := MaxMargin(ds, n, nil)
			require.NoError(t, err)
			a.Seconds, b.Seconds = 0, 0
			require.Equal(t, a, b)
		})
	}
}

func TestErrors(t *testing.T) {
	ds := dataset.GaussianClusters(41, 2, 3, 4, 0.1)
	t.Run("unsupported norm", func(t *testing.T) {
		_, err := MaxMargin(ds, unknownNorm{norm.Fro}, nil)
		require.ErrorIs(t, err, ErrUnsupportedNorm)
		require.Contains(t, err.Error(), "solver: ")
	})
	t.Run("status error", func(t *testing.T) {
		err := error(&StatusError{Status: "SUBOPTIMAL"})
		require.EqualError(t, err, "solver: lp_solve status SUBOPTIMAL")
		var se *StatusError
		require.True(t, errors.As(fmt.Errorf("wrapped: %w", err), &se))
	})
	t.Run("timeout is generous enough for a small set", func(t *testing.T) {
		res, err := MaxMargin(ds, norm.Max, &Settings{Timeout: 30e9})
		require.NoError(t, err)
		require.True(t, res.Certified)
	})
	bad := []struct {
		name   string
		lambda []Pair
	}{
		{"negative weight", []Pair{{I: 0, C: 1, Weight: -1}}},
		{"NaN weight", []Pair{{I: 0, C: 1, Weight: math.NaN()}}},
		{"Inf weight", []Pair{{I: 0, C: 1, Weight: math.Inf(1)}}},
		{"right class", []Pair{{I: 0, C: ds.Y[0], Weight: 1}}},
		{"sample out of range", []Pair{{I: 99, C: 0, Weight: 1}}},
		{"class out of range", []Pair{{I: 0, C: 7, Weight: 1}}},
		{"all zero", []Pair{{I: 0, C: 1 - ds.Y[0], Weight: 0}}},
		{"empty", nil},
	}
	for _, tc := range bad {
		t.Run("certify/"+tc.name, func(t *testing.T) {
			_, _, err := Certify(ds, norm.Max, mat.NewDense(2, 3, nil), tc.lambda)
			require.ErrorIs(t, err, ErrBadDual)
		})
	}
	t.Run("certify/shape", func(t *testing.T) {
		assert.Panics(t, func() { Certify(ds, norm.Max, mat.NewDense(3, 3, nil), []Pair{{I: 0, C: 1 - ds.Y[0], Weight: 1}}) })
	})
}

// unknownNorm is a norm the solver has no method for.
type unknownNorm struct{ norm.Norm }

func (unknownNorm) Name() string { return "unknown" }
