package dataset

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// newRand returns the generators' source: PCG seeded with (seed, seed), so
// that a seed names one data set on every machine and Go version.
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed))
}

// GaussianClusters returns the paper's synthetic data (MATH.md section 7): k
// class centres drawn from N(0, I_d), then perClass samples per class drawn
// from centre + sigma N(0, I_d), stored class by class. The paper uses k = 10,
// d = 25, perClass = 50, sigma = 0.1. It panics if k < 2, d < 1 or
// perClass < 1.
func GaussianClusters(seed uint64, k, d, perClass int, sigma float64) *Dataset {
	if k < 2 || d < 1 || perClass < 1 {
		panic("dataset: bad GaussianClusters size")
	}
	rng := newRand(seed)
	centres := make([]float64, k*d)
	for i := range centres {
		centres[i] = rng.NormFloat64()
	}
	n := k * perClass
	x := mat.NewDense(n, d, nil)
	y := make([]int, n)
	for i := range n {
		c := i / perClass
		y[i] = c
		row := x.RawRowView(i)
		for j := range row {
			row[j] = centres[c*d+j] + sigma*rng.NormFloat64()
		}
	}
	name := fmt.Sprintf("gaussian(seed=%d,k=%d,d=%d,per=%d,sigma=%g)", seed, k, d, perClass, sigma)
	return &Dataset{Name: name, X: x, Y: y, K: k}
}

// RandomLabels returns n samples x_i ~ N(0, I_d) whose labels are i mod k in a
// random order, so that every class is present and the classes are balanced.
// With d >= n the data are linearly separable with probability one (the
// overparameterized regime). It panics if k < 2 or n < k or d < 1.
func RandomLabels(seed uint64, n, d, k int) *Dataset {
	if k < 2 || n < k || d < 1 {
		panic("dataset: bad RandomLabels size")
	}
	rng := newRand(seed)
	x := mat.NewDense(n, d, nil)
	raw := x.RawMatrix().Data
	for i := range raw {
		raw[i] = rng.NormFloat64()
	}
	y := make([]int, n)
	for i := range y {
		y[i] = i % k
	}
	rng.Shuffle(n, func(i, j int) { y[i], y[j] = y[j], y[i] })
	name := fmt.Sprintf("random-labels(seed=%d,n=%d,d=%d,k=%d)", seed, n, d, k)
	return &Dataset{Name: name, X: x, Y: y, K: k}
}
