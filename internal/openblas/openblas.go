package openblas

/*
#cgo LDFLAGS: -lopenblas

// The prototypes are declared here rather than taken from cblas.h, which
// Debian's alternatives may point at another BLAS's header; so are the
// CBLAS standard's enumeration values, used by the Go functions and by
// potrf below. OpenBLAS's default (LP64) build takes 32-bit integers.
enum {
	CBLAS_ROW_MAJOR = 101, CBLAS_COL_MAJOR = 102,
	CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112,
	CBLAS_UPPER = 121, CBLAS_LOWER = 122,
	CBLAS_NON_UNIT = 131, CBLAS_UNIT = 132,
	CBLAS_LEFT = 141, CBLAS_RIGHT = 142,
};
extern void cblas_dgemm(int order, int transA, int transB, int m, int n, int k,
	double alpha, const double *a, int lda, const double *b, int ldb,
	double beta, double *c, int ldc);
extern void cblas_dsyrk(int order, int uplo, int trans, int n, int k,
	double alpha, const double *a, int lda, double beta, double *c, int ldc);
extern void cblas_dtrsv(int order, int uplo, int trans, int diag, int n,
	const double *a, int lda, double *x, int incx);
extern void cblas_dtrsm(int order, int side, int uplo, int transA, int diag, int m, int n,
	double alpha, const double *a, int lda, double *b, int ldb);
extern void openblas_set_num_threads(int n);
extern void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
extern void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a,
	const int *lda, double *b, const int *ldb, int *info);

// Kernel selection. Debian's OpenBLAS (0.3.21) is a DYNAMIC_ARCH build
// that picks its kernels from the CPU's family and model; on a model it
// does not know (this project's machine, family 6 model 207) it falls back
// to its Prescott kernels (SSE3), a quarter to an eighth of the speed of
// the AVX-512 ones. select_core then chooses the kernels from the CPU's
// features through OpenBLAS's own forcing (OPENBLAS_CORETYPE, read by
// gotoblas_dynamic_init). The dynamic-arch symbols are weak so that a
// single-architecture OpenBLAS still links; nothing changes then, nor on
// other architectures than x86-64.
#include <stdlib.h>
#include <strings.h>
extern char *openblas_get_corename(void);
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));

// dynamic_arch reports whether OpenBLAS can switch kernels at run time.
static int dynamic_arch(void) {
	return gotoblas_dynamic_init != NULL && gotoblas_dynamic_quit != NULL;
}

static void select_core(void) {
#if defined(__x86_64__)
	if (getenv("OPENBLAS_CORETYPE") != NULL || !dynamic_arch() ||
		strcasecmp(openblas_get_corename(), "prescott") != 0) {
		return;
	}
	__builtin_cpu_init();
	const char *core = NULL;
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
		__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
		__builtin_cpu_supports("avx512vl")) {
		core = "SkylakeX";
	} else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
		core = "Haswell";
	} else if (__builtin_cpu_supports("avx")) {
		core = "Sandybridge";
	}
	if (core == NULL) {
		return;
	}
	setenv("OPENBLAS_CORETYPE", core, 1);
	gotoblas_dynamic_quit();
	gotoblas_dynamic_init();
	unsetenv("OPENBLAS_CORETYPE");
#endif
}

static int potrf_unblocked(char uplo, int n, double *a, int lda) {
	int info = 0;
	dpotrf_(&uplo, &n, a, &lda, &info);
	return info;
}

// potrf is the right-looking blocked Cholesky factorisation of LAPACK's
// dpotrf (column-major): per block column of POTRF_NB, dpotrf on the
// diagonal block, dtrsm on the panel below (or right of) it and dsyrk on
// the trailing matrix, where nearly all the work is. It returns LAPACK's
// info. It is faster here than OpenBLAS's own dpotrf, whose dsyrk runs at
// about twice its speed (measured: see docs/PERFORMANCE.md, section
// "OpenBLAS kernels").
enum { POTRF_NB = 96 };

static int potrf(char uplo, int n, double *a, int lda) {
	if (n <= 2 * POTRF_NB) {
		return potrf_unblocked(uplo, n, a, lda);
	}
	for (int j = 0; j < n; j += POTRF_NB) {
		int jb = n - j < POTRF_NB ? n - j : POTRF_NB;
		double *ajj = a + j + (long)j * lda;
		int info = potrf_unblocked(uplo, jb, ajj, lda);
		if (info != 0) {
			return j + info;
		}
		int rest = n - j - jb;
		if (rest == 0) {
			break;
		}
		if (uplo == 'L') {
			// A21 = A21 L11^-T, A22 -= A21 A21^T.
			double *a21 = ajj + jb;
			cblas_dtrsm(CBLAS_COL_MAJOR, CBLAS_RIGHT, CBLAS_LOWER, CBLAS_TRANS, CBLAS_NON_UNIT,
				rest, jb, 1, ajj, lda, a21, lda);
			cblas_dsyrk(CBLAS_COL_MAJOR, CBLAS_LOWER, CBLAS_NO_TRANS, rest, jb,
				-1, a21, lda, 1, a21 + (long)jb * lda, lda);
		} else {
			// A12 = U11^-T A12, A22 -= A12^T A12.
			double *a12 = ajj + (long)jb * lda;
			cblas_dtrsm(CBLAS_COL_MAJOR, CBLAS_LEFT, CBLAS_UPPER, CBLAS_TRANS, CBLAS_NON_UNIT,
				jb, rest, 1, ajj, lda, a12, lda);
			cblas_dsyrk(CBLAS_COL_MAJOR, CBLAS_UPPER, CBLAS_TRANS, rest, jb,
				-1, a12, lda, 1, a12 + jb, lda);
		}
	}
	return 0;
}

static int potrs(char uplo, int n, int nrhs, const double *a, int lda, double *b, int ldb) {
	int info = 0;
	dpotrs_(&uplo, &n, &nrhs, a, &lda, b, &ldb, &info);
	return info;
}
*/
import "C"

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Panic messages for misuse, which is a programming error (as in gonum's
// blas64 and lapack64).
const (
	badTranspose = "openblas: bad transpose"
	badUplo      = "openblas: bad triangle"
	badDiag      = "openblas: bad diagonal"
	badShape     = "openblas: dimension mismatch"
)

func init() {
	// One thread: OpenBLAS's threads wait for work by spinning, and when
	// the cores are oversubscribed (go test runs packages side by side on
	// CI's 2 cores) each call can wait a scheduler quantum for a thread
	// that is not running (measured: see docs/PERFORMANCE.md, section
	// "OpenBLAS kernels"). One thread also keeps results independent of
	// the number of cores.
	C.openblas_set_num_threads(1)
	C.select_core()
}

// CoreName returns the name of the kernels OpenBLAS runs, such as
// "SkylakeX" or "Haswell" (OpenBLAS's names, as OPENBLAS_CORETYPE takes
// them): after init's choice, if it made one.
func CoreName() string {
	return C.GoString(C.openblas_get_corename())
}

// dynamicArch reports whether the OpenBLAS linked is a DYNAMIC_ARCH build
// (Debian's is), whose kernels init can choose.
func dynamicArch() bool { return C.dynamic_arch() != 0 }

func trans(t blas.Transpose) C.int {
	switch t {
	case blas.NoTrans:
		return C.CBLAS_NO_TRANS
	case blas.Trans, blas.ConjTrans:
		return C.CBLAS_TRANS
	}
	panic(badTranspose)
}

func uplo(u blas.Uplo) C.int {
	switch u {
	case blas.Upper:
		return C.CBLAS_UPPER
	case blas.Lower:
		return C.CBLAS_LOWER
	}
	panic(badUplo)
}

func diag(d blas.Diag) C.int {
	switch d {
	case blas.NonUnit:
		return C.CBLAS_NON_UNIT
	case blas.Unit:
		return C.CBLAS_UNIT
	}
	panic(badDiag)
}

// cint converts a dimension to OpenBLAS's 32-bit integer.
func cint(v int) C.int {
	if v < 0 || v > math.MaxInt32 {
		panic("openblas: dimension out of the 32-bit range")
	}
	return C.int(v)
}

// ptr returns the address of s[0], or nil for an empty slice (never read
// then: every dimension that indexes it is zero).
func ptr(s []float64) *C.double {
	if len(s) == 0 {
		return nil
	}
	return (*C.double)(&s[0])
}

// lead returns a row-major matrix's stride as a leading dimension, at least
// 1 as BLAS requires.
func lead(stride int) C.int {
	return cint(max(stride, 1))
}

// Gemm computes C = alpha op(A) op(B) + beta C, as blas64.Gemm.
func Gemm(tA, tB blas.Transpose, alpha float64, a, b blas64.General, beta float64, c blas64.General) {
	m, k := a.Rows, a.Cols
	if tA != blas.NoTrans {
		m, k = k, m
	}
	kb, n := b.Rows, b.Cols
	if tB != blas.NoTrans {
		kb, n = n, kb
	}
	if kb != k || c.Rows != m || c.Cols != n {
		panic(badShape)
	}
	if m == 0 || n == 0 {
		return
	}
	C.cblas_dgemm(C.CBLAS_ROW_MAJOR, trans(tA), trans(tB), cint(m), cint(n), cint(k),
		C.double(alpha), ptr(a.Data), lead(a.Stride), ptr(b.Data), lead(b.Stride),
		C.double(beta), ptr(c.Data), lead(c.Stride))
}

// Syrk computes the triangle c.Uplo of C = alpha A A^T + beta C (t ==
// blas.NoTrans) or C = alpha A^T A + beta C (t == blas.Trans), as
// blas64.Syrk.
func Syrk(t blas.Transpose, alpha float64, a blas64.General, beta float64, c blas64.Symmetric) {
	n, k := a.Rows, a.Cols
	if t != blas.NoTrans {
		n, k = k, n
	}
	if c.N != n {
		panic(badShape)
	}
	if n == 0 {
		return
	}
	C.cblas_dsyrk(C.CBLAS_ROW_MAJOR, uplo(c.Uplo), trans(t), cint(n), cint(k),
		C.double(alpha), ptr(a.Data), lead(a.Stride), C.double(beta), ptr(c.Data), lead(c.Stride))
}

// Trsv solves op(A) x = b for a triangular A, overwriting x (which holds
// b), as blas64.Trsv.
func Trsv(t blas.Transpose, a blas64.Triangular, x blas64.Vector) {
	if a.N == 0 {
		return
	}
	C.cblas_dtrsv(C.CBLAS_ROW_MAJOR, uplo(a.Uplo), trans(t), diag(a.Diag), cint(a.N),
		ptr(a.Data), lead(a.Stride), ptr(x.Data), cint(x.Inc))
}

// fortranUplo is the triangle of the column-major (Fortran) view of a
// row-major matrix: its transpose, so the other one.
func fortranUplo(u blas.Uplo) C.char {
	switch u {
	case blas.Upper:
		return 'L'
	case blas.Lower:
		return 'U'
	}
	panic(badUplo)
}

// Potrf computes the Cholesky factorisation of the symmetric positive
// definite a in place, A = U^T U (a.Uplo == blas.Upper) or A = L L^T, as
// lapack64.Potrf, and reports whether a is numerically positive definite.
func Potrf(a blas64.Symmetric) (t blas64.Triangular, ok bool) {
	t = blas64.Triangular{Uplo: a.Uplo, Diag: blas.NonUnit, N: a.N, Stride: a.Stride, Data: a.Data}
	if a.N == 0 {
		return t, true
	}
	// The row-major upper triangle is the column-major lower one, and
	// A = U^T U row-major reads A = L L^T with L = U^T column-major.
	info := C.potrf(fortranUplo(a.Uplo), cint(a.N), ptr(a.Data), lead(a.Stride))
	return t, info == 0
}

// Potrs solves A X = B with A's Cholesky factor t from Potrf, overwriting
// b (row-major, one column per right-hand side) with X, as lapack64.Potrs.
func Potrs(t blas64.Triangular, b blas64.General) {
	if b.Rows != t.N {
		panic(badShape)
	}
	if t.N == 0 || b.Cols == 0 {
		return
	}
	if b.Cols == 1 && b.Stride == 1 {
		// One contiguous right-hand side is the same vector in either order.
		C.potrs(fortranUplo(t.Uplo), cint(t.N), 1, ptr(t.Data), lead(t.Stride), ptr(b.Data), cint(t.N))
		return
	}
	// Otherwise solve column by column through a contiguous copy.
	col := make([]float64, t.N)
	for j := range b.Cols {
		for i := range t.N {
			col[i] = b.Data[i*b.Stride+j]
		}
		C.potrs(fortranUplo(t.Uplo), cint(t.N), 1, ptr(t.Data), lead(t.Stride), ptr(col), cint(t.N))
		for i := range t.N {
			b.Data[i*b.Stride+j] = col[i]
		}
	}
}
