package openblas

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// general returns a rows×cols matrix with stride cols+pad (pad > 0 checks
// that the stride, not the width, is passed on) filled with standard
// normals.
func general(rnd *rand.Rand, rows, cols, pad int) blas64.General {
	m := blas64.General{Rows: rows, Cols: cols, Stride: cols + pad, Data: make([]float64, max(rows*(cols+pad), 1))}
	for i := range m.Data {
		m.Data[i] = rnd.NormFloat64()
	}
	return m
}

func clone(m blas64.General) blas64.General {
	m.Data = append([]float64(nil), m.Data...)
	return m
}

// spd returns a symmetric positive definite n×n matrix G G^T + n I
// (eigenvalues at least n) in the triangle u, with the given padding.
func spd(rnd *rand.Rand, n, pad int, u blas.Uplo) blas64.Symmetric {
	g := general(rnd, n, n, 0)
	a := blas64.Symmetric{Uplo: u, N: n, Stride: n + pad, Data: make([]float64, max(n*(n+pad), 1))}
	blas64.Syrk(blas.NoTrans, 1, g, 0, a)
	for i := range n {
		a.Data[i*a.Stride+i] += float64(n)
	}
	return a
}

// The expected values are gonum's own kernels on the same inputs; the
// tolerance 1e-12 allows for a different summation order over at most 200
// terms of order 10 (about 200 * 10 * 2^-52 relative, far below it).
const tol = 1e-12

func TestGemm(t *testing.T) {
	for _, tc := range []struct {
		name     string
		tA, tB   blas.Transpose
		m, n, k  int
		pad      int
		alpha, b float64
	}{
		{"NN", blas.NoTrans, blas.NoTrans, 7, 5, 3, 0, 1, 0},
		{"NT padded", blas.NoTrans, blas.Trans, 30, 20, 40, 3, -1.5, 0.5},
		{"TN", blas.Trans, blas.NoTrans, 13, 17, 9, 1, 2, 1},
		{"TT large", blas.Trans, blas.Trans, 120, 90, 150, 2, 1, -1},
		{"empty k", blas.NoTrans, blas.NoTrans, 4, 4, 0, 1, 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(1, uint64(tc.m)))
			ar, ac := tc.m, tc.k
			if tc.tA == blas.Trans {
				ar, ac = ac, ar
			}
			br, bc := tc.k, tc.n
			if tc.tB == blas.Trans {
				br, bc = bc, br
			}
			a, b := general(rnd, ar, ac, tc.pad), general(rnd, br, bc, tc.pad)
			c := general(rnd, tc.m, tc.n, tc.pad)
			want := clone(c)
			blas64.Gemm(tc.tA, tc.tB, tc.alpha, a, b, tc.b, want)
			Gemm(tc.tA, tc.tB, tc.alpha, a, b, tc.b, c)
			assert.True(t, floats.EqualApprox(want.Data, c.Data, tol), "Gemm differs from blas64.Gemm")
		})
	}
	t.Run("shape mismatch panics", func(t *testing.T) {
		rnd := rand.New(rand.NewPCG(1, 1))
		a, b, c := general(rnd, 3, 4, 0), general(rnd, 5, 2, 0), general(rnd, 3, 2, 0)
		assert.Panics(t, func() { Gemm(blas.NoTrans, blas.NoTrans, 1, a, b, 0, c) })
	})
}

func TestSyrk(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    blas.Transpose
		u    blas.Uplo
		n, k int
		pad  int
	}{
		{"upper AAt", blas.NoTrans, blas.Upper, 9, 4, 0},
		{"lower AAt padded", blas.NoTrans, blas.Lower, 31, 50, 2},
		{"upper AtA padded", blas.Trans, blas.Upper, 64, 17, 1},
		{"lower AtA", blas.Trans, blas.Lower, 5, 3, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(2, uint64(tc.n)))
			ar, ac := tc.n, tc.k
			if tc.t == blas.Trans {
				ar, ac = ac, ar
			}
			a := general(rnd, ar, ac, tc.pad)
			c := general(rnd, tc.n, tc.n, tc.pad)
			want := clone(c)
			blas64.Syrk(tc.t, 0.5, a, 2, blas64.Symmetric{Uplo: tc.u, N: tc.n, Stride: want.Stride, Data: want.Data})
			Syrk(tc.t, 0.5, a, 2, blas64.Symmetric{Uplo: tc.u, N: tc.n, Stride: c.Stride, Data: c.Data})
			// Both update only the triangle tc.u; the other keeps the
			// random entries it started with, in both.
			assert.True(t, floats.EqualApprox(want.Data, c.Data, tol), "Syrk differs from blas64.Syrk")
		})
	}
}

func TestTrsv(t *testing.T) {
	for _, u := range []blas.Uplo{blas.Upper, blas.Lower} {
		for _, tr := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			t.Run(fmt.Sprintf("uplo=%c trans=%c", u, tr), func(t *testing.T) {
				rnd := rand.New(rand.NewPCG(3, uint64(u)))
				n := 40
				// The Cholesky factor of an SPD matrix is a well-conditioned
				// triangular matrix to solve with.
				a := spd(rnd, n, 1, u)
				f, ok := lapack64.Potrf(a)
				require.True(t, ok)
				x := blas64.Vector{N: n, Inc: 1, Data: make([]float64, n)}
				for i := range x.Data {
					x.Data[i] = rnd.NormFloat64()
				}
				want := blas64.Vector{N: n, Inc: 1, Data: append([]float64(nil), x.Data...)}
				blas64.Trsv(tr, f, want)
				Trsv(tr, f, x)
				assert.True(t, floats.EqualApprox(want.Data, x.Data, tol))
			})
		}
	}
}

func TestPotrfPotrs(t *testing.T) {
	for _, tc := range []struct {
		name string
		u    blas.Uplo
		n    int
		pad  int
		nrhs int
	}{
		{"upper one rhs", blas.Upper, 50, 0, 1},
		{"lower one rhs", blas.Lower, 50, 0, 1},
		// n = 300 exceeds twice potrf's block of 96, so its blocked loop
		// runs, ending with a partial block of 12.
		{"upper padded three rhs", blas.Upper, 300, 5, 3},
		{"lower padded one rhs", blas.Lower, 300, 2, 1},
		{"1x1", blas.Upper, 1, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(4, uint64(tc.n)))
			a := spd(rnd, tc.n, tc.pad, tc.u)
			ref := blas64.Symmetric{Uplo: a.Uplo, N: a.N, Stride: a.Stride, Data: append([]float64(nil), a.Data...)}
			wantF, ok := lapack64.Potrf(ref)
			require.True(t, ok)
			f, ok := Potrf(a)
			require.True(t, ok)
			for i := range tc.n {
				for j := range tc.n {
					if (tc.u == blas.Upper) == (j >= i) {
						assert.InDelta(t, wantF.Data[i*a.Stride+j], f.Data[i*a.Stride+j], tol*float64(tc.n), "factor entry (%d,%d)", i, j)
					}
				}
			}
			b := general(rnd, tc.n, tc.nrhs, 0)
			if tc.nrhs > 1 {
				b = general(rnd, tc.n, tc.nrhs, 2)
			}
			want := clone(b)
			lapack64.Potrs(wantF, want)
			Potrs(f, b)
			assert.True(t, floats.EqualApprox(want.Data, b.Data, tol))
		})
	}
	t.Run("indefinite", func(t *testing.T) {
		// diag(1, -1) is symmetric and not positive definite.
		a := blas64.Symmetric{Uplo: blas.Upper, N: 2, Stride: 2, Data: []float64{1, 0, 0, -1}}
		_, ok := Potrf(a)
		assert.False(t, ok)
	})
	for _, u := range []blas.Uplo{blas.Upper, blas.Lower} {
		t.Run(fmt.Sprintf("indefinite in a later block uplo=%c", u), func(t *testing.T) {
			// A positive definite matrix with diagonal entry (250, 250)
			// made -300: e^T A e < 0 for e = e_250, so A is not positive
			// definite, and the factorisation fails by row 250, in the
			// third block of 96.
			rnd := rand.New(rand.NewPCG(9, 9))
			a := spd(rnd, 300, 0, u)
			a.Data[250*a.Stride+250] = -300
			_, ok := Potrf(a)
			assert.False(t, ok)
		})
	}
}

// BenchmarkPotrf compares the Cholesky factorisation of the LP solver's
// largest full Newton system at (200,500,10) (1800 pairs) with gonum's.
func BenchmarkPotrf(b *testing.B) {
	rnd := rand.New(rand.NewPCG(5, 5))
	n := 1800
	a := spd(rnd, n, 0, blas.Upper)
	work := blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: make([]float64, n*n)}
	for _, impl := range []struct {
		name  string
		potrf func(blas64.Symmetric) (blas64.Triangular, bool)
	}{{"openblas", Potrf}, {"gonum", lapack64.Potrf}} {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				copy(work.Data, a.Data)
				if _, ok := impl.potrf(work); !ok {
					b.Fatal("not positive definite")
				}
			}
		})
	}
}

// BenchmarkSyrk compares the product that forms that system, M E M^T with
// M of 1800 rows and 5000 columns' worth of work, with gonum's.
func BenchmarkSyrk(b *testing.B) {
	rnd := rand.New(rand.NewPCG(6, 6))
	n, k := 1800, 1000
	a := general(rnd, n, k, 0)
	c := blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: make([]float64, n*n)}
	for _, impl := range []struct {
		name string
		syrk func(blas.Transpose, float64, blas64.General, float64, blas64.Symmetric)
	}{{"openblas", Syrk}, {"gonum", blas64.Syrk}} {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				impl.syrk(blas.NoTrans, 1, a, 0, c)
			}
		})
	}
}

// TestCoreName checks that on a CPU with AVX2 and FMA (read from
// /proc/cpuinfo) OpenBLAS does not run its Prescott (SSE3) fallback
// kernels, which it picks on CPU models it does not know and which
// select_core replaces; with OPENBLAS_CORETYPE set the user's choice
// stands and the test only logs it.
func TestCoreName(t *testing.T) {
	name := CoreName()
	t.Logf("OpenBLAS core: %s", name)
	require.NotEmpty(t, name)
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil || os.Getenv("OPENBLAS_CORETYPE") != "" || !dynamicArch() {
		t.Skip("no /proc/cpuinfo, the core is forced, or OpenBLAS has one set of kernels")
	}
	flags := map[string]bool{}
	for _, line := range strings.Split(string(info), "\n") {
		if rest, ok := strings.CutPrefix(line, "flags"); ok {
			for _, f := range strings.Fields(strings.TrimLeft(rest, "\t :")) {
				flags[f] = true
			}
			break
		}
	}
	if !flags["avx2"] || !flags["fma"] {
		t.Skip("the CPU has no AVX2 and FMA")
	}
	assert.NotEqual(t, "prescott", strings.ToLower(name))
}
