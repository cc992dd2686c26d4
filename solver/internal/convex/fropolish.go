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
// nothing here needs to be rigorous. The phases are methods of
// wolfeCorral: newWolfeCorral (the QR row order and the starting corral),
// minorCycles (affine and dropToward), leastMarginPair (the major cycle's
// test), add and result.
func minNormPolish(ds *dataset.Dataset, start []certify.Pair, b *run.Budget) (*mat.Dense, []certify.Pair, bool) {
	if len(start) == 0 {
		return nil, nil, false
	}
	s := newWolfeCorral(ds, start)
	for cycle := 0; cycle < froPolishCycles; cycle++ {
		if b.Stop("") != nil {
			return nil, nil, false
		}
		if !s.minorCycles() {
			return nil, nil, false
		}
		w, best, optimal := s.leastMarginPair()
		if optimal {
			return s.result(w)
		}
		s.add(best)
	}
	return nil, nil, false
}

// corralPair is a pair (sample i, class c) of minNormPolish's corral,
// the matrix v = (e_{y_i} - e_c) x_i^T.
type corralPair struct {
	i, c int
}

// wolfeCorral is the state of minNormPolish (Wolfe's algorithm): the data
// and its m = kd entries in QR row order, and the corral, pairs with
// weights lambda > 0 summing to 1 whose point A(lambda) = sum_j lambda_j
// v_j is the current iterate.
type wolfeCorral struct {
	ds      *dataset.Dataset
	n, d, k int
	m       int
	// order is the row order of the QR: order[r] is the entry (index
	// into row-major k×d) of row r.
	order  []int
	corral []corralPair
	lambda []float64
	in     map[corralPair]bool
}

// newWolfeCorral returns the state of minNormPolish at its start: the QR
// row order (featureOrder) and the starting corral (startCorral).
func newWolfeCorral(ds *dataset.Dataset, start []certify.Pair) *wolfeCorral {
	n, d, k := ds.Dims()
	s := &wolfeCorral{ds: ds, n: n, d: d, k: k, m: k * d}
	s.featureOrder()
	s.startCorral(start)
	return s
}

// featureOrder sets the row order of the QR: the entries of W by
// decreasing max_i |x_il| of their feature l (stable, so by entry index
// within a feature size).
func (s *wolfeCorral) featureOrder() {
	n, d, m := s.n, s.d, s.m
	// Row order of the QR: features by decreasing size.
	colMax := make([]float64, d)
	for i := range n {
		for l, v := range s.ds.X.RawRowView(i) {
			colMax[l] = max(colMax[l], math.Abs(v))
		}
	}
	order := make([]int, m)
	for r := range order {
		order[r] = r
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(colMax[b%d], colMax[a%d]) })
	s.order = order
}

// startCorral sets the corral to the pairs of start of weight at least
// 2^-10 of the largest, at most kd of them, each pair once, with their
// weights scaled to sum 1.
func (s *wolfeCorral) startCorral(start []certify.Pair) {
	m := s.m
	// The starting corral: the pairs of weight at least 2^-10 of the
	// largest, at most kd of them (an interior-point iterate gives every
	// pair a positive weight).
	start = slices.Clone(start)
	slices.SortStableFunc(start, func(a, b certify.Pair) int { return cmp.Compare(b.Weight, a.Weight) })
	for len(start) > 0 && start[len(start)-1].Weight < start[0].Weight*0x1p-10 {
		start = start[:len(start)-1]
	}
	start = start[:min(len(start), m)]
	corral := make([]corralPair, 0, len(start))
	lambda := make([]float64, 0, len(start))
	in := make(map[corralPair]bool)
	var sum float64
	for _, p := range start {
		e := corralPair{p.I, p.C}
		if p.Weight > 0 && !in[e] {
			in[e] = true
			corral = append(corral, e)
			lambda = append(lambda, p.Weight)
			sum += p.Weight
		}
	}
	floats.Scale(1/sum, lambda)
	s.corral, s.lambda, s.in = corral, lambda, in
}

// vec writes v_j (row-major k×d) into out in QR row order.
func (s *wolfeCorral) vec(e corralPair, out []float64) {
	d := s.d
	clear(out)
	y := s.ds.Y[e.i]
	for l, v := range s.ds.X.RawRowView(e.i) {
		out[y*d+l] += v
		out[e.c*d+l] -= v
	}
}

// exactA returns A(w) = sum_j w_j v_j over the corral, each entry summed
// exactly and rounded once.
func (s *wolfeCorral) exactA(w []float64) []float64 {
	d, m := s.d, s.m
	acc := make([]certify.ExactSum, m)
	for j, e := range s.corral {
		if w[j] == 0 {
			continue
		}
		y := s.ds.Y[e.i]
		for l, v := range s.ds.X.RawRowView(e.i) {
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
// norm in the affine hull of the corral: with D the matrix of columns v_j
// - v_1 (j > 1, rows in QR order) and its Householder QR, c minimises
// ||v_1 + D c|| and mu = e_1 + sum_j c_j (e_j - e_1); two steps of
// iterative refinement solve D dc = -A(mu) with A(mu) summed exactly
// (exactA). It returns false when the corral has more than m + 1 pairs
// or the solve fails or mu is not finite.
func (s *wolfeCorral) affine() ([]float64, bool) {
	m, order, corral := s.m, s.order, s.corral
	n := len(corral)
	mu := make([]float64, n)
	if n == 1 {
		mu[0] = 1
		return mu, true
	}
	if n-1 > m {
		return nil, false
	}
	first := make([]float64, m)
	s.vec(corral[0], first)
	col := make([]float64, m)
	dm := mat.NewDense(m, n-1, nil)
	for j := 1; j < n; j++ {
		s.vec(corral[j], col)
		for r, src := range order {
			dm.Set(r, j-1, col[src]-first[src])
		}
	}
	var qr mat.QR
	qr.Factorize(dm)
	c := mat.NewDense(n-1, 1, nil)
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
		for j := 1; j < n; j++ {
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
		if !solve(s.exactA(mu)) {
			return nil, false
		}
		setMu(c, true)
	}
	if !finite(mu) {
		return nil, false
	}
	return mu, true
}

// minorCycles moves lambda to the affine minimiser mu of the corral
// (affine) when mu > 0; otherwise it moves lambda toward mu as far as
// the simplex allows (dropToward) and repeats. It returns false when
// affine fails or the corral empties.
func (s *wolfeCorral) minorCycles() bool {
	// Minor cycles: move to the affine minimiser, dropping pairs
	// whose weight would turn negative.
	for {
		mu, ok := s.affine()
		if !ok {
			return false
		}
		if floats.Min(mu) > 0 {
			s.lambda = mu
			return true
		}
		s.dropToward(mu)
		if len(s.corral) == 0 {
			return false
		}
	}
}

// dropToward sets lambda to (1 - theta) lambda + theta mu for the largest
// theta in [0, 1] with every weight >= 0, theta = min over mu_j <= 0 of
// lambda_j / (lambda_j - mu_j), and removes from the corral the pair
// that sets theta and every pair whose weight is no longer positive.
func (s *wolfeCorral) dropToward(mu []float64) {
	corral, lambda := s.corral, s.lambda
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
			delete(s.in, corral[j])
		}
	}
	s.corral, s.lambda = keepC, keepL
}

// leastMarginPair is the major cycle's test: with W = A(lambda) (exactA)
// it returns W and the pair outside the corral of least margin
// <v, W> = (X W^T)_{i,y_i} - (X W^T)_{i,c}, and true when W is optimal:
// no pair is outside the corral or the least margin is at least
// ||W||_F^2 (1 - 2^-40) (Wolfe's criterion: no pair improves on W).
func (s *wolfeCorral) leastMarginPair() (*mat.Dense, corralPair, bool) {
	n, d, k := s.n, s.d, s.k
	// Major cycle: the pair of least margin under W = A(lambda).
	w := mat.NewDense(k, d, s.exactA(s.lambda))
	norm2 := floats.Dot(w.RawMatrix().Data, w.RawMatrix().Data)
	var scores mat.Dense
	scores.Mul(s.ds.X, w.T())
	best, bestM := corralPair{-1, -1}, math.Inf(1)
	for i := range n {
		y := s.ds.Y[i]
		for c := range k {
			if c == y || s.in[corralPair{i, c}] {
				continue
			}
			if mg := scores.At(i, y) - scores.At(i, c); mg < bestM {
				best, bestM = corralPair{i, c}, mg
			}
		}
	}
	return w, best, best.i < 0 || bestM >= norm2*(1-0x1p-40)
}

// add adds the pair e to the corral with weight 0.
func (s *wolfeCorral) add(e corralPair) {
	s.in[e] = true
	s.corral = append(s.corral, e)
	s.lambda = append(s.lambda, 0)
}

// result returns minNormPolish's answer at the optimal corral: the
// corral's pairs with their weights lambda, and minNormPrimal's W on them
// (w = A(lambda) when minNormPrimal fails).
func (s *wolfeCorral) result(w *mat.Dense) (*mat.Dense, []certify.Pair, bool) {
	pairs := make([]certify.Pair, len(s.corral))
	for j, e := range s.corral {
		pairs[j] = certify.Pair{I: e.i, C: e.c, Weight: s.lambda[j]}
	}
	if wp, ok := minNormPrimal(s.ds, pairs); ok {
		w = wp
	}
	return w, pairs, true
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
