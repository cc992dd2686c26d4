package verify

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat"
)

// Check is the outcome of one check of one claim on one case: the measured
// figure, the threshold it is held to, and the verdict.
type Check struct {
	Name      string  `json:"name"`
	Figure    float64 `json:"figure"`
	Threshold float64 `json:"threshold"`
	// Pass is true when the check ran and held. A skipped check has Pass
	// false: it is no evidence for the claim.
	Pass bool `json:"pass"`
	// Skipped marks a check that was not run (a case's skip, or a claim
	// that does not give what the check needs); Detail says why. A skipped
	// check neither passes nor fails: it fails no claim (Failed) and
	// counts for none (see Report.Pass).
	Skipped bool   `json:"skipped,omitempty"`
	Detail  string `json:"detail"`
}

// Failed tells whether the check ran and did not hold.
func (c Check) Failed() bool { return !c.Pass && !c.Skipped }

// Verdict returns "pass", "FAIL" or "skipped", as reports print it.
func (c Check) Verdict() string {
	switch {
	case c.Skipped:
		return "skipped"
	case !c.Pass:
		return "FAIL"
	}
	return "pass"
}

// Thresholds of the rate checks. Each is a property of the check, not of a
// data set, and is justified where it is used.
const (
	// EnvelopeFactor bounds gap(t)/rate(t) after the fitted decade by this
	// multiple of the decade's largest ratio. The O(.) constant is fitted on
	// one decade of transients; a factor 3 leaves room for them, while a gap
	// that decays slower than the rate by any power t^delta outgrows it after
	// log10(3)/delta decades (one decade for delta = 0.5).
	EnvelopeFactor = 3.0
	// SlopeTolerance is how much flatter than the rate's own log-log slope the
	// gap's fitted slope over the last two decades may be. Measured SignGD
	// runs (MEASURED.md) fall at 10^{-1/2} per decade, the predicted slope;
	// 0.15 absorbs the curvature of the log factors, while a gap that stalls
	// (slope 0) fails any rate with slope below -0.15.
	SlopeTolerance = 0.15
	// PreferenceRatio is how much larger, relative to its own gamma, every
	// other norm's final gap must be than the claim's own: the iterate must
	// be measurably closer to its own norm's max-margin direction.
	PreferenceRatio = 2.0
)

// positive returns the points with t >= tMin and gap > floor, the ones whose
// logarithm is meaningful (a gap at or below the certified width floor is
// zero to the reference's accuracy).
func positive(t, gap []float64, tMin, floor float64) (lt, lg []float64) {
	for i := range t {
		if t[i] >= tMin && t[i] >= 2 && gap[i] > floor {
			lt = append(lt, math.Log(t[i]))
			lg = append(lg, math.Log(gap[i]))
		}
	}
	return lt, lg
}

// EnvelopeCheck fits the constant C = max gap(t)/rate(t) over the decade
// [burnIn, 10 burnIn] and checks that gap(t)/rate(t) <= EnvelopeFactor * C
// for every later t. Figure is the largest later ratio divided by C.
func EnvelopeCheck(t, gap []float64, rate func(float64) float64, burnIn float64) Check {
	c := Check{Name: "envelope", Threshold: EnvelopeFactor}
	var fitted, worst float64
	var nFit, nLater int
	for i := range t {
		if t[i] < burnIn || t[i] < 2 {
			continue
		}
		ratio := gap[i] / rate(t[i])
		if t[i] <= 10*burnIn {
			fitted = max(fitted, ratio)
			nFit++
		} else {
			worst = max(worst, ratio)
			nLater++
		}
	}
	switch {
	case nFit == 0 || nLater == 0:
		c.Detail = fmt.Sprintf("needs checkpoints in [%g, %g] and after; run longer", burnIn, 10*burnIn)
		c.Figure = math.NaN()
		return c
	case fitted <= 0:
		c.Figure = 0
		c.Pass = worst <= 0
		c.Detail = "gap already zero on the fitted decade"
		return c
	}
	c.Figure = worst / fitted
	c.Pass = c.Figure <= EnvelopeFactor
	c.Detail = fmt.Sprintf("C = %.3g fitted on t in [%g, %g]; max later gap/rate = %.3g C", fitted, burnIn, 10*burnIn, c.Figure)
	return c
}

// SlopeCheck fits the least-squares slope of log gap against log t over the
// last two decades of the run and compares it with the slope of the rate
// fitted on the same steps (which accounts for the rate's log factors). It
// passes when the gap's slope is at most the rate's plus SlopeTolerance.
// Points whose gap is at or below floor (the certificate width) are left out.
func SlopeCheck(t, gap []float64, rate func(float64) float64, floor float64) Check {
	c := Check{Name: "slope"}
	if len(t) == 0 {
		c.Figure, c.Threshold = math.NaN(), math.NaN()
		c.Detail = "no checkpoints"
		return c
	}
	last := t[len(t)-1]
	lt, lg := positive(t, gap, last/100, floor)
	predicted := rateSlope(lt, rate)
	c.Threshold = predicted + SlopeTolerance
	if len(lt) < 5 {
		c.Figure = math.NaN()
		c.Detail = fmt.Sprintf("only %d checkpoints with a positive gap in the last two decades", len(lt))
		return c
	}
	_, slope := stat.LinearRegression(lt, lg, nil, false)
	c.Figure = slope
	c.Pass = slope <= c.Threshold
	c.Detail = fmt.Sprintf("gap slope %.3f over t in [%g, %g], rate slope %.3f", slope, math.Round(math.Exp(lt[0])), last, predicted)
	return c
}

// rateSlope is the least-squares slope of log rate(t) at the log-steps lt.
func rateSlope(lt []float64, rate func(float64) float64) float64 {
	if len(lt) < 2 {
		return math.NaN()
	}
	lr := make([]float64, len(lt))
	for i, x := range lt {
		lr[i] = math.Log(rate(math.Exp(x)))
	}
	_, slope := stat.LinearRegression(lt, lr, nil, false)
	return slope
}

// ShrinkCheck checks that the gap shrinks from the start of the fitted decade
// to the end of the run by at least the square root of the factor the rate
// predicts over the same span: the rate's constant may settle late, but a gap
// that closes at the predicted rate shrinks by the full factor. Figure is the
// measured factor gap(burnIn)/gap(T).
func ShrinkCheck(t, gap []float64, rate func(float64) float64, burnIn, floor float64) Check {
	c := Check{Name: "shrink"}
	i0 := sort.SearchFloat64s(t, burnIn)
	if i0 >= len(t)-1 {
		c.Figure, c.Threshold = math.NaN(), math.NaN()
		c.Detail = "no checkpoints after the burn-in"
		return c
	}
	last := len(t) - 1
	c.Threshold = math.Sqrt(rate(t[i0]) / rate(t[last]))
	end := max(gap[last], floor)
	c.Figure = gap[i0] / end
	c.Pass = c.Figure >= c.Threshold
	c.Detail = fmt.Sprintf("gap %.3g at t = %g, %.3g at t = %g", gap[i0], t[i0], gap[last], t[last])
	return c
}

// PreferenceCheck checks norm preference at the end of a run: every other
// norm's relative gap (gap/gamma) is at least PreferenceRatio times the
// claim's own. Figure is the smallest ratio; with no other norm having a
// reference the check fails with a note rather than passing vacuously.
func PreferenceCheck(own float64, others map[string]float64) Check {
	c := Check{Name: "preference", Threshold: PreferenceRatio}
	if len(others) == 0 {
		c.Figure = math.NaN()
		c.Detail = "no other norm has a certified reference"
		return c
	}
	names := make([]string, 0, len(others))
	for name := range others {
		names = append(names, name)
	}
	sort.Strings(names)
	c.Figure = math.Inf(1)
	var parts []string
	for _, name := range names {
		ratio := others[name] / max(own, 1e-300)
		c.Figure = min(c.Figure, ratio)
		parts = append(parts, fmt.Sprintf("%s %.3g", name, others[name]))
	}
	c.Pass = c.Figure >= PreferenceRatio
	c.Detail = fmt.Sprintf("own relative gap %.3g; others: %s", own, strings.Join(parts, ", "))
	return c
}
