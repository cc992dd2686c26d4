// Package openblas runs the dense kernels of the interior-point solvers,
// level-3 BLAS products and the Cholesky factorisation, in OpenBLAS
// (Debian's libopenblas-dev) through cgo. Each function has the signature
// of its namesake in gonum's blas64 or lapack64 on the same row-major
// types, so that a call site changes package and nothing else.
//
// gonum's pure-Go kernels are correct but slow on the solvers' dense
// systems: on this project's 2-core machine a 1800×1800 Cholesky took
// 280 ms with lapack64.Potrf and 76 ms here, and the rank-1800 update that
// forms it 1.10 s with blas64.Syrk and 0.27 s here. The package does not
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
