package solver

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// tinyDataset turns fuzz bytes into a small data set: n in 2..7 samples, d in
// 1..3 features, values (b - 128)/16 and labels b mod k; nil when the labels
// leave a class empty.
func tinyDataset(b []byte) *dataset.Dataset {
	if len(b) < 3 {
		return nil
	}
	n, d, k := 2+int(b[0])%6, 1+int(b[1])%3, 2+int(b[2])%2
	b = b[3:]
	if len(b) < n*(d+1) || n < k {
		return nil
	}
	x := mat.NewDense(n, d, nil)
	y := make([]int, n)
	for i := range n {
		for j := range d {
			x.Set(i, j, (float64(b[i*(d+1)+j])-128)/16)
		}
		y[i] = int(b[i*(d+1)+d]) % k
	}
	ds, err := dataset.New("fuzz", x, y)
	if err != nil {
		return nil
	}
	return ds
}

// FuzzMaxMargin solves tiny random data sets for the four LP norms: no
// panic; an error only as a *StatusError; otherwise an ordered interval
// that Certify reproduces exactly, Separable exactly when Lower > 0, and
// Margin equal to the returned W's normalized margin.
func FuzzMaxMargin(f *testing.F) {
	f.Add([]byte{0, 0, 0, 100, 0, 200, 1})
	f.Add([]byte{3, 1, 1, 10, 20, 0, 30, 40, 1, 50, 60, 2, 70, 80, 0, 90, 100, 1})
	f.Add([]byte{1, 2, 0, 128, 128, 128, 0, 128, 128, 128, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ds := tinyDataset(b)
		if ds == nil {
			return
		}
		for _, n := range []norm.Polyhedral{norm.Max, norm.Sum, norm.OpInf, norm.Op1} {
			r, err := MaxMargin(ds, n, nil)
			if err != nil {
				var se *StatusError
				if !errors.As(err, &se) {
					t.Fatalf("%s: error %v is not a *StatusError", n.Name(), err)
				}
				continue
			}
			if !(r.Lower <= r.Upper) || math.IsNaN(r.Lower) || r.Lower < 0 {
				t.Fatalf("%s: bad interval [%v, %v]", n.Name(), r.Lower, r.Upper)
			}
			if r.Separable != (r.Lower > 0) || r.Margin != r.Lower {
				t.Fatalf("%s: separable %v, margin %v, lower %v", n.Name(), r.Separable, r.Margin, r.Lower)
			}
			lo, up, err := Certify(ds, n, r.W, r.Lambda)
			if err != nil {
				t.Fatalf("%s: certify: %v", n.Name(), err)
			}
			l, _ := lo.Float64()
			u, _ := up.Float64()
			if math.Abs(l-r.Lower) > 1e-15*math.Max(1, l) || math.Abs(u-r.Upper) > 1e-15*math.Max(1, u) {
				t.Fatalf("%s: Certify gives [%v, %v], result [%v, %v]", n.Name(), l, u, r.Lower, r.Upper)
			}
		}
	})
}
