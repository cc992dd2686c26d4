package workset

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
)

// line3 is three samples on a line, one per class: x = 1, 2, -1 in classes
// 0, 1, 2.
func line3() *dataset.Dataset {
	return &dataset.Dataset{Name: "line3", X: mat.NewDense(3, 1, []float64{1, 2, -1}), Y: []int{0, 1, 2}, K: 3}
}

// TestViolated checks the rows Violated returns, and their order, against
// margins worked out by hand for W = (1, 0, -1) on line3: the margins
// (w_{y_i} - w_c) x_i are, for (i, c), (0,1) 1, (0,2) 2, (1,0) -2, (1,2) 2,
// (2,0) 2, (2,1) 1, so m(W) = -2.
func TestViolated(t *testing.T) {
	ds := line3()
	w := mat.NewDense(3, 1, []float64{1, 0, -1})
	tests := []struct {
		name      string
		threshold float64
		in        []Row
		limit     int
		want      []Row
	}{
		// Each sample's worst row below 1.5, by margin, ties by sample.
		{"worst-per-sample", 1.5, nil, 3, []Row{{1, 0}, {0, 1}, {2, 1}}},
		// limit <= n keeps one row per sample and cuts the list.
		{"limit", 2.5, nil, 2, []Row{{1, 0}, {0, 1}}},
		// limit > n: the samples' worst rows first, then the others by
		// margin (all 2), ties by sample.
		{"all-below", 2.5, nil, 9, []Row{{1, 0}, {0, 1}, {2, 1}, {0, 2}, {1, 2}, {2, 0}}},
		// A row in the set is skipped: sample 1's worst outside it is
		// (1, 2), margin 2, which comes after the margins 1.
		{"in-set", 2.5, []Row{{1, 0}}, 9, []Row{{0, 1}, {2, 1}, {1, 2}, {0, 2}, {2, 0}}},
		// Nothing is below -2.
		{"none", -2, nil, 9, []Row{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := make([]bool, 3*3)
			for _, r := range tc.in {
				in[r.I*3+r.C] = true
			}
			got, least := Violated(ds, w, tc.threshold, in, tc.limit)
			require.Equal(t, tc.want, got)
			require.Equal(t, -2.0, least, "m(W) counts the rows in the set too")
		})
	}
}

// TestInitialRows checks the seed rows on line3: the class means are the
// samples themselves, W = (1, 2, -1), whose margins are (0,1) -1, (0,2) 2,
// (1,0) 2, (1,2) 6, (2,0) 2, (2,1) 3; each sample's worst row, by margin,
// ties by sample.
func TestInitialRows(t *testing.T) {
	require.Equal(t, []Row{{0, 1}, {1, 0}, {2, 0}}, InitialRows(line3()))
}

// TestDualMatrix checks A = sum (e_{y_i} - e_c) x_i^T for unit weights on
// the rows (0, 1) and (1, 0) of line3: row 0 gets x_0 - x_1 = 1 - 2 = -1,
// row 1 gets -x_0 + x_1 = 1, row 2 nothing.
func TestDualMatrix(t *testing.T) {
	a := DualMatrix(line3(), []Row{{0, 1}, {1, 0}})
	require.Equal(t, []float64{-1, 1, 0}, a.RawMatrix().Data)
	_, least := Violated(line3(), a, math.Inf(1), make([]bool, 9), 3)
	// Under W = A the margins are (0,1) -2, (0,2) -1, (1,0) 4, (1,2) 2,
	// (2,0) -1, (2,1) 1.
	require.Equal(t, -2.0, least)
}
