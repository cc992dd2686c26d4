package verify

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"maxmargin/dataset"
)

// Job is one claim on one case.
type Job struct {
	Case  *Case
	Claim CaseClaim
}

// Jobs lists every claim of every case, in case order then the case file's
// claim order.
func Jobs(cases []*Case) []Job {
	var jobs []Job
	for _, c := range cases {
		for _, cc := range c.Claims {
			jobs = append(jobs, Job{Case: c, Claim: cc})
		}
	}
	return jobs
}

// Shard returns the i-th (1-based) of n interleaved slices of jobs: jobs
// j with j mod n == i-1. The n shards partition the jobs, so a batch
// scheduler's array job of n tasks covers every job exactly once.
func Shard(jobs []Job, i, n int) ([]Job, error) {
	if n < 1 || i < 1 || i > n {
		return nil, fmt.Errorf("verify: shard %d/%d: need 1 <= I <= N", i, n)
	}
	var out []Job
	for j, job := range jobs {
		if j%n == i-1 {
			out = append(out, job)
		}
	}
	return out, nil
}

// BareCase returns a case that checks the default claims on a CSV file.
func BareCase(path string) *Case {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	c := &Case{
		Name:        strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)),
		Path:        abs,
		Description: "default claims on " + path,
		Data:        Data{CSV: abs},
	}
	for _, name := range DefaultClaims() {
		c.Claims = append(c.Claims, CaseClaim{Claim: name})
	}
	return c
}

// caseState is a case's data set and references, computed once.
type caseState struct {
	once sync.Once
	ds   *dataset.Dataset
	refs References
	err  error
}

// Run checks jobs with the given number of parallel workers and returns the
// summary, with reports in job order whatever the parallelism. progress, if
// not nil, is called after each job (from one goroutine at a time). A
// cancelled context stops the run: finished reports are kept, unfinished
// jobs are reported as partial failures, and the summary is marked partial.
// It is RunJobs without a reference cache.
func Run(ctx context.Context, jobs []Job, workers int, opt Options, progress func(done, total int, r *Report)) *Summary {
	return RunJobs(ctx, jobs, RunSettings{Workers: workers, Options: opt, Progress: progress})
}

// RunSettings configure RunJobs.
type RunSettings struct {
	// Workers is the number of claims checked in parallel (at least 1).
	Workers int
	// Options tune each claim's run.
	Options Options
	// Cache, when not nil, supplies and keeps the certified references.
	Cache *ReferenceCache
	// Progress, if not nil, is called after each job (from one goroutine
	// at a time).
	Progress func(done, total int, r *Report)
}

// RunJobs is Run with a reference cache: it checks jobs with set.Workers
// parallel workers and returns the summary, with reports in job order
// whatever the parallelism, and Version set to FormatVersion. A case's data
// set and references are computed once, by the first of its jobs to start.
func RunJobs(ctx context.Context, jobs []Job, set RunSettings) *Summary {
	workers := max(1, set.Workers)
	states := map[*Case]*caseState{}
	for _, j := range jobs {
		if states[j.Case] == nil {
			states[j.Case] = &caseState{}
		}
	}
	reports := make([]*Report, len(jobs))
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
	)
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := jobs[i]
				st := states[j.Case]
				st.once.Do(func() {
					st.ds, st.err = j.Case.Dataset()
					if st.err == nil {
						st.refs, st.err = set.Cache.SolveReferences(st.ds, j.Case.References...)
					}
				})
				var r *Report
				switch {
				case st.err != nil:
					r = &Report{Case: j.Case.Name, Claim: Claim{Name: j.Claim.Claim}, Error: st.err.Error()}
				case ctx.Err() != nil:
					r = &Report{Case: j.Case.Name, Claim: Claim{Name: j.Claim.Claim}, Error: "not run: interrupted", Partial: true}
				default:
					r = CheckClaim(ctx, j.Case.Name, st.ds, st.refs, j.Claim, j.Case.Pins, set.Options)
				}
				reports[i] = r
				mu.Lock()
				done++
				if set.Progress != nil {
					set.Progress(done, len(jobs), r)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	return summarize(reports)
}

// summarize returns the summary of reports in job order: it passes when
// there is a report and every report passes, and is partial when a report
// is.
func summarize(reports []*Report) *Summary {
	s := &Summary{Version: FormatVersion, Reports: reports, Pass: len(reports) > 0}
	for _, r := range reports {
		s.Pass = s.Pass && r.Pass
		s.Partial = s.Partial || r.Partial
	}
	return s
}

// DefaultClaims returns the names of the claims checked on a bare data set:
// SignGD (Theorem 1) and the analysed Adam.
func DefaultClaims() []string { return []string{"signgd", "adam"} }
