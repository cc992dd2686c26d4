package solver

import (
	"math"
	"maxmargin/solver/internal/run"
)

// A mehrotraProblem is one primal-dual interior-point method's cone and
// Newton system: the phases of an iteration of mehrotra's loop. Its
// methods keep the iterate, the directions and the factorization between
// the calls, so that each phase is the method's own code, in the same
// order, and the loop shares only the order of the phases and the
// centring rule sigma = (mu_aff/mu)^3.
type mehrotraProblem interface {
	// residuals computes the residuals and the complementarity mu at the
	// current iterate and offers the iterate to the caller's stopping
	// test; more is false when the method stops there.
	residuals() (mu float64, more bool)
	// factor assembles and factorizes the Newton system at the current
	// iterate; false when it cannot be factorized (the method stops).
	factor() bool
	// direction solves the factorized system for the affine-scaling
	// (predictor) direction when corr is false, and otherwise for the
	// corrector with the centring target sigma mu and the second-order
	// term of the predictor direction; false when it cannot be solved.
	direction(sigma, mu float64, corr bool) bool
	// maxSteps returns the primal and dual step lengths, at most 1, to the
	// boundary of the cone along the current direction; ok is false when
	// they cannot be computed.
	maxSteps() (ap, ad float64, ok bool)
	// affineMu returns the complementarity after the steps ap and ad
	// along the predictor direction, where sigma = (affineMu/mu)^3.
	affineMu(ap, ad float64) float64
	// step moves the iterate along the corrector direction by the
	// method's fraction of the step lengths ap and ad to the boundary;
	// false when the caller's stopping test, offered a point on the way,
	// stops the method.
	step(ap, ad float64) bool
}

// mehrotraOptions is the tuning of mehrotra's loop.
type mehrotraOptions struct {
	// maxIter is the number of iterations after which the method stops.
	maxIter int
}

// mehrotra runs Mehrotra's predictor-corrector method (Nocedal and Wright,
// Numerical Optimization, 2nd ed., algorithm 16.4) on p: each iteration
// checks the budget (method names the method in its *StatusError), computes
// the residuals and mu, factorizes the Newton system, solves for the
// predictor, takes the step lengths to the boundary, sets sigma =
// (mu_aff/mu)^3, solves for the corrector and steps. It returns nil when p
// stops (its stopping test, or a system it cannot factorize or solve) or
// after o.maxIter iterations, and the budget's error at the deadline or on
// cancellation.
func mehrotra(p mehrotraProblem, o mehrotraOptions, b *run.Budget, method string) error {
	for iter := 0; iter < o.maxIter; iter++ {
		if err := b.Stop(method); err != nil {
			return err
		}
		mu, more := p.residuals()
		if !more {
			return nil
		}
		if !p.factor() {
			return nil
		}
		// Predictor.
		if !p.direction(0, mu, false) {
			return nil
		}
		ap, ad, ok := p.maxSteps()
		if !ok {
			return nil
		}
		sigma := math.Pow(p.affineMu(ap, ad)/mu, 3)
		// Corrector.
		if !p.direction(sigma, mu, true) {
			return nil
		}
		ap, ad, ok = p.maxSteps()
		if !ok {
			return nil
		}
		if !p.step(ap, ad) {
			return nil
		}
	}
	return nil
}
