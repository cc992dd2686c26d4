// Package lpsolve holds package solver's lp_solve engine: the max-margin
// LP of a polyhedral norm (max, sum, opinf, op1) over a working set of
// margin rows (docs/MATH.md section 3),
//
//	maximize gamma  s.t.  (w_{y_i} - w_c) . x_i - gamma >= 0  for (i, c) in the set,
//	                      N(W) <= 1,
//
// built and solved with lp_solve 5.5 through github.com/draffensperger/golp
// (Restricted, NewRestricted), with rows added between solves (Add) and the
// row duals returned as dual weights lambda >= 0 (Solve), and the
// working-set loop around it (WorkingSet), whose answer is certified
// exactly by solver/internal/certify.
//
// link.go carries the linker flags of Debian's static lp_solve, so that a
// plain go build links. Package lpsolve is internal to solver; it never
// imports solver.
package lpsolve
