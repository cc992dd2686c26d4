package main

import (
	"errors"
	"io"
)

// runSolve is a placeholder until the solve command lands; it always fails.
func runSolve(args []string, stdout, stderr io.Writer) error {
	return errors.New("not implemented yet")
}
