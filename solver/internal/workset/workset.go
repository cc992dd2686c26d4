package workset

import (
	"math"
	"maxmargin/dataset"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Row is a margin constraint (w_{y_i} - w_c) . x_i >= gamma, c != y_i.
type Row struct{ I, C int }

// InitialRows returns, for each sample, its worst pair under the class-mean
// classifier w_c = mean of the samples of class c (ties: lowest class).
func InitialRows(ds *dataset.Dataset) []Row {
	n, d, k := ds.Dims()
	means := mat.NewDense(k, d, nil)
	counts := make([]float64, k)
	for i, y := range ds.Y {
		row := means.RawRowView(y)
		for l, v := range ds.X.RawRowView(i) {
			row[l] += v
		}
		counts[y]++
	}
	for c := range k {
		row := means.RawRowView(c)
		for l := range row {
			row[l] /= counts[c]
		}
	}
	pairs, _ := Violated(ds, means, math.Inf(1), make([]bool, n*k), n)
	return pairs
}

// Violated returns up to limit pairs not in the set whose margin under W is
// below threshold: each sample's worst such pair, then, when limit exceeds
// n, the other pairs below threshold, ordered by margin (ties by sample and
// class, so the order is deterministic). It also returns m(W), the least
// margin over all pairs, in floating point.
func Violated(ds *dataset.Dataset, w *mat.Dense, threshold float64, in []bool, limit int) ([]Row, float64) {
	n, _, k := ds.Dims()
	var scores mat.Dense
	scores.Mul(ds.X, w.T())
	type cand struct {
		Row
		margin float64
		first  bool
	}
	var cands []cand
	least := math.Inf(1)
	for i := range n {
		y := ds.Y[i]
		row := scores.RawRowView(i)
		worst := -1
		start := len(cands)
		for c := range k {
			if c == y {
				continue
			}
			m := row[y] - row[c]
			least = min(least, m)
			if in[i*k+c] {
				continue
			}
			if m < threshold {
				cands = append(cands, cand{Row{i, c}, m, false})
				if worst < 0 || m < cands[worst].margin {
					worst = len(cands) - 1
				}
			}
		}
		if worst >= 0 {
			cands[worst].first = true
		}
		if limit <= n {
			if worst >= 0 {
				cands[start] = cands[worst]
			}
			cands = cands[:start+min(1, len(cands)-start)]
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		if a.first != b.first {
			if a.first {
				return -1
			}
			return 1
		}
		if a.margin != b.margin {
			if a.margin < b.margin {
				return -1
			}
			return 1
		}
		if a.I != b.I {
			return a.I - b.I
		}
		return a.C - b.C
	})
	out := make([]Row, 0, min(limit, len(cands)))
	for _, c := range cands[:min(limit, len(cands))] {
		out = append(out, c.Row)
	}
	return out, least
}

// DualMatrix returns A(lambda) = sum (e_{y_i} - e_c) x_i^T for unit weights
// on the pairs, in floating point: its sign pattern is the max norm's
// steepest direction, a guess of the optimal W.
func DualMatrix(ds *dataset.Dataset, pairs []Row) *mat.Dense {
	_, d, k := ds.Dims()
	a := mat.NewDense(k, d, nil)
	for _, p := range pairs {
		ry, rc := a.RawRowView(ds.Y[p.I]), a.RawRowView(p.C)
		for l, v := range ds.X.RawRowView(p.I) {
			ry[l] += v
			rc[l] -= v
		}
	}
	return a
}
