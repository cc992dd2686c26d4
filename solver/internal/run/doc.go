// Package run holds what every method of package solver checks while it
// runs, and how it reports that it stopped: the Budget of a solve (the
// deadline of Settings.Timeout, the cancellation of MaxMarginContext's
// context, the Settings.Progress and Settings.Trace callbacks), the
// Progress reports, the StatusError of a method that ended without an
// optimal result (TIMEOUT, CANCELLED, an lp_solve status) and the guard
// that turns a panic inside gonum's linear algebra into a StatusError of
// status NUMERICAL FAILURE.
//
// Package run owns no mathematics: it never changes what a method
// computes, only whether it goes on. It is internal to solver, which
// re-exports Progress and StatusError as aliases; run never imports
// solver.
package run
