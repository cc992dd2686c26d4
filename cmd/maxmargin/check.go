package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"maxmargin/verify"
)

// runCheck implements `maxmargin check --claim NAME [--case FILE.json]
// [--standardize] [--steps T] [--json] [--report DIR] [DATA.csv] TRAJ`: the
// checks of a claim on a trajectory made elsewhere (verify.FileSource).
func runCheck(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	claimName := fs.String("claim", "", "the claim to check: a built-in claim, or one that --case defines")
	casePath := fs.String("case", "", "take the data, the claim (built-in or defined), the references and the pins from this case file")
	standardize := fs.Bool("standardize", false, "z-score the CSV's features first (as a case's \"standardize\": true)")
	steps := fs.Int("steps", 0, "the run's steps, for a .npy trajectory on the trainer's checkpoint schedule (default: the claim's)")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	reportDir := fs.String("report", "", "write a Markdown report with plots to this folder")
	synopsis := "check --claim NAME [--case FILE.json | DATA.csv] [--json] [--report DIR] TRAJ.{jsonl,npz,npy}"
	pos, err := parseFlags(fs, args, stderr, synopsis)
	if err != nil {
		return err
	}
	if *claimName == "" {
		return errors.New("--claim is required (see 'maxmargin check -h')")
	}
	if *steps < 0 {
		return fmt.Errorf("--steps %d must be positive", *steps)
	}

	var (
		c     *verify.Case
		cc    verify.CaseClaim
		found bool
	)
	switch {
	case *casePath != "" && len(pos) == 1:
		if c, err = verify.LoadCase(*casePath); err != nil {
			return err
		}
		if *standardize {
			return errors.New("--standardize applies to a CSV; the case file says whether to standardize")
		}
		for _, x := range c.Claims {
			if x.Claim == *claimName {
				cc, found = x, true
			}
		}
		if !found {
			// A built-in claim the case does not list: checked on the case's
			// data without its skips.
			cc = verify.CaseClaim{Claim: *claimName}
		}
	case *casePath == "" && len(pos) == 2:
		c = verify.BareCase(pos[0])
		c.Data.Standardize = *standardize
		cc = verify.CaseClaim{Claim: *claimName}
	default:
		return fmt.Errorf("want DATA.csv TRAJ, or --case FILE.json TRAJ; got %d arguments", len(pos))
	}
	claim, err := cc.Resolve()
	if err != nil {
		return err
	}
	if *steps > 0 {
		cc.Steps = *steps
	}
	ds, err := c.Dataset()
	if err != nil {
		return err
	}
	refs, err := verify.SolveReferences(ds, referenceNorms(c, claim)...)
	if err != nil {
		return err
	}
	var pins *verify.Pins
	if found {
		pins = c.Pins
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	traj := pos[len(pos)-1]
	r := verify.CheckClaim(ctx, c.Name, ds, refs, cc, pins, verify.Options{Source: verify.FileSource{Path: traj}})
	if r.Error != "" && len(r.Checks) == 0 {
		return errors.New(r.Error)
	}
	s := &verify.Summary{Reports: []*verify.Report{r}, Pass: r.Pass, Partial: r.Partial}
	if *reportDir != "" {
		if err := verify.WriteReport(*reportDir, s); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
		fmt.Fprintf(stderr, "report written to %s/report.md\n", *reportDir)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(s); err != nil {
			return err
		}
	} else {
		fmt.Fprint(stdout, s.Table())
		for _, ch := range r.Checks {
			fmt.Fprintf(stdout, "  %-12s %-7s %s\n", ch.Name, ch.Verdict(), ch.Detail)
		}
	}
	switch {
	case r.Partial:
		return errors.New("interrupted: the results are partial")
	case !r.Pass:
		return fmt.Errorf("claim %s failed on %s", claim.Name, traj)
	}
	return nil
}

// referenceNorms returns the norms whose references the check needs: the
// case's, or the defaults, with the claim's own norm added.
func referenceNorms(c *verify.Case, claim verify.Claim) []string {
	names := slices.Clone(c.References)
	if len(names) == 0 {
		names = verify.DefaultReferenceNorms()
	}
	if !slices.Contains(names, claim.Norm) {
		names = append(names, claim.Norm)
	}
	return names
}
