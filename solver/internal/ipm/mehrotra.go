package ipm

import (
	"math"

	"maxmargin/solver/internal/run"
)

// Method is the Method of a *run.StatusError from an interior-point or
// barrier method, when the caller has no more specific name.
const Method = "interior-point method"

// A Problem is one primal-dual interior-point method's cone and
// Newton system: the phases of an iteration of mehrotra's loop. Its
// methods keep the iterate, the directions and the factorization between
// the calls, so that each phase is the method's own code, in the same
// order, and the loop shares only the order of the phases and the
// centring rule sigma = (mu_aff/mu)^3.
type Problem interface {
	// Residuals computes the Residuals and the complementarity mu at the
	// current iterate and offers the iterate to the caller's stopping
	// test; more is false when the method stops there.
	Residuals() (mu float64, more bool)
	// Factor assembles and factorizes the Newton system at the current
	// iterate; false when it cannot be factorized (the method stops).
	Factor() bool
	// Direction solves the factorized system for the affine-scaling
	// (predictor) Direction when corr is false, and otherwise for the
	// corrector with the centring target sigma mu and the second-order
	// term of the predictor Direction; false when it cannot be solved.
	Direction(sigma, mu float64, corr bool) bool
	// MaxSteps returns the primal and dual step lengths, at most 1, to the
	// boundary of the cone along the current direction; ok is false when
	// they cannot be computed.
	MaxSteps() (ap, ad float64, ok bool)
	// AffineMu returns the complementarity after the steps ap and ad
	// along the predictor direction, where sigma = (AffineMu/mu)^3.
	AffineMu(ap, ad float64) float64
	// Step moves the iterate along the corrector direction by the
	// method's fraction of the Step lengths ap and ad to the boundary;
	// false when the caller's stopping test, offered a point on the way,
	// stops the method.
	Step(ap, ad float64) bool
}

// MehrotraOptions is the tuning of mehrotra's loop.
type MehrotraOptions struct {
	// MaxIter is the number of iterations after which the method stops.
	MaxIter int
}

// Mehrotra runs Mehrotra's predictor-corrector method (Nocedal and Wright,
// Numerical Optimization, 2nd ed., algorithm 16.4) on p: each iteration
// checks the budget (method names the method in its *StatusError), computes
// the residuals and mu, factorizes the Newton system, solves for the
// predictor, takes the step lengths to the boundary, sets sigma =
// (mu_aff/mu)^3, solves for the corrector and steps. It returns nil when p
// stops (its stopping test, or a system it cannot factorize or solve) or
// after o.maxIter iterations, and the budget's error at the deadline or on
// cancellation.
func Mehrotra(p Problem, o MehrotraOptions, b *run.Budget, method string) error {
	for iter := 0; iter < o.MaxIter; iter++ {
		if err := b.Stop(method); err != nil {
			return err
		}
		mu, more := p.Residuals()
		if !more {
			return nil
		}
		if !p.Factor() {
			return nil
		}
		// Predictor.
		if !p.Direction(0, mu, false) {
			return nil
		}
		ap, ad, ok := p.MaxSteps()
		if !ok {
			return nil
		}
		sigma := math.Pow(p.AffineMu(ap, ad)/mu, 3)
		// Corrector.
		if !p.Direction(sigma, mu, true) {
			return nil
		}
		ap, ad, ok = p.MaxSteps()
		if !ok {
			return nil
		}
		if !p.Step(ap, ad) {
			return nil
		}
	}
	return nil
}
