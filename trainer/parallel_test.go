package trainer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// randGeneral returns an r×c matrix with stride stride >= c and normal
// entries of widely varying size, some of them +0 and -0.
func randGeneral(rng *rand.Rand, r, c, stride int) blas64.General {
	m := blas64.General{Rows: r, Cols: c, Stride: stride, Data: make([]float64, max(0, (r-1)*stride+c))}
	for i := range m.Data {
		switch rng.IntN(20) {
		case 0:
			m.Data[i] = 0
		case 1:
			m.Data[i] = math.Copysign(0, -1)
		default:
			m.Data[i] = rng.NormFloat64() * math.Exp(4*rng.NormFloat64())
		}
	}
	return m
}

// TestProductsMatchGemm checks that logits and accumulate give bit for bit
// the products X W^T and alpha R^T X that blas64.Gemm gives, the property
// that keeps trajectories pinned with gonum's products unchanged, on shapes
// with every remainder modulo 4 and 2, on column ranges, and with and
// without the AVX2 kernels.
func TestProductsMatchGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, m := range []int{1, 3, 4, 5, 8, 13} {
		for _, d := range []int{1, 2, 3, 4, 5, 7, 8, 25, 33} {
			for _, k := range []int{2, 3, 5, 10, 67, 130} {
				name := fmt.Sprintf("m=%d,d=%d,k=%d", m, d, k)
				x := randGeneral(rng, m, d, d)
				w := randGeneral(rng, k, d, d+3)
				r := randGeneral(rng, m, k, k)
				alpha := 1 / float64(m+2)
				want := blas64.General{Rows: m, Cols: k, Stride: k, Data: make([]float64, m*k)}
				blas64.Gemm(blas.NoTrans, blas.Trans, 1, x, w, 0, want)
				wantG := blas64.General{Rows: k, Cols: d, Stride: d, Data: make([]float64, k*d)}
				blas64.Gemm(blas.Trans, blas.NoTrans, alpha, r, x, 0, wantG)
				for _, avx := range []bool{false, true} {
					if avx && !hasAVX2 {
						continue
					}
					name := fmt.Sprintf("%s,avx=%v", name, avx)
					got := make([]float64, m*k)
					gotG := make([]float64, k*d)
					j1 := d / 3
					func() {
						defer setAVX2(avx)()
						logits(got, x.Data, m, d, w.Data, w.Stride, k)
						accumulate(gotG, r.Data, x.Data, m, d, k, 0, j1, alpha)
						accumulate(gotG, r.Data, x.Data, m, d, k, j1, d, alpha)
					}()
					requireBits(t, want.Data, got, name+": logits")
					requireBits(t, wantG.Data, gotG, name+": accumulate")
				}
			}
		}
	}
}

// requireBits requires want and got to be the same float64 values bit for
// bit (so +0 differs from -0).
func requireBits(t *testing.T, want, got []float64, msg string) {
	t.Helper()
	require.Len(t, got, len(want), msg)
	for i := range want {
		if math.Float64bits(want[i]) != math.Float64bits(got[i]) {
			require.Failf(t, "not bit for bit", "%s: entry %d: want %v, got %v", msg, i, want[i], got[i])
		}
	}
}

// TestParallelStepIsSerial checks that a step split between two goroutines
// gives bit for bit the gradient, log-scale and statistics of the same step
// on one, for every loss and mode, on a data set above parallelWork.
func TestParallelStepIsSerial(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("the split needs GOMAXPROCS >= 2")
	}
	ds := dataset.GaussianClusters(3, 10, 106, 100, 0.5) // n·d·k = 1000·106·10 > 2^20
	n, d, k := ds.Dims()
	require.GreaterOrEqual(t, n*d*k, parallelWork)
	w := mat.NewDense(k, d, nil)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range k {
		for j := range d {
			w.Set(i, j, 0.3*rng.NormFloat64())
		}
	}
	for _, mode := range []GradientMode{Exact, Textbook} {
		for _, loss := range []Loss{CrossEntropy, Exponential, PairLog} {
			t.Run(fmt.Sprintf("%v/mode=%d", loss, mode), func(t *testing.T) {
				par := newEvaluator(ds, loss, mode)
				defer par.close()
				require.Len(t, par.halves, 2)
				ser := newEvaluator(ds, loss, mode)
				ser.close()
				ser.halves = []half{{lo: 0, hi: n, j0: 0, j1: d}}
				for _, withStats := range []bool{false, true} {
					var gp, gs Gradient
					var sp, ss stats
					var psp, pss *stats
					if withStats {
						psp, pss = &sp, &ss
					}
					par.eval(w, &gp, psp)
					ser.eval(w, &gs, pss)
					require.Equal(t, math.Float64bits(gs.LogScale), math.Float64bits(gp.LogScale))
					requireBits(t, gs.G.RawMatrix().Data, gp.G.RawMatrix().Data, "G")
					require.Equal(t, ss, sp)
				}
			})
		}
	}
}

// TestTrainParallelDeterministic checks that Train on a data set above parallelWork
// gives the same trajectory twice (the worker's share is deterministic).
func TestTrainParallelDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on a large data set")
	}
	ds := dataset.GaussianClusters(3, 10, 106, 100, 0.5)
	s := Settings{Optimizer: NSD(norm.Max), LR: 0.1, Decay: 0.5, Steps: 30, Norms: []norm.Norm{norm.Max}}
	a, err := Train(t.Context(), ds, s, nil)
	require.NoError(t, err)
	b, err := Train(t.Context(), ds, s, nil)
	require.NoError(t, err)
	requireBits(t, a.W.RawMatrix().Data, b.W.RawMatrix().Data, "W")
}

// TestParallelStepAllocatesNothing checks that a step split between two
// goroutines allocates nothing once the worker runs.
func TestParallelStepAllocatesNothing(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("the split needs GOMAXPROCS >= 2")
	}
	ds := dataset.GaussianClusters(3, 10, 106, 100, 0.5)
	for _, opt := range []Optimizer{NSD(norm.Max), Adam(AdamSettings{Beta1: 0.9, Beta2: 0.99})} {
		r := newRun(ds, Settings{Optimizer: opt, LR: 0.1, Decay: 0.5})
		require.Len(t, r.ev.halves, 2)
		step := 0
		allocs := testing.AllocsPerRun(100, func() {
			r.step(step)
			step++
		})
		r.ev.close()
		require.Zero(t, allocs, opt.Name())
	}
}

// TestExpInPlace checks that expInPlace is math.Exp bit for bit, in and
// out of the range of the AVX2 kernel, with and without it.
func TestExpInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	special := []float64{0, math.Copysign(0, -1), 1, -1, -707, 709, -708, 709.5, 710, -745, -746, -1e300, 1e300,
		math.Inf(1), math.Inf(-1), math.NaN(), 1e-300, -5e-324, math.Nextafter(-707, 0), math.Nextafter(709, 0),
		math.Nextafter(-707, -800), math.Nextafter(709, 800)}
	for _, avx := range []bool{false, true} {
		if avx && !hasAVX2 {
			continue
		}
		for _, n := range []int{1, 3, 4, 7, 8, 9, 1000, 100003} {
			src := make([]float64, n)
			for i := range src {
				switch rng.IntN(10) {
				case 0:
					src[i] = special[rng.IntN(len(special))]
				case 1, 2:
					src[i] = (rng.Float64()*2 - 1) * 720
				case 3, 4:
					src[i] = -745.5 - 100*rng.ExpFloat64()
				default:
					src[i] = -rng.ExpFloat64() * 20
				}
			}
			got := append([]float64(nil), src...)
			func() {
				defer setAVX2(avx)()
				expInPlace(got)
			}()
			for i, x := range src {
				want := math.Exp(x)
				if math.Float64bits(want) != math.Float64bits(got[i]) && !(math.IsNaN(want) && math.IsNaN(got[i])) {
					t.Fatalf("avx=%v: exp(%v) = %v, want %v", avx, x, got[i], want)
				}
			}
		}
	}
}
