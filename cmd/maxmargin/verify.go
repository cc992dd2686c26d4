package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"maxmargin/verify"
)

// runVerify implements `maxmargin verify [--cases DIR] [FILE.csv ...] [--json]
// [--report DIR] [--shard I/N] [--workers N] [--step-scale F]`.
func runVerify(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	casesDir := fs.String("cases", "", "folder of case files (*.json); default cases/ when no CSV is given")
	asJSON := fs.Bool("json", false, "print one JSON object with every claim's checks and figures")
	reportDir := fs.String("report", "", "write a Markdown report with plots to this folder")
	shard := fs.String("shard", "", "run only the I-th of N slices of the jobs, as I/N")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "claims checked in parallel")
	stepScale := fs.Float64("step-scale", 1, "multiply every step budget (a quick look: 0.1)")
	cacheDir := fs.String("cache", defaultCacheDir(), "folder of the certified-reference cache (shared by shards and reruns)")
	noCache := fs.Bool("no-cache", false, "solve every reference, neither reading nor writing the cache")
	files, err := parseFlags(fs, args, stderr, "verify [--cases DIR] [FILE.csv ...] [--json] [--report DIR] [--shard I/N] [--cache DIR | --no-cache]")
	if err != nil {
		return err
	}
	if *workers < 1 {
		return fmt.Errorf("--workers must be at least 1, got %d", *workers)
	}
	if !(*stepScale > 0) || *stepScale > 100 {
		return fmt.Errorf("--step-scale must be in (0, 100], got %v", *stepScale)
	}

	var cases []*verify.Case
	if *casesDir != "" || len(files) == 0 {
		dir := *casesDir
		if dir == "" {
			dir = "cases"
		}
		cs, err := verify.LoadCases(dir)
		if err != nil {
			return err
		}
		cases = append(cases, cs...)
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".json") {
			c, err := verify.LoadCase(f)
			if err != nil {
				return err
			}
			cases = append(cases, c)
			continue
		}
		c := verify.BareCase(f)
		if _, err := c.Dataset(); err != nil {
			return err
		}
		cases = append(cases, c)
	}
	opt := verify.Options{StepScale: *stepScale}
	plan, err := verify.PlanOf(cases, opt)
	if err != nil {
		return err
	}
	build, err := buildID()
	if err != nil {
		return err
	}
	jobs := verify.Jobs(cases)
	var shardID *verify.ShardID
	if *shard != "" {
		i, n, err := parseShard(*shard)
		if err != nil {
			return err
		}
		if jobs, err = verify.Shard(jobs, i, n); err != nil {
			return err
		}
		shardID = &verify.ShardID{I: i, N: n}
	}
	var cache *verify.ReferenceCache
	if !*noCache && *cacheDir != "" {
		cache = &verify.ReferenceCache{Dir: *cacheDir, Build: build}
	}

	ctx, stop := signalContext()
	defer stop()
	progress := func(done, total int, r *verify.Report) {
		fmt.Fprintf(stderr, "[%d/%d] %s on %s: %s\n", done, total, r.Claim.Name, r.Case, r.Verdict())
	}
	s := verify.RunJobs(ctx, jobs, verify.RunSettings{Workers: *workers, Options: opt, Cache: cache, Progress: progress})
	s.Build, s.Plan, s.Shard = build, plan, shardID
	if cache != nil {
		hits, solved := cache.Counts()
		fmt.Fprintf(stderr, "references: %d from the cache in %s, %d solved\n", hits, cache.Dir, solved)
		if err := cache.StoreError(); err != nil {
			fmt.Fprintf(stderr, "maxmargin verify: warning: the reference cache was not written: %v\n", err)
		}
	}

	return finishVerify(s, *reportDir, *asJSON, stdout, stderr)
}

// finishVerify writes the report of s to reportDir (when not empty), prints
// s as JSON or as a table, and returns the run's verdict as an error: verify
// and merge end alike.
func finishVerify(s *verify.Summary, reportDir string, asJSON bool, stdout, stderr io.Writer) error {
	if reportDir != "" {
		if err := verify.WriteReport(reportDir, s); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
		fmt.Fprintf(stderr, "report written to %s/report.md\n", reportDir)
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(s); err != nil {
			return err
		}
	} else {
		fmt.Fprint(stdout, s.Table())
	}
	switch {
	case s.Partial:
		return errors.New("interrupted: the results are partial")
	case !s.Pass:
		failed := 0
		for _, r := range s.Reports {
			if !r.Pass {
				failed++
			}
		}
		return fmt.Errorf("%d of %d claims failed", failed, len(s.Reports))
	}
	return nil
}

// defaultCacheDir returns the reference cache's default folder,
// $XDG_CACHE_HOME/maxmargin/references (os.UserCacheDir: ~/.cache on
// Linux), or "" (no cache) when the user has no cache folder.
func defaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "maxmargin", "references")
}

// buildID returns the hex SHA-256 of the running executable: the reference
// cache and merge tell builds apart by it.
func buildID() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("identifying the program: %w", err)
	}
	f, err := os.Open(exe)
	if err != nil {
		return "", fmt.Errorf("identifying the program: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("identifying the program: %s: %w", exe, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// parseShard parses "I/N".
func parseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		i, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("--shard %q: want I/N with 1 <= I <= N", s)
	}
	return i, n, nil
}
