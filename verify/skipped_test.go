package verify

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSkippedIsNotPass checks that a skipped check is shown as skipped, not
// as a pass, everywhere a verdict is written: the check itself, the summary
// table, report.md and the JSON; and that reading JSON back or merging it
// cannot turn a skipped check into evidence. The claim gives only a norm,
// so the inequalities and the three rate checks are skipped (TestSkippedChecks)
// and the bound and the preference run.
func TestSkippedIsNotPass(t *testing.T) {
	ds, refs := smallSet(t)
	signgd := CheckClaim(context.Background(), "small", ds, refs, CaseClaim{Claim: "signgd", Steps: 10000}, nil, Options{})
	r := CheckTrajectory(context.Background(), ds, refs, Claim{Name: "bare", Norm: "max"}, iteratesOfReport(signgd))
	require.Empty(t, r.Error)
	skipped := []string{"inequalities", "envelope", "slope", "shrink"}
	for _, c := range r.Checks {
		if c.Skipped {
			assert.Equal(t, "skipped", c.Verdict(), c.Name)
			assert.False(t, c.Pass, c.Name)
		}
	}
	require.True(t, r.Pass, "bound and preference pass: %+v", r.Checks)
	assert.Equal(t, "PASS (skipped: "+strings.Join(skipped, ",")+")", r.Verdict())

	s := summarize([]*Report{r})
	assert.Contains(t, s.Table(), "PASS (skipped: inequalities,envelope,slope,shrink)")
	dir := t.TempDir()
	require.NoError(t, WriteReport(dir, s))
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	require.NoError(t, err)
	for _, name := range skipped {
		assert.Regexp(t, `\| `+name+` \| NaN \| [^|]+ \| skipped \| skipped: `, string(md), name)
		assert.NotRegexp(t, `\| `+name+` \|[^\n]*\| pass \|`, string(md), name)
	}
	assert.Regexp(t, `\| bound \|[^\n]*\| pass \|`, string(md))

	s.Plan = &Plan{Jobs: 1, Digest: "d"}
	b, err := json.Marshal(s)
	require.NoError(t, err)
	for _, name := range skipped {
		assert.Regexp(t, `"name":"`+name+`","figure":"NaN","threshold":[^,]+,"pass":false,"skipped":true`, string(b), name)
	}

	// The JSON merges back (a claim without a rate is drawable) into the
	// same verdict.
	path := filepath.Join(t.TempDir(), "serial.json")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	back, err := ReadSummary(path)
	require.NoError(t, err)
	merged, err := Merge([]*Summary{back}, []string{path})
	require.NoError(t, err)
	assert.True(t, merged.Pass)
	assert.Equal(t, r.Verdict(), merged.Reports[0].Verdict())
}

// TestSkippedFromJSON checks that a summary file cannot make a skipped
// check, or a failed one, count as a pass: a check marked skipped reads
// with Pass false whatever its "pass" says (version 2 wrote true), and
// Merge computes each report's verdict again from its checks.
func TestSkippedFromJSON(t *testing.T) {
	var c Check
	require.NoError(t, json.Unmarshal([]byte(`{"name": "slope", "figure": "NaN", "threshold": "NaN", "pass": true, "skipped": true, "detail": "skipped: no rate"}`), &c))
	assert.False(t, c.Pass)
	assert.True(t, c.Skipped)
	assert.Equal(t, "skipped", c.Verdict())

	report := func(checks string) string {
		return `{"case": "c", "claim": {"name": "x", "norm": "max"}, "pass": true, "checks": [` + checks + `]}`
	}
	tests := []struct {
		name   string
		checks string
		pass   bool
	}{
		{"every check skipped", `{"name": "bound", "pass": true, "skipped": true}, {"name": "slope", "pass": true, "skipped": true}`, false},
		{"a failed check", `{"name": "bound", "pass": true}, {"name": "slope", "pass": false}`, false},
		{"no checks", ``, false},
		{"a pass and a skip", `{"name": "bound", "pass": true}, {"name": "slope", "pass": true, "skipped": true}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "shard.json")
			require.NoError(t, os.WriteFile(path, []byte(`{"version": "`+FormatVersion+`", "plan": {"jobs": 1, "digest": "d"}, "pass": true, "reports": [`+report(tt.checks)+`]}`), 0o644))
			s, err := ReadSummary(path)
			require.NoError(t, err)
			merged, err := Merge([]*Summary{s}, []string{path})
			require.NoError(t, err)
			assert.Equal(t, tt.pass, merged.Reports[0].Pass)
			assert.Equal(t, tt.pass, merged.Pass)
			verdict := merged.Reports[0].Verdict()
			assert.Equal(t, tt.pass, regexp.MustCompile(`^PASS`).MatchString(verdict), verdict)
		})
	}
}
