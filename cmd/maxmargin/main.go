// Command maxmargin solves, trains and verifies: it computes certified
// max-margin references (solve), runs the paper's optimizers (train), and
// checks the implicit-bias theorems on case files (verify). It is a thin layer
// over the packages dataset, norm, solver, trainer and verify.
//
// Exit status: 0 on success; 1 on bad input, bad flags or a failure, with one
// line on stderr; 3 when solve finds the data not linearly separable.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one subcommand of the CLI.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

// commands lists the subcommands in the order the usage text shows them.
func commands() []command {
	return []command{
		{"solve", "certified max-margin value and classifier of a data set", runSolve},
		{"train", "run an optimizer and record its trajectory", runTrain},
		{"verify", "check the implicit-bias claims on case files or data sets", runVerify},
		{"merge", "join the outputs of verify --shard I/N --json into one report", runMerge},
		{"check", "check a claim on a trajectory file made elsewhere (JSON Lines, .npz, .npy)", runCheck},
	}
}

// exitError carries an exit status other than 1 together with its message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the exit status. Errors are
// printed as one line on stderr.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 1
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(args[1:], stdout, stderr)
		if err == nil {
			return 0
		}
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "maxmargin %s: %s\n", c.name, oneLine(err.Error()))
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return 1
	}
	fmt.Fprintf(stderr, "maxmargin: unknown command %q (try 'maxmargin help')\n", args[0])
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: maxmargin COMMAND [flags] [args]")
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "Run 'maxmargin COMMAND -h' for a command's flags.")
}

// oneLine folds a multi-line message into one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// parseFlags parses args with fs, allowing flags after positional arguments
// (maxmargin solve data.csv --norm max), and returns the positional
// arguments. A lone "--" ends flag parsing. On -h or --help it writes the
// usage line "maxmargin SYNOPSIS" and the flags to stderr and returns
// flag.ErrHelp, which run turns into exit status 0.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer, synopsis string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printDefaults(fs, stderr, synopsis)
				return nil, err
			}
			return nil, fmt.Errorf("%v (see 'maxmargin %s -h')", err, fs.Name())
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// printDefaults writes fs's flags to w, for -h.
func printDefaults(fs *flag.FlagSet, w io.Writer, synopsis string) {
	fmt.Fprintf(w, "usage: maxmargin %s\n", synopsis)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}
