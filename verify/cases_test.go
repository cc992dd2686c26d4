package verify

import (
	"context"
	"path/filepath"
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
				if c.Failed() {
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
		{"define a built-in name", `{"data": {"csv": "x.csv"}, "claims": [{"claim": "signgd", "define": {"optimizer": "signgd", "norm": "max", "loss": "ce", "lr": 0.1, "steps": 10}}]}`, "the name of a built-in claim"},
		{"define another name", `{"data": {"csv": "x.csv"}, "claims": [{"claim": "a", "define": {"name": "b", "optimizer": "signgd", "norm": "max", "loss": "ce", "lr": 0.1, "steps": 10}}]}`, `claim "a" defines a claim named "b"`},
		{"define unknown optimizer", `{"data": {"csv": "x.csv"}, "claims": [{"claim": "a", "define": {"optimizer": "lion", "norm": "max", "loss": "ce", "lr": 0.1, "steps": 10}}]}`, "or give a command for an external optimizer"},
		{"define no lr", `{"data": {"csv": "x.csv"}, "claims": [{"claim": "a", "define": {"optimizer": "signgd", "norm": "max", "loss": "ce", "steps": 10}}]}`, "lr = 0 must be positive"},
		{"define no steps", `{"data": {"csv": "x.csv"}, "claims": [{"claim": "a", "define": {"command": ["./x"], "norm": "max"}}]}`, "steps = 0 must be at least 1"},
		{"define unknown norm", `{"data": {"csv": "x.csv"}, "claims": [{"claim": "a", "steps": 9, "define": {"command": ["./x"], "norm": "l0"}}]}`, "unknown norm"},
		{"define rate without burn-in", `{"data": {"csv": "x.csv"}, "claims": [{"claim": "a", "steps": 9, "define": {"command": ["./x"], "norm": "max", "rate": {"kind": "nsd"}}}]}`, "burn_in = 0"},
		{"define unknown rate", `{"data": {"csv": "x.csv"}, "claims": [{"claim": "a", "steps": 9, "define": {"command": ["./x"], "norm": "max", "rate": {"kind": "fast"}, "burn_in": 3}}]}`, "unknown rate kind"},
		{"define empty command", `{"data": {"csv": "x.csv"}, "claims": [{"claim": "a", "steps": 9, "define": {"command": [""], "norm": "max"}}]}`, "empty command"},
		{"define unknown loss", `{"data": {"csv": "x.csv"}, "claims": [{"claim": "a", "steps": 9, "define": {"command": ["./x"], "norm": "max", "loss": "hinge"}}]}`, "unknown loss"},
		{"define fro without reference", `{"data": {"csv": "x.csv"}, "claims": [{"claim": "a", "steps": 9, "define": {"command": ["./x"], "norm": "fro"}}]}`, "needs a fro reference: list it in references"},
		{"define unknown field", `{"data": {"csv": "x.csv"}, "claims": [{"claim": "a", "steps": 9, "define": {"command": ["./x"], "norm": "max", "momentum": 0.9}}]}`, "unknown field"},
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

// TestDefinedClaim parses a case that defines a claim in full and checks
// what Resolve makes of it: the name from the case, the defaults for status
// and source, the step budget from the case when the definition has none,
// and the command run from the case file's folder.
func TestDefinedClaim(t *testing.T) {
	in := `{"data": {"csv": "x.csv"}, "claims": [
  {"claim": "my-adam", "define": {"optimizer": "adam", "beta1": 0.9, "beta2": 0.99, "bias_correction": true,
   "norm": "max", "loss": "ce", "lr": 0.1, "decay": 0.5, "rate": {"kind": "adam"}, "steps": 3000, "burn_in": 100}},
  {"claim": "torch-signum", "steps": 500, "define": {"optimizer": "signum (torch)", "command": ["python3", "train.py", "signum"],
   "norm": "max", "step_norm": "max", "source": "Fan et al. 2025 v4, Thm 2", "status": "proved"}}
]}`
	c, err := ParseCase([]byte(in), "cases/sub/mine.json")
	require.NoError(t, err)
	adam, err := c.Claims[0].Resolve()
	require.NoError(t, err)
	require.Equal(t, "my-adam", adam.Name)
	require.Equal(t, Derived, adam.Status)
	require.Equal(t, "defined in a case file", adam.Source)
	require.True(t, adam.BiasCorrection)
	require.Equal(t, 3000, adam.Steps)
	_, err = optimizerFor(adam)
	require.NoError(t, err)
	signum, err := c.Claims[1].Resolve()
	require.NoError(t, err)
	require.Equal(t, Proved, signum.Status)
	require.Equal(t, 500, signum.Steps)
	require.Equal(t, []string{"python3", "train.py", "signum"}, signum.Command)
	require.Equal(t, "cases/sub", c.Claims[1].dir)
	require.Equal(t, "max", stepNorm(signum))

	// Save (as -update does) and load again: the same claims.
	c.Path = filepath.Join(t.TempDir(), "mine.json")
	require.NoError(t, c.Save())
	again, err := LoadCase(c.Path)
	require.NoError(t, err)
	for i := range c.Claims {
		want, err := c.Claims[i].Resolve()
		require.NoError(t, err)
		got, err := again.Claims[i].Resolve()
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
}
