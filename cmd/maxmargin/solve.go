package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver"
)

const solveSynopsis = "solve --norm NAME [--json] [--timeout DUR] FILE.csv"

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
// file under a norm. Exit status 0 for a certified separable
// result, 3 (an exitError) for data that are not linearly separable, and 1
// for everything else, including a result that is not certified.
func runSolve(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("solve", flag.ContinueOnError)
	name := fs.String("norm", "", "norm: max, sum, opinf, op1 (LP), fro, spectral, nuclear or l<p> such as l1.5 (required)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	timeout := fs.Duration("timeout", 0, "give up after this long (e.g. 30s); 0 means no limit")
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
	if *timeout < 0 {
		return fmt.Errorf("--timeout %v is negative", *timeout)
	}
	n, err := norm.ByName(*name)
	if err != nil {
		return err
	}
	ds, err := dataset.LoadCSV(pos[0])
	if err != nil {
		return err
	}
	res, err := solver.MaxMargin(ds, n, &solver.Settings{Timeout: *timeout})
	if err != nil {
		return err
	}
	if *asJSON {
		if err := writeSolveJSON(stdout, pos[0], ds, res); err != nil {
			return err
		}
	} else {
		writeSolveText(stdout, pos[0], ds, res)
	}
	switch {
	case !res.Certified:
		return fmt.Errorf("not certified: gamma_%s in [%.17g, %.17g], wider than the tolerance %g", res.Norm, res.Lower, res.Upper, res.Tolerance)
	case !res.Separable:
		return &exitError{code: 3, msg: fmt.Sprintf("%s: not linearly separable (gamma_%s <= %.3g, certified)", pos[0], res.Norm, res.Upper)}
	}
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
