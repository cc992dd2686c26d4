package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/trainer"
	"maxmargin/verify"
)

// writeSignGD trains SignGD (eta_t = lr (t+1)^{-1/2}, 10^4 steps) on
// gaussianCSV and writes the trajectory as JSON Lines.
func writeSignGD(t *testing.T, lr float64) string {
	t.Helper()
	ds, err := dataset.LoadCSV(gaussianCSV)
	require.NoError(t, err)
	traj, err := trainer.Train(context.Background(), ds, trainer.Settings{Optimizer: trainer.NSD(norm.Max), LR: lr, Decay: 0.5, Steps: 10000}, nil)
	require.NoError(t, err)
	var its []verify.Iterate
	for _, cp := range traj.Checkpoints {
		its = append(its, verify.Iterate{T: cp.T, W: cp.W})
	}
	path := filepath.Join(t.TempDir(), "signgd.jsonl")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, verify.WriteTrajectory(f, its))
	require.NoError(t, f.Close())
	return path
}

// TestCheck checks a SignGD trajectory made outside the suite against the
// signgd claim (exit 0), the same run at twice the claimed step size (exit
// 1: the path-length inequality fails), and its JSON report.
func TestCheck(t *testing.T) {
	good := writeSignGD(t, 0.1)
	code, out, errw := runCLI("check", "--claim", "signgd", gaussianCSV, good)
	require.Equal(t, 0, code, errw)
	assert.Contains(t, out, "signgd")
	assert.Contains(t, out, "PASS")
	assert.Regexp(t, `inequalities\s+pass\s+items 1, 2 and item 4 in max at 39 checkpoints`, out)

	fast := writeSignGD(t, 0.2)
	code, out, errw = runCLI("check", "--claim", "signgd", gaussianCSV, fast)
	assert.Equal(t, 1, code)
	assert.Regexp(t, `inequalities\s+FAIL\s+t = 1: max\(W\) = 0.2 > path length 0.1`, out)
	assert.Equal(t, "maxmargin check: claim signgd failed on "+fast+"\n", errw)

	report := filepath.Join(t.TempDir(), "report")
	code, _, errw = runCLI("check", "--report", report, "--claim", "signgd", gaussianCSV, good)
	require.Equal(t, 0, code, errw)
	md, err := os.ReadFile(filepath.Join(report, "report.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "## signgd on gaussian-k5-d8-n150")
	assert.FileExists(t, filepath.Join(report, "gaussian-k5-d8-n150-signgd.png"))

	code, out, errw = runCLI("check", "--json", "--claim", "signgd", gaussianCSV, good)
	require.Equal(t, 0, code, errw)
	var s struct {
		Pass    bool `json:"pass"`
		Reports []struct {
			Steps  int `json:"steps"`
			Checks []struct {
				Name string `json:"name"`
				Pass bool   `json:"pass"`
			} `json:"checks"`
		} `json:"reports"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &s))
	assert.True(t, s.Pass)
	require.Len(t, s.Reports, 1)
	assert.Equal(t, 10000, s.Reports[0].Steps)
	assert.Len(t, s.Reports[0].Checks, 6)
}

// TestCheckErrors checks that bad arguments and bad trajectories end with one
// line on stderr and exit status 1.
func TestCheckErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	require.NoError(t, os.WriteFile(bad, []byte(`{"t": 0, "W": [[0]]}`+"\n"), 0o644))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no claim", []string{gaussianCSV, bad}, "--claim is required"},
		{"unknown claim", []string{"--claim", "sgd", gaussianCSV, bad}, "unknown claim"},
		{"one argument", []string{"--claim", "signgd", bad}, "want DATA.csv TRAJ"},
		{"malformed", []string{"--claim", "signgd", gaussianCSV, bad}, bad + ":1: verify: bad trajectory: t = 0: W has 1 rows, the data have 5 classes"},
		{"missing", []string{"--claim", "signgd", gaussianCSV, filepath.Join(dir, "none.jsonl")}, "none.jsonl"},
		{"bad data", []string{"--claim", "signgd", bad, bad}, "bad.jsonl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errw := runCLI(append([]string{"check"}, tc.args...)...)
			assert.Equal(t, 1, code)
			assert.Empty(t, out)
			assert.Equal(t, 1, strings.Count(errw, "\n"), "one line: %q", errw)
			assert.Contains(t, errw, tc.want)
			assert.True(t, strings.HasPrefix(errw, "maxmargin check: "), errw)
		})
	}
}

// TestCheckCase checks a trajectory against a claim that a case file defines
// (no loss, schedule or rate given: only the bound and the preference run,
// the other checks are reported as skipped with their reasons) and against
// a built-in claim on the case's data.
func TestCheckCase(t *testing.T) {
	traj := writeSignGD(t, 0.1)
	data, err := filepath.Abs(gaussianCSV)
	require.NoError(t, err)
	casePath := filepath.Join(t.TempDir(), "mine.json")
	require.NoError(t, os.WriteFile(casePath, []byte(`{"data": {"csv": "`+data+`"}, "claims": [
  {"claim": "bare", "steps": 10000, "define": {"command": ["./never-run"], "norm": "max"}}]}`), 0o644))

	code, out, errw := runCLI("check", "--case", casePath, "--claim", "bare", traj)
	require.Equal(t, 0, code, errw)
	assert.Regexp(t, `inequalities\s+skipped\s+skipped: items 1 and 2 need the cross-entropy loss named by the claim; item 4 needs a step_norm`, out)
	assert.Regexp(t, `slope\s+skipped\s+skipped: the claim predicts no rate`, out)
	assert.Regexp(t, `bound\s+pass`, out)
	assert.Regexp(t, `preference\s+pass`, out)
	assert.Contains(t, out, "PASS (skipped: inequalities,envelope,slope,shrink)")

	// The report of a claim without a rate (its plot has no rate guide)
	// says skipped, not pass.
	report := filepath.Join(t.TempDir(), "report")
	code, _, errw = runCLI("check", "--case", casePath, "--claim", "bare", "--report", report, traj)
	require.Equal(t, 0, code, errw)
	md, err := os.ReadFile(filepath.Join(report, "report.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "| slope | NaN | NaN | skipped | skipped: the claim predicts no rate |")
	assert.Contains(t, string(md), "no predicted rate")

	code, out, errw = runCLI("check", "--case", casePath, "--claim", "signgd", traj)
	require.Equal(t, 0, code, errw)
	assert.Regexp(t, `slope\s+pass`, out)
}
