package verify

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
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
