// Package workset holds the margin rows of the max-margin LP's working
// set, shared by package solver's lp_solve loop and its interior-point
// method: a Row (i, c) is the constraint (w_{y_i} - w_c) . x_i >= gamma,
// c != y_i (docs/MATH.md section 3). InitialRows seeds a working set,
// Violated finds the rows to add to it, DualMatrix builds A(lambda) for
// unit weights on a set of rows.
//
// Package workset is internal to solver; it never imports solver.
package workset
