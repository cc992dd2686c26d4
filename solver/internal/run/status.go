package run

import "fmt"

// StatusError reports that lp_solve ended with a status other than OPTIMAL
// (SUBOPTIMAL after a time-out, INFEASIBLE, NUMFAILURE, ...), or TIMEOUT
// when the working-set loop or an interior-point method ran out of time.
type StatusError struct {
	// Status is lp_solve's status name, TIMEOUT, CANCELLED, or
	// "NUMERICAL FAILURE: ..." for a convex method that broke down.
	Status string
	// Method names the method that stopped when it is not lp_solve
	// (empty): "interior-point method" for the LP norms' interior-point
	// method; for the convex norms the method and the norm, "QP
	// interior-point method (fro)", "SDP interior-point method
	// (spectral)" or "(nuclear)", "primal-dual barrier method (N)" or
	// "barrier method (N)".
	Method string
}

// Error returns "solver: lp_solve status STATUS", or with the method's name
// in place of lp_solve.
func (e *StatusError) Error() string {
	if e.Method != "" {
		return "solver: " + e.Method + " status " + e.Status
	}
	return "solver: lp_solve status " + e.Status
}

// NumericalFailure is the Status prefix of a *StatusError for a method that
// broke down numerically (a panic inside gonum's LAPACK on a matrix the
// method built from its iterates).
const NumericalFailure = "NUMERICAL FAILURE"

// RecoverNumerical is deferred by the interior-point and barrier methods
// of the convex norms, the last line of defence against a panic inside
// gonum's linear algebra (LAPACK routines panic on some inputs their
// callers cannot screen for cheaply, e.g. Dsterf on a tridiagonal block
// whose norm is below its safe minimum): it turns the panic into a
// *StatusError of status "NUMERICAL FAILURE: panic: ..." naming method,
// stored in *errp. It recovers nothing when there is no panic.
func RecoverNumerical(method string, errp *error) {
	if r := recover(); r != nil {
		*errp = &StatusError{Status: fmt.Sprintf("%s: panic: %v", NumericalFailure, r), Method: method}
	}
}

// IsNumericalFailure reports whether err is the *StatusError of
// RecoverNumerical.
func IsNumericalFailure(err error) bool {
	se, ok := err.(*StatusError)
	return ok && len(se.Status) >= len(NumericalFailure) && se.Status[:len(NumericalFailure)] == NumericalFailure
}
