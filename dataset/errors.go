package dataset

import (
	"errors"
	"fmt"
	"math"
)

// Sentinel errors for data that cannot form a multiclass data set. They are
// wrapped, with the file and line, in a *ParseError.
var (
	ErrEmpty      = errors.New("dataset: no samples")
	ErrFewClasses = errors.New("dataset: fewer than two classes")
	ErrLabelGap   = errors.New("dataset: label gap")
	ErrRagged     = errors.New("dataset: ragged row")
	ErrNotNumber  = errors.New("dataset: not a number")
	ErrNotFinite  = errors.New("dataset: not finite")
	ErrBadLabel   = errors.New("dataset: label is not a non-negative integer")
	ErrTooLarge   = errors.New("dataset: too large")
)

// MaxValues is the largest number of feature values (n d) a data set may
// have: 2^28 float64 values, 2 GiB. Larger files are refused while they are
// read, with their size, rather than exhausting memory; the suite's solver
// and trainer need several times the data's memory besides.
const MaxValues = 1 << 28

// ParseError reports a problem in a data file: the file, the 1-based line
// (0 when the problem concerns the whole file) and the problem.
type ParseError struct {
	File string
	Line int
	Err  error
}

// Error returns "file:line: problem", or "file: problem" when Line is 0.
func (e *ParseError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

// Unwrap returns the underlying error, so that errors.Is finds the sentinel.
func (e *ParseError) Unwrap() error { return e.Err }

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
