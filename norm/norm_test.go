package norm

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// every returns all norms, including two members of the lp family.
func every(t *testing.T) []Norm {
	all := All()
	for _, name := range []string{"l1.5", "l3"} {
		n, err := ByName(name)
		require.NoError(t, err)
		all = append(all, n)
	}
	return all
}

func randomMatrix(rng *rand.Rand, r, c int) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := range r {
		for j := range c {
			m.Set(i, j, rng.NormFloat64())
		}
	}
	return m
}

// TestHandValues checks each norm on G = [[3, -4], [0, 1]], values worked out
// by hand: max 4; sum 3+4+0+1 = 8; opinf (max row sum) max(7, 1) = 7; op1
// (max column sum) max(3, 5) = 5; fro sqrt(9+16+0+1) = sqrt(26); l3
// (27+64+1)^{1/3} = 92^{1/3}. Singular values: G^T G = [[9, -12], [-12, 17]]
// has trace 26 and determinant 9*17-144 = 9, so sigma^2 = 13 +- sqrt(160),
// sigma_1 sigma_2 = 3 and sigma_1 + sigma_2 = sqrt(26 + 6) = sqrt(32).
func TestHandValues(t *testing.T) {
	g := mat.NewDense(2, 2, []float64{3, -4, 0, 1})
	s1 := math.Sqrt(13 + math.Sqrt(160))
	tests := []struct {
		name        string
		value, dual float64
	}{
		{"max", 4, 8},
		{"sum", 8, 4},
		{"opinf", 7, 4 + 1}, // dual: row maxima 4 and 1
		{"op1", 5, 3 + 4},   // dual: column maxima 3 and 4
		{"fro", math.Sqrt(26), math.Sqrt(26)},
		{"l3", math.Cbrt(92), math.Pow(math.Pow(3, 1.5)+8+1, 1/1.5)}, // dual l1.5
		{"spectral", s1, math.Sqrt(32)},
		{"nuclear", math.Sqrt(32), s1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ByName(tt.name)
			require.NoError(t, err)
			assert.InDelta(t, tt.value, n.Value(g), 1e-12)
			assert.InDelta(t, tt.dual, n.Dual(g), 1e-12)
		})
	}
}

// TestSteepestDirection checks the defining properties of the steepest
// direction (MATH.md section 6, item 3): <G, D> = N*(G) and N(D) = 1, and D = 0
// for G = 0, for every norm of the project (All, so norms added later are
// covered) and two members of the lp family. The trainer's NSD and NMD rely on
// exactly these properties.
func TestSteepestDirection(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range every(t) {
		t.Run(n.Name(), func(t *testing.T) {
			for _, shape := range [][2]int{{1, 1}, {3, 5}, {10, 25}, {5, 2}, {3, 13}} {
				g := randomMatrix(rng, shape[0], shape[1])
				// Late in training gradients are small: the properties
				// must hold at the scale 1e-3 as well.
				if shape == [2]int{3, 13} {
					g.Scale(1e-3, g)
				}
				d := mat.NewDense(shape[0], shape[1], nil)
				dual := n.SteepestDirection(d, g)
				assert.InDelta(t, n.Dual(g), dual, 1e-12*dual)
				assert.InDelta(t, dual, inner(g, d), 1e-12*dual)
				assert.InDelta(t, 1, n.Value(d), 1e-12)
			}
			zero := mat.NewDense(3, 4, nil)
			d := mat.NewDense(3, 4, nil)
			d.Set(0, 0, 7) // stale content must be cleared
			assert.Equal(t, 0.0, n.SteepestDirection(d, zero))
			assert.True(t, mat.Equal(zero, d))
			assert.Panics(t, func() { n.SteepestDirection(mat.NewDense(2, 2, nil), zero) })
		})
	}
}

// TestDuality checks Hoelder's inequality <G, W> <= N(W) N*(G) on random
// pairs, the sandwich max(W) <= N(W) <= sum(W) (paper eq. 7), and that the
// dual of the dual is the norm where both are in the suite.
func TestDuality(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range every(t) {
		t.Run(n.Name(), func(t *testing.T) {
			for range 50 {
				w, g := randomMatrix(rng, 4, 6), randomMatrix(rng, 4, 6)
				assert.LessOrEqual(t, inner(g, w), n.Value(w)*n.Dual(g)*(1+1e-12))
				assert.LessOrEqual(t, Max.Value(w), n.Value(w)*(1+1e-12))
				assert.LessOrEqual(t, n.Value(w), Sum.Value(w)*(1+1e-12))
			}
		})
	}
	pairs := [][2]Norm{{Max, Sum}, {Spectral, Nuclear}, {Fro, Fro}}
	w := randomMatrix(rng, 3, 7)
	for _, p := range pairs {
		assert.InDelta(t, p[0].Value(w), p[1].Dual(w), 1e-12, p[0].Name())
		assert.InDelta(t, p[0].Dual(w), p[1].Value(w), 1e-12, p[0].Name())
	}
}

// TestTieBreak pins the deterministic choice of the first largest entry.
func TestTieBreak(t *testing.T) {
	g := mat.NewDense(2, 2, []float64{-1, 1, 1, -1})
	d := mat.NewDense(2, 2, nil)
	Sum.SteepestDirection(d, g)
	assert.Equal(t, []float64{-1, 0, 0, 0}, d.RawMatrix().Data)
	OpInf.SteepestDirection(d, g)
	assert.Equal(t, []float64{-1, 0, 1, 0}, d.RawMatrix().Data)
	Op1.SteepestDirection(d, g)
	assert.Equal(t, []float64{-1, 1, 0, 0}, d.RawMatrix().Data)
	Max.SteepestDirection(d, mat.NewDense(2, 2, []float64{0, -2, 3, 0}))
	assert.Equal(t, []float64{0, -1, 1, 0}, d.RawMatrix().Data, "sign 0 = 0")
}

// TestExact checks ValueRat and DualRat against the float versions on data
// whose float evaluation is exact (small integers).
func TestExact(t *testing.T) {
	vals := []float64{3, -4, 0, 1, 2, -2}
	rats := make([]*big.Rat, len(vals))
	for i, v := range vals {
		rats[i] = new(big.Rat).SetFloat64(v)
	}
	g := mat.NewDense(2, 3, vals)
	for _, n := range []Polyhedral{Max, Sum, OpInf, Op1} {
		t.Run(n.Name(), func(t *testing.T) {
			v, _ := n.ValueRat(rats, 2, 3).Float64()
			assert.Equal(t, n.Value(g), v)
			d, _ := n.DualRat(rats, 2, 3).Float64()
			assert.Equal(t, n.Dual(g), d)
		})
	}
}

func TestByName(t *testing.T) {
	for _, name := range []string{"max", "sum", "opinf", "op1", "fro", "spectral", "nuclear", "l1.5", "l3"} {
		n, err := ByName(name)
		require.NoError(t, err, name)
		assert.Equal(t, name, n.Name())
	}
	for _, tc := range []struct{ name, says string }{
		{"", "l<p> for 1 < p < inf"},
		{"linf", "max for p = inf"},
		{"lInf", "max for p = inf"},
		{"l1", "sum for p = 1"},
		{"l0.5", "needs 1 < p < inf"},
		{"l", "l<p> for 1 < p < inf"},
		{"MAX", "known: [fro max"},
	} {
		_, err := ByName(tc.name)
		assert.ErrorIs(t, err, ErrUnknown, tc.name)
		assert.ErrorContains(t, err, tc.says, tc.name)
	}
}

func BenchmarkSteepestDirection(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []Norm{Max, Sum, OpInf, Op1, Fro} {
		b.Run(n.Name(), func(b *testing.B) {
			g := randomMatrix(rng, 10, 500)
			d := mat.NewDense(10, 500, nil)
			b.ReportAllocs()
			for b.Loop() {
				n.SteepestDirection(d, g)
			}
		})
	}
}

// inner returns the Frobenius inner product <A, B> of two contiguous matrices.
func inner(a, b *mat.Dense) float64 {
	return floats.Dot(a.RawMatrix().Data, b.RawMatrix().Data)
}
