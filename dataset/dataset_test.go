package dataset

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

func NaN() float64 { return math.NaN() }

func TestMargin(t *testing.T) {
	// Two classes on a line: x = -1 (class 0), x = 2 (class 1). With
	// w_0 = -1, w_1 = 1: sample 0 has (w_0 - w_1) x = (-2)(-1) = 2, sample 1
	// has (w_1 - w_0) x = 2*2 = 4, so m(W) = 2.
	ds, err := New("line", mat.NewDense(2, 1, []float64{-1, 2}), []int{0, 1})
	require.NoError(t, err)
	assert.Equal(t, 2.0, ds.Margin(mat.NewDense(2, 1, []float64{-1, 1})))
	// W = 0 has margin 0 on any data.
	assert.Equal(t, 0.0, ds.Margin(mat.NewDense(2, 1, nil)))
	// Three classes: the minimum runs over every wrong class, not just one.
	// x = (1, 0) of class 0 with w_0 = (1, 0), w_1 = (0, 0), w_2 = (0.5, 0):
	// margins 1 - 0 = 1 and 1 - 0.5 = 0.5.
	ds3, err := New("three", mat.NewDense(3, 2, []float64{1, 0, 0, 1, -1, -1}), []int{0, 1, 2})
	require.NoError(t, err)
	w := mat.NewDense(3, 2, []float64{1, 0, 0, 0, 0.5, 0})
	// Sample 1 (0,1) of class 1: scores (0, 0, 0), margins 0 and 0.
	// Sample 2 (-1,-1) of class 2: scores (-1, 0, -0.5), margins
	// -0.5 - (-1) = 0.5 and -0.5 - 0 = -0.5. So m = -0.5.
	assert.Equal(t, -0.5, ds3.Margin(w))
	assert.Panics(t, func() { ds3.Margin(mat.NewDense(2, 2, nil)) })
}

func TestBound(t *testing.T) {
	ds, err := New("b", mat.NewDense(2, 2, []float64{1, -3, 0.5, 0.5}), []int{0, 1})
	require.NoError(t, err)
	// max(|1| + |-3|, 0.5 + 0.5) = 4.
	assert.Equal(t, 4.0, ds.Bound())
}

func TestGenerators(t *testing.T) {
	t.Run("gaussian is deterministic and balanced", func(t *testing.T) {
		a := GaussianClusters(7, 10, 25, 50, 0.1)
		b := GaussianClusters(7, 10, 25, 50, 0.1)
		assert.True(t, mat.Equal(a.X, b.X))
		n, d, k := a.Dims()
		assert.Equal(t, []int{500, 25, 10}, []int{n, d, k})
		for _, c := range a.ClassCounts() {
			assert.Equal(t, 50, c)
		}
		c := GaussianClusters(8, 10, 25, 50, 0.1)
		assert.False(t, mat.Equal(a.X, c.X), "different seeds give different data")
	})
	t.Run("gaussian clusters are tight", func(t *testing.T) {
		// With sigma = 0.1 every sample lies within a few sigma*sqrt(d) of
		// its class mean; 0.1*sqrt(25) = 0.5, and a distance of 1.5 is
		// 3 standard deviations of the norm's spread and more.
		ds := GaussianClusters(1, 3, 25, 40, 0.1)
		for c := range 3 {
			var mean [25]float64
			for i := c * 40; i < (c+1)*40; i++ {
				for j, v := range ds.X.RawRowView(i) {
					mean[j] += v / 40
				}
			}
			for i := c * 40; i < (c+1)*40; i++ {
				var s float64
				for j, v := range ds.X.RawRowView(i) {
					s += (v - mean[j]) * (v - mean[j])
				}
				assert.Less(t, math.Sqrt(s), 1.5)
			}
		}
	})
	t.Run("random labels", func(t *testing.T) {
		ds := RandomLabels(3, 103, 200, 5)
		// 103 = 5*20 + 3: classes 0, 1, 2 get 21 samples, 3 and 4 get 20.
		assert.Equal(t, []int{21, 21, 21, 20, 20}, ds.ClassCounts())
		assert.True(t, mat.Equal(ds.X, RandomLabels(3, 103, 200, 5).X))
		assert.Equal(t, ds.Y, RandomLabels(3, 103, 200, 5).Y)
	})
	t.Run("bad sizes panic", func(t *testing.T) {
		assert.Panics(t, func() { GaussianClusters(1, 1, 2, 3, 0.1) })
		assert.Panics(t, func() { RandomLabels(1, 2, 2, 3) })
	})
}
