package verify

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixture is W[r][c] = 100 t + 10 r + c for k = 2, d = 3, the values of
// testdata/trajectory/gen.py.
func fixture(t int) [][]float64 {
	w := make([][]float64, 2)
	for r := range w {
		w[r] = make([]float64, 3)
		for c := range w[r] {
			w[r][c] = float64(100*t + 10*r + c)
		}
	}
	return w
}

// requireFixture asserts that its are the fixture's iterates at steps ts.
func requireFixture(t *testing.T, its []Iterate, ts []int) {
	t.Helper()
	require.Len(t, its, len(ts))
	for i, it := range its {
		require.Equal(t, ts[i], it.T)
		for r, row := range fixture(ts[i]) {
			require.Equal(t, row, it.W.RawRowView(r), "t = %d row %d", ts[i], r)
		}
	}
}

// TestReadTrajectory reads a JSON Lines trajectory with t = 0, a blank line,
// an extra field and integral steps written as 1e1.
func TestReadTrajectory(t *testing.T) {
	in := `{"t": 0, "W": [[0, 1, 2], [10, 11, 12]]}

{"t": 1, "W": [[100, 101, 102], [110, 111, 112]], "loss": 0.5}
{"t": 1e1, "W": [[1000, 1001, 1002], [1010, 1011, 1012]]}
`
	its, err := ReadTrajectory(strings.NewReader(in), "traj.jsonl", 2, 3)
	require.NoError(t, err)
	requireFixture(t, its, []int{0, 1, 10})
}

// TestReadTrajectoryErrors checks that each malformed trajectory is an error
// naming the file, the line and the problem.
func TestReadTrajectoryErrors(t *testing.T) {
	ok := `{"t": 1, "W": [[1, 2, 3], [4, 5, 6]]}` + "\n"
	tests := []struct {
		name, in, says string
	}{
		{"empty", "", "traj.jsonl: verify: bad trajectory: no checkpoints"},
		{"not JSON", ok + "t=2 W=...\n", "traj.jsonl:2: "},
		{"no t", `{"W": [[1, 2, 3], [4, 5, 6]]}`, `:1: verify: bad trajectory: no "t"`},
		{"no W", `{"t": 3}`, `:1: verify: bad trajectory: t = 3: no "W"`},
		{"fractional t", `{"t": 2.5, "W": [[1, 2, 3], [4, 5, 6]]}`, ":1: verify: bad trajectory: t = 2.5 is not an integer step"},
		{"negative t", `{"t": -1, "W": [[1, 2, 3], [4, 5, 6]]}`, "t = -1 is not an integer step"},
		{"duplicate t", ok + ok, ":2: verify: bad trajectory: t = 1 after t = 1: checkpoints must come in strictly increasing t"},
		{"unsorted", `{"t": 5, "W": [[1, 2, 3], [4, 5, 6]]}` + "\n" + ok, ":2: verify: bad trajectory: t = 1 after t = 5"},
		{"rows", `{"t": 1, "W": [[1, 2, 3]]}`, ":1: verify: bad trajectory: t = 1: W has 1 rows, the data have 2 classes"},
		{"columns", `{"t": 1, "W": [[1, 2, 3], [4, 5]]}`, "W row 2 has 2 numbers, the data have 3 features"},
		{"NaN", ok + `{"t": 2, "W": [[1, NaN, 3], [4, 5, 6]]}`, ":2: verify: bad trajectory: W is not finite (NaN or Infinity)"},
		{"Infinity", `{"t": 2, "W": [[1, -Infinity, 3], [4, 5, 6]]}`, ":1: verify: bad trajectory: W is not finite"},
		{"two values", `{"t": 1, "W": [[1, 2, 3], [4, 5, 6]]} {"t": 2}`, "more than one JSON value"},
		{"string W", `{"t": 1, "W": "zeros"}`, ":1: verify: bad trajectory: not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadTrajectory(strings.NewReader(tt.in), "traj.jsonl", 2, 3)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrTrajectory)
			assert.Contains(t, err.Error(), tt.says)
			assert.True(t, strings.HasPrefix(err.Error(), "traj.jsonl"), err.Error())
		})
	}
}

// TestLoadTrajectory reads the NumPy fixtures of testdata/trajectory/gen.py:
// an .npz archive in float64 C order and in float32 Fortran order with float
// steps, and a bare .npy on the trainer's schedule of 10 steps.
func TestLoadTrajectory(t *testing.T) {
	const dir = "testdata/trajectory/"
	tests := []struct {
		name, path string
		steps      int
		ts         []int
	}{
		{"npz", "good.npz", 0, []int{0, 1, 2, 5, 10}},
		{"npz float32 Fortran", "fortran-f4.npz", 0, []int{0, 1, 2, 5, 10}},
		{"npy on the schedule", "schedule10.npy", 10, []int{0, 1, 2, 3, 4, 5, 6, 8, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			its, err := LoadTrajectory(dir+tt.path, 2, 3, tt.steps)
			require.NoError(t, err)
			requireFixture(t, its, tt.ts)
		})
	}
}

// TestLoadTrajectoryErrors checks the NumPy formats' refusals.
func TestLoadTrajectoryErrors(t *testing.T) {
	const dir = "testdata/trajectory/"
	tests := []struct {
		name, path string
		k, steps   int
		says       string
	}{
		{"no t", "no-t.npz", 2, 0, "needs arrays t and W"},
		{"unsorted", "unsorted.npz", 2, 0, "checkpoint 2: t = 1 after t = 2"},
		{"NaN", "nan.npz", 2, 0, "checkpoint 3 (t = 5): W[2][3] = NaN is not finite"},
		{"classes", "good.npz", 3, 0, "W has shape [5 2 3]; the data need (m, 3, 3)"},
		{"npy features", "shape.npy", 2, 10, "W has shape [9 2 2]; the data need (m, 2, 3)"},
		// trainer.Checkpoints(100, 0): 0..6, 8, 10, 13, 16, 20, 25, 32, 40, 50, 63, 79, 100.
		{"npy schedule", "schedule10.npy", 2, 100, "a .npy trajectory of 100 steps is W at the 19 checkpoints"},
		{"extension", "gen.py", 2, 0, `unknown extension ".py"`},
		{"missing", "absent.npz", 2, 0, "absent.npz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadTrajectory(dir+tt.path, tt.k, 3, tt.steps)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrTrajectory)
			assert.Contains(t, err.Error(), tt.says)
		})
	}
}
