// Package solver computes the max-margin value gamma_N = max_{N(W) <= 1} m(W)
// of a labelled data set for a polyhedral matrix norm N (max, sum, opinf,
// op1), an optimal classifier, and a certificate that anyone can check
// without trusting the LP engine (MATH.md section 3).
package solver
