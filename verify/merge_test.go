package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mergeCases are two small cases, five jobs: fast, and with checks whose
// figures are not finite (2000 steps leave the rate checks without data).
func mergeCases(t *testing.T) []*Case {
	t.Helper()
	a, err := ParseCase([]byte(`{"data": {"generator": "gaussian", "seed": 5, "k": 3, "d": 4, "per_class": 8, "sigma": 0.1},
		"references": ["max", "sum", "fro"],
		"claims": [{"claim": "signgd", "steps": 2000}, {"claim": "ngd", "steps": 2000}, {"claim": "signum", "steps": 2000}]}`), "cases/a.json")
	require.NoError(t, err)
	b, err := ParseCase([]byte(`{"data": {"generator": "random-labels", "seed": 2, "n": 12, "d": 6, "k": 3},
		"claims": [{"claim": "nsd-op1", "steps": 1500}, {"claim": "adam", "steps": 1500}]}`), "cases/b.json")
	require.NoError(t, err)
	return []*Case{a, b}
}

// generated matches the report's generation time, the one line that differs
// between a run and its merge.
var generated = regexp.MustCompile(`Generated [0-9TZ:-]+\.`)

// reportFiles returns the files of a report folder, the generation time
// masked.
func reportFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		files[e.Name()] = generated.ReplaceAll(b, []byte("Generated TIME."))
	}
	return files
}

// TestMergeShards runs five jobs serially and as 1, 2, 3 and 7 shards
// (7 > 5 leaves two shards empty), writes each shard's JSON, reads it back
// and merges: the merged JSON and report equal the serial run's byte for
// byte, the generation time aside.
func TestMergeShards(t *testing.T) {
	cases := mergeCases(t)
	opt := Options{}
	plan, err := PlanOf(cases, opt)
	require.NoError(t, err)
	require.Equal(t, 5, plan.Jobs)
	jobs := Jobs(cases)
	serial := Run(context.Background(), jobs, 2, opt, nil)
	serial.Build, serial.Plan = "test", plan
	want, err := json.Marshal(serial)
	require.NoError(t, err)
	serialDir := filepath.Join(t.TempDir(), "serial")
	require.NoError(t, WriteReport(serialDir, serial))
	wantFiles := reportFiles(t, serialDir)
	require.Contains(t, string(want), `"NaN"`, "the cases must exercise non-finite figures")

	dir := t.TempDir()
	for _, n := range []int{1, 2, 3, 7} {
		var shards []*Summary
		var names []string
		for i := 1; i <= n; i++ {
			part, err := Shard(jobs, i, n)
			require.NoError(t, err)
			s := Run(context.Background(), part, 1, opt, nil)
			s.Build, s.Plan, s.Shard = "test", plan, &ShardID{I: i, N: n}
			b, err := json.Marshal(s)
			require.NoError(t, err)
			name := filepath.Join(dir, "shard.json")
			require.NoError(t, os.WriteFile(name, b, 0o644))
			back, err := ReadSummary(name)
			require.NoError(t, err)
			shards = append(shards, back)
			names = append(names, name)
		}
		// Merge in reverse order: the order of the files does not matter.
		for i, j := 0, len(shards)-1; i < j; i, j = i+1, j-1 {
			shards[i], shards[j] = shards[j], shards[i]
			names[i], names[j] = names[j], names[i]
		}
		merged, err := Merge(shards, names)
		require.NoError(t, err, "%d shards", n)
		got, err := json.Marshal(merged)
		require.NoError(t, err)
		require.True(t, bytes.Equal(want, got), "%d shards: merged JSON differs from the serial run's", n)
		mergedDir := filepath.Join(t.TempDir(), "merged")
		require.NoError(t, WriteReport(mergedDir, merged))
		gotFiles := reportFiles(t, mergedDir)
		require.Equal(t, len(wantFiles), len(gotFiles))
		for name, b := range wantFiles {
			require.True(t, bytes.Equal(b, gotFiles[name]), "%d shards: %s differs", n, name)
		}
	}
}

// TestMergeErrors checks that merge refuses, naming the file, every set of
// outputs that is not exactly one run's shards.
func TestMergeErrors(t *testing.T) {
	plan := &Plan{Jobs: 5, Digest: "d1"}
	shard := func(i, n, reports int) *Summary {
		s := &Summary{Version: FormatVersion, Build: "b", Plan: plan, Shard: &ShardID{I: i, N: n}, Pass: true}
		for range reports {
			s.Reports = append(s.Reports, &Report{Pass: true, Checks: []Check{{Name: "bound", Pass: true}}})
		}
		return s
	}
	good := []*Summary{shard(1, 2, 3), shard(2, 2, 2)}
	ok, err := Merge(good, []string{"s1.json", "s2.json"})
	require.NoError(t, err)
	assert.Len(t, ok.Reports, 5)
	assert.True(t, ok.Pass)
	assert.Nil(t, ok.Shard)

	with := func(s *Summary, f func(*Summary)) *Summary {
		c := *s
		f(&c)
		return &c
	}
	tests := []struct {
		name   string
		shards []*Summary
		want   string
	}{
		{"none", nil, "no shard outputs"},
		{"missing shard", []*Summary{good[0]}, "missing shard(s) 2/2"},
		{"duplicate shard", []*Summary{good[0], good[1], good[1]}, "s3.json: verify: cannot merge: shard 2/2 again (also in s2.json)"},
		{"other case set", []*Summary{good[0], with(good[1], func(s *Summary) { s.Plan = &Plan{Jobs: 5, Digest: "d2"} })}, "s2.json: verify: cannot merge: another case set, options or external optimizer files"},
		{"other build", []*Summary{good[0], with(good[1], func(s *Summary) { s.Build = "c" })}, `s2.json: verify: cannot merge: built by "c", s1.json by "b"`},
		{"other N", []*Summary{good[0], shard(2, 3, 1)}, "s2.json: verify: cannot merge: shard 2/3 of 3 shards, s1.json is of 2"},
		{"short shard", []*Summary{good[0], shard(2, 2, 1)}, "s2.json: verify: cannot merge: shard 2/2 holds 1 reports, the plan's 5 jobs give it 2"},
		{"other version", []*Summary{good[0], with(good[1], func(s *Summary) { s.Version = "maxmargin-verify/1" })}, `s2.json: verify: cannot merge: format "maxmargin-verify/1"`},
		{"no plan", []*Summary{with(good[0], func(s *Summary) { s.Plan = nil }), good[1]}, "s1.json: verify: cannot merge: no plan"},
		{"bad shard", []*Summary{with(good[0], func(s *Summary) { s.Shard = &ShardID{I: 3, N: 2} }), good[1]}, "s1.json: verify: cannot merge: bad shard 3/2"},
		{"huge N", []*Summary{with(good[0], func(s *Summary) { s.Shard, s.Reports = &ShardID{I: 1, N: 1 << 60}, s.Reports[:1] })},
			"missing shard(s) 2/1152921504606846976, 3/1152921504606846976, 4/1152921504606846976, 5/1152921504606846976, 6/1152921504606846976, 7/1152921504606846976, 8/1152921504606846976, 9/1152921504606846976, 10/1152921504606846976, 11/1152921504606846976, ... (1152921504606846975 in all) of 5 jobs"},
		{"null report", []*Summary{good[0], with(good[1], func(s *Summary) { s.Reports = []*Report{{}, nil} })}, "s2.json: verify: cannot merge: report 2: null report"},
		{"ragged series", []*Summary{good[0], with(good[1], func(s *Summary) {
			s.Reports = []*Report{{}, {Claim: Claim{Rate: Rate{Kind: "nsd"}}, Series: map[string]Series{"max": {T: []float64{1, 2}, Gap: []float64{1}}}}}
		})}, "s2.json: verify: cannot merge: report 2: series max has 2 steps and 1 gaps"},
		{"unknown rate", []*Summary{with(good[0], func(s *Summary) {
			s.Reports = []*Report{{Claim: Claim{Rate: Rate{Kind: "fast"}}, Series: map[string]Series{"max": {T: []float64{1}, Gap: []float64{1}}}}, {}, {}}
		}), good[1]}, `s1.json: verify: cannot merge: report 1: verify: unknown rate kind "fast"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			names := make([]string, len(tt.shards))
			for i := range names {
				names[i] = "s" + string(rune('1'+i)) + ".json"
			}
			_, err := Merge(tt.shards, names)
			require.ErrorIs(t, err, ErrMerge)
			assert.Contains(t, err.Error(), tt.want)
		})
	}

	t.Run("unreadable file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bad.json")
		require.NoError(t, os.WriteFile(path, []byte("{\n\"reports\": [}\n"), 0o644))
		_, err := ReadSummary(path)
		require.ErrorIs(t, err, ErrMerge)
		assert.Contains(t, err.Error(), path+":2:")
	})
}

// TestReportJSONExact checks that a report's JSON gives back every float64
// bit for bit, NaN and both infinities included (a merge rebuilds plots and
// tables from it), and that version 1's null reads as NaN.
func TestReportJSONExact(t *testing.T) {
	r := &Report{
		Case: "c", Claim: Claim{Name: "signgd", Rate: Rate{Kind: "nsd"}}, Steps: 10, N: 3, D: 2,
		Checks: []Check{
			{Name: "a", Figure: math.NaN(), Threshold: math.Inf(1)},
			{Name: "b", Figure: math.Inf(-1), Threshold: 0.1 + 0.2},
			{Name: "c", Figure: math.Copysign(0, -1), Threshold: 5e-324},
		},
		FinalGap: math.SmallestNonzeroFloat64, Slope: math.NaN(), RateSlope: -math.MaxFloat64,
		Gamma:       map[string]float64{"max": 1.0 / 3},
		Series:      map[string]Series{"max": {T: []float64{1, 2}, Gap: []float64{math.Inf(1), 0.7}}},
		Correlation: map[string][]float64{"max": {math.NaN(), 0.999}},
		Final:       map[string]float64{"max": math.Inf(-1)},
	}
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var back Report
	require.NoError(t, json.Unmarshal(b, &back))
	b2, err := json.Marshal(&back)
	require.NoError(t, err)
	assert.Equal(t, string(b), string(b2))

	same := func(want, got float64, what string) {
		t.Helper()
		assert.Equal(t, math.Float64bits(want), math.Float64bits(got), what)
	}
	same(r.Checks[0].Threshold, back.Checks[0].Threshold, "+Inf threshold")
	same(r.Checks[1].Figure, back.Checks[1].Figure, "-Inf figure")
	same(r.Checks[1].Threshold, back.Checks[1].Threshold, "0.1 + 0.2")
	same(r.Checks[2].Figure, back.Checks[2].Figure, "-0")
	same(r.Checks[2].Threshold, back.Checks[2].Threshold, "smallest subnormal")
	same(r.FinalGap, back.FinalGap, "final gap")
	same(r.RateSlope, back.RateSlope, "-MaxFloat64")
	same(r.Series["max"].Gap[0], back.Series["max"].Gap[0], "+Inf gap")
	same(r.Final["max"], back.Final["max"], "-Inf margin")
	assert.True(t, math.IsNaN(back.Checks[0].Figure), "NaN figure")
	assert.True(t, math.IsNaN(back.Slope), "NaN slope")
	assert.True(t, math.IsNaN(back.Correlation["max"][0]), "NaN correlation")

	var old Check
	require.NoError(t, json.Unmarshal([]byte(`{"name": "slope", "figure": null, "threshold": -0.35, "pass": false, "detail": ""}`), &old))
	assert.True(t, math.IsNaN(old.Figure))
	assert.Error(t, json.Unmarshal([]byte(`{"figure": "lots"}`), &old))
}

// TestPlanDigest checks what the plan's digest sees: the cases' content and
// the options, not where the files lie.
func TestPlanDigest(t *testing.T) {
	csv := []byte("1,0,0\n0,1,1\n-1,0,2\n")
	dirA, dirB := t.TempDir(), t.TempDir()
	caseJSON := []byte(`{"data": {"csv": "data.csv"}, "claims": [{"claim": "signgd", "steps": 100}]}`)
	for _, d := range []string{dirA, dirB} {
		require.NoError(t, os.WriteFile(filepath.Join(d, "data.csv"), csv, 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(d, "c.json"), caseJSON, 0o644))
	}
	plan := func(dir string, opt Options) *Plan {
		c, err := LoadCase(filepath.Join(dir, "c.json"))
		require.NoError(t, err)
		p, err := PlanOf([]*Case{c}, opt)
		require.NoError(t, err)
		return p
	}
	base := plan(dirA, Options{})
	assert.Equal(t, 1, base.Jobs)
	assert.Equal(t, *base, *plan(dirB, Options{}), "same content elsewhere")
	assert.NotEqual(t, base.Digest, plan(dirA, Options{StepScale: 0.1}).Digest, "step scale")

	require.NoError(t, os.WriteFile(filepath.Join(dirB, "data.csv"), append(csv, "0,-1,1\n"...), 0o644))
	assert.NotEqual(t, base.Digest, plan(dirB, Options{}).Digest, "CSV content")
	require.NoError(t, os.WriteFile(filepath.Join(dirB, "data.csv"), csv, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dirB, "c.json"), bytes.Replace(caseJSON, []byte("100"), []byte("101"), 1), 0o644))
	assert.NotEqual(t, base.Digest, plan(dirB, Options{}).Digest, "step budget")

	require.NoError(t, os.Remove(filepath.Join(dirA, "data.csv")))
	c, err := LoadCase(filepath.Join(dirA, "c.json"))
	require.NoError(t, err)
	_, err = PlanOf([]*Case{c}, Options{})
	assert.ErrorContains(t, err, "data.csv")
}

// TestPlanDigestCommand checks that the plan sees the files an external
// optimizer's command names: a script edited between two shards gives
// another plan, and Merge refuses to join their outputs, where hashing the
// argv alone would have merged a stale shard with a fresh one. Words that
// are not files (the optimizer's name) count through the case's JSON only.
func TestPlanDigestCommand(t *testing.T) {
	dirA, dirB := t.TempDir(), t.TempDir()
	caseJSON := []byte(`{"data": {"rows": [[1, 0, 0], [0, 1, 1]]}, "claims": [{"claim": "mine", "steps": 10,
		"define": {"command": ["sh", "train.sh", "adam"], "norm": "max"}}]}`)
	for _, d := range []string{dirA, dirB} {
		require.NoError(t, os.WriteFile(filepath.Join(d, "train.sh"), []byte("echo v1\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(d, "c.json"), caseJSON, 0o644))
	}
	plan := func(dir string) *Plan {
		c, err := LoadCase(filepath.Join(dir, "c.json"))
		require.NoError(t, err)
		p, err := PlanOf([]*Case{c}, Options{})
		require.NoError(t, err)
		return p
	}
	base := plan(dirA)
	assert.Equal(t, *base, *plan(dirB), "the same script elsewhere")
	require.NoError(t, os.WriteFile(filepath.Join(dirA, "adam"), []byte("a file named like a word"), 0o644))
	assert.NotEqual(t, base.Digest, plan(dirA).Digest, "an argument that names a file is hashed")
	require.NoError(t, os.Remove(filepath.Join(dirA, "adam")))
	assert.Equal(t, base.Digest, plan(dirA).Digest)

	require.NoError(t, os.WriteFile(filepath.Join(dirB, "train.sh"), []byte("echo v2\n"), 0o644))
	edited := plan(dirB)
	assert.NotEqual(t, base.Digest, edited.Digest, "script content")
	shard := func(i int, p *Plan) *Summary {
		return &Summary{Version: FormatVersion, Build: "b", Plan: p, Shard: &ShardID{I: i, N: 2},
			Reports: []*Report{{Pass: true, Checks: []Check{{Name: "bound", Pass: true}}}}}
	}
	base.Jobs, edited.Jobs = 2, 2
	_, err := Merge([]*Summary{shard(1, base), shard(2, edited)}, []string{"s1.json", "s2.json"})
	assert.ErrorIs(t, err, ErrMerge)
	assert.ErrorContains(t, err, "s2.json: verify: cannot merge: another case set, options or external optimizer files")
}

// FuzzMergeReport feeds arbitrary JSON to Merge and draws the report of
// what it accepts: a malformed shard file is an error, never a panic.
func FuzzMergeReport(f *testing.F) {
	f.Add(`{"version": "maxmargin-verify/3", "plan": {"jobs": 1, "digest": "x"}, "reports": [{"case": "c",
		"claim": {"name": "signgd", "norm": "max", "rate": {"kind": "nsd"}, "burn_in": 2}, "steps": 10, "n": 3, "d": 2,
		"checks": [{"name": "slope", "figure": "NaN", "threshold": "-Infinity"}],
		"series": {"max": {"t": [1, 2, 10], "gap": [1, 0.5, "NaN"]}, "sum": {"t": [1], "gap": ["Infinity"]}},
		"correlation": {"max": [0.1, "Infinity", 0.3]}}], "pass": false}`)
	f.Add(`{"version": "maxmargin-verify/3", "plan": {"jobs": 2, "digest": "x"}, "shard": {"i": 1, "n": 1}, "reports": [{}, {"series": {"max": {"t": [-1, 0], "gap": [-1, 0]}}, "claim": {"rate": {"kind": "power", "a": 0.5}}}]}`)
	f.Add(`{"version": "maxmargin-verify/3", "plan": {"jobs": -1}}`)
	f.Fuzz(func(t *testing.T, b string) {
		var s Summary
		if json.Unmarshal([]byte(b), &s) != nil {
			return
		}
		m, err := Merge([]*Summary{&s}, []string{"f.json"})
		if err != nil {
			return
		}
		_ = WriteReport(t.TempDir(), m) // an error is fine, a panic is not
	})
}
