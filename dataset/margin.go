package dataset

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Margin returns the multiclass margin of the k×d classifier W on the data
// set (MATH.md section 1):
//
//	m(W) = min_{i, c != y_i} (w_{y_i} - w_c) . x_i.
//
// The normalized margin under a norm N is m(W)/N(W). Margin panics if W is
// not K×d.
func (ds *Dataset) Margin(w *mat.Dense) float64 {
	n, d := ds.X.Dims()
	if r, c := w.Dims(); r != ds.K || c != d {
		panic("dataset: classifier shape does not match the data set")
	}
	var scores mat.Dense
	scores.Mul(ds.X, w.T())
	m := math.Inf(1)
	for i := range n {
		row := scores.RawRowView(i)
		sy := row[ds.Y[i]]
		for c, s := range row {
			if c != ds.Y[i] {
				m = min(m, sy-s)
			}
		}
	}
	return m
}
