package run

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestBudgetStop checks every way Stop ends a method: no budget, no
// limit, a deadline past (from the timeout or from the context) and a
// cancelled context, and that Remaining reports the deadline.
func TestBudgetStop(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, stop := context.WithTimeout(context.Background(), 0)
	defer stop()
	past := time.Now().Add(-time.Second)
	for _, tc := range []struct {
		name     string
		b        *Budget
		status   string // "" for no error
		deadline bool
	}{
		{"nil", nil, "", false},
		{"unlimited", Unlimited(), "", false},
		{"future-timeout", NewBudget(nil, time.Hour, nil, nil, time.Now()), "", true},
		{"past-timeout", NewBudget(nil, time.Nanosecond, nil, nil, past), "TIMEOUT", true},
		{"expired-context", NewBudget(expired, 0, nil, nil, time.Now()), "TIMEOUT", true},
		{"cancelled-context", NewBudget(cancelled, 0, nil, nil, time.Now()), "CANCELLED", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.b.Stop("m")
			if tc.status == "" {
				require.NoError(t, err)
			} else {
				var se *StatusError
				require.ErrorAs(t, err, &se)
				require.Equal(t, StatusError{Status: tc.status, Method: "m"}, *se)
				require.Equal(t, "solver: m status "+tc.status, err.Error())
			}
			_, ok := tc.b.Remaining()
			require.Equal(t, tc.deadline, ok)
		})
	}
}

// TestBudgetReport checks that Report fills in Elapsed and reaches the
// callback, that Tracef formats one line, and that a nil budget reports
// and traces nothing.
func TestBudgetReport(t *testing.T) {
	var got []Progress
	var lines []string
	start := time.Now().Add(-time.Second)
	b := NewBudget(nil, 0, func(p Progress) { got = append(got, p) }, func(s string) { lines = append(lines, s) }, start)
	require.True(t, b.Reporting())
	require.True(t, b.Watched())
	require.True(t, b.Tracing())
	b.Report(Progress{Method: "m", Iteration: 3, Lower: 1, Upper: 2})
	b.Tracef("iteration %d", 3)
	require.Len(t, got, 1)
	require.Equal(t, "m", got[0].Method)
	require.Equal(t, 3, got[0].Iteration)
	require.GreaterOrEqual(t, got[0].Elapsed, time.Second) // start is one second back
	require.Equal(t, []string{"iteration 3"}, lines)

	var none *Budget
	require.False(t, none.Reporting())
	require.False(t, none.Watched())
	require.False(t, none.Tracing())
	none.Report(Progress{})
	none.Tracef("x")
	require.False(t, Unlimited().Watched()) // no callback, no deadline, context.Background
}

// TestRecoverNumerical checks that a panic becomes a NUMERICAL FAILURE
// naming the method, that no panic leaves the error alone, and that
// IsNumericalFailure tells it from the budget's errors.
func TestRecoverNumerical(t *testing.T) {
	f := func(p bool) (err error) {
		defer RecoverNumerical("m", &err)
		if p {
			panic("lapack: insufficient length of a")
		}
		return errors.New("plain")
	}
	err := f(true)
	var se *StatusError
	require.ErrorAs(t, err, &se)
	require.Equal(t, "NUMERICAL FAILURE: panic: lapack: insufficient length of a", se.Status)
	require.Equal(t, "m", se.Method)
	require.True(t, IsNumericalFailure(err))
	require.EqualError(t, f(false), "plain")
	require.False(t, IsNumericalFailure(f(false)))
	require.False(t, IsNumericalFailure(&StatusError{Status: "TIMEOUT"}))
}
