package ipm

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maxmargin/solver/internal/run"
)

// phaseRecorder is a Problem that records the phases mehrotra
// calls and the arguments it passes. Its iterate stops (residuals returns
// more = false) at iteration stopAt (0 for never); factorFails,
// directionFails and stepsFail make that phase fail at iteration failAt.
type phaseRecorder struct {
	calls []string
	iter  int

	stopAt, failAt                         int
	factorFails, directionFails, stepsFail bool
}

// The values the recorder returns: mu = 2 and mu_aff = 1, so that sigma =
// (1/2)^3 = 0.125; the steps to the boundary are 0.5 and 0.25.
const (
	recorderMu    = 2.0
	recorderMuAff = 1.0
	recorderAP    = 0.5
	recorderAD    = 0.25
)

func (r *phaseRecorder) Residuals() (float64, bool) {
	r.iter++
	r.calls = append(r.calls, "residuals")
	return recorderMu, r.iter != r.stopAt
}

func (r *phaseRecorder) Factor() bool {
	r.calls = append(r.calls, "factor")
	return !(r.factorFails && r.iter == r.failAt)
}

func (r *phaseRecorder) Direction(sigma, mu float64, corr bool) bool {
	r.calls = append(r.calls, fmt.Sprintf("direction(%v, %v, %v)", sigma, mu, corr))
	return !(r.directionFails && corr && r.iter == r.failAt)
}

func (r *phaseRecorder) MaxSteps() (float64, float64, bool) {
	r.calls = append(r.calls, "maxSteps")
	return recorderAP, recorderAD, !(r.stepsFail && r.iter == r.failAt)
}

func (r *phaseRecorder) AffineMu(ap, ad float64) float64 {
	r.calls = append(r.calls, fmt.Sprintf("affineMu(%v, %v)", ap, ad))
	return recorderMuAff
}

func (r *phaseRecorder) Step(ap, ad float64) bool {
	r.calls = append(r.calls, fmt.Sprintf("step(%v, %v)", ap, ad))
	return true
}

// recorderIteration returns the phases of one full iteration of mehrotra
// on a phaseRecorder: sigma = (mu_aff/mu)^3 = (1/2)^3 = 0.125.
func recorderIteration() []string {
	return []string{
		"residuals", "factor",
		"direction(0, 2, false)", "maxSteps", "affineMu(0.5, 0.25)",
		"direction(0.125, 2, true)", "maxSteps", "step(0.5, 0.25)",
	}
}

// TestMehrotraPhases checks the order of mehrotra's phases, the centring
// sigma it passes, and where it stops.
func TestMehrotraPhases(t *testing.T) {
	iteration := recorderIteration()
	twice := append(recorderIteration(), iteration...)
	tests := []struct {
		name string
		r    phaseRecorder
		max  int
		want []string
	}{
		{"maxIter", phaseRecorder{}, 2, twice},
		{"stopping test", phaseRecorder{stopAt: 2}, 5, append(recorderIteration(), "residuals")},
		{"factor fails", phaseRecorder{failAt: 2, factorFails: true}, 5, append(recorderIteration(), "residuals", "factor")},
		{"corrector fails", phaseRecorder{failAt: 1, directionFails: true}, 5, iteration[:6]},
		{"steps fail", phaseRecorder{failAt: 1, stepsFail: true}, 5, iteration[:4]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Mehrotra(&tc.r, MehrotraOptions{MaxIter: tc.max}, nil, Method)
			require.NoError(t, err)
			require.Equal(t, tc.want, tc.r.calls)
		})
	}
}

// TestMehrotraBudget checks that mehrotra stops at the deadline before
// any phase, with the method's *run.StatusError.
func TestMehrotraBudget(t *testing.T) {
	b := run.NewBudget(context.Background(), time.Nanosecond, nil, nil, time.Now().Add(-time.Second))
	var r phaseRecorder
	err := Mehrotra(&r, MehrotraOptions{MaxIter: 5}, b, Method)
	var se *run.StatusError
	require.ErrorAs(t, err, &se)
	require.Equal(t, "TIMEOUT", se.Status)
	require.Equal(t, Method, se.Method)
	require.Empty(t, r.calls)
}
