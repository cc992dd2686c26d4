package solver

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"maxmargin/dataset"
	"maxmargin/internal/corpus"
	"maxmargin/norm"
)

// corpusNorms are the norms TestCorpus solves on every corpus entry: the
// four LP norms (compared with HiGHS) and the convex ones (compared with
// cvxopt).
var corpusNorms = []string{"max", "sum", "opinf", "op1", "fro", "spectral", "nuclear", "l1.5", "l3", "l10"}

// knownCorpusFailures lists the corpus cases (entry/norm) that fail on main
// today, with what they do, as measured on 2026-12-05 with
// MAXMARGIN_CORPUS_TABLE=1 MAXMARGIN_CORPUS_LIMIT=30 on main at 2822904,
// before the solver's fixes for the corpus; of the long entries (MAXMARGIN_CORPUS=all)
// only the generated ones were measured (limit 20 s): digits and
// digits-300-std are not listed. TestCorpus skips them with "known failure
// (knownCorpusFailures; ...): ..."; with MAXMARGIN_CORPUS_KNOWN=1 (or in table mode) it runs them
// and logs "now passes" for each one that does, so that the table can be
// pruned after the fixes are merged. A case not listed here must pass.
// The convex norms' rows were re-measured on 2026-12-05 on the branch
// i13convex with MAXMARGIN_CORPUS=all MAXMARGIN_CORPUS_KNOWN=1
// MAXMARGIN_CORPUS_LIMIT=30 (every entry, the long ones included).
var knownCorpusFailures = map[string]string{
	// The l<p> rows (breast-cancer l1.5, l3, l10; digits l1.5; digits-std
	// l1.5, l3; badly-scaled-500x25x10 l1.5) were pruned on 2026-12-05 on
	// branch i13pnorm: with MAXMARGIN_CORPUS=all MAXMARGIN_CORPUS_KNOWN=1
	// MAXMARGIN_CORPUS_LIMIT=30 (load 5, cvxopt running beside) they certify
	// in 2.0, 0.8, 2.8, 6.4, 5.0, 8.1 and 9.1 s.
	// LP norms (max, sum, opinf, op1): none left. The last three
	// (digits-std/opinf, digits-std/op1, near-duplicates-520x45x10/op1,
	// lp_solve TIMEOUT at 30 s) pass since the group form's weight-space
	// interior points (branch i13lp2, 2026-12-05, MAXMARGIN_CORPUS=all
	// MAXMARGIN_CORPUS_KNOWN=1 MAXMARGIN_CORPUS_LIMIT=30, load about 4):
	// 0.86 s, 1.6 s and 0.14 s (HiGHS 342 s, 109 s and 12.8 s).
}

// inaccurateReferences lists the entries whose live reference (cvxopt or
// HiGHS, MAXMARGIN_CORPUS_TABLE=1) reports "optimal" at a value below our
// certified lower bound L = m(W)/N(W), the exact margin of the returned W:
// the reference is then suboptimal, and TestCorpus does not count it
// against us (a reference above our upper bound still fails). Each entry
// says how that was checked independently of our certificate.
var inaccurateReferences = map[string]string{
	// 2026-12-05: cvxopt (cvxopt_maxmargin.py) "optimal" at 23326.14037;
	// our W evaluated in numpy (float64: min_{i,c} margin / ||W||_F)
	// gives 23330.182832352, inside our certified [23330.1828324,
	// 23330.1828327]: cvxopt is 1.7e-4 relative below the optimum on
	// columns scaled by 1e-6..1e6.
	"badly-scaled-500x25x10/fro": "cvxopt 1.7e-4 below the exact margin of our W",
}

// corpusSettings are TestCorpus's environment switches.
type corpusSettings struct {
	all, known, table, update bool
	limit                     time.Duration
}

// corpusEnv reads MAXMARGIN_CORPUS=all (also the long entries),
// MAXMARGIN_CORPUS_KNOWN=1 (run the known failures), MAXMARGIN_CORPUS_TABLE=1
// (run everything, run HiGHS and cvxopt live, print the Markdown table),
// MAXMARGIN_CORPUS_REF=update (with the table: rewrite
// testdata/corpus_reference.txt) and MAXMARGIN_CORPUS_LIMIT (seconds per
// solve, default 60).
func corpusEnv(t *testing.T) corpusSettings {
	s := corpusSettings{
		all:    os.Getenv("MAXMARGIN_CORPUS") == "all",
		known:  os.Getenv("MAXMARGIN_CORPUS_KNOWN") != "",
		table:  os.Getenv("MAXMARGIN_CORPUS_TABLE") != "",
		update: os.Getenv("MAXMARGIN_CORPUS_REF") == "update",
		limit:  60 * time.Second,
	}
	if v := os.Getenv("MAXMARGIN_CORPUS_LIMIT"); v != "" {
		sec, err := strconv.ParseFloat(v, 64)
		require.NoError(t, err, "MAXMARGIN_CORPUS_LIMIT")
		s.limit = time.Duration(sec * float64(time.Second))
	}
	s.known = s.known || s.table
	return s
}

// corpusOutcome is one solve of TestCorpus.
type corpusOutcome struct {
	res     *Result
	err     error
	panic   string // the recovered panic value and stack, if any
	seconds float64
}

// solveCorpus runs MaxMargin with a time limit, turning a panic into an
// outcome instead of a crash of the test binary.
func solveCorpus(ds *dataset.Dataset, n norm.Norm, limit time.Duration) (out corpusOutcome) {
	start := time.Now()
	defer func() {
		out.seconds = time.Since(start).Seconds()
		if p := recover(); p != nil {
			out.panic = fmt.Sprintf("%v\n%s", p, debug.Stack())
		}
	}()
	out.res, out.err = MaxMargin(ds, n, &Settings{Timeout: limit})
	return out
}

// corpusChildEnv names the case (entry/norm) that TestCorpusChild solves.
const corpusChildEnv = "MAXMARGIN_CORPUS_CHILD"

// childResult is what TestCorpusChild prints, after "corpus-child ", as
// JSON.
type childResult struct {
	Seconds              float64
	Err, Panic           string
	Lower, Upper         float64
	Certified, Separable bool
	HasResult            bool
}

// solveCorpusChild solves the case key (entry/norm) in a child process
// (this test binary running TestCorpusChild), killed 15 s after the time
// limit: the modes that run the known failures use it, since some of them
// do not stop at the limit (a solve that never returns cannot be abandoned
// inside the process) or crash it.
func solveCorpusChild(t *testing.T, key string, limit time.Duration) corpusOutcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit+15*time.Second)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCorpusChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), corpusChildEnv+"="+key, "MAXMARGIN_CORPUS_LIMIT="+strconv.FormatFloat(limit.Seconds(), 'g', -1, 64))
	outb, _ := cmd.CombinedOutput()
	elapsed := time.Since(start).Seconds()
	if ctx.Err() != nil {
		return corpusOutcome{err: fmt.Errorf("no answer: killed after %.0f s (the time limit of %.0f s was not kept)", elapsed, limit.Seconds()), seconds: elapsed}
	}
	for _, line := range strings.Split(string(outb), "\n") {
		_, js, ok := strings.Cut(line, "corpus-child ")
		if !ok {
			continue
		}
		var r childResult
		require.NoError(t, json.Unmarshal([]byte(js), &r), "%s", line)
		out := corpusOutcome{seconds: r.Seconds, panic: r.Panic}
		if r.Err != "" {
			out.err = errors.New(r.Err)
		}
		if r.HasResult {
			out.res = &Result{Lower: r.Lower, Upper: r.Upper, Margin: r.Lower, Certified: r.Certified, Separable: r.Separable}
		}
		return out
	}
	return corpusOutcome{panic: "the child process ended without a result: " + lastLines(string(outb), 5), seconds: elapsed}
}

// lastLines returns the last n lines of s, joined by " / ".
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " / ")
}

// TestCorpusChild is solveCorpusChild's child: it solves the case named by
// MAXMARGIN_CORPUS_CHILD and prints the outcome as one JSON line. Without
// that variable it does nothing.
func TestCorpusChild(t *testing.T) {
	key := os.Getenv(corpusChildEnv)
	if key == "" {
		t.Skip("the child of TestCorpus's table and known-failure modes")
	}
	entryName, normName, ok := strings.Cut(key, "/")
	require.True(t, ok, key)
	set := corpusEnv(t)
	entries, err := corpus.Entries()
	require.NoError(t, err)
	nrm, err := norm.ByName(normName)
	require.NoError(t, err)
	for _, e := range entries {
		if e.Name != entryName {
			continue
		}
		out := solveCorpus(e.Data, nrm, set.limit)
		r := childResult{Seconds: out.seconds, Panic: out.panic}
		if out.err != nil {
			r.Err = out.err.Error()
		}
		if out.res != nil {
			r.HasResult, r.Lower, r.Upper, r.Certified, r.Separable = true, out.res.Lower, out.res.Upper, out.res.Certified, out.res.Separable
		}
		js, err := json.Marshal(r)
		require.NoError(t, err)
		fmt.Printf("corpus-child %s\n", js)
		return
	}
	t.Fatalf("no corpus entry %q", entryName)
}

// corpusReference is a reference value of gamma_N from HiGHS or cvxopt.
type corpusReference struct {
	gamma   float64
	status  string // "optimal", "timeout" or "failed ..."
	seconds float64
}

// corpusProblems returns what is wrong with an outcome (nil when the case
// passes): a panic, an error, an uncertified result, the wrong
// separability, an interval that misses the exact gamma, exceeds the
// proven bound or misses the reference (HiGHS or cvxopt) by more than
// 1e-6 relative plus 1e-7 absolute: HiGHS's default primal and dual
// feasibility tolerances are 1e-7 (absolute), and its gamma is off by that
// much on tiny margins (8.3454e-7 on near-duplicates-65x11x3 for max,
// where the exact certificate gives [8.27772e-7, 8.27774e-7]; 2.00000007e-8
// for the exact 2e-8 of tiny-margin-60x10-scale1), where the exact gamma
// and the proven bounds are the real checks.
func corpusProblems(e corpus.Entry, name string, out corpusOutcome, ref *corpusReference) []string {
	if out.panic != "" {
		return []string{"panic: " + out.panic}
	}
	if out.err != nil {
		return []string{"error: " + out.err.Error()}
	}
	r := out.res
	var p []string
	if !r.Certified {
		p = append(p, fmt.Sprintf("not certified: [%.6g, %.6g]", r.Lower, r.Upper))
	}
	if !(r.Lower <= r.Upper) {
		p = append(p, fmt.Sprintf("interval out of order: [%v, %v]", r.Lower, r.Upper))
	}
	if r.Separable != e.Separable {
		p = append(p, fmt.Sprintf("separable %v, want %v (interval [%.6g, %.6g])", r.Separable, e.Separable, r.Lower, r.Upper))
	}
	if e.Gamma != nil {
		if g, ok := e.Gamma(name); ok && (g < r.Lower*(1-1e-12) || g > r.Upper*(1+1e-12)) {
			p = append(p, fmt.Sprintf("exact gamma %.17g outside [%.17g, %.17g]", g, r.Lower, r.Upper))
		}
	}
	if e.Bound != nil {
		if b, ok := e.Bound(name); ok && r.Lower > b*(1+1e-12) {
			p = append(p, fmt.Sprintf("lower bound %.17g above the proven bound %.17g", r.Lower, b))
		}
	}
	if ref != nil && ref.status == "optimal" {
		slack := 1e-6*math.Abs(ref.gamma) + 1e-7
		below := ref.gamma < r.Lower-slack
		if _, ok := inaccurateReferences[e.Name+"/"+name]; ok && below {
			// The reference's optimum is below the exact margin of our
			// W: the reference is wrong (inaccurateReferences).
			below = false
		}
		if below || ref.gamma > r.Upper+slack {
			p = append(p, fmt.Sprintf("reference gamma %.12g outside [%.12g, %.12g]", ref.gamma, r.Lower, r.Upper))
		}
	}
	return p
}

// TestCorpus solves every norm of corpusNorms on every entry of the
// robustness corpus (internal/corpus: real data sets raw and standardized,
// and the hard generators) and requires, for each, no panic, no error, a
// certified interval, the right separability, the exact gamma inside the
// interval where it is known in closed form (tiny-margin), the lower bound
// under the proven bound (near-duplicates), and agreement with the
// reference value of HiGHS (LP norms) or cvxopt (the others) recorded in
// testdata/corpus_reference.txt for the same data (a SHA-256 of the CSV).
//
// Long entries run only with MAXMARGIN_CORPUS=all; the known failures of
// knownCorpusFailures are skipped (see there). MAXMARGIN_CORPUS_TABLE=1
// also runs HiGHS and cvxopt live (testdata/corpus_reference.py, which
// times their solve calls only) and prints the Markdown table of
// docs/PERFORMANCE.md, section "Robustness corpus"; with MAXMARGIN_CORPUS_REF=update it
// rewrites testdata/corpus_reference.txt from those runs.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("solves every norm on every corpus entry")
	}
	set := corpusEnv(t)
	entries, err := corpus.Entries()
	require.NoError(t, err)
	refs, err := readCorpusReferences(corpusReferenceFile)
	require.NoError(t, err)
	var rows []string
	for _, e := range entries {
		if e.Long && !set.all {
			continue
		}
		hash := corpusHash(t, e.Data)
		for _, name := range corpusNorms {
			nrm, err := norm.ByName(name)
			require.NoError(t, err)
			key := e.Name + "/" + name
			t.Run(key, func(t *testing.T) {
				known, isKnown := knownCorpusFailures[key]
				if isKnown && !set.known {
					t.Skip("known failure (knownCorpusFailures; docs/PERFORMANCE.md, Robustness corpus): " + known)
				}
				var out corpusOutcome
				if set.known {
					out = solveCorpusChild(t, key, set.limit)
				} else {
					out = solveCorpus(e.Data, nrm, set.limit)
				}
				var ref *corpusReference
				if set.table {
					ref = liveReference(t, e.Data, name, set.limit)
					if set.update {
						refs[e.Name+" "+name] = corpusRefLine{hash: hash, ref: *ref}
					}
				} else if l, ok := refs[e.Name+" "+name]; ok {
					require.Equal(t, l.hash, hash, "%s: testdata/corpus_reference.txt is for other data: rerun with MAXMARGIN_CORPUS_TABLE=1 MAXMARGIN_CORPUS_REF=update", key)
					ref = &l.ref
				}
				problems := corpusProblems(e, name, out, ref)
				if set.table {
					rows = append(rows, corpusRow(e, name, out, ref, problems))
				}
				if out.res != nil {
					t.Logf("%s: %.3f s, [%.12g, %.12g], certified %v", key, out.seconds, out.res.Lower, out.res.Upper, out.res.Certified)
				}
				switch {
				case isKnown && len(problems) == 0:
					t.Logf("known failure %s now passes (%.3f s): prune knownCorpusFailures", key, out.seconds)
				case isKnown:
					t.Skipf("known failure (knownCorpusFailures; docs/PERFORMANCE.md, Robustness corpus): %s (now: %s)", known, firstLine(problems[0]))
				default:
					for _, p := range problems {
						t.Error(p)
					}
				}
			})
		}
	}
	if set.update {
		require.NoError(t, writeCorpusReferences(corpusReferenceFile, refs))
	}
	if set.table {
		fmt.Println("| data set (n, d, k) | norm | ours s | ours | reference | reference s | ours / reference |")
		fmt.Println("|---|---|---:|---|---|---:|---:|")
		for _, r := range rows {
			fmt.Println(r)
		}
	}
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// corpusRow formats one row of the Markdown table: the outcome of our
// solve (certified, uncertified, error, panic), the reference's time and
// the ratio of the times.
func corpusRow(e corpus.Entry, name string, out corpusOutcome, ref *corpusReference, problems []string) string {
	n, d, k := e.Data.Dims()
	refName := "HiGHS"
	if !slices.Contains([]string{"max", "sum", "opinf", "op1"}, name) {
		refName = "cvxopt"
	}
	ours := "certified"
	switch {
	case out.panic != "":
		ours = "panic: " + firstLine(out.panic)
	case out.err != nil:
		ours = out.err.Error()
	case !out.res.Certified:
		ours = fmt.Sprintf("uncertified [%.3g, %.3g]", out.res.Lower, out.res.Upper)
	case len(problems) > 0:
		ours = "certified, but " + problems[0]
	}
	refCell, refSec, ratio := refName+" not run", "", ""
	if ref != nil {
		refCell = refName + " " + ref.status
		refSec = fmt.Sprintf("%.3f", ref.seconds)
		if ref.status == "optimal" {
			refCell = refName
			ratio = fmt.Sprintf("%.2f", out.seconds/max(ref.seconds, 1e-3))
		}
	}
	ours = strings.ReplaceAll(ours, "|", "/")
	refCell = strings.ReplaceAll(refCell, "|", "/")
	return fmt.Sprintf("| %s (%d, %d, %d) | %s | %.3f | %s | %s | %s | %s |", e.Name, n, d, k, name, out.seconds, ours, refCell, refSec, ratio)
}

// liveReference runs testdata/corpus_reference.py on the data for the
// named norm, with the time limit (HiGHS enforces it; cvxopt's process is
// killed 10 s after it). A missing /usr/bin/python3, scipy or cvxopt gives
// status "failed" with the reason.
func liveReference(t *testing.T, ds *dataset.Dataset, name string, limit time.Duration) *corpusReference {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data.csv")
	require.NoError(t, writeDataCSV(path, ds))
	ctx, cancel := context.WithTimeout(context.Background(), limit+10*time.Second)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, debianPython, "testdata/corpus_reference.py", path, name, strconv.FormatFloat(limit.Seconds(), 'g', -1, 64))
	outb, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return &corpusReference{gamma: math.NaN(), status: "timeout", seconds: time.Since(start).Seconds()}
	}
	if err != nil {
		return &corpusReference{gamma: math.NaN(), status: "failed " + firstLine(string(bytes.TrimSpace(outb))), seconds: time.Since(start).Seconds()}
	}
	ref, err := parseCorpusReference(strings.TrimSpace(string(outb)))
	require.NoError(t, err, "%s", outb)
	return ref
}

// parseCorpusReference parses "seconds=S gamma=G status=STATUS ...".
func parseCorpusReference(line string) (*corpusReference, error) {
	var ref corpusReference
	var err error
	sec, rest, _ := strings.Cut(line, " ")
	g, status, _ := strings.Cut(rest, " ")
	if ref.seconds, err = strconv.ParseFloat(strings.TrimPrefix(sec, "seconds="), 64); err != nil {
		return nil, fmt.Errorf("reference line %q: %w", line, err)
	}
	if ref.gamma, err = strconv.ParseFloat(strings.TrimPrefix(g, "gamma="), 64); err != nil {
		return nil, fmt.Errorf("reference line %q: %w", line, err)
	}
	ref.status = strings.TrimPrefix(status, "status=")
	return &ref, nil
}

// corpusReferenceFile holds the reference values of TestCorpus.
const corpusReferenceFile = "testdata/corpus_reference.txt"

// corpusRefLine is one recorded reference: the data's hash and the value.
type corpusRefLine struct {
	hash string
	ref  corpusReference
}

// corpusHash returns the first 16 hex digits of the SHA-256 of the data
// set's CSV (dataset.WriteCSV).
func corpusHash(t *testing.T, ds *dataset.Dataset) string {
	var buf bytes.Buffer
	require.NoError(t, dataset.WriteCSV(&buf, ds))
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:8])
}

// readCorpusReferences reads lines "ENTRY NORM HASH seconds=S gamma=G
// status=STATUS" ('#' lines are comments), keyed by "ENTRY NORM".
func readCorpusReferences(path string) (map[string]corpusRefLine, error) {
	refs := map[string]corpusRefLine{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return refs, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.SplitN(text, " ", 4)
		if len(fields) != 4 {
			return nil, fmt.Errorf("%s:%d: want ENTRY NORM HASH seconds=... gamma=... status=...", path, line)
		}
		ref, err := parseCorpusReference(fields[3])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		refs[fields[0]+" "+fields[1]] = corpusRefLine{hash: fields[2], ref: *ref}
	}
	return refs, sc.Err()
}

// writeCorpusReferences writes the references sorted by key, with a header
// saying where they come from.
func writeCorpusReferences(path string, refs map[string]corpusRefLine) error {
	keys := make([]string, 0, len(refs))
	for k := range refs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString("# Reference values of gamma_N for TestCorpus (solver/corpus_test.go), written by\n")
	b.WriteString("# MAXMARGIN_CORPUS_TABLE=1 MAXMARGIN_CORPUS_REF=update go test ./solver -run TestCorpus\n")
	b.WriteString("# from testdata/corpus_reference.py: HiGHS (scipy linprog, method=\"highs\") for max, sum,\n")
	b.WriteString("# opinf, op1; cvxopt (cvxopt_maxmargin.py, pnorm_check.py) for the others.\n")
	b.WriteString("# ENTRY NORM SHA256(CSV)[:16] seconds=SOLVE_SECONDS gamma=GAMMA status=STATUS\n")
	for _, k := range keys {
		l := refs[k]
		fmt.Fprintf(&b, "%s %s seconds=%.6f gamma=%s status=%s\n", k, l.hash, l.ref.seconds, strconv.FormatFloat(l.ref.gamma, 'g', -1, 64), l.ref.status)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
