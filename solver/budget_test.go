package solver

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// TestMaxMarginContextCancelled checks that a cancelled context stops every
// engine before its first iteration with status CANCELLED, and that a
// context past its deadline gives TIMEOUT, as Settings.Timeout does; a
// convex norm's error names the method that was stopped (it used to say
// "interior-point method" for all of them).
func TestMaxMarginContextCancelled(t *testing.T) {
	ds := dataset.RandomLabels(17, 100, 200, 5) // max goes to the interior-point method (n(k-1)d >= ipm.Options.MinSize)
	small := dataset.GaussianClusters(3, 3, 4, 5, 0.1)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, stop := context.WithTimeout(context.Background(), 0)
	defer stop()
	for _, tc := range []struct {
		name   string
		ds     *dataset.Dataset
		norm   string
		ctx    context.Context
		status string
		method string // "" for any
	}{
		{"ipm-max", ds, "max", cancelled, "CANCELLED", ""},
		{"lp_solve-opinf", small, "opinf", cancelled, "CANCELLED", ""},
		{"fro", ds, "fro", cancelled, "CANCELLED", "QP interior-point method (fro)"},
		{"spectral", ds, "spectral", cancelled, "CANCELLED", "SDP interior-point method (spectral)"},
		{"l3", ds, "l3", cancelled, "CANCELLED", "primal-dual barrier method (l3)"},
		{"expired-max", ds, "max", expired, "TIMEOUT", ""},
		{"expired-nuclear", small, "nuclear", expired, "TIMEOUT", "SDP interior-point method (nuclear)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nrm, err := norm.ByName(tc.norm)
			require.NoError(t, err)
			_, err = MaxMarginContext(tc.ctx, tc.ds, nrm, nil)
			var se *StatusError
			require.ErrorAs(t, err, &se)
			require.Equal(t, tc.status, se.Status)
			if tc.method != "" {
				require.Equal(t, tc.method, se.Method)
			}
		})
	}
}

// TestTrace checks that Settings.Trace receives the interior-point
// methods' lines, one per call and without a newline, and that tracing
// leaves the result unchanged: on RandomLabels(17, 100, 200, 5) the max
// norm goes to the interior-point method (n(k-1)d = 80000 >= ipm.Options.MinSize)
// and opinf to its group form (2kd = 2000 >= n(k-1) = 400).
func TestTrace(t *testing.T) {
	ds := dataset.RandomLabels(17, 100, 200, 5)
	for _, tc := range []struct{ norm, prefix string }{
		{"max", "interior-point: iteration "},
		{"opinf", "group interior-point: iteration "},
	} {
		t.Run(tc.norm, func(t *testing.T) {
			nrm, err := norm.ByName(tc.norm)
			require.NoError(t, err)
			var lines []string
			traced, err := MaxMargin(ds, nrm, &Settings{Trace: func(s string) { lines = append(lines, s) }})
			require.NoError(t, err)
			plain, err := MaxMargin(ds, nrm, nil)
			require.NoError(t, err)
			require.NotEmpty(t, lines)
			require.True(t, strings.HasPrefix(lines[0], tc.prefix), "first line %q", lines[0])
			for _, l := range lines {
				require.NotContains(t, l, "\n")
			}
			traced.Seconds, plain.Seconds = 0, 0
			require.Equal(t, plain, traced)
		})
	}
}
