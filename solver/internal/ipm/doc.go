// Package ipm holds the primal-dual interior-point machinery of package
// solver: Mehrotra's predictor-corrector loop (Nocedal and Wright,
// Numerical Optimization, 2nd ed., algorithm 16.4), shared by every method
// that implements its phases as a Problem (the SVM QP and the SDPs of the
// convex norms).
//
// Package ipm is internal to solver; it never imports solver.
package ipm
