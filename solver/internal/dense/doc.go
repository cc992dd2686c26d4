// Package dense holds the small dense linear algebra that the
// interior-point and barrier methods of package solver share: Cholesky,
// the factorisation A = U^T U of a symmetric positive definite Newton
// matrix by LAPACK's Potrf (maxmargin/internal/openblas) and the solves
// A x = b with it, without the condition estimate of mat.Cholesky; and
// the exact power-of-two scalings of the data (UnitExponent, ColumnScales).
//
// Package dense is internal to solver and never imports it.
package dense
