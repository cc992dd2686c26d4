package main

import (
	"errors"
	"io"
)

// runTrain is a placeholder until the train command lands; it always fails.
func runTrain(args []string, stdout, stderr io.Writer) error {
	return errors.New("not implemented yet")
}
