package certify

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestExactDot(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 51))
	for trial := range 50 {
		n := 1 + trial
		a, b := make([]float64, n), make([]float64, n)
		for j := range a {
			// Wide exponent range, both signs, some subnormals and zeros.
			a[j] = rng.NormFloat64() * math.Ldexp(1, rng.IntN(200)-100)
			b[j] = rng.NormFloat64() * math.Ldexp(1, rng.IntN(200)-100)
			if j%7 == 3 {
				a[j] = 0
			}
			if j%11 == 5 {
				b[j] = 5e-324 * float64(rng.IntN(1000))
			}
		}
		want := new(big.Rat)
		for j := range a {
			want.Add(want, new(big.Rat).Mul(new(big.Rat).SetFloat64(a[j]), new(big.Rat).SetFloat64(b[j])))
		}
		require.Zero(t, want.Cmp(exactDot(a, b)), "trial %d", trial)
	}
}

func TestDirectedRounding(t *testing.T) {
	third := big.NewRat(1, 3)
	lo, hi := RoundDown(third), RoundUp(third)
	require.Equal(t, math.Nextafter(lo, 1), hi, "1/3 lies strictly between two neighbours")
	require.Negative(t, new(big.Rat).SetFloat64(lo).Cmp(third))
	require.Positive(t, new(big.Rat).SetFloat64(hi).Cmp(third))
	neg := big.NewRat(-1, 3)
	require.Equal(t, -hi, RoundDown(neg))
	require.Equal(t, -lo, RoundUp(neg))
	half := big.NewRat(1, 2)
	require.Equal(t, 0.5, RoundDown(half))
	require.Equal(t, 0.5, RoundUp(half))
	huge := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 1100))
	require.Equal(t, math.MaxFloat64, RoundDown(huge))
	require.True(t, math.IsInf(RoundUp(huge), 1))
}
