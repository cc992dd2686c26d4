package dataset

import (
	"errors"
	"strings"
	"testing"
)

// FuzzReadCSV checks that ReadCSV never panics, and that it either returns a
// data set satisfying the package's invariants (finite features, labels
// 0..k-1 with every class present, k >= 2) or a one-line *ParseError naming
// the file. The seed corpus is in testdata/fuzz/FuzzReadCSV.
func FuzzReadCSV(f *testing.F) {
	for _, seed := range []string{
		"1,2,0\n3,4,1\n",
		"a,b,label\n1,2,0\n3,4,1\n",
		"1,0\n2,2\n",
		"1,NaN,0\n",
		"\"1\",\"2\",\"0\"\n3,4,1\n",
		"# c\n\n1e308,1e-308,1\n-1e308,0,0\n",
		"1,2,0\n3,4\n",
		"\x00\xff,\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ds, err := ReadCSV(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "fuzz.csv" {
				t.Fatalf("error %v is not a *ParseError for fuzz.csv", err)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error is not one line: %q", err.Error())
			}
			return
		}
		n, d, k := ds.Dims()
		if n < 1 || d < 1 || k < 2 || len(ds.Y) != n {
			t.Fatalf("bad dims n=%d d=%d k=%d labels=%d", n, d, k, len(ds.Y))
		}
		for i, c := range ds.ClassCounts() {
			if c == 0 {
				t.Fatalf("class %d empty", i)
			}
		}
		for _, v := range ds.X.RawMatrix().Data {
			if !isFinite(v) {
				t.Fatalf("non-finite feature %v", v)
			}
		}
	})
}
