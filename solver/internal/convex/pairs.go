package convex

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"maxmargin/internal/openblas"
	"maxmargin/solver/internal/certify"
)

// pairSpace holds the data of a max-margin problem in the coordinates the
// classifier Z (k×D) acts on: the samples t_i (rows of the n×D matrix T),
// their labels and the linear map Z -> ((z_{y_i} - z_c) . t_i)_j over the
// n(k-1) pairs j = (i, c != y_i), ordered row-major over i with the class
// y_i skipped. The pair's matrix is v_j = (e_{y_i} - e_c) t_i^T, so that
// the margin is <v_j, Z>.
type pairSpace struct {
	t       *mat.Dense
	y       []int
	n, d, k int
	byClass [][]int // sample indices of each class
}

// newPairSpace returns the pairSpace of the n×D samples t with labels y in
// 0..k-1.
func newPairSpace(t *mat.Dense, y []int, k int) pairSpace {
	n, d := t.Dims()
	ps := pairSpace{t: t, y: y, n: n, d: d, k: k, byClass: make([][]int, k)}
	for i, c := range y {
		ps.byClass[c] = append(ps.byClass[c], i)
	}
	return ps
}

// pairs returns the number of pairs, n(k-1).
func (ps *pairSpace) pairs() int { return ps.n * (ps.k - 1) }

// margins stores in s the margins <v_j, Z> of every pair.
func (ps *pairSpace) margins(z *mat.Dense, s []float64) {
	var scores mat.Dense
	scores.Mul(ps.t, z.T())
	j := 0
	for i := range ps.n {
		row := scores.RawRowView(i)
		y := ps.y[i]
		for c := range ps.k {
			if c != y {
				s[j] = row[y] - row[c]
				j++
			}
		}
	}
}

// classWeights returns the n×k matrix C with C_{i,y_i} = sum_c w_ic and
// C_ic = -w_ic, so that sum_j w_j v_j = C^T T.
func (ps *pairSpace) classWeights(w []float64) *mat.Dense {
	cm := mat.NewDense(ps.n, ps.k, nil)
	j := 0
	for i := range ps.n {
		row := cm.RawRowView(i)
		y := ps.y[i]
		for c := range ps.k {
			if c != y {
				row[y] += w[j]
				row[c] = -w[j]
				j++
			}
		}
	}
	return cm
}

// adjoint stores in out the k×D matrix sum_j w_j v_j (A(w) when w are dual
// weights).
func (ps *pairSpace) adjoint(w []float64, out *mat.Dense) {
	out.Reset()
	out.Mul(ps.classWeights(w).T(), ps.t)
}

// addGram adds sum_j w_j vec(v_j) vec(v_j)^T to the leading kD×kD block of
// h (Z row-major). Block (a, b) of the sum is T^T diag(K_ab) T with
// K^(i) = sum_c w_ic (e_y - e_c)(e_y - e_c)^T, whose only nonzero entries
// are K_yy = sum_c w_ic, K_cc = w_ic and K_yc = K_cy = -w_ic; the cost is
// O(k n D^2).
func (ps *pairSpace) addGram(h *mat.SymDense, w []float64) {
	n, d, k := ps.n, ps.d, ps.k
	km := ps.classWeights(w)
	raw := h.RawSymmetric()
	var sub, scaled, block mat.Dense
	rows := make([]int, 0, n)
	coef := make([]float64, 0, n)
	for a := range k {
		for b := a; b < k; b++ {
			rows, coef = rows[:0], coef[:0]
			if a == b {
				for i := range n {
					if v := km.At(i, a); v != 0 {
						rows = append(rows, i)
						if ps.y[i] == a {
							coef = append(coef, v)
						} else {
							coef = append(coef, -v)
						}
					}
				}
			} else {
				for _, i := range ps.byClass[a] {
					if v := km.At(i, b); v != 0 {
						rows = append(rows, i)
						coef = append(coef, v)
					}
				}
				for _, i := range ps.byClass[b] {
					if v := km.At(i, a); v != 0 {
						rows = append(rows, i)
						coef = append(coef, v)
					}
				}
			}
			if len(rows) == 0 {
				continue
			}
			sub.Reset()
			sub.ReuseAs(len(rows), d)
			scaled.Reset()
			scaled.ReuseAs(len(rows), d)
			for r, i := range rows {
				src := ps.t.RawRowView(i)
				copy(sub.RawRowView(r), src)
				dst := scaled.RawRowView(r)
				for l, v := range src {
					dst[l] = coef[r] * v
				}
			}
			block.Reset()
			block.ReuseAs(d, d)
			openblas.Gemm(blas.Trans, blas.NoTrans, 1, sub.RawMatrix(), scaled.RawMatrix(), 0, block.RawMatrix())
			for l := range d {
				m0 := 0
				if a == b {
					m0 = l
				}
				dst := raw.Data[(a*d+l)*raw.Stride+b*d:]
				src := block.RawRowView(l)
				for m := m0; m < d; m++ {
					dst[m] += src[m]
				}
			}
		}
	}
}

// pairWeights returns the positive weights as Pairs.
func (ps *pairSpace) pairWeights(lambda []float64) []certify.Pair {
	var out []certify.Pair
	j := 0
	for i := range ps.n {
		for c := range ps.k {
			if c == ps.y[i] {
				continue
			}
			if lambda[j] > 0 {
				out = append(out, certify.Pair{I: i, C: c, Weight: lambda[j]})
			}
			j++
		}
	}
	return out
}

// marginBlock sets h to the margin constraints' part of an interior-point
// Newton system in the variables (vec Z, gamma, ...), gamma at index col:
// with weights dg_j on the pairs' matrices v_j, h's Z block is
// sum_j dg_j vec(v_j) vec(v_j)^T, its gamma column -sum_j dg_j vec(v_j), and
// h[col, col] = sum_j dg_j; every other entry is 0.
func (ps *pairSpace) marginBlock(h *mat.SymDense, dg []float64, col int) {
	h.Zero()
	ps.addGram(h, dg)
	var hz mat.Dense
	ps.adjoint(dg, &hz)
	for i := range ps.k {
		for l := range ps.d {
			h.SetSym(i*ps.d+l, col, -hz.At(i, l))
		}
	}
	h.SetSym(col, col, floats.Sum(dg))
}
