package dataset

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// LoadCSV reads the data set in the named file; see ReadCSV for the format.
func LoadCSV(path string) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &ParseError{File: path, Err: err}
	}
	defer f.Close()
	return ReadCSV(f, path)
}

// ReadCSV reads a data set from r; name is the file name used in errors and as
// the data set's Name.
//
// Each record is one sample: d >= 1 feature columns, then the class label.
// Fields may be surrounded by spaces. The first record is a header, and is
// skipped, when its first field is not a number. Lines starting with '#' and
// empty lines are ignored. A label is a non-negative integer, written as such
// or as an integral decimal ("2" or "2.0"); features are finite float64
// values. Every problem is a *ParseError with the line number.
func ReadCSV(r io.Reader, name string) (*Dataset, error) {
	return readCSV(r, name, MaxValues)
}

// readCSV is ReadCSV with the size limit as a parameter, for tests.
func readCSV(r io.Reader, name string, maxValues int) (*Dataset, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	cr.ReuseRecord = true

	var (
		features []float64
		labels   []int
		d        = -1
		header   = false
		first    = true
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &ParseError{File: name, Line: pe.Line, Err: pe.Err}
			}
			return nil, &ParseError{File: name, Err: err}
		}
		// FieldPos is valid only after a successful Read.
		line, _ := cr.FieldPos(0)
		if first {
			first = false
			if _, err := strconv.ParseFloat(strings.TrimSpace(rec[0]), 64); err != nil {
				header = true
				d = len(rec) - 1
				if d < 1 {
					return nil, &ParseError{File: name, Line: line, Err: fmt.Errorf("%w: header has %d column, need features and a label", ErrRagged, len(rec))}
				}
				continue
			}
		}
		if d < 0 {
			d = len(rec) - 1
			if d < 1 {
				return nil, &ParseError{File: name, Line: line, Err: fmt.Errorf("%w: %d column, need at least one feature and a label", ErrRagged, len(rec))}
			}
		}
		if len(rec) != d+1 {
			return nil, &ParseError{File: name, Line: line, Err: fmt.Errorf("%w: %d fields, expected %d (%d features and a label)", ErrRagged, len(rec), d+1, d)}
		}
		if len(features)+d > maxValues {
			return nil, &ParseError{File: name, Line: line, Err: fmt.Errorf("%w: more than %d feature values at sample %d of %d features", ErrTooLarge, maxValues, len(labels)+1, d)}
		}
		for j, field := range rec[:d] {
			v, err := parseFeature(field)
			if err != nil {
				return nil, &ParseError{File: name, Line: line, Err: fmt.Errorf("column %d: %w", j+1, err)}
			}
			features = append(features, v)
		}
		c, err := parseLabel(rec[d])
		if err != nil {
			return nil, &ParseError{File: name, Line: line, Err: fmt.Errorf("column %d: %w", d+1, err)}
		}
		labels = append(labels, c)
	}
	if len(labels) == 0 {
		problem := ErrEmpty
		if header {
			problem = fmt.Errorf("%w: header line but no samples", ErrEmpty)
		}
		return nil, &ParseError{File: name, Err: problem}
	}
	k, err := classCount(labels)
	if err != nil {
		return nil, &ParseError{File: name, Err: err}
	}
	return &Dataset{Name: name, X: mat.NewDense(len(labels), d, features), Y: labels, K: k}, nil
}

func parseFeature(field string) (float64, error) {
	s := strings.TrimSpace(field)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%w: %q overflows float64", ErrNotFinite, s)
		}
		return 0, fmt.Errorf("%w: %q", ErrNotNumber, s)
	}
	if !isFinite(v) {
		return 0, fmt.Errorf("%w: %q", ErrNotFinite, s)
	}
	return v, nil
}

func parseLabel(field string) (int, error) {
	s := strings.TrimSpace(field)
	if c, err := strconv.Atoi(s); err == nil {
		if c < 0 {
			return 0, fmt.Errorf("%w: %q", ErrBadLabel, s)
		}
		return c, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v != math.Trunc(v) || v > math.MaxInt32 {
		return 0, fmt.Errorf("%w: %q", ErrBadLabel, s)
	}
	return int(v), nil
}

// WriteCSV writes ds in the format ReadCSV reads, without a header: each row
// the features, then the label. Features are written in the shortest form
// that reads back to the same float64, so that ReadCSV(WriteCSV(ds)) is
// exact.
func WriteCSV(w io.Writer, ds *Dataset) error {
	bw := bufio.NewWriter(w)
	n, _, _ := ds.Dims()
	var buf []byte
	for i := range n {
		buf = buf[:0]
		for _, v := range ds.X.RawRowView(i) {
			buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
			buf = append(buf, ',')
		}
		buf = strconv.AppendInt(buf, int64(ds.Y[i]), 10)
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}
