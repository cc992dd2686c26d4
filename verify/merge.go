package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Plan identifies a verification run: its number of jobs and a digest of
// everything that decides their reports besides the program itself.
type Plan struct {
	// Jobs is the number of (case, claim) jobs of the whole run.
	Jobs int `json:"jobs"`
	// Digest is the hex SHA-256 of FormatVersion, the options that change
	// results (step scale, gradient) and, per case in order, its name, its
	// case file's content as parsed (data source, references, claims,
	// pins) with a CSV path replaced by the SHA-256 of the CSV file's
	// bytes, and the SHA-256 of every file an external optimizer's command
	// names (its program and the arguments that are files, such as its
	// script; see hashCommandFiles): shards run on different machines agree
	// when their inputs do, wherever the files lie, and a script changed
	// between shards gives another plan, which Merge refuses. What such a
	// program loads in turn (Python modules, torch) is not hashed: keep it
	// fixed, as the container image of deploy/ does.
	Digest string `json:"digest"`
}

// ShardID is the slice I of N (1 <= I <= N) of a plan's jobs: the jobs j
// (0-based, in Jobs order) with j mod N == I-1 (see Shard).
type ShardID struct {
	I int `json:"i"`
	N int `json:"n"`
}

// String returns "I/N".
func (s ShardID) String() string { return fmt.Sprintf("%d/%d", s.I, s.N) }

// PlanOf returns the plan of checking every claim of cases with opt.
// Options.Mutate, a test hook, is not part of the digest.
func PlanOf(cases []*Case, opt Options) (*Plan, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00step-scale %x\x00gradient %v\x00", FormatVersion, math.Float64bits(opt.StepScale), opt.Gradient)
	jobs := 0
	for _, c := range cases {
		cc := *c
		if cc.Data.CSV != "" {
			p := cc.Data.CSV
			if !filepath.IsAbs(p) {
				p = filepath.Join(filepath.Dir(c.Path), p)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			sum := sha256.Sum256(b)
			cc.Data.CSV = "sha256:" + hex.EncodeToString(sum[:])
		}
		b, err := json.Marshal(&cc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Path, err)
		}
		fmt.Fprintf(h, "case %q\x00%s\x00", c.Name, b)
		for _, x := range c.Claims {
			if x.Define == nil || len(x.Define.Command) == 0 {
				continue
			}
			if err := hashCommandFiles(h, x.Define.Command, filepath.Dir(c.Path)); err != nil {
				return nil, fmt.Errorf("%s: claim %q: %w", c.Path, x.Claim, err)
			}
		}
		jobs += len(c.Claims)
	}
	return &Plan{Jobs: jobs, Digest: hex.EncodeToString(h.Sum(nil))}, nil
}

// hashCommandFiles writes to h the SHA-256 of every file an external
// optimizer's command names, as CommandSource runs it in dir: the program
// (looked up in PATH when its name has no slash, else relative to dir) and
// every argument that names a regular file relative to dir (a script, its
// settings). Other arguments are only words, already in the case's JSON.
// A program that cannot be found is left to fail when it runs.
func hashCommandFiles(h io.Writer, argv []string, dir string) error {
	for i, arg := range argv {
		p := arg
		switch {
		case i == 0 && !strings.ContainsRune(arg, filepath.Separator):
			found, err := exec.LookPath(arg)
			if err != nil {
				continue
			}
			p = found
		case !filepath.IsAbs(p):
			p = filepath.Join(dir, p)
		}
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		fmt.Fprintf(h, "argv %d %q sha256:%x\x00", i, arg, sum)
	}
	return nil
}

// ErrMerge is wrapped by every error of Merge and ReadSummary.
var ErrMerge = errors.New("verify: cannot merge")

// ReadSummary reads a summary written as JSON (verify --json); errors name
// the file.
func ReadSummary(path string) (*Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", path, ErrMerge, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var s Summary
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s:%d: %w: %v", path, jsonLine(b, err), ErrMerge, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: %w: more than one JSON value", path, ErrMerge)
	}
	return &s, nil
}

// Merge joins the summaries of the N shards of one run (names[i] names
// shards[i] in errors, typically its file) into the summary of the whole
// run: the reports in job order, each report's verdict computed again from
// its checks (a check marked skipped counts for nothing, whatever its
// "pass" says), the run's verdict and partial mark computed as Run computes
// them, and Version, Build and Plan of the shards. Its JSON
// and its report are those of the same run done serially, byte for byte
// (the report's generation time aside).
//
// A summary without Shard counts as shard 1/1, so merging one serial output
// rebuilds its report. Merge returns an error wrapping ErrMerge, naming the
// file, when a summary has another FormatVersion or no plan, when the
// shards disagree on build, plan or N (shards of different case sets,
// options or programs), when two files hold the same shard (duplicate
// jobs), when a shard holds the wrong number of reports, and when shards
// are missing (listed): a verdict on fewer jobs than the plan's would be
// wrong, so the missing shards must be run again first.
func Merge(shards []*Summary, names []string) (*Summary, error) {
	if len(shards) == 0 {
		return nil, fmt.Errorf("%w: no shard outputs", ErrMerge)
	}
	if len(names) != len(shards) {
		panic("verify: Merge needs one name per summary")
	}
	shardOf := func(s *Summary) ShardID {
		if s.Shard == nil {
			return ShardID{I: 1, N: 1}
		}
		return *s.Shard
	}
	for i, s := range shards {
		switch id := shardOf(s); {
		case s.Version != FormatVersion:
			return nil, fmt.Errorf("%s: %w: format %q, this program reads %q", names[i], ErrMerge, s.Version, FormatVersion)
		case s.Plan == nil || s.Plan.Jobs < 0:
			return nil, fmt.Errorf("%s: %w: no plan (not the output of verify --json)", names[i], ErrMerge)
		case id.N < 1 || id.I < 1 || id.I > id.N:
			return nil, fmt.Errorf("%s: %w: bad shard %s", names[i], ErrMerge, id)
		}
	}
	first := shards[0]
	jobs, n := first.Plan.Jobs, shardOf(first).N
	owner := map[int]string{}
	for i, s := range shards {
		id := shardOf(s)
		switch {
		case s.Build != first.Build:
			return nil, fmt.Errorf("%s: %w: built by %q, %s by %q", names[i], ErrMerge, s.Build, names[0], first.Build)
		case *s.Plan != *first.Plan:
			return nil, fmt.Errorf("%s: %w: another case set, options or external optimizer files (plan %d jobs %.12s, %s has %d jobs %.12s)",
				names[i], ErrMerge, s.Plan.Jobs, s.Plan.Digest, names[0], jobs, first.Plan.Digest)
		case id.N != n:
			return nil, fmt.Errorf("%s: %w: shard %s of %d shards, %s is of %d", names[i], ErrMerge, id, id.N, names[0], n)
		case owner[id.I] != "":
			return nil, fmt.Errorf("%s: %w: shard %s again (also in %s)", names[i], ErrMerge, id, owner[id.I])
		}
		owner[id.I] = names[i]
		want := 0
		if jobs >= id.I {
			want = (jobs-id.I)/n + 1
		}
		if len(s.Reports) != want {
			return nil, fmt.Errorf("%s: %w: shard %s holds %d reports, the plan's %d jobs give it %d",
				names[i], ErrMerge, id, len(s.Reports), jobs, want)
		}
		for m, r := range s.Reports {
			if err := r.drawable(); err != nil {
				return nil, fmt.Errorf("%s: %w: report %d: %v", names[i], ErrMerge, m+1, err)
			}
		}
	}
	if len(owner) < n {
		var missing []string
		for i := 1; i <= n && len(missing) < 10; i++ {
			if owner[i] == "" {
				missing = append(missing, ShardID{I: i, N: n}.String())
			}
		}
		if n-len(owner) > len(missing) {
			missing = append(missing, fmt.Sprintf("... (%d in all)", n-len(owner)))
		}
		return nil, fmt.Errorf("%w: missing shard(s) %s of %d jobs; run them and merge again", ErrMerge, strings.Join(missing, ", "), jobs)
	}
	// Every shard is there with its count of reports: jobs is their sum.
	reports := make([]*Report, jobs)
	for _, s := range shards {
		id := shardOf(s)
		for m, r := range s.Reports {
			// The verdict is the checks', not the file's word.
			rc := *r
			rc.Pass = rc.passes()
			reports[id.I-1+m*n] = &rc
		}
	}
	out := summarize(reports)
	plan := *first.Plan
	out.Build, out.Plan = first.Build, &plan
	return out, nil
}

// drawable returns an error unless WriteReport can draw r: a report read
// from a file may be malformed.
func (r *Report) drawable() error {
	if r == nil {
		return errors.New("null report")
	}
	for name, s := range r.Series {
		if len(s.Gap) != len(s.T) {
			return fmt.Errorf("series %s has %d steps and %d gaps", name, len(s.T), len(s.Gap))
		}
		if c, ok := r.Correlation[name]; ok && len(c) != len(s.T) {
			return fmt.Errorf("series %s has %d steps and %d correlations", name, len(s.T), len(c))
		}
	}
	for name := range r.Correlation {
		if _, ok := r.Series[name]; !ok {
			return fmt.Errorf("correlation %s without a series", name)
		}
	}
	if len(r.Series) > 0 && r.Claim.Rate.Kind != "" {
		if err := r.Claim.Rate.validate(); err != nil {
			return err
		}
	}
	return nil
}
