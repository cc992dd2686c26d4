package verify

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"maxmargin/internal/golden"
)

// casesDir holds the project's case files.
const casesDir = "../cases"

// TestCases runs every claim of every case file as a named subtest. With
// -update it rewrites the case files' pins from this run instead of
// comparing with them (the rest of the checks still have to pass).
func TestCases(t *testing.T) {
	cases, err := LoadCases(casesDir)
	require.NoError(t, err)
	if *golden.Update {
		for _, c := range cases {
			c.Pins = nil
		}
	}
	jobs := Jobs(cases)
	s := Run(context.Background(), jobs, runtime.GOMAXPROCS(0), Options{}, nil)
	require.Len(t, s.Reports, len(jobs))
	for i, r := range s.Reports {
		t.Run(jobs[i].Case.Name+"/"+r.Claim.Name, func(t *testing.T) {
			require.Empty(t, r.Error)
			for _, c := range r.Checks {
				if !c.Pass {
					t.Errorf("check %s failed: figure %g, threshold %g: %s", c.Name, c.Figure, c.Threshold, c.Detail)
				}
			}
			if !*golden.Update {
				require.NotNil(t, jobs[i].Case.Pins, "case %s has no pins: run go test ./verify -update", jobs[i].Case.Name)
			}
		})
	}
	if *golden.Update {
		for i, r := range s.Reports {
			c := jobs[i].Case
			if c.Pins == nil {
				c.Pins = &Pins{}
			}
			Pin(c.Pins, r)
		}
		for _, c := range cases {
			require.NoError(t, c.Save())
		}
		t.Log("pins rewritten in", casesDir, "; review with git diff")
	}
}

// TestCaseFiles checks the case-file parser's errors: they name the file and,
// for JSON problems, the line.
func TestCaseFiles(t *testing.T) {
	tests := []struct {
		name, in, says string
	}{
		{"syntax", "{\n  \"data\": {\"csv\": \"x.csv\"},\n  \"claims\": [}\n", "bad.json:3:"},
		{"unknown field", `{"data": {"csv": "x.csv"}, "claims": [{"claim": "signgd"}], "colour": 1}`, "unknown field"},
		{"no data", `{"claims": [{"claim": "signgd"}]}`, "exactly one of"},
		{"two sources", `{"data": {"csv": "x.csv", "generator": "gaussian"}, "claims": [{"claim": "signgd"}]}`, "exactly one of"},
		{"unknown claim", `{"data": {"csv": "x.csv"}, "claims": [{"claim": "sgd"}]}`, "unknown claim"},
		{"no claims", `{"data": {"csv": "x.csv"}}`, "no claims"},
		{"skip without reason", `{"data": {"csv": "x.csv"}, "claims": [{"claim": "signgd", "skip": ["slope"]}]}`, "reason"},
		{"skip inequalities", `{"data": {"csv": "x.csv"}, "claims": [{"claim": "signgd", "skip": ["inequalities"], "why": "x"}]}`, "cannot be skipped"},
		{"bad generator", `{"data": {"generator": "gaussian", "k": 1}, "claims": [{"claim": "signgd"}]}`, "k >= 2"},
		{"unknown reference", `{"data": {"csv": "x.csv"}, "references": ["max", "l0"], "claims": [{"claim": "signgd"}]}`, "unknown norm"},
		{"own reference missing", `{"data": {"csv": "x.csv"}, "references": ["sum"], "claims": [{"claim": "signgd"}]}`, "needs a max reference"},
		{"wrong type", `{"data": {"csv": 3}, "claims": []}`, "bad.json:1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCase([]byte(tt.in), "cases/bad.json")
			require.Error(t, err)
			require.ErrorIs(t, err, ErrCase)
			require.Contains(t, err.Error(), tt.says)
			require.True(t, strings.HasPrefix(err.Error(), "cases/bad.json"), err.Error())
		})
	}
}
