package verify

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"maxmargin/trainer"
)

// logSteps returns 10 log-spaced steps per decade from 1 to 10^6.
func logSteps() []float64 {
	var t []float64
	for e := 0.0; e <= 6.0001; e += 0.1 {
		t = append(t, math.Round(math.Pow(10, e)))
	}
	return t
}

func TestRateChecks(t *testing.T) {
	steps := logSteps()
	nsd := func(x float64) float64 { return Rate{Kind: "nsd"}.At(x, 150, 8) }
	adam := func(x float64) float64 { return Rate{Kind: "adam"}.At(x, 150, 8) }
	logRate := func(x float64) float64 { return Rate{Kind: "log"}.At(x, 150, 8) }
	tests := []struct {
		name string
		rate func(float64) float64
		// gap is the synthetic gap at step t.
		gap                     func(t float64) float64
		envelope, slope, shrink bool // expected verdicts
	}{
		// A gap equal to a constant times the rate passes every check.
		{"nsd exact", nsd, func(x float64) float64 { return 0.01 * nsd(x) }, true, true, true},
		{"adam exact", adam, func(x float64) float64 { return 1e-4 * adam(x) }, true, true, true},
		{"log exact", logRate, func(x float64) float64 { return 0.3 * logRate(x) }, true, true, true},
		// A gap that stalls at a constant fails the nsd rate: its ratio to
		// the rate grows like sqrt(t), its slope is 0 and it never shrinks.
		{"stalled", nsd, func(float64) float64 { return 0.1 }, false, false, false},
		// A gap that grows (the textbook-gradient failure) fails them all.
		{"growing", nsd, func(x float64) float64 { return 0.01 * math.Pow(x, 0.2) }, false, false, false},
		// A gap closing at 1/log t is too slow for the nsd rate.
		{"log gap for nsd", nsd, func(x float64) float64 { return 0.5 * logRate(x) }, false, false, false},
		// A gap faster than predicted passes (the rates are upper bounds).
		{"faster", nsd, func(x float64) float64 { return 0.1 / x }, true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gap := make([]float64, len(steps))
			for i, x := range steps {
				gap[i] = tt.gap(x)
			}
			e := EnvelopeCheck(steps, gap, tt.rate, 10)
			assert.Equal(t, tt.envelope, e.Pass, "envelope: %+v", e)
			s := SlopeCheck(steps, gap, tt.rate, 1e-12)
			assert.Equal(t, tt.slope, s.Pass, "slope: %+v", s)
			sh := ShrinkCheck(steps, gap, tt.rate, 10, 1e-12)
			assert.Equal(t, tt.shrink, sh.Pass, "shrink: %+v", sh)
		})
	}
}

func TestRateChecksNeedData(t *testing.T) {
	steps := []float64{1, 2, 3}
	gap := []float64{1, 1, 1}
	r := func(x float64) float64 { return 1 / math.Sqrt(x) }
	assert.False(t, EnvelopeCheck(steps, gap, r, 10).Pass, "no checkpoint after the fitted decade")
	assert.False(t, SlopeCheck(steps, gap, r, 0).Pass, "too few points")
	assert.False(t, ShrinkCheck(steps, gap, r, 10, 0).Pass, "nothing after the burn-in")
}

func TestPreferenceCheck(t *testing.T) {
	assert.True(t, PreferenceCheck(0.01, map[string]float64{"sum": 0.3, "op1": 0.05}).Pass)
	c := PreferenceCheck(0.01, map[string]float64{"sum": 0.3, "op1": 0.015})
	assert.False(t, c.Pass)
	assert.InDelta(t, 1.5, c.Figure, 1e-12)
	assert.False(t, PreferenceCheck(0.01, nil).Pass, "no reference must not pass")
}

func TestRateAt(t *testing.T) {
	// Hand values at t = e^2 (log t = 2), n = 3, d = 2.
	x := math.Exp(2)
	assert.InDelta(t, (2+3)/math.E, Rate{Kind: "nsd"}.At(x, 3, 2), 1e-12)
	assert.InDelta(t, 2*(2+3)/math.E, Rate{Kind: "nmd"}.At(x, 3, 2), 1e-12)
	assert.InDelta(t, 2*(2+3)/math.Exp(2.0/3), Rate{Kind: "adam"}.At(x, 3, 2), 1e-12)
	assert.InDelta(t, 0.5, Rate{Kind: "log"}.At(x, 3, 2), 1e-12)
	assert.InDelta(t, math.Exp(-1)+3*math.Exp(-1), Rate{Kind: "power", A: 0.5}.At(x, 3, 2), 1e-12)
	assert.Error(t, Rate{Kind: "power", A: 1}.validate())
	assert.Error(t, Rate{Kind: "cubic"}.validate())
}

// TestRateChecksCatchSlowerGap holds the envelope, slope and shrink checks to
// their thresholds with gaps that decay slower than the rate by a power of t:
// gap(t) = 0.01 r(t) t^delta for the rate r(t) = t^{-1/2}, at 10 log-spaced
// steps per decade from 1 to T = 10^6, with the burn-in at 10. The measured
// figures follow in closed form:
//
//   - envelope: gap/r = 0.01 t^delta grows, so C is its value at t = 100, the
//     end of the fitted decade [10, 100], and the figure is
//     (T/100)^delta = 10^{4 delta}. It passes EnvelopeFactor = 3 up to
//     delta = log10(3)/4 = 0.119: the gap at t^0.2 leaves the envelope 3 C r(t)
//     from t = 100 3^5 = 24300 on, while t^0.1 ends at 10^0.4 = 2.51 C.
//   - slope: log gap is linear in log t with slope -1/2 + delta, which least
//     squares recovers exactly; the rate's slope is -1/2, so the check passes
//     for delta <= SlopeTolerance = 0.15.
//   - shrink: gap(10)/gap(T) = (10^5)^{1/2 - delta} against the threshold
//     sqrt(r(10)/r(T)) = (10^5)^{1/4}: it passes for delta <= 1/4.
//
// A check loosened past these limits (EnvelopeFactor 30, SlopeTolerance 1,
// a fourth root in the shrink threshold) lets a slower gap pass, and fails
// this test.
func TestRateChecksCatchSlowerGap(t *testing.T) {
	steps := logSteps()
	rate := func(x float64) float64 { return 1 / math.Sqrt(x) }
	const burnIn, last = 10.0, 1e6
	tests := []struct {
		delta                   float64
		envelope, slope, shrink bool // expected verdicts
	}{
		{delta: 0, envelope: true, slope: true, shrink: true},
		{delta: 0.1, envelope: true, slope: true, shrink: true},
		{delta: 0.2, envelope: false, slope: false, shrink: true},
		{delta: 0.3, envelope: false, slope: false, shrink: false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("t^%g", tt.delta), func(t *testing.T) {
			gap := make([]float64, len(steps))
			for i, x := range steps {
				gap[i] = 0.01 * rate(x) * math.Pow(x, tt.delta)
			}
			require.Equal(t, last, steps[len(steps)-1])

			e := EnvelopeCheck(steps, gap, rate, burnIn)
			assert.InDelta(t, math.Pow(10, 4*tt.delta), e.Figure, 1e-9, "envelope figure (T/100)^delta")
			assert.Equal(t, tt.envelope, e.Pass, "envelope: %+v", e)

			s := SlopeCheck(steps, gap, rate, 1e-12)
			assert.InDelta(t, -0.5+tt.delta, s.Figure, 1e-9, "gap slope -1/2 + delta")
			assert.InDelta(t, -0.5+SlopeTolerance, s.Threshold, 1e-9, "rate slope -1/2 plus the tolerance")
			assert.Equal(t, tt.slope, s.Pass, "slope: %+v", s)

			sh := ShrinkCheck(steps, gap, rate, burnIn, 1e-12)
			assert.InDelta(t, math.Pow(1e5, 0.5-tt.delta), sh.Figure, 1e-9*sh.Figure, "shrink factor (10^5)^{1/2-delta}")
			assert.InDelta(t, math.Pow(1e5, 0.25), sh.Threshold, 1e-9, "shrink threshold (10^5)^{1/4}")
			assert.Equal(t, tt.shrink, sh.Pass, "shrink: %+v", sh)
		})
	}
}

// TestPreferenceUsesRelativeGaps checks that the run's preference check
// compares gaps relative to each norm's gamma: the claim's own norm has
// gamma 2 and margin 1.98 (relative gap 0.01, absolute 0.02), the other
// gamma 0.1 and margin 0.097 (relative gap 0.03, absolute 0.003). Relative
// gaps give the ratio 3 >= PreferenceRatio; absolute gaps would give 0.15.
func TestPreferenceUsesRelativeGaps(t *testing.T) {
	claim, err := ClaimByName("signgd")
	require.NoError(t, err)
	refs := References{"max": {Lower: 2, Upper: 2}, "sum": {Lower: 0.1, Upper: 0.1}}
	last := trainer.Checkpoint{Margins: map[string]float64{"max": 1.98, "sum": 0.097}}
	c := preference(claim, refs, last)
	assert.InDelta(t, 3, c.Figure, 1e-12)
	assert.True(t, c.Pass, "%+v", c)

	last.Margins["sum"] = 0.0985 // relative gap 0.015: ratio 1.5 < 2
	c = preference(claim, refs, last)
	assert.InDelta(t, 1.5, c.Figure, 1e-12)
	assert.False(t, c.Pass, "%+v", c)
}
