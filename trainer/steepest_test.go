package trainer

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"maxmargin/norm"
)

// TestSteepestDirection checks MATH.md section 6 item 3 for every norm the
// project has (norm.All(), so norms added later are covered): the steepest
// direction D of G has <G, D> = N*(G) and N(D) = 1, and D = 0 for G = 0.
func TestSteepestDirection(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	shapes := [][2]int{{1, 1}, {3, 13}, {5, 8}, {10, 25}}
	for _, n := range norm.All() {
		for _, sh := range shapes {
			t.Run(fmt.Sprintf("%s/%dx%d", n.Name(), sh[0], sh[1]), func(t *testing.T) {
				k, d := sh[0], sh[1]
				dst := mat.NewDense(k, d, nil)
				zero := mat.NewDense(k, d, nil)
				assert.Zero(t, n.SteepestDirection(dst, zero), "N*(0)")
				assert.Zero(t, mat.Norm(dst, 1), "direction of G = 0")
				for range 5 {
					g := mat.NewDense(k, d, nil)
					for i := range k {
						for j := range d {
							g.Set(i, j, rng.NormFloat64()*1e-3)
						}
					}
					dual := n.SteepestDirection(dst, g)
					require.InEpsilon(t, n.Dual(g), dual, 1e-12, "returned value is N*(G)")
					require.InEpsilon(t, dual, floats.Dot(g.RawMatrix().Data, dst.RawMatrix().Data), 1e-12, "<G, D> = N*(G)")
					require.InDelta(t, 1, n.Value(dst), 1e-12, "N(D) = 1")
				}
			})
		}
	}
}
