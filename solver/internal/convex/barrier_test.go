package convex

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/solver/internal/dense"
)

// checkDerivatives compares grad and hess of f at x with central
// differences of step h: the gradient against (f(x+h e_i) - f(x-h e_i))/2h
// and the Hessian against the same differences of grad, each to
// tol max(1, |value|).
func checkDerivatives(t *testing.T, x []float64, f func(x, g []float64, h *mat.SymDense) float64, h, tol float64) {
	t.Helper()
	n := len(x)
	g := make([]float64, n)
	hs := mat.NewSymDense(n, nil)
	f(x, g, hs)
	gp := make([]float64, n)
	gm := make([]float64, n)
	xp := append([]float64(nil), x...)
	for i := range n {
		xp[i] = x[i] + h
		fp := f(xp, gp, nil)
		xp[i] = x[i] - h
		fm := f(xp, gm, nil)
		xp[i] = x[i]
		require.InDelta(t, (fp-fm)/(2*h), g[i], tol*max(1, math.Abs(g[i])), "gradient %d", i)
		for j := range n {
			want := (gp[j] - gm[j]) / (2 * h)
			require.InDelta(t, want, hs.At(i, j), tol*max(1, math.Abs(want)), "Hessian (%d, %d)", i, j)
		}
	}
}

// TestBarrierDerivatives checks each ball barrier's gradient and Hessian
// by central differences at a random interior point (h = 1e-6: the
// truncation error is O(h^2) = 1e-12 times the third derivative and the
// rounding error O(eps/h) = 1e-10, so 1e-5 relative is generous).
func TestBarrierDerivatives(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const k, d = 3, 4
	z0 := make([]float64, k*d)
	for i := range z0 {
		z0[i] = rng.NormFloat64()
	}
	balls := []ballBarrier{
		froBarrier{n: k * d},
		spectralBarrier{k: k, d: d},
		pnormBarrier{n: k * d, p: 1.5},
		pnormBarrier{n: k * d, p: 3},
		nuclearBarrier{k: k, d: d},
	}
	for _, b := range balls {
		t.Run(fmt.Sprintf("%T", b), func(t *testing.T) {
			u := make([]float64, b.size())
			b.start(u, z0)
			// Move off the symmetric start point, staying inside.
			for i := range u {
				u[i] *= 1 + 0.1*rng.Float64()
			}
			_, ok := b.eval(u, nil, nil)
			require.True(t, ok)
			checkDerivatives(t, u, func(x, g []float64, h *mat.SymDense) float64 {
				v, ok := b.eval(x, g, h)
				require.True(t, ok)
				return v
			}, 1e-6, 1e-5)
		})
	}
}

// TestNewtonSystem checks the barrier objective's gradient and Hessian over
// (Z, gam) by central differences.
func TestNewtonSystem(t *testing.T) {
	ds := dataset.GaussianClusters(3, 3, 4, 3, 0.5)
	n, d, k := ds.Dims()
	for _, b := range []ballBarrier{froBarrier{n: k * d}, nuclearBarrier{k: k, d: d}} {
		t.Run(fmt.Sprintf("%T", b), func(t *testing.T) {
			bp := &barrierProblem{pairSpace: newPairSpace(ds.X, ds.Y, k), ball: b}
			u := make([]float64, b.size())
			b.start(u, bp.startDirection())
			s := make([]float64, n*(k-1))
			bp.slacks(mat.NewDense(k, d, u[:k*d]), 0, s)
			lo := math.Inf(1)
			for _, v := range s {
				lo = min(lo, v)
			}
			x := append(u, lo-1)
			const tau = 3.0
			checkDerivatives(t, x, func(x, g []float64, h *mat.SymDense) float64 {
				nu := len(x) - 1
				v := bp.objective(x[:nu], x[nu], tau, s)
				require.False(t, math.IsInf(v, 0))
				if h == nil {
					h = mat.NewSymDense(len(x), nil)
				}
				gc := make([]float64, len(s))
				hc := make([]float64, len(s))
				for j, v := range s {
					gc[j], hc[j] = 1/v, 1/(v*v)
				}
				bp.newtonSystem(x[:nu], tau, gc, hc, g, h)
				return v
			}, 1e-6, 1e-5)
		})
	}
}

// TestNewtonStepBall checks that newtonStepBall's elimination of the
// power-cone barrier's t gives newtonStep's step and decrement on the full
// (2kD+1)-square system.
func TestNewtonStepBall(t *testing.T) {
	ds := dataset.GaussianClusters(3, 3, 4, 3, 0.5)
	n, d, k := ds.Dims()
	for _, p := range []float64{1.5, 3} {
		b := pnormBarrier{n: k * d, p: p}
		bp := &barrierProblem{pairSpace: newPairSpace(ds.X, ds.Y, k), ball: b}
		u := make([]float64, b.size())
		b.start(u, bp.startDirection())
		s := make([]float64, n*(k-1))
		bp.slacks(mat.NewDense(k, d, u[:k*d]), 0, s)
		gam := floats.Min(s) - 1
		gc := make([]float64, len(s))
		hc := make([]float64, len(s))
		for j, v := range s {
			v -= gam
			gc[j], hc[j] = 1/v, 1/(v*v)
		}
		nv := b.size() + 1
		g := make([]float64, nv)
		h := mat.NewSymDense(nv, nil)
		bp.newtonSystem(u, 3, gc, hc, g, h)
		want := make([]float64, nv)
		got := make([]float64, nv)
		var chol dense.Cholesky
		decWant, ok := newtonStep(&chol, h, g, want)
		require.True(t, ok)
		decGot, ok := bp.newtonStepBall(&chol, h, g, got)
		require.True(t, ok)
		require.InDelta(t, decWant, decGot, 1e-9*decWant)
		for i := range want {
			require.InDelta(t, want[i], got[i], 1e-8*max(1, floats.Norm(want, math.Inf(1))), "component %d", i)
		}
	}
}
