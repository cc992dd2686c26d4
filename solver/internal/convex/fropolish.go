package convex

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/solver/internal/certify"
	"maxmargin/solver/internal/run"
)

// froPolishCycles bounds the major cycles of minNormPolish (each adds one
// pair to the corral); the corral of an optimum has at most kd + 1 pairs.
const froPolishCycles = 200

// minNormPolish computes gamma_fro = min over the simplex of
// ||A(lambda)||_F, the distance from the origin to the convex hull of the
// pair matrices v_j = (e_{y_i} - e_c) x_i^T (MATH.md section 3), by Wolfe's
// minimum-norm-point algorithm (P. Wolfe, Finding the nearest point in a
// polytope, Math. Programming 11, 1976) on the original data, starting from
// the corral of the pairs start (an interior-point iterate's support).
// Each minor cycle finds the point of least norm in the affine hull of the
// corral, by Householder QR of the differences v_j - v_first with the rows
// (features) sorted by size and one step of iterative refinement whose
// residual A(mu) is summed exactly: with columns of very different sizes
// (raw breast cancer, 1e-3 to 4e3, gamma about 6e-5) the optimal A(lambda)
// is a cancellation of terms 1e8 times larger, which the interior-point
// methods, working with the normal equations, do not resolve to the
// tolerance. A major cycle adds the pair of least margin under W =
// A(lambda) while that margin is below ||W||^2 (1 - 2^-40).
//
// It returns the weights and W from minNormPrimal on the final corral (or
// A(lambda) if that fails), or false when the corral breaks down (a singular affine
// hull) or the cycles run out. The caller certifies the pair exactly;
// nothing here needs to be rigorous.
func minNormPolish(ds *dataset.Dataset, start []certify.Pair, b *run.Budget) (*mat.Dense, []certify.Pair, bool) {
	n, d, k := ds.Dims()
	if len(start) == 0 {
		return nil, nil, false
	}
	m := k * d
	// workset.Row order of the QR: features by decreasing size.
	colMax := make([]float64, d)
	for i := range n {
		for l, v := range ds.X.RawRowView(i) {
			colMax[l] = max(colMax[l], math.Abs(v))
		}
	}
	order := make([]int, m)
	for r := range order {
		order[r] = r
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(colMax[b%d], colMax[a%d]) })

	type entry struct {
		i, c int
	}
	// The starting corral: the pairs of weight at least 2^-10 of the
	// largest, at most kd of them (an interior-point iterate gives every
	// pair a positive weight).
	start = slices.Clone(start)
	slices.SortStableFunc(start, func(a, b certify.Pair) int { return cmp.Compare(b.Weight, a.Weight) })
	for len(start) > 0 && start[len(start)-1].Weight < start[0].Weight*0x1p-10 {
		start = start[:len(start)-1]
	}
	start = start[:min(len(start), m)]
	corral := make([]entry, 0, len(start))
	lambda := make([]float64, 0, len(start))
	in := make(map[entry]bool)
	var sum float64
	for _, p := range start {
		e := entry{p.I, p.C}
		if p.Weight > 0 && !in[e] {
			in[e] = true
			corral = append(corral, e)
			lambda = append(lambda, p.Weight)
			sum += p.Weight
		}
	}
	floats.Scale(1/sum, lambda)

	// vec writes v_j (row-major k×d) into out in QR row order.
	vec := func(e entry, out []float64) {
		clear(out)
		y := ds.Y[e.i]
		for l, v := range ds.X.RawRowView(e.i) {
			out[y*d+l] += v
			out[e.c*d+l] -= v
		}
	}
	// exactA returns A(w) = sum_j w_j v_j, each entry summed exactly and
	// rounded once.
	exactA := func(w []float64) []float64 {
		acc := make([]certify.ExactSum, m)
		for j, e := range corral {
			if w[j] == 0 {
				continue
			}
			y := ds.Y[e.i]
			for l, v := range ds.X.RawRowView(e.i) {
				acc[y*d+l].AddProduct(w[j], v)
				acc[e.c*d+l].AddProduct(-w[j], v)
			}
		}
		out := make([]float64, m)
		for r := range acc {
			out[r], _ = acc[r].Rat().Float64()
		}
		return out
	}
	// affine returns the weights mu (summing to 1) of the point of least
	// norm in the affine hull of the corral.
	affine := func() ([]float64, bool) {
		s := len(corral)
		mu := make([]float64, s)
		if s == 1 {
			mu[0] = 1
			return mu, true
		}
		if s-1 > m {
			return nil, false
		}
		first := make([]float64, m)
		vec(corral[0], first)
		col := make([]float64, m)
		dm := mat.NewDense(m, s-1, nil)
		for j := 1; j < s; j++ {
			vec(corral[j], col)
			for r, src := range order {
				dm.Set(r, j-1, col[src]-first[src])
			}
		}
		var qr mat.QR
		qr.Factorize(dm)
		c := mat.NewDense(s-1, 1, nil)
		rhs := mat.NewDense(m, 1, nil)
		solve := func(res []float64) bool {
			for r, src := range order {
				rhs.Set(r, 0, -res[src])
			}
			err := qr.SolveTo(c, false, rhs)
			return err == nil || isCondition(err)
		}
		// mu = e_1 + sum_j c_j (e_j - e_1).
		setMu := func(c *mat.Dense, add bool) {
			if !add {
				clear(mu)
				mu[0] = 1
			}
			for j := 1; j < s; j++ {
				v := c.At(j-1, 0)
				mu[j] += v
				mu[0] -= v
			}
		}
		if !solve(first) {
			return nil, false
		}
		setMu(c, false)
		for range 2 {
			if !solve(exactA(mu)) {
				return nil, false
			}
			setMu(c, true)
		}
		if !finite(mu) {
			return nil, false
		}
		return mu, true
	}

	for cycle := 0; cycle < froPolishCycles; cycle++ {
		if b.Stop("") != nil {
			return nil, nil, false
		}
		// Minor cycles: move to the affine minimiser, dropping pairs
		// whose weight would turn negative.
		for {
			mu, ok := affine()
			if !ok {
				return nil, nil, false
			}
			if floats.Min(mu) > 0 {
				lambda = mu
				break
			}
			theta, drop := 1.0, -1
			for j, v := range mu {
				if v <= 0 {
					if t := lambda[j] / (lambda[j] - v); drop < 0 || t < theta {
						theta, drop = t, j
					}
				}
			}
			keepC, keepL := corral[:0], lambda[:0]
			for j := range corral {
				l := (1-theta)*lambda[j] + theta*mu[j]
				if l > 0 && j != drop {
					keepC, keepL = append(keepC, corral[j]), append(keepL, l)
				} else {
					delete(in, corral[j])
				}
			}
			corral, lambda = keepC, keepL
			if len(corral) == 0 {
				return nil, nil, false
			}
		}
		// Major cycle: the pair of least margin under W = A(lambda).
		w := mat.NewDense(k, d, exactA(lambda))
		norm2 := floats.Dot(w.RawMatrix().Data, w.RawMatrix().Data)
		var scores mat.Dense
		scores.Mul(ds.X, w.T())
		best, bestM := entry{-1, -1}, math.Inf(1)
		for i := range n {
			y := ds.Y[i]
			for c := range k {
				if c == y || in[entry{i, c}] {
					continue
				}
				if mg := scores.At(i, y) - scores.At(i, c); mg < bestM {
					best, bestM = entry{i, c}, mg
				}
			}
		}
		if best.i < 0 || bestM >= norm2*(1-0x1p-40) {
			pairs := make([]certify.Pair, len(corral))
			for j, e := range corral {
				pairs[j] = certify.Pair{I: e.i, C: e.c, Weight: lambda[j]}
			}
			if wp, ok := minNormPrimal(ds, pairs); ok {
				w = wp
			}
			return w, pairs, true
		}
		in[best] = true
		corral = append(corral, best)
		lambda = append(lambda, 0)
	}
	return nil, nil, false
}

// minNormPrimal returns the classifier W of least Frobenius norm with
// margin exactly 1 on the pairs (in floating point: the margin equations
// V_S W = 1 hold to rounding relative to each pair's ||v_j|| ||W||): with
// the Householder QR V_S^T = Q R (kd × |S|), W = Q R^-T 1, and one step of
// iterative refinement with the residuals 1 - <v_j, W> summed exactly. On
// the optimal corral of minNormPolish this W is the optimum: its rows are
// a combination of the v_j, the optimality condition of min ||W||_F. Its
// margins are the lower bound, which A(lambda), a cancellation of terms
// far larger than W on badly scaled data, leaves 1 % below gamma on raw
// breast cancer (margins off by a constant per class).
func minNormPrimal(ds *dataset.Dataset, pairs []certify.Pair) (*mat.Dense, bool) {
	_, d, k := ds.Dims()
	m, s := k*d, len(pairs)
	if s == 0 || s > m {
		return nil, false
	}
	vt := mat.NewDense(m, s, nil)
	for j, p := range pairs {
		y := ds.Y[p.I]
		for l, v := range ds.X.RawRowView(p.I) {
			vt.Set(y*d+l, j, vt.At(y*d+l, j)+v)
			vt.Set(p.C*d+l, j, vt.At(p.C*d+l, j)-v)
		}
	}
	var qr mat.QR
	qr.Factorize(vt)
	w := make([]float64, m)
	rhs := make([]float64, s)
	for j := range rhs {
		rhs[j] = 1
	}
	// step adds Q R^-T r to w.
	y := mat.NewVecDense(m, nil)
	step := func(r []float64) bool {
		x := mat.NewVecDense(m, nil)
		// Solve V_S W = r in the minimum-norm sense: (Q R)^T W = r.
		if err := qr.SolveVecTo(x, true, mat.NewVecDense(s, r)); err != nil && !isCondition(err) {
			return false
		}
		y.CopyVec(x)
		floats.Add(w, y.RawVector().Data)
		return true
	}
	if !step(rhs) {
		return nil, false
	}
	for range 2 {
		r := make([]float64, s)
		for j, p := range pairs {
			var acc certify.ExactSum
			yc := ds.Y[p.I]
			acc.AddProduct(1, 1)
			for l, v := range ds.X.RawRowView(p.I) {
				acc.AddProduct(-w[yc*d+l], v)
				acc.AddProduct(w[p.C*d+l], v)
			}
			r[j], _ = acc.Rat().Float64()
		}
		if !step(r) {
			return nil, false
		}
	}
	if !finite(w) {
		return nil, false
	}
	return mat.NewDense(k, d, w), true
}
