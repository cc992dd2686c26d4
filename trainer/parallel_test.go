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

// TestProducts checks logits and gradient against gonum's blas64.Gemm, an
// independent computation of the same products, on shapes with remainders
// modulo the kernels' tiles (4 and 8 samples, 12 and 16 classes, 4
// features): both sum n products with
// at most n + 2 roundings (theirs: alpha r, each product and each
// addition; ours: one per FMA and alpha), so each is within
// gamma_{n+2} sum |terms| of the exact value (Higham, Accuracy and
// Stability of Numerical Algorithms, 2nd ed., section 3.1), and they differ
// by at most twice that. The bound itself is computed in floating point,
// also within gamma_{n+2}: a third gamma covers it. The test also requires
// the same bits with and without the AVX2 and AVX-512 kernels and whatever
// the split of the rows of S or the columns of G, the property that keeps
// trajectories deterministic; the lanes past the last class hold NaN, which
// must not leak.
func TestProducts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, m := range []int{1, 3, 4, 5, 8, 12, 13, 300} {
		for _, d := range []int{1, 2, 3, 4, 5, 7, 8, 25, 33} {
			for _, k := range []int{2, 3, 5, 10, 12, 13, 16, 17, 67, 130} {
				name := fmt.Sprintf("m=%d,d=%d,k=%d", m, d, k)
				kp := padClasses(k)
				x := randGeneral(rng, m, d, d)
				w := randGeneral(rng, k, d, d+3)
				r := randGeneral(rng, m, k, k)
				rPad := append(append([]float64(nil), r.Data...), nanSlice(kp)...)
				alpha := 1 / float64(m+2)
				wantS, boundS := gemmBound(blas.NoTrans, blas.Trans, 1, x, w, d)
				wantG, boundG := gemmBound(blas.Trans, blas.NoTrans, alpha, r, x, m)
				var goBits [2][]float64 // S, G without the kernels
				for _, mode := range supportedModes() {
					name := fmt.Sprintf("%s,%+v", name, mode)
					wt := nanSlice(d * kp)
					transposeW(wt, kp, w.Data, w.Stride, k, d)
					gt := nanSlice((d + 3) / 4 * 4 * kp)
					xp := packX(x.Data, m, d)
					s := make([]float64, m*k)
					g := make([]float64, k*d)
					sSplit := make([]float64, m*k)
					gSplit := make([]float64, k*d)
					m1, j1 := m/3, d/3&^3 // gradient splits at multiples of 4
					func() {
						defer setAVX2(mode.avx2)()
						defer setAVX512(mode.avx512)()
						logits(s, x.Data, m, d, wt, kp, k)
						logits(sSplit, x.Data, m1, d, wt, kp, k)
						logits(sSplit[m1*k:], x.Data[m1*d:], m-m1, d, wt, kp, k)
						gradient(g, gt, rPad, xp, m, d, k, kp, 0, d, alpha)
						gradient(gSplit, gt, rPad, xp, m, d, k, kp, j1, d, alpha)
						gradient(gSplit, gt, rPad, xp, m, d, k, kp, 0, j1, alpha)
					}()
					requireClose(t, wantS.Data, s, boundS.Data, name+": logits")
					requireClose(t, wantG.Data, g, boundG.Data, name+": gradient")
					requireBits(t, s, sSplit, name+": logits split")
					requireBits(t, g, gSplit, name+": gradient split")
					if !mode.avx2 {
						goBits = [2][]float64{s, g}
						continue
					}
					requireBits(t, goBits[0], s, name+": logits, kernels vs Go")
					requireBits(t, goBits[1], g, name+": gradient, kernels vs Go")
				}
			}
		}
	}
}

// gemmBound returns C = alpha op(A) op(B) by blas64.Gemm and the bound
// 3 gamma_{n+2} |alpha| |op(A)| |op(B)| on the difference from it of any
// sum of the same n products with at most n + 2 roundings (see
// TestProducts).
func gemmBound(tA, tB blas.Transpose, alpha float64, a, b blas64.General, n int) (c, bound blas64.General) {
	rows, cols := a.Rows, b.Rows
	if tA == blas.Trans {
		rows = a.Cols
	}
	if tB == blas.NoTrans {
		cols = b.Cols
	}
	c = blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: make([]float64, rows*cols)}
	bound = blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: make([]float64, rows*cols)}
	blas64.Gemm(tA, tB, alpha, a, b, 0, c)
	blas64.Gemm(tA, tB, 3*gamma(n+2)*math.Abs(alpha), absGeneral(a), absGeneral(b), 0, bound)
	return c, bound
}

// gamma returns gamma_n = n u / (1 - n u), u = 2^-53, the bound of n
// roundings (Higham, Lemma 3.1).
func gamma(n int) float64 {
	nu := float64(n) * 0x1p-53
	return nu / (1 - nu)
}

// absGeneral returns a copy of m with every entry replaced by its absolute
// value.
func absGeneral(m blas64.General) blas64.General {
	c := m
	c.Data = make([]float64, len(m.Data))
	for i, v := range m.Data {
		c.Data[i] = math.Abs(v)
	}
	return c
}

// nanSlice returns n NaNs.
func nanSlice(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = math.NaN()
	}
	return v
}

// requireInPlace requires inPlace, run with the kernels of mode on a copy
// of src, to give f(x) bit for bit for every x of src (any NaN for NaN).
func requireInPlace(t *testing.T, mode kernelMode, name string, src []float64, inPlace func([]float64), f func(float64) float64) {
	t.Helper()
	got := append([]float64(nil), src...)
	func() {
		defer setAVX2(mode.avx2)()
		defer setAVX512(mode.avx512)()
		inPlace(got)
	}()
	for i, x := range src {
		want := f(x)
		if math.Float64bits(want) != math.Float64bits(got[i]) && !(math.IsNaN(want) && math.IsNaN(got[i])) {
			t.Fatalf("%+v: %s(%v) = %v, want %v", mode, name, x, got[i], want)
		}
	}
}

// randomSlice returns n numbers drawn by arg.
func randomSlice(n int, arg func() float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = arg()
	}
	return v
}

// supportedModes returns the kernelModes this CPU supports.
func supportedModes() []kernelMode {
	var modes []kernelMode
	for _, m := range kernelModes {
		if (!m.avx2 || hasAVX2) && (!m.avx512 || hasAVX512) {
			modes = append(modes, m)
		}
	}
	return modes
}

// kernelMode is a set of kernels a test runs with.
type kernelMode struct{ avx2, avx512 bool }

// kernelModes are the sets of kernels the tests run with: none (plain Go),
// AVX2, and AVX2 with AVX-512.
var kernelModes = []kernelMode{{false, false}, {true, false}, {true, true}}

// requireClose requires |want_i - got_i| <= tol_i for every i.
func requireClose(t *testing.T, want, got, tol []float64, msg string) {
	t.Helper()
	require.Len(t, got, len(want), msg)
	for i := range want {
		if !(math.Abs(want[i]-got[i]) <= tol[i]) {
			require.Failf(t, "not close", "%s: entry %d: want %v, got %v, tolerance %v", msg, i, want[i], got[i], tol[i])
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

// TestShiftRows checks that shiftRows gives bit for bit the numbers of
// shiftRow with and without the AVX2 kernel, on rows of 2 to 13 classes
// (the kernel takes up to chunk = 12) with NaN, infinities, signed zeros and
// ties among the logits.
func TestShiftRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1, -1, 1e308, -1e308}
	for k := 2; k <= chunk+1; k++ {
		const m = 200
		s := make([]float64, m*k)
		y := make([]int, m)
		for i := range y {
			y[i] = rng.IntN(k)
			row := s[i*k : i*k+k]
			switch i % 4 {
			case 0: // all equal
				v := rng.NormFloat64()
				for c := range row {
					row[c] = v
				}
			case 1: // a few special values
				for c := range row {
					row[c] = rng.NormFloat64() * 10
					if rng.IntN(4) == 0 {
						row[c] = special[rng.IntN(len(special))]
					}
				}
			default:
				for c := range row {
					row[c] = rng.NormFloat64() * math.Exp(3*rng.NormFloat64())
				}
			}
		}
		want, got := append([]float64(nil), s...), append([]float64(nil), s...)
		umaxWant, umaxGot := make([]float64, m), make([]float64, m)
		for i := range m {
			umaxWant[i] = shiftRow(want[i*k:i*k+k], y[i])
		}
		shiftRows(got, k, y, umaxGot)
		name := fmt.Sprintf("k=%d", k)
		requireBits(t, want, got, name+": rows")
		requireBits(t, umaxWant, umaxGot, name+": umax")
	}
}

// TestRowSumsAndMax checks rowSums (four rows at a time) and maxOf (four
// running maxima) against the plain loops they replace, bit for bit (any
// NaN for NaN from max), on 0 to 9 rows of 1 to 13 numbers with NaN,
// infinities and signed zeros.
func TestRowSumsAndMax(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN()}
	arg := func() float64 {
		if rng.IntN(8) == 0 {
			return special[rng.IntN(len(special))]
		}
		return rng.NormFloat64() * math.Exp(10*rng.NormFloat64())
	}
	for m := range 10 {
		for k := 1; k <= 13; k++ {
			s := randomSlice(m*k, arg)
			want, got := make([]float64, m), make([]float64, m)
			for i := range m {
				for _, v := range s[i*k : i*k+k] {
					want[i] += v
				}
			}
			rowSums(got, s, k)
			requireBits(t, want, got, fmt.Sprintf("rowSums m=%d k=%d", m, k))
			wantMax := math.Inf(-1)
			for _, v := range s {
				wantMax = max(wantMax, v)
			}
			if gotMax := maxOf(s); !(math.IsNaN(wantMax) && math.IsNaN(gotMax)) { // any NaN for NaN
				requireBits(t, []float64{wantMax}, []float64{gotMax}, fmt.Sprintf("maxOf m=%d k=%d", m, k))
			}
		}
	}
}

// TestLogInPlace checks that logInPlace is math.Log bit for bit, with and
// without the AVX-512 kernel, on arguments of every size, subnormal, around
// sqrt(2)/2 times a power of 2 (where math.Log's reduction changes side),
// and on its special cases (0, negative, infinite, NaN).
func TestLogInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	hsqrt2 := 7.07106781186547524401e-01 // math.Log's threshold, log_amd64.s
	special := []float64{0, math.Copysign(0, -1), -1, math.Inf(1), math.Inf(-1), math.NaN(), 5e-324, 1e-310,
		math.MaxFloat64, math.SmallestNonzeroFloat64, 1, 2, hsqrt2, math.Nextafter(hsqrt2, 0), math.Nextafter(hsqrt2, 1)}
	arg := func() float64 {
		switch rng.IntN(20) {
		case 0:
			return special[rng.IntN(len(special))]
		case 1, 2:
			return math.Ldexp(hsqrt2, rng.IntN(2000)-1000)
		case 3, 4:
			return math.Ldexp(rng.Float64(), rng.IntN(2098)-1074)
		}
		return 1 + 9*rng.Float64() // the sums of the weights: 1 to k - 1
	}
	for _, mode := range supportedModes() {
		for _, n := range []int{1, 7, 8, 9, 16, 17, 1000, 100003} {
			requireInPlace(t, mode, "log", randomSlice(n, arg), logInPlace, math.Log)
		}
	}
}

// TestExpInPlace checks that expInPlace is math.Exp bit for bit, in and
// out of the range of the kernels, with none, AVX2 and AVX-512.
func TestExpInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	special := []float64{0, math.Copysign(0, -1), 1, -1, -707, 709, -708, 709.5, 710, -745, -746, -1e300, 1e300,
		math.Inf(1), math.Inf(-1), math.NaN(), 1e-300, -5e-324, math.Nextafter(-707, 0), math.Nextafter(709, 0),
		math.Nextafter(-707, -800), math.Nextafter(709, 800)}
	arg := func() float64 {
		switch rng.IntN(10) {
		case 0:
			return special[rng.IntN(len(special))]
		case 1, 2:
			return (rng.Float64()*2 - 1) * 720
		case 3, 4:
			return -745.5 - 100*rng.ExpFloat64()
		}
		return -rng.ExpFloat64() * 20
	}
	for _, mode := range supportedModes() {
		for _, n := range []int{1, 3, 4, 7, 8, 9, 15, 16, 17, 1000, 100003} {
			requireInPlace(t, mode, "exp", randomSlice(n, arg), expInPlace, math.Exp)
		}
	}
}
