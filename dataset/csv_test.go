package dataset

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		x      []float64
		y      []int
		d, k   int
		reason string
	}{
		{name: "no header", in: "1,2,0\n3,4,1\n", x: []float64{1, 2, 3, 4}, y: []int{0, 1}, d: 2, k: 2},
		{name: "header", in: "a,b,label\n1,2,0\n3,4,1\n", x: []float64{1, 2, 3, 4}, y: []int{0, 1}, d: 2, k: 2},
		{name: "spaces and CRLF", in: " 1 , 2 ,0\r\n3,4, 1\r\n", x: []float64{1, 2, 3, 4}, y: []int{0, 1}, d: 2, k: 2},
		{name: "comments and blank lines", in: "# data\n\n1,0\n\n2,1\n# end\n", x: []float64{1, 2}, y: []int{0, 1}, d: 1, k: 2},
		{name: "integral decimal label", in: "1,0.0\n2,1.0\n3,2\n", x: []float64{1, 2, 3}, y: []int{0, 1, 2}, d: 1, k: 3},
		{name: "tiny and huge features", in: "1e-300,1e300,1\n-1e300,-1e-300,0\n", x: []float64{1e-300, 1e300, -1e300, -1e-300}, y: []int{1, 0}, d: 2, k: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := ReadCSV(strings.NewReader(tt.in), "in.csv")
			require.NoError(t, err)
			n, d, k := ds.Dims()
			assert.Equal(t, len(tt.y), n)
			assert.Equal(t, tt.d, d)
			assert.Equal(t, tt.k, k)
			assert.Equal(t, tt.x, ds.X.RawMatrix().Data)
			assert.Equal(t, tt.y, ds.Y)
			assert.Equal(t, "in.csv", ds.Name)
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		sentinel error
		// where is the "file:line" prefix the message must start with.
		where string
		// says is a fragment the message must contain.
		says string
	}{
		{name: "empty file", in: "", sentinel: ErrEmpty, where: "bad.csv: "},
		{name: "header alone", in: "a,b,label\n", sentinel: ErrEmpty, where: "bad.csv: ", says: "header"},
		{name: "ragged row", in: "1,2,0\n3,1\n", sentinel: ErrRagged, where: "bad.csv:2: ", says: "2 fields, expected 3"},
		{name: "label only", in: "0\n1\n", sentinel: ErrRagged, where: "bad.csv:1: "},
		{name: "not a number", in: "1,2,0\n3,x,1\n", sentinel: ErrNotNumber, where: "bad.csv:2: ", says: "column 2"},
		{name: "NaN", in: "1,NaN,0\n3,4,1\n", sentinel: ErrNotFinite, where: "bad.csv:1: "},
		{name: "Inf", in: "1,2,0\n3,-Inf,1\n", sentinel: ErrNotFinite, where: "bad.csv:2: "},
		{name: "overflow", in: "1,2,0\n3,1e400,1\n", sentinel: ErrNotFinite, where: "bad.csv:2: ", says: "overflows"},
		{name: "fractional label", in: "1,0\n2,1.5\n", sentinel: ErrBadLabel, where: "bad.csv:2: "},
		{name: "negative label", in: "1,0\n2,-1\n", sentinel: ErrBadLabel, where: "bad.csv:2: "},
		{name: "word label", in: "1,0\n2,cat\n", sentinel: ErrBadLabel, where: "bad.csv:2: "},
		{name: "one class", in: "1,0\n2,0\n", sentinel: ErrFewClasses, where: "bad.csv: "},
		{name: "label gap", in: "1,0\n2,2\n3,2\n", sentinel: ErrLabelGap, where: "bad.csv: ", says: "class 1 has no sample"},
		{name: "label beyond n", in: "1,0\n2,1000000000\n", sentinel: ErrLabelGap, where: "bad.csv: "},
		{name: "binary", in: "\x00\x01\x02\"\xff,\x7f\n", where: "bad.csv:1: "},
		{name: "bare quote", in: "1,2,0\n3,4\"x,1\n", where: "bad.csv:2: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tt.in), "bad.csv")
			require.Error(t, err)
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "error %v is not a *ParseError", err)
			assert.Equal(t, "bad.csv", pe.File)
			if tt.sentinel != nil {
				assert.ErrorIs(t, err, tt.sentinel)
			}
			assert.True(t, strings.HasPrefix(err.Error(), tt.where), "error %q does not start with %q", err, tt.where)
			assert.Contains(t, err.Error(), tt.says)
			assert.NotContains(t, err.Error(), "\n", "error must be one line")
		})
	}
}

func TestLoadCSV(t *testing.T) {
	t.Run("wine", func(t *testing.T) {
		ds, err := LoadCSV("../cases/data/wine.csv")
		require.NoError(t, err)
		n, d, k := ds.Dims()
		// Sizes and class counts from the UCI description of the Wine data.
		assert.Equal(t, []int{178, 13, 3}, []int{n, d, k})
		assert.Equal(t, []int{59, 71, 48}, ds.ClassCounts())
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := LoadCSV("no/such/file.csv")
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), "no/such/file.csv: "), err.Error())
	})
}

func TestNew(t *testing.T) {
	x := mat.NewDense(3, 1, []float64{1, 2, 3})
	t.Run("valid", func(t *testing.T) {
		ds, err := New("v", x, []int{0, 1, 1})
		require.NoError(t, err)
		assert.Equal(t, 2, ds.K)
	})
	t.Run("length mismatch", func(t *testing.T) {
		_, err := New("v", x, []int{0, 1})
		require.Error(t, err)
	})
	t.Run("gap", func(t *testing.T) {
		_, err := New("v", x, []int{0, 2, 2})
		require.ErrorIs(t, err, ErrLabelGap)
	})
	t.Run("non-finite", func(t *testing.T) {
		_, err := New("v", mat.NewDense(2, 1, []float64{1, NaN()}), []int{0, 1})
		require.Error(t, err)
	})
}

func TestReadCSVTooLarge(t *testing.T) {
	// A limit of 5 values admits two samples of 2 features (4 values) and
	// refuses the third at its line, before storing it.
	_, err := readCSV(strings.NewReader("1,2,0\n3,4,1\n5,6,1\n"), "big.csv", 5)
	require.ErrorIs(t, err, ErrTooLarge)
	assert.True(t, strings.HasPrefix(err.Error(), "big.csv:3: "), err.Error())
	_, err = readCSV(strings.NewReader("1,2,0\n3,4,1\n"), "ok.csv", 4)
	require.NoError(t, err)
}

func TestNewHugeLabel(t *testing.T) {
	// A label of 10^18 on two samples is a gap, reported without allocating
	// 10^18 class slots.
	_, err := New("huge", mat.NewDense(2, 1, []float64{1, 2}), []int{0, 1e18})
	require.ErrorIs(t, err, ErrLabelGap)
}

func TestWriteCSVRoundTrip(t *testing.T) {
	// Values chosen to need all 17 significant digits, and extremes.
	x := mat.NewDense(3, 2, []float64{0.1, 1.0 / 3, -2.5e-300, 1.7976931348623157e308, 5e-324, -0})
	ds, err := New("rt", x, []int{0, 1, 1})
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, WriteCSV(&b, ds))
	back, err := ReadCSV(strings.NewReader(b.String()), "rt.csv")
	require.NoError(t, err)
	assert.Equal(t, ds.X.RawMatrix().Data, back.X.RawMatrix().Data)
	assert.Equal(t, ds.Y, back.Y)
}
