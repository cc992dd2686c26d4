package trainer

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/norm"
)

// TestRecordIsTrainsCheckpoint records every checkpoint of Adam and SignGD
// runs again from its W alone and requires the same numbers bit for bit:
// Record and Train share the evaluator, so iterates from elsewhere are
// measured exactly like the trainer's own. Each loss is covered, since the
// recorded log-gradient depends on it.
func TestRecordIsTrainsCheckpoint(t *testing.T) {
	ds := gaussianSet()
	for _, loss := range []Loss{CrossEntropy, Exponential, PairLog} {
		for _, o := range []Optimizer{NSD(norm.Max), Adam(AdamSettings{Beta1: 0.9, Beta2: 0.99})} {
			t.Run(loss.String()+"/"+o.Name(), func(t *testing.T) {
				traj, err := Train(context.Background(), ds, Settings{Optimizer: o, Loss: loss, LR: 0.1, Decay: 0.5, Steps: 2000}, nil)
				require.NoError(t, err)
				for _, want := range traj.Checkpoints {
					got, err := Record(ds, loss, nil, want.T, want.W)
					require.NoError(t, err)
					require.Equal(t, want, got, "t = %d", want.T)
				}
			})
		}
	}
}

// TestRecordErrors checks Record's refusals: a wrong shape, a negative step,
// a non-finite W and an unknown loss.
func TestRecordErrors(t *testing.T) {
	ds := gaussianSet() // k = 5, d = 8
	nan := mat.NewDense(5, 8, nil)
	nan.Set(2, 3, math.NaN())
	tests := []struct {
		name string
		loss Loss
		t    int
		w    *mat.Dense
		want error
	}{
		{"wrong shape", CrossEntropy, 1, mat.NewDense(8, 5, nil), ErrBadSettings},
		{"negative step", CrossEntropy, -1, mat.NewDense(5, 8, nil), ErrBadSettings},
		{"not finite", CrossEntropy, 3, nan, ErrNotFinite},
		{"unknown loss", Loss(7), 1, mat.NewDense(5, 8, nil), ErrUnknownLoss},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Record(ds, tt.loss, nil, tt.t, tt.w)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}
