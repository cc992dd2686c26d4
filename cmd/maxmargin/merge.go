package main

import (
	"errors"
	"flag"
	"io"

	"maxmargin/verify"
)

const mergeSynopsis = "merge SHARD.json ... [--report DIR] [--json]"

// runMerge implements `maxmargin merge SHARD.json ... [--report DIR]
// [--json]`: it joins the outputs of `verify --shard I/N --json` into the
// whole run's report, table or JSON and verdict, the same bytes as the run
// done serially (the report's generation time aside). Missing or duplicate
// shards and shards of different runs are errors naming the file.
func runMerge(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the merged JSON instead of the table")
	reportDir := fs.String("report", "", "write the Markdown report with plots to this folder")
	files, err := parseFlags(fs, args, stderr, mergeSynopsis)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return errors.New("no shard outputs given (usage: maxmargin " + mergeSynopsis + ")")
	}
	shards := make([]*verify.Summary, len(files))
	for i, f := range files {
		if shards[i], err = verify.ReadSummary(f); err != nil {
			return err
		}
	}
	s, err := verify.Merge(shards, files)
	if err != nil {
		return err
	}
	return finishVerify(s, *reportDir, *asJSON, stdout, stderr)
}
