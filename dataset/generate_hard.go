package dataset

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// BadlyScaled returns GaussianClusters(seed, k, d, perClass, sigma) with
// feature column j multiplied by 10^s_j, the exponents s_j evenly spread over
// [-spread, spread]:
//
//	s_j = -spread + 2 spread j/(d-1)   (s_0 = 0 when d = 1).
//
// It is the same data in other units: with D = diag(10^s_j), a classifier W
// has on X D the margins that W D^-1 has on X, so separability is
// unchanged, while gamma_N changes with the units (N(W D^-1) is not N(W)).
// A solver that is not scale invariant meets entries from 10^-spread to
// 10^spread times the cluster values. It panics as GaussianClusters does or
// if spread is negative or not finite.
func BadlyScaled(seed uint64, k, d, perClass int, sigma, spread float64) *Dataset {
	if !(spread >= 0) || math.IsInf(spread, 0) {
		panic("dataset: bad BadlyScaled spread")
	}
	ds := GaussianClusters(seed, k, d, perClass, sigma)
	scales := ColumnScales(d, spread)
	n, _ := ds.X.Dims()
	for i := range n {
		row := ds.X.RawRowView(i)
		for j := range row {
			row[j] *= scales[j]
		}
	}
	ds.Name = fmt.Sprintf("badly-scaled(seed=%d,k=%d,d=%d,per=%d,sigma=%g,spread=%g)", seed, k, d, perClass, sigma, spread)
	return ds
}

// ColumnScales returns BadlyScaled's column factors 10^s_j, s_j evenly
// spread over [-spread, spread].
func ColumnScales(d int, spread float64) []float64 {
	scales := make([]float64, d)
	for j := range scales {
		s := 0.0
		if d > 1 {
			s = -spread + 2*spread*float64(j)/float64(d-1)
		}
		scales[j] = math.Pow(10, s)
	}
	return scales
}

// axisClusters returns k classes of perClass samples in d >= k features:
// class c is centred at e_c (the c-th unit vector) and each sample is the
// centre plus sigma N(0, I_d). With W0 = [I_k 0] the margin of pair
// (i, c) is x_{i,y_i} - x_{i,c} = 1 + sigma (z_{i,y_i} - z_{i,c}), positive
// unless the noise is of order 1/sigma.
func axisClusters(seed uint64, k, d, perClass int, sigma float64) (*mat.Dense, []int) {
	rng := newRand(seed)
	n := k * perClass
	x := mat.NewDense(n, d, nil)
	y := make([]int, n)
	for i := range n {
		c := i / perClass
		y[i] = c
		row := x.RawRowView(i)
		for j := range row {
			row[j] = sigma * rng.NormFloat64()
		}
		row[c]++
	}
	return x, y
}

// NearDuplicates returns k classes of perClass samples in d >= k features
// (class c centred at the unit vector e_c, plus sigma N(0, I_d) noise), to
// which it adds pairs near-duplicates: for each p < pairs, a copy of sample
// i_p (distinct samples, chosen by the seed) moved by eps along a new
// feature d+p and relabelled b_p = (y_{i_p} + 1) mod k. The result has
// n = k perClass + pairs samples and d + pairs features; the first
// k perClass rows are the base samples with zeros in the new features.
//
// Each pair x = x_{i_p} (class a) and x' = x + eps e_{d+p} (class b) lies
// at distance eps, so no classifier can do better on them than a margin of
// about eps/2 in the geometry of its norm. Exactly: adding the two pair
// constraints (w_a - w_b).x >= gamma and (w_b - w_a).x' >= gamma gives
//
//	gamma <= (eps/2) (W_{b,d+p} - W_{a,d+p}) <= (eps/2) max_{N(W)<=1} (W_{b,j} - W_{a,j}),
//
// the last factor being N*((e_b - e_a) e_j^T): 2 for max and opinf, 1 for
// sum and op1, sqrt 2 for fro, spectral and nuclear, 2^(1-1/p) for l<p>.
// So gamma_max <= eps, gamma_sum <= eps/2, gamma_fro <= eps/sqrt 2.
//
// The data stay separable when the base samples are (no noise of order
// 1/sigma): take W0 = [I_k 0] as in axisClusters, C with C_{b_p,p} = 1 and
// C_{c,p} = -1 for c != b_p, s = eps / max_p max_{c != b_p} (x_{i_p,c} -
// x_{i_p,b_p}) and W = [s W0, C]. The base samples keep s times their
// margins under W0 (their new features are 0), and the duplicate x' of
// class b has (w_b - w_c).x' = 2 eps - s (x_{i_p,c} - x_{i_p,b}) >= eps for
// every c != b; max |W| = 1 when s <= 1. It panics if k < 2, d < k, perClass < 1, pairs < 0,
// pairs > k perClass or eps <= 0.
func NearDuplicates(seed uint64, k, d, perClass, pairs int, sigma, eps float64) *Dataset {
	if k < 2 || d < k || perClass < 1 || pairs < 0 || pairs > k*perClass || !(eps > 0) {
		panic("dataset: bad NearDuplicates size")
	}
	base, by := axisClusters(seed, k, d, perClass, sigma)
	nb := k * perClass
	// The duplicated samples: a seeded permutation's first pairs entries,
	// drawn from a stream of their own so that the base is axisClusters'.
	order := newRand(seed ^ 0x9e3779b97f4a7c15).Perm(nb)
	x := mat.NewDense(nb+pairs, d+pairs, nil)
	y := make([]int, nb+pairs)
	for i := range nb {
		copy(x.RawRowView(i), base.RawRowView(i))
		y[i] = by[i]
	}
	for p := range pairs {
		src := order[p]
		row := x.RawRowView(nb + p)
		copy(row, base.RawRowView(src))
		row[d+p] = eps
		y[nb+p] = (by[src] + 1) % k
	}
	name := fmt.Sprintf("near-duplicates(seed=%d,k=%d,d=%d,per=%d,pairs=%d,sigma=%g,eps=%g)", seed, k, d, perClass, pairs, sigma, eps)
	return &Dataset{Name: name, X: x, Y: y, K: k}
}

// collinearGrid is the grid 2^-20 to which Collinear rounds the base
// features, so that the sums and differences it appends are exact.
const collinearGrid = 1 << 20

// Collinear returns GaussianClusters(seed, k, d, perClass, sigma) with its
// features rounded to multiples of 2^-20, followed by extra columns that are
// exact linear combinations of the first d: column d+j is
//
//	x_a - 2 x_b  (a = j mod d, b = (j+1) mod d)   for even j,
//	x_a          (an exact copy)                  for odd j.
//
// On the grid these sums are exact in float64 (a grid value below 2^30 in
// magnitude has at most 50 significant bits), so rank X = rank of the
// first d columns and the LP's constraint matrix is exactly rank deficient.
// Separability is that of the rounded clusters: a classifier W on the first
// d columns, padded with zeros, has the same margins. It panics as
// GaussianClusters does or if extra < 0.
func Collinear(seed uint64, k, d, perClass, extra int, sigma float64) *Dataset {
	if extra < 0 {
		panic("dataset: bad Collinear size")
	}
	g := GaussianClusters(seed, k, d, perClass, sigma)
	n, _ := g.X.Dims()
	x := mat.NewDense(n, d+extra, nil)
	for i := range n {
		row := x.RawRowView(i)
		for j, v := range g.X.RawRowView(i) {
			row[j] = math.Round(v*collinearGrid) / collinearGrid
		}
		for j := range extra {
			a, b := j%d, (j+1)%d
			if j%2 == 0 {
				row[d+j] = row[a] - 2*row[b]
			} else {
				row[d+j] = row[a]
			}
		}
	}
	name := fmt.Sprintf("collinear(seed=%d,k=%d,d=%d,per=%d,extra=%d,sigma=%g)", seed, k, d, perClass, extra, sigma)
	return &Dataset{Name: name, X: x, Y: g.Y, K: g.K}
}

// TinyMargin returns a two-class data set whose max-margin value is known in
// closed form for every norm: perClass vectors z_i in R^(d-1), drawn from
// scale N(0, I), each appear in both classes,
//
//	class 0: x = (-delta, z_i),   class 1: x = (+delta, z_i).
//
// With v = w_1 - w_0 the pair constraints of z_i are delta v_0 + v_r.z_i >=
// gamma (class 1) and delta v_0 - v_r.z_i >= gamma (class 0); adding them
// gives gamma <= delta v_0, with equality for v_r = 0. Hence
//
//	gamma_N = delta max_{N(W)<=1} (W_{1,0} - W_{0,0}) = delta N*(E),   E = (e_1 - e_0) e_0^T,
//
// that is 2 delta for max and opinf (the two entries sit in different rows),
// delta for sum and op1 (the same column), sqrt(2) delta for fro, spectral
// and nuclear (E is rank one with singular value sqrt 2), and
// 2^(1-1/p) delta for l<p> (the lq norm of (1, -1), 1/p + 1/q = 1). The
// classifier W_{1,0} = 1, W_{0,0} = -1, zero elsewhere, attains the max-norm
// value: its margin is exactly 2 delta. With delta = 1e-8 scale the margin is
// 1e-8 of the data's scale while the other d-1 features span scale. The
// samples are stored class by class (class 0 first). It panics if d < 2,
// perClass < 1, or delta or scale is not positive and finite.
func TinyMargin(seed uint64, d, perClass int, delta, scale float64) *Dataset {
	if d < 2 || perClass < 1 || !(delta > 0) || !(scale > 0) || math.IsInf(delta, 0) || math.IsInf(scale, 0) {
		panic("dataset: bad TinyMargin size")
	}
	rng := newRand(seed)
	x := mat.NewDense(2*perClass, d, nil)
	y := make([]int, 2*perClass)
	for i := range perClass {
		r0, r1 := x.RawRowView(i), x.RawRowView(perClass+i)
		r0[0], r1[0] = -delta, delta
		for j := 1; j < d; j++ {
			z := scale * rng.NormFloat64()
			r0[j], r1[j] = z, z
		}
		y[perClass+i] = 1
	}
	name := fmt.Sprintf("tiny-margin(seed=%d,d=%d,per=%d,delta=%g,scale=%g)", seed, d, perClass, delta, scale)
	return &Dataset{Name: name, X: x, Y: y, K: 2}
}

// TinyMarginGamma returns the exact max-margin value of TinyMargin's data
// for the named norm, delta N*((e_1 - e_0) e_0^T) (see TinyMargin): 2 delta
// for max and opinf, delta for sum and op1, sqrt(2) delta for fro, spectral
// and nuclear, and 2^(1-1/p) delta for the entry-wise lp norm "l<p>". ok is
// false for other names.
func TinyMarginGamma(normName string, delta float64) (gamma float64, ok bool) {
	return dualOfPairColumn(normName, delta)
}

// dualOfPairColumn returns delta N*((e_b - e_a) e_j^T) for a != b by name.
func dualOfPairColumn(normName string, delta float64) (float64, bool) {
	switch normName {
	case "max", "opinf":
		return 2 * delta, true
	case "sum", "op1":
		return delta, true
	case "fro", "spectral", "nuclear":
		return math.Sqrt2 * delta, true
	}
	var p float64
	if _, err := fmt.Sscanf(normName, "l%g", &p); err == nil && p > 1 && !math.IsInf(p, 0) && normName == "l"+fmt.Sprint(p) {
		return math.Pow(2, 1-1/p) * delta, true
	}
	return 0, false
}

// NearDuplicatesBound returns the upper bound (eps/2) N*((e_b - e_a) e_j^T)
// on gamma_N of NearDuplicates' data (see NearDuplicates) for the named
// norm: eps for max and opinf, eps/2 for sum and op1, eps/sqrt 2 for fro,
// spectral and nuclear, 2^(-1/p) eps for l<p>. ok is false for other
// names.
func NearDuplicatesBound(normName string, eps float64) (bound float64, ok bool) {
	return dualOfPairColumn(normName, eps/2)
}
