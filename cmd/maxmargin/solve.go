package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver"
)

const solveSynopsis = "solve --norm NAME [--json] [--time-limit DUR] FILE.csv"

// solveJSON is the --json output of solve.
type solveJSON struct {
	File      string      `json:"file"`
	Norm      string      `json:"norm"`
	N         int         `json:"n"`
	D         int         `json:"d"`
	K         int         `json:"k"`
	Margin    float64     `json:"margin"`
	Lower     float64     `json:"lower"`
	Upper     *float64    `json:"upper"` // null when no dual certificate was found
	Certified bool        `json:"certified"`
	Separable bool        `json:"separable"`
	Weights   [][]float64 `json:"weights"`
	Duals     []dualJSON  `json:"duals"`
	Active    int         `json:"active"`
	Rows      int         `json:"rows"`
	Rounds    int         `json:"rounds"`
	Seconds   float64     `json:"seconds"`
}

// dualJSON is one dual weight lambda_ic.
type dualJSON struct {
	I      int     `json:"i"`
	C      int     `json:"c"`
	Weight float64 `json:"weight"`
}

// runSolve runs the solve command: the certified max-margin value of a data
// file under a norm. Exit status 0 for a certified separable result, 3 (an
// exitError) for data that are not linearly separable, and 1 for
// everything else, including a result that is not certified. SIGINT and
// SIGTERM stop the solve; on a terminal, progress goes to stderr.
func runSolve(args []string, stdout, stderr io.Writer) error {
	ctx, stop := signalContext()
	defer stop()
	var progress io.Writer
	if isTerminal(stderr) {
		progress = stderr
	}
	return solve(ctx, args, stdout, stderr, progress)
}

// solve parses args and solves under ctx, writing progress lines to
// progress (nil for none). When the time limit or ctx ends the solve, the
// best certified interval found so far is printed as the result (not
// certified; [0, +Inf) when none was found, as gamma_N >= 0 always holds)
// and the error says why the solve stopped.
func solve(ctx context.Context, args []string, stdout, stderr, progress io.Writer) error {
	fs := flag.NewFlagSet("solve", flag.ContinueOnError)
	name := fs.String("norm", "", "norm: max, sum, opinf, op1 (LP), fro, spectral, nuclear or l<p> such as l1.5 (required)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	var limit time.Duration
	fs.DurationVar(&limit, "time-limit", 0, "stop after this long (Go duration, e.g. 30s or 2m) and print the best certified interval found; 0 means no limit")
	fs.DurationVar(&limit, "timeout", 0, "the same as --time-limit")
	pos, err := parseFlags(fs, args, stderr, solveSynopsis)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("need exactly one data file, got %d arguments (usage: maxmargin %s)", len(pos), solveSynopsis)
	}
	if *name == "" {
		return fmt.Errorf("--norm is required (usage: maxmargin %s)", solveSynopsis)
	}
	if limit < 0 {
		return fmt.Errorf("--time-limit %v is negative", limit)
	}
	n, err := norm.ByName(*name)
	if err != nil {
		return err
	}
	ds, err := dataset.LoadCSV(pos[0])
	if err != nil {
		return err
	}
	set := &solver.Settings{Timeout: limit}
	var pp *progressPrinter
	if progress != nil {
		pp = newProgressPrinter(progress, time.Now)
		set.Progress = pp.update
	}
	res, err := solver.MaxMarginContext(ctx, ds, n, set)
	pp.clear()
	if err != nil {
		var se *solver.StatusError
		if !errors.As(err, &se) {
			return err
		}
		if res == nil {
			// No interval was certified yet: gamma_N >= 0 is all that is
			// known.
			_, d, k := ds.Dims()
			res = &solver.Result{Norm: n.Name(), Upper: math.Inf(1), W: mat.NewDense(k, d, nil), Tolerance: set.Tolerance}
		}
		res.Certified = false
		if werr := writeSolve(stdout, *asJSON, pos[0], ds, res); werr != nil {
			return werr
		}
		return fmt.Errorf("%s: best certified interval gamma_%s in [%.17g, %.17g]", stopReason(se, limit), res.Norm, res.Lower, res.Upper)
	}
	if err := writeSolve(stdout, *asJSON, pos[0], ds, res); err != nil {
		return err
	}
	switch {
	case !res.Certified:
		return fmt.Errorf("not certified: gamma_%s in [%.17g, %.17g], wider than the tolerance %g", res.Norm, res.Lower, res.Upper, res.Tolerance)
	case !res.Separable:
		return &exitError{code: 3, msg: fmt.Sprintf("%s: not linearly separable (gamma_%s <= %.3g, certified)", pos[0], res.Norm, res.Upper)}
	}
	return nil
}

// stopReason says why a solve ended with the status error se.
func stopReason(se *solver.StatusError, limit time.Duration) string {
	switch se.Status {
	case "CANCELLED":
		return "interrupted"
	case "TIMEOUT":
		if limit == 0 {
			return "deadline reached"
		}
		return fmt.Sprintf("time limit %v reached", limit)
	}
	return se.Error()
}

// writeSolve writes res as JSON or as text.
func writeSolve(w io.Writer, asJSON bool, file string, ds *dataset.Dataset, res *solver.Result) error {
	if asJSON {
		return writeSolveJSON(w, file, ds, res)
	}
	writeSolveText(w, file, ds, res)
	return nil
}

func writeSolveText(w io.Writer, file string, ds *dataset.Dataset, res *solver.Result) {
	n, d, k := ds.Dims()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "file\t%s\n", file)
	fmt.Fprintf(tw, "norm\t%s\n", res.Norm)
	fmt.Fprintf(tw, "n, d, k\t%d, %d, %d\n", n, d, k)
	fmt.Fprintf(tw, "margin\t%.12g\n", res.Margin)
	fmt.Fprintf(tw, "certified interval\t[%.17g, %.17g]\n", res.Lower, res.Upper)
	fmt.Fprintf(tw, "certified\t%v\n", res.Certified)
	separable := "yes"
	if !res.Separable {
		separable = "no: not linearly separable"
	}
	fmt.Fprintf(tw, "separable\t%s\n", separable)
	fmt.Fprintf(tw, "active constraints\t%d (working set %d of %d, %d LP solves)\n", len(res.Lambda), res.Rows, n*(k-1), res.Rounds)
	fmt.Fprintf(tw, "seconds\t%.3f\n", res.Seconds)
	tw.Flush()
	if res.Separable {
		fmt.Fprintln(w, "weights (one row per class, N(W) = 1):")
		for c := range k {
			row := make([]string, d)
			for l, v := range res.W.RawRowView(c) {
				row[l] = fmt.Sprintf("%.6g", v)
			}
			fmt.Fprintf(w, "  %d: %s\n", c, strings.Join(row, " "))
		}
	}
}

func writeSolveJSON(w io.Writer, file string, ds *dataset.Dataset, res *solver.Result) error {
	n, d, k := ds.Dims()
	out := solveJSON{
		File: file, Norm: res.Norm, N: n, D: d, K: k,
		Margin: res.Margin, Lower: res.Lower, Certified: res.Certified, Separable: res.Separable,
		Active: len(res.Lambda), Rows: res.Rows, Rounds: res.Rounds, Seconds: res.Seconds,
		Weights: make([][]float64, k), Duals: make([]dualJSON, len(res.Lambda)),
	}
	if !math.IsInf(res.Upper, 0) {
		out.Upper = &res.Upper
	}
	for c := range k {
		out.Weights[c] = append([]float64(nil), res.W.RawRowView(c)...)
	}
	for j, p := range res.Lambda {
		out.Duals[j] = dualJSON{I: p.I, C: p.C, Weight: p.Weight}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
