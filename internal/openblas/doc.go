// Package openblas runs the dense kernels of the interior-point solvers,
// level-3 BLAS products and the Cholesky factorisation, in OpenBLAS
// (Debian's libopenblas-dev) through cgo. Each function has the signature
// of its namesake in gonum's blas64 or lapack64 on the same row-major
// types, so that a call site changes package and nothing else.
//
// gonum's pure-Go kernels are correct but slow on the solvers' dense
// systems: about 7 to 13 times slower than OpenBLAS's on a 1800×1800
// Cholesky factorisation or rank-1000 update (BenchmarkPotrf,
// BenchmarkSyrk; measured: see docs/PERFORMANCE.md, section "OpenBLAS
// kernels").
//
// Kernels: Debian's OpenBLAS picks its kernels from the CPU's model, and
// on a model it does not know (this machine's) falls back to its Prescott
// (SSE3) kernels, 3 to 8 times slower than its AVX-512 ones. The package
// then chooses them from the CPU's features (SkylakeX for AVX-512,
// Haswell for AVX2 and FMA), unless OPENBLAS_CORETYPE is set; CoreName
// reports the choice. Potrf is a blocked factorisation over OpenBLAS's
// dtrsm and dsyrk, faster here than OpenBLAS's own dpotrf. The package does not
// replace gonum's global implementation (blas64.Use), so that the trainer
// and everything else keep gonum's kernels and their exact results.
//
// OpenBLAS runs on one thread (see init): deterministic, and robust when
// other processes share the cores. Results agree with gonum's to
// rounding, not bit for bit, and OpenBLAS picks its kernels for the CPU it
// runs on: iterates of the interior-point methods may differ in their
// last bits from machine to machine (on one machine they are the same from
// run to run). The solvers' certificates
// are computed exactly from those iterates, so a verdict does not depend
// on them.
package openblas
