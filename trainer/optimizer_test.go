package trainer

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// TestNMDZeroMomentumIsNSD checks MATH.md section 6 item 6 for every norm:
// with beta1 = 0, NMD takes the same steps as NSD, bit for bit.
func TestNMDZeroMomentumIsNSD(t *testing.T) {
	ds := gaussianSet()
	for _, n := range norm.All() {
		t.Run(n.Name(), func(t *testing.T) {
			run := func(opt Optimizer) *Trajectory {
				tr, err := Train(context.Background(), ds, Settings{Optimizer: opt, LR: 0.1, Decay: 0.5, Steps: 300}, nil)
				require.NoError(t, err)
				return tr
			}
			nsd, nmd := run(NSD(n)), run(NMD(n, 0))
			require.Equal(t, nsd.W.RawMatrix().Data, nmd.W.RawMatrix().Data, "final W")
			require.Equal(t, len(nsd.Checkpoints), len(nmd.Checkpoints))
			for i, c := range nsd.Checkpoints {
				require.Equal(t, c.Margins, nmd.Checkpoints[i].Margins, "checkpoint t = %d", c.T)
			}
		})
	}
}

// handData is two samples, x_1 = e_1 of class 0 and x_2 = e_2 of class 1,
// whose gradients follow by hand. At a classifier W = c P with
// P = [[1, -1], [-1, 1]] (W = 0 is c = 0), each sample has u = -2c, so its
// softmax weight on the wrong class is sigma(-2c) = 1/(1 + e^{2c}), and
//
//	grad L(W) = (1/2) sum_i (S_i - e_{y_i}) x_i^T = -(sigma(-2c)/2) P.
//
// Every step of a sign-like method keeps W on the line c P.
func handData(t testing.TB) *dataset.Dataset {
	t.Helper()
	ds, err := dataset.New("hand", mat.NewDense(2, 2, []float64{1, 0, 0, 1}), []int{0, 1})
	require.NoError(t, err)
	return ds
}

func sigmoid(v float64) float64 { return 1 / (1 + math.Exp(-v)) }

// TestAdamFirstSteps checks Adam's first two steps on handData against the
// values derived by hand. Write grad L(W_t) = -a_t P with a_0 = sigma(0)/2 =
// 1/4. Then M_1 = -(1-b1) a_0 P, V_1 = (1-b2) a_0^2 (entry-wise; P_ij^2 = 1).
//
// Analysed: D_0 = -(1-b1)/sqrt(1-b2) P, so W_1 = c_1 P, c_1 = eta_0
// (1-b1)/sqrt(1-b2), and a_1 = sigma(-2 c_1)/2. Then M_2 = -(1-b1)(b1 a_0 +
// a_1) P, V_2 = (1-b2)(b2 a_0^2 + a_1^2), D_1 = M_2/sqrt(V_2), and W_2 = W_1 -
// eta_1 D_1 = (c_1 + eta_1 (1-b1)(b1 a_0 + a_1)/sqrt((1-b2)(b2 a_0^2 +
// a_1^2))) P.
//
// Bias-corrected (torch): Mhat_1 = -a_0 P, Vhat_1 = a_0^2, so D_0 = -a_0/(a_0
// + eps) P and c_1 = eta_0 a_0/(a_0 + eps); Mhat_2 = M_2/(1-b1^2), Vhat_2 =
// V_2/(1-b2^2), D_1 = Mhat_2/(sqrt(Vhat_2) + eps).
func TestAdamFirstSteps(t *testing.T) {
	ds := handData(t)
	const eta0, decay = 0.3, 0.5
	eta1 := eta0 / math.Sqrt(2)
	a0 := 0.25
	tests := []struct {
		name string
		s    AdamSettings
		c2   func(b1, b2, eps float64) (c1, c2 float64)
	}{
		{"analysed", AdamSettings{Beta1: 0.9, Beta2: 0.99}, func(b1, b2, _ float64) (float64, float64) {
			c1 := eta0 * (1 - b1) / math.Sqrt(1-b2)
			a1 := sigmoid(-2*c1) / 2
			return c1, c1 + eta1*(1-b1)*(b1*a0+a1)/math.Sqrt((1-b2)*(b2*a0*a0+a1*a1))
		}},
		{"analysed-b1-above-b2", AdamSettings{Beta1: 0.95, Beta2: 0.5}, func(b1, b2, _ float64) (float64, float64) {
			c1 := eta0 * (1 - b1) / math.Sqrt(1-b2)
			a1 := sigmoid(-2*c1) / 2
			return c1, c1 + eta1*(1-b1)*(b1*a0+a1)/math.Sqrt((1-b2)*(b2*a0*a0+a1*a1))
		}},
		{"torch", AdamSettings{Beta1: 0.9, Beta2: 0.999, Eps: 1e-2, BiasCorrection: true}, func(b1, b2, eps float64) (float64, float64) {
			c1 := eta0 * a0 / (a0 + eps)
			a1 := sigmoid(-2*c1) / 2
			m2 := (1 - b1) * (b1*a0 + a1) / (1 - b1*b1)
			v2 := (1 - b2) * (b2*a0*a0 + a1*a1) / (1 - b2*b2)
			return c1, c1 + eta1*m2/(math.Sqrt(v2)+eps)
		}},
	}
	p := mat.NewDense(2, 2, []float64{1, -1, -1, 1})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c1, c2 := tc.c2(tc.s.Beta1, tc.s.Beta2, tc.s.Eps)
			for steps, c := range map[int]float64{1: c1, 2: c2} {
				tr, err := Train(context.Background(), ds, Settings{Optimizer: Adam(tc.s), LR: eta0, Decay: decay, Steps: steps}, nil)
				require.NoError(t, err)
				var want mat.Dense
				want.Scale(c, p)
				for i, v := range want.RawMatrix().Data {
					require.InEpsilon(t, v, tr.W.RawMatrix().Data[i], 1e-14, "W_%d entry %d", steps, i)
				}
			}
		})
	}
}

// naiveAdam is Adam written directly from MATH.md section 5 on the true
// gradient, for scales where float64 holds it.
type naiveAdam struct {
	AdamSettings
	m, v []float64
}

func (o *naiveAdam) direction(dst []float64, t int, g []float64) {
	for i, x := range g {
		o.m[i] = o.Beta1*o.m[i] + (1-o.Beta1)*x
		o.v[i] = o.Beta2*o.v[i] + (1-o.Beta2)*x*x
		mh, vh := o.m[i], o.v[i]
		if o.BiasCorrection {
			mh /= 1 - math.Pow(o.Beta1, float64(t+1))
			vh /= 1 - math.Pow(o.Beta2, float64(t+1))
		}
		if den := math.Sqrt(vh) + o.Eps; den != 0 {
			dst[i] = mh / den
		} else {
			dst[i] = 0
		}
	}
}

// logScales returns a sequence of gradient log-scales that drifts down like a
// training run's and jumps by more than rescaleGap, both ways, so that the
// moving reference scale is exercised.
func logScales(rng *rand.Rand, n int) []float64 {
	ls := make([]float64, n)
	l := 0.0
	for i := range ls {
		switch {
		case i%17 == 5:
			l -= 40 + 20*rng.Float64()
		case i%23 == 7:
			l += 45
		default:
			l -= rng.Float64()
		}
		ls[i] = l
	}
	return ls
}

// TestMovingScale checks that Adam and NMD with state on a moving scale give
// the directions of the same methods run on the true gradient exp(LogScale)
// G (within float64's range), and, for the scale-invariant forms, the same
// directions when every gradient is 10^-868 times smaller (LogScale - 2000),
// where the true gradient underflows.
func TestMovingScale(t *testing.T) {
	const k, d, steps = 3, 4, 200
	rng := rand.New(rand.NewPCG(7, 7))
	ls := logScales(rng, steps)
	gs := make([]*mat.Dense, steps)
	for i := range gs {
		gs[i] = mat.NewDense(k, d, nil)
		for j := range k * d {
			gs[i].RawMatrix().Data[j] = rng.NormFloat64()
		}
	}
	// The range of ls stays above -709/2, so squares of true gradients are
	// representable.
	require.Greater(t, ls[steps-1], -300.0)

	for _, s := range []AdamSettings{
		{Beta1: 0.9, Beta2: 0.99},
		{Beta1: 0.95, Beta2: 0.5},
		{Beta1: 0.9, Beta2: 0.999, BiasCorrection: true},
		{Beta1: 0.9, Beta2: 0.999, Eps: 1e-30, BiasCorrection: true},
	} {
		t.Run(fmt.Sprintf("adam/%+v", s), func(t *testing.T) {
			scaled, shifted := Adam(s), Adam(s)
			scaled.Reset(k, d)
			shifted.Reset(k, d)
			naive := &naiveAdam{AdamSettings: s, m: make([]float64, k*d), v: make([]float64, k*d)}
			d1, d2 := mat.NewDense(k, d, nil), mat.NewDense(k, d, nil)
			want, trueG := make([]float64, k*d), make([]float64, k*d)
			for i := range steps {
				for j, x := range gs[i].RawMatrix().Data {
					trueG[j] = math.Exp(ls[i]) * x
				}
				naive.direction(want, i, trueG)
				scaled.Direction(d1, i, &Gradient{G: gs[i], LogScale: ls[i]})
				shifted.Direction(d2, i, &Gradient{G: gs[i], LogScale: ls[i] - 2000})
				for j, w := range want {
					require.InEpsilon(t, w, d1.RawMatrix().Data[j], 1e-11, "step %d entry %d vs true gradient", i, j)
					if s.Eps == 0 {
						// LogScale near -2000 carries an absolute rounding of
						// 2000 * 2^-53 = 2e-13 into every factor e^{l - s}.
						require.InEpsilon(t, w, d2.RawMatrix().Data[j], 1e-9, "step %d entry %d at scale e^-2000", i, j)
					}
				}
			}
		})
	}
	for _, n := range []norm.Norm{norm.Fro, norm.Max} {
		t.Run("nmd/"+n.Name(), func(t *testing.T) {
			const b1 = 0.9
			scaled, shifted := NMD(n, b1), NMD(n, b1)
			scaled.Reset(k, d)
			shifted.Reset(k, d)
			m := mat.NewDense(k, d, nil)
			want, d1, d2 := mat.NewDense(k, d, nil), mat.NewDense(k, d, nil), mat.NewDense(k, d, nil)
			for i := range steps {
				// M_t = b1 M_{t-1} + (1-b1) g_t on the true gradient.
				var g mat.Dense
				g.Scale((1-b1)*math.Exp(ls[i]), gs[i])
				m.Scale(b1, m)
				m.Add(m, &g)
				n.SteepestDirection(want, m)
				scaled.Direction(d1, i, &Gradient{G: gs[i], LogScale: ls[i]})
				shifted.Direction(d2, i, &Gradient{G: gs[i], LogScale: ls[i] - 2000})
				for j, w := range want.RawMatrix().Data {
					require.InDelta(t, w, d1.RawMatrix().Data[j], 1e-12, "step %d entry %d vs true gradient", i, j)
					require.InDelta(t, w, d2.RawMatrix().Data[j], 1e-12, "step %d entry %d at scale e^-2000", i, j)
				}
			}
		})
	}
}

// TestGDDirection checks that GD moves along the true gradient
// exp(LogScale) G.
func TestGDDirection(t *testing.T) {
	g := mat.NewDense(2, 2, []float64{1, -2, 0.5, 0})
	dst := mat.NewDense(2, 2, nil)
	o := GD()
	o.Reset(2, 2)
	o.Direction(dst, 0, &Gradient{G: g, LogScale: math.Log(0.25)})
	assert.InDeltaSlice(t, []float64{0.25, -0.5, 0.125, 0}, dst.RawMatrix().Data, 1e-16)
}

// TestByName checks the CLI's optimizer names and their errors.
func TestByName(t *testing.T) {
	type byNameCase struct {
		name, norm string
		beta1      float64
		want       string // Name() of the result, "" for an error
		err        error
	}
	tests := []byNameCase{
		{"gd", "", 0.9, "gd", nil},
		{"signgd", "", 0.9, "signgd", nil},
		{"signgd", "max", 0.9, "signgd", nil},
		{"signgd", "sum", 0.9, "", ErrNorm},
		{"ngd", "", 0.9, "ngd", nil},
		{"cd", "", 0.9, "cd", nil},
		{"nsd", "opinf", 0.9, "nsd(opinf)", nil},
		{"nsd", "max", 0.9, "signgd", nil},
		{"nsd", "", 0.9, "", ErrNorm},
		{"nsd", "nosuch", 0.9, "", ErrNorm},
		{"signum", "", 0.9, "signum", nil},
		{"nmd-gd", "", 0.5, "nmd-gd", nil},
		{"nmd", "op1", 0.5, "nmd(op1)", nil},
		{"nmd", "", 0.5, "", ErrNorm},
		{"signum", "", 1, "", ErrBadSettings},
		{"signum", "", -0.1, "", ErrBadSettings},
		{"adam", "", 0.9, "adam", nil},
		{"adam", "max", 0.9, "", ErrNorm},
		{"gd", "fro", 0.9, "", ErrNorm},
		{"sgd", "", 0.9, "", ErrUnknownOptimizer},
	}
	// Muon and Spectral-GD exist exactly when package norm has "spectral".
	if _, err := norm.ByName("spectral"); err == nil {
		tests = append(tests, byNameCase{"muon", "", 0.9, "muon", nil}, byNameCase{"spectral-gd", "", 0.9, "spectral-gd", nil})
	} else {
		tests = append(tests, byNameCase{"muon", "", 0.9, "", ErrNorm}, byNameCase{"spectral-gd", "", 0.9, "", ErrNorm})
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+tc.norm, func(t *testing.T) {
			o, err := ByName(tc.name, tc.norm, tc.beta1, 0.999, 0, false)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, o.Name())
		})
	}
	_, err := ByName("adam", "", 0.9, 1, 0, false)
	require.ErrorIs(t, err, ErrBadSettings, "beta2 = 1")
	_, err = ByName("adam", "", 0.9, 0.99, -1, false)
	require.ErrorIs(t, err, ErrBadSettings, "eps < 0")
}
