package verify

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
	"codeberg.org/sbinet/npyio/npz"
	"gonum.org/v1/gonum/mat"

	"maxmargin/trainer"
)

// Iterate is one checkpoint of a trajectory: the k×d classifier W after T
// updates (T = 0 is the starting point W_0).
type Iterate struct {
	T int
	W *mat.Dense
}

// ErrTrajectory is wrapped by every error about a trajectory: a file, a
// command's output or iterates given in Go.
var ErrTrajectory = errors.New("verify: bad trajectory")

// errNoCheckpoints is wrapped, with ErrTrajectory, by the error of an empty
// trajectory.
var errNoCheckpoints = errors.New("no checkpoints")

// maxTrajectoryValues bounds the numbers a trajectory may hold (as the CSV
// reader bounds a data set), so that a huge or lying header is refused
// before it is allocated.
const maxTrajectoryValues = 1 << 28

// ReadTrajectory reads a trajectory in JSON Lines from r: one JSON object per
// checkpoint and line,
//
//	{"t": 100, "W": [[w_11, ..., w_1d], ..., [w_k1, ..., w_kd]]}
//
// where t is the number of updates done (an integer >= 0; t = 0 is W_0) and W
// the classifier after them, k rows (one per class, in label order) of d
// numbers (one per feature, in the data's column order). Other fields are
// ignored, blank lines are skipped. Checkpoints must come in strictly
// increasing t: a duplicate or smaller t is an error, since a trajectory that
// goes back (two runs concatenated, say) cannot be checked as one. W must
// have exactly k rows of d finite numbers (k, d > 0; NaN and Infinity, which
// JSON cannot hold but Python's json module writes, are reported as not
// finite). An empty trajectory is an error. Errors wrap ErrTrajectory and name
// name and the line: "name:LINE: problem".
func ReadTrajectory(r io.Reader, name string, k, d int) ([]Iterate, error) {
	sc := bufio.NewScanner(r)
	// A number takes at most 24 characters plus a separator in JSON.
	sc.Buffer(make([]byte, 0, 64*1024), max(1<<20, 32*k*d+4096))
	var its []Iterate
	line := 0
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s:%d: %w: %s", name, line, ErrTrajectory, fmt.Sprintf(format, args...))
	}
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var rec struct {
			T *json.Number `json:"t"`
			W [][]float64  `json:"W"`
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&rec); err != nil {
			if nonFiniteToken(b) {
				return nil, bad("W is not finite (NaN or Infinity)")
			}
			return nil, bad("not a JSON object {\"t\": step, \"W\": [[...], ...]}: %v", err)
		}
		if dec.More() {
			return nil, bad("more than one JSON value on the line")
		}
		if rec.T == nil {
			return nil, bad(`no "t"`)
		}
		t, err := stepOf(string(*rec.T))
		if err != nil {
			return nil, bad("%v", err)
		}
		if rec.W == nil {
			return nil, bad(`t = %d: no "W"`, t)
		}
		w, err := matrixOf(rec.W, k, d)
		if err != nil {
			return nil, bad("t = %d: %v", t, err)
		}
		if n := len(its); n > 0 && t <= its[n-1].T {
			return nil, bad("t = %d after t = %d: checkpoints must come in strictly increasing t", t, its[n-1].T)
		}
		its = append(its, Iterate{T: t, W: w})
		if len(its)*k*d > maxTrajectoryValues {
			return nil, bad("more than %d numbers", maxTrajectoryValues)
		}
	}
	if err := sc.Err(); err != nil {
		line++
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, bad("line longer than %d bytes, too long for a %d×%d W", max(1<<20, 32*k*d+4096), k, d)
		}
		return nil, fmt.Errorf("%s: %w: %v", name, ErrTrajectory, err)
	}
	if len(its) == 0 {
		return nil, fmt.Errorf("%s: %w: %w", name, ErrTrajectory, errNoCheckpoints)
	}
	return its, nil
}

// nonFiniteToken reports whether a JSON line holds Python's NaN or Infinity
// tokens.
func nonFiniteToken(b []byte) bool {
	return bytes.Contains(b, []byte("NaN")) || bytes.Contains(b, []byte("Infinity"))
}

// stepOf parses a step: an integer in [0, 2^53], written as an integer or an
// integral number (100, 100.0, 1e2).
func stepOf(s string) (int, error) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil && i >= 0 && i <= 1<<53 {
		return int(i), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1<<53 || f != math.Trunc(f) {
		return 0, fmt.Errorf("t = %s is not an integer step >= 0", s)
	}
	return int(f), nil
}

// matrixOf checks that rows are k rows of d finite numbers and returns them
// as a matrix.
func matrixOf(rows [][]float64, k, d int) (*mat.Dense, error) {
	if len(rows) != k {
		return nil, fmt.Errorf("W has %d rows, the data have %d classes", len(rows), k)
	}
	w := mat.NewDense(k, d, nil)
	for i, row := range rows {
		if len(row) != d {
			return nil, fmt.Errorf("W row %d has %d numbers, the data have %d features", i+1, len(row), d)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("W[%d][%d] = %v is not finite", i+1, j+1, v)
			}
		}
		w.SetRow(i, row)
	}
	return w, nil
}

// LoadTrajectory reads the trajectory file path of a problem with k classes
// and d features. The extension selects the format:
//
//	.jsonl, .json, .ndjson  JSON Lines (ReadTrajectory)
//	.npz           NumPy archive with arrays t (m integer steps) and W
//	               (m×k×d), as written by numpy.savez(path, t=t, W=W)
//	.npy           one NumPy array W of shape m×k×d whose checkpoints are the
//	               trainer's schedule trainer.Checkpoints(steps, 0) (m must
//	               be its length)
//
// The NumPy arrays may be float64, float32 or integers, in C or Fortran
// order. float32 values are read exactly, but their rounding (relative
// 2^-24) exceeds the 1e-12 slack of the path-length inequality (MATH.md
// section 6, item 4): a normalized optimizer's float32 iterates fail it at
// t = 1 (max(W_1) = float32(0.1) > 0.1, measured). Save float64. Every format is held to ReadTrajectory's rules (steps strictly
// increasing, shapes, finite values); errors wrap ErrTrajectory and name the
// file (and, for JSON Lines, the line; for NumPy, the checkpoint's index).
func LoadTrajectory(path string, k, d, steps int) ([]Iterate, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".jsonl", ".json", ".ndjson":
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrTrajectory, err)
		}
		defer f.Close()
		return ReadTrajectory(f, path, k, d)
	case ".npz":
		return loadNPZ(path, k, d)
	case ".npy":
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrTrajectory, err)
		}
		defer f.Close()
		w, shape, err := readNPY(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %v", path, ErrTrajectory, err)
		}
		schedule := trainer.Checkpoints(steps, 0)
		if len(shape) != 3 || shape[0] != len(schedule) {
			return nil, fmt.Errorf("%s: %w: W has shape %v; a .npy trajectory of %d steps is W at the %d checkpoints %v (or use .npz with t and W)",
				path, ErrTrajectory, shape, steps, len(schedule), abbreviate(schedule))
		}
		return iteratesOf(path, schedule, w, shape, k, d)
	default:
		return nil, fmt.Errorf("%s: %w: unknown extension %q (.jsonl, .npz, .npy)", path, ErrTrajectory, ext)
	}
}

// abbreviate shows the first and last few of a long list of steps.
func abbreviate(ts []int) string {
	if len(ts) <= 8 {
		return fmt.Sprint(ts)
	}
	return fmt.Sprintf("%v ... %v", ts[:4], ts[len(ts)-2:])
}

// loadNPZ reads the arrays t and W of a NumPy archive.
func loadNPZ(path string, k, d int) ([]Iterate, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %w: %s", path, ErrTrajectory, fmt.Sprintf(format, args...))
	}
	z, err := npz.Open(path)
	if err != nil {
		return nil, bad("%v", err)
	}
	defer z.Close()
	arrays := map[string]bool{}
	for _, key := range z.Keys() {
		arrays[strings.TrimSuffix(key, ".npy")] = true
	}
	if !arrays["t"] || !arrays["W"] {
		return nil, bad("needs arrays t and W (numpy.savez(path, t=t, W=W)); it has %v", z.Keys())
	}
	read := func(name string) ([]float64, []int, error) {
		rc, err := z.Open(name + ".npy")
		if err != nil {
			return nil, nil, err
		}
		defer rc.Close()
		v, shape, err := readNPY(rc)
		if err != nil {
			return nil, nil, fmt.Errorf("array %s: %v", name, err)
		}
		return v, shape, nil
	}
	tv, tshape, err := read("t")
	if err != nil {
		return nil, bad("%v", err)
	}
	w, shape, err := read("W")
	if err != nil {
		return nil, bad("%v", err)
	}
	if len(tshape) != 1 || len(shape) != 3 || shape[0] != tshape[0] {
		return nil, bad("t has shape %v and W %v; want (m,) and (m, %d, %d)", tshape, shape, k, d)
	}
	ts := make([]int, len(tv))
	for i, v := range tv {
		t, err := stepOf(strconv.FormatFloat(v, 'g', -1, 64))
		if err != nil {
			return nil, bad("t[%d]: %v", i, err)
		}
		ts[i] = t
	}
	return iteratesOf(path, ts, w, shape, k, d)
}

// iteratesOf cuts the C-order m×k×d values w into iterates at the steps ts,
// holding them to ReadTrajectory's rules.
func iteratesOf(path string, ts []int, w []float64, shape []int, k, d int) ([]Iterate, error) {
	if shape[1] != k || shape[2] != d {
		return nil, fmt.Errorf("%s: %w: W has shape %v; the data need (m, %d, %d)", path, ErrTrajectory, shape, k, d)
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("%s: %w: no checkpoints", path, ErrTrajectory)
	}
	its := make([]Iterate, len(ts))
	for i, t := range ts {
		if i > 0 && t <= ts[i-1] {
			return nil, fmt.Errorf("%s: %w: checkpoint %d: t = %d after t = %d: checkpoints must come in strictly increasing t", path, ErrTrajectory, i, t, ts[i-1])
		}
		block := w[i*k*d : (i+1)*k*d]
		for j, v := range block {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: %w: checkpoint %d (t = %d): W[%d][%d] = %v is not finite", path, ErrTrajectory, i, t, j/d+1, j%d+1, v)
			}
		}
		its[i] = Iterate{T: t, W: mat.NewDense(k, d, block)}
	}
	return its, nil
}

// readNPY reads one NumPy array as float64 values in C order, with its shape.
// npyio is a third-party reader of untrusted bytes: a panic in it becomes an
// error.
func readNPY(r io.Reader) (v []float64, shape []int, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, shape, err = nil, nil, fmt.Errorf("unreadable NumPy array: %v", p)
		}
	}()
	nr, err := npy.NewReader(r)
	if err != nil {
		return nil, nil, err
	}
	shape = nr.Header.Descr.Shape
	size := 1
	for _, s := range shape {
		if s < 0 || (s > 0 && size > maxTrajectoryValues/s) {
			return nil, nil, fmt.Errorf("shape %v holds more than %d numbers", shape, maxTrajectoryValues)
		}
		size *= s
	}
	typ := strings.Trim(nr.Header.Descr.Type, "'\"")
	if len(typ) < 3 {
		return nil, nil, fmt.Errorf("dtype %q (want float64, float32, int64 or int32)", typ)
	}
	switch typ[1:] {
	case "f8":
		err = nr.Read(&v)
	case "f4":
		var f []float32
		if err = nr.Read(&f); err == nil {
			v = make([]float64, len(f))
			for i, x := range f {
				v[i] = float64(x)
			}
		}
	case "i8":
		var n []int64
		if err = nr.Read(&n); err == nil {
			v = make([]float64, len(n))
			for i, x := range n {
				v[i] = float64(x)
			}
		}
	case "i4":
		var n []int32
		if err = nr.Read(&n); err == nil {
			v = make([]float64, len(n))
			for i, x := range n {
				v[i] = float64(x)
			}
		}
	default:
		return nil, nil, fmt.Errorf("dtype %s (want float64, float32, int64 or int32)", typ)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, err
	}
	if len(v) != size {
		return nil, nil, fmt.Errorf("shape %v needs %d numbers, the file holds %d", shape, size, len(v))
	}
	if nr.Header.Descr.Fortran {
		v = cOrder(v, shape)
	}
	return v, shape, nil
}

// cOrder rearranges values stored in Fortran (column-major) order into C
// (row-major) order.
func cOrder(v []float64, shape []int) []float64 {
	out := make([]float64, len(v))
	idx := make([]int, len(shape))
	for c := range v {
		// c is the C-order position of idx; its Fortran position is
		// sum_j idx[j] prod_{l<j} shape[l].
		f, stride := 0, 1
		for j := range shape {
			f += idx[j] * stride
			stride *= shape[j]
		}
		out[c] = v[f]
		for j := len(shape) - 1; j >= 0; j-- {
			idx[j]++
			if idx[j] < shape[j] {
				break
			}
			idx[j] = 0
		}
	}
	return out
}

// WriteTrajectory writes iterates in the JSON Lines format ReadTrajectory
// reads, each number in the shortest form that reads back to the same
// float64, so that reading gives the same iterates bit for bit.
func WriteTrajectory(w io.Writer, its []Iterate) error {
	bw := bufio.NewWriter(w)
	var buf []byte
	for _, it := range its {
		buf = append(buf[:0], `{"t": `...)
		buf = strconv.AppendInt(buf, int64(it.T), 10)
		buf = append(buf, `, "W": [`...)
		r, c := it.W.Dims()
		for i := range r {
			if i > 0 {
				buf = append(buf, ", "...)
			}
			buf = append(buf, '[')
			for j := range c {
				if j > 0 {
					buf = append(buf, ", "...)
				}
				buf = strconv.AppendFloat(buf, it.W.At(i, j), 'g', -1, 64)
			}
			buf = append(buf, ']')
		}
		buf = append(buf, "]}\n"...)
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}
