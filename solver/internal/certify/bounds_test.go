package certify

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/norm"
)

// ratPow returns x^e exactly for an integer e >= 0.
func ratPow(x float64, e int) *big.Rat {
	r := big.NewRat(1, 1)
	xr := new(big.Rat).SetFloat64(x)
	for range e {
		r.Mul(r, xr)
	}
	return r
}

// TestSqrtUp checks s^2 >= r exactly, and that s is tight: the next float
// below has a square below r.
func TestSqrtUp(t *testing.T) {
	for _, r := range []*big.Rat{big.NewRat(2, 1), big.NewRat(1, 3), big.NewRat(1e6+1, 7), big.NewRat(9, 4)} {
		s := SqrtUp(r)
		sr := new(big.Rat).SetFloat64(s)
		require.GreaterOrEqual(t, new(big.Rat).Mul(sr, sr).Cmp(r), 0, "SqrtUp(%v)^2 >= r", r)
		below := new(big.Rat).SetFloat64(math.Nextafter(s, 0))
		require.Negative(t, new(big.Rat).Mul(below, below).Cmp(r), "SqrtUp(%v) is the least such float", r)
	}
}

// TestPowUp checks the enclosure of powUp where an integer power of the
// bound can be compared exactly with an integer power of x:
// powUp(x, a/b)^b >= x^a.
func TestPowUp(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	// b is a power of two, so that a/b is an exact float64 exponent.
	exps := []struct{ a, b int }{{3, 2}, {1, 2}, {5, 4}, {3, 1}, {101, 64}}
	for range 200 {
		x := math.Ldexp(rng.Float64()+0.5, rng.IntN(40)-20)
		for _, e := range exps {
			p := powUp(x, float64(e.a)/float64(e.b))
			require.GreaterOrEqual(t, ratPow(p, e.b).Cmp(ratPow(x, e.a)), 0, "powUp(%v, %d/%d)", x, e.a, e.b)
			require.InEpsilon(t, math.Pow(x, float64(e.a)/float64(e.b)), p, 1e-11)
		}
	}
}

// TestSchattenUp checks the spectral and nuclear upper bounds: on diag(3,
// 4, 0) (sigma = 4, 3, 0) exactly above and within 1e-11; on random
// matrices above the floating-point value less its rounding and within
// 1e-10 relative.
func TestSchattenUp(t *testing.T) {
	diag := mat.NewDense(3, 4, []float64{3, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0})
	require.GreaterOrEqual(t, SpectralUp(diag), 4.0)
	require.InEpsilon(t, 4, SpectralUp(diag), 1e-11)
	require.GreaterOrEqual(t, NuclearUp(diag), 7.0)
	require.InEpsilon(t, 7, NuclearUp(diag), 1e-11)
	// Rank one, B = u v^T with u = (1, 2, 2) and v = (3, 4): ||B||_* =
	// ||u|| ||v|| = 3 * 5 = 15 by hand; the bound is within rounding of it
	// (its error term is sqrt(r) ||B - L R||_F, of order 1e-15 here).
	rank1 := mat.NewDense(3, 2, []float64{3, 4, 6, 8, 6, 8})
	require.GreaterOrEqual(t, NuclearUp(rank1), 15.0)
	require.InEpsilon(t, 15, NuclearUp(rank1), 1e-13)
	require.Zero(t, NuclearUp(mat.NewDense(2, 3, nil)), "the zero matrix")
	require.Zero(t, SpectralUp(mat.NewDense(2, 3, nil)), "the zero matrix")
	// The 4×4 Hadamard matrix: H H^T = 4 I, so every singular value is 2
	// (sigma_1 = 2, ||H||_* = 8), where t I - H H^T is nearly singular in
	// every direction for SpectralUp's t = 4 (1 + 2^-40).
	hadamard := mat.NewDense(4, 4, []float64{1, 1, 1, 1, 1, -1, 1, -1, 1, 1, -1, -1, 1, -1, -1, 1})
	require.GreaterOrEqual(t, SpectralUp(hadamard), 2.0)
	require.InEpsilon(t, 2, SpectralUp(hadamard), 1e-11)
	require.GreaterOrEqual(t, NuclearUp(hadamard), 8.0)
	require.InEpsilon(t, 8, NuclearUp(hadamard), 1e-11)
	rng := rand.New(rand.NewPCG(8, 8))
	for _, shape := range [][2]int{{3, 5}, {5, 3}, {4, 4}, {10, 25}, {40, 50}} {
		m := mat.NewDense(shape[0], shape[1], nil)
		for i := range shape[0] {
			for j := range shape[1] {
				m.Set(i, j, rng.NormFloat64())
			}
		}
		for _, tc := range []struct {
			n  norm.Norm
			up func(*mat.Dense) float64
		}{{norm.Spectral, SpectralUp}, {norm.Nuclear, NuclearUp}, {norm.Fro, FroUp}} {
			v := tc.n.Value(m)
			u := tc.up(m)
			require.GreaterOrEqual(t, u, v*(1-1e-13), "%s %v", tc.n.Name(), shape)
			require.InEpsilon(t, v, u, 1e-10, "%s %v", tc.n.Name(), shape)
		}
		for _, p := range []float64{1.01, 1.5, 3, 50} {
			pn, err := norm.LP(p)
			require.NoError(t, err)
			require.GreaterOrEqual(t, PNormUp(m, p), pn.Value(m)*(1-1e-13))
			require.InEpsilon(t, pn.Value(m), PNormUp(m, p), 1e-10)
		}
	}
}

// TestConjugateDown checks q' <= p/(p-1) exactly and tightly.
func TestConjugateDown(t *testing.T) {
	for _, p := range []float64{1.01, 1.5, 3, 50} {
		q := ConjugateDown(p)
		pr := new(big.Rat).SetFloat64(p)
		exact := new(big.Rat).Quo(pr, new(big.Rat).Sub(pr, big.NewRat(1, 1)))
		require.LessOrEqual(t, new(big.Rat).SetFloat64(q).Cmp(exact), 0)
		require.InEpsilon(t, p/(p-1), q, 1e-15)
	}
}
