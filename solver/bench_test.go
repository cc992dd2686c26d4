package solver

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// digitsPath is scikit-learn's copy of the UCI optdigits test set (Debian
// python3-sklearn): 1797 8×8 images, 64 features in 0..16, then the label.
const digitsPath = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"

// loadDigits returns the first n images of the digits set, or an error when
// the file is missing (python3-sklearn not installed).
func loadDigits(n int) (*dataset.Dataset, error) {
	f, err := os.Open(digitsPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	sc := bufio.NewScanner(z)
	for i := 0; i < n && sc.Scan(); i++ {
		buf.Write(sc.Bytes())
		buf.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return dataset.ReadCSV(&buf, fmt.Sprintf("digits(first %d)", n))
}

// benchCase is one data set of the benchmark ladder: Gaussian clusters
// (dataset.GaussianClusters(1, k, d, n/k, 0.1), the paper's spread) and
// random labels (dataset.RandomLabels(1, n, d, k)) at (n, d, k) = (20,10,3),
// (50,50,3), (100,200,5), (200,500,10), (500,1000,10), and the first 300
// digits images (n, d, k) = (300, 64, 10).
type benchCase struct {
	name string
	big  bool // skipped under -short
	load func() (*dataset.Dataset, error)
}

// benchCases returns the ladder; sizes from (200, 500, 10) on are big.
func benchCases() []benchCase {
	var out []benchCase
	ladder := []struct{ n, d, k int }{{20, 10, 3}, {50, 50, 3}, {100, 200, 5}, {200, 500, 10}, {500, 1000, 10}}
	for _, kind := range []string{"gaussian", "random"} {
		for _, s := range ladder {
			out = append(out, benchCase{
				name: fmt.Sprintf("%s/n=%d,d=%d,k=%d", kind, s.n, s.d, s.k),
				big:  s.n*s.d >= 200*500,
				load: func() (*dataset.Dataset, error) {
					if kind == "gaussian" {
						return dataset.GaussianClusters(1, s.k, s.d, s.n/s.k, 0.1), nil
					}
					return dataset.RandomLabels(1, s.n, s.d, s.k), nil
				},
			})
		}
	}
	out = append(out, benchCase{name: "digits/n=300,d=64,k=10", load: func() (*dataset.Dataset, error) { return loadDigits(300) }})
	return out
}

// benchTimeout bounds each solve of the benchmark ladder, so that a
// regression that sends a large case to lp_solve (hours on random labels
// at (500,1000,10), where 2212 of 4500 pairs are active; about 45 s by
// interior points) skips it with the reason instead of hanging the run.
const benchTimeout = 10 * time.Minute

// benchmarkMaxMargin times MaxMargin on one case; a result that is not
// certified fails the benchmark, and one that is not ready within
// benchTimeout skips it, saying so.
func benchmarkMaxMargin(b *testing.B, nrm norm.Norm, bc benchCase) {
	if testing.Short() && bc.big {
		b.Skip("large size; run without -short")
	}
	ds, err := bc.load()
	if err != nil {
		b.Skip(err)
	}
	b.ReportAllocs()
	var res *Result
	for b.Loop() {
		res, err = MaxMargin(ds, nrm, &Settings{Timeout: benchTimeout})
		var se *StatusError
		if errors.As(err, &se) && se.Status == "TIMEOUT" {
			b.Skipf("no certified result within %v", benchTimeout)
		}
		if err != nil {
			b.Fatal(err)
		}
		if !res.Certified {
			b.Fatalf("not certified: [%v, %v]", res.Lower, res.Upper)
		}
	}
	b.ReportMetric(float64(res.Rounds), "rounds")
	b.ReportMetric(float64(res.Rows), "rows")
}

// BenchmarkMaxMargin runs the ladder for the max and sum norms. The big
// sizes take seconds to minutes each: run them with -benchtime=1x.
func BenchmarkMaxMargin(b *testing.B) {
	for _, nrm := range []norm.Norm{norm.Max, norm.Sum} {
		for _, bc := range benchCases() {
			b.Run(nrm.Name()+"/"+strings.ReplaceAll(bc.name, "/", "-"), func(b *testing.B) {
				benchmarkMaxMargin(b, nrm, bc)
			})
		}
	}
}
