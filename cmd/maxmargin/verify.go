package main

import (
	"errors"
	"io"
)

// runVerify is a placeholder until the verify command lands; it always fails.
func runVerify(args []string, stdout, stderr io.Writer) error {
	return errors.New("not implemented yet")
}
