package solver

import (
	"fmt"
	"testing"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// benchmarkMaxMargin solves one data set of the (n, d, k) ladder: kind
// "gaussian" is dataset.GaussianClusters with n/k samples per class and
// sigma 0.1 (the paper's spread), "random" is dataset.RandomLabels. Sizes
// from (200, 500, 10) on are skipped with -short: lp_solve takes seconds to
// minutes there (see the package documentation).
func benchmarkMaxMargin(b *testing.B, nrm norm.Norm, n, d, k int, kind string) {
	if testing.Short() && n*d >= 200*500 {
		b.Skip("large size; run without -short")
	}
	var ds *dataset.Dataset
	switch kind {
	case "gaussian":
		ds = dataset.GaussianClusters(1, k, d, n/k, 0.1)
	case "random":
		ds = dataset.RandomLabels(1, n, d, k)
	default:
		panic("unknown kind " + kind)
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := MaxMargin(ds, nrm, nil)
		if err != nil {
			b.Fatal(err)
		}
		if !res.Certified {
			b.Fatalf("not certified: [%v, %v]", res.Lower, res.Upper)
		}
	}
}

func BenchmarkMaxMargin(b *testing.B) {
	ladder := []struct{ n, d, k int }{{20, 10, 3}, {50, 50, 3}, {100, 200, 5}, {200, 500, 10}}
	for _, nrm := range []norm.Norm{norm.Max, norm.Sum} {
		for _, kind := range []string{"gaussian", "random"} {
			for _, s := range ladder {
				b.Run(fmt.Sprintf("%s/%s/n=%d,d=%d,k=%d", nrm.Name(), kind, s.n, s.d, s.k), func(b *testing.B) {
					benchmarkMaxMargin(b, nrm, s.n, s.d, s.k, kind)
				})
			}
		}
	}
}
