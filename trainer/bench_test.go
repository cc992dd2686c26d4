package trainer

import (
	"fmt"
	"testing"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// benchmarkStep measures one training step (gradient, direction, update) of
// opt with cross-entropy on n Gaussian-cluster points (k classes, d
// features, sigma 0.1: the paper's data, MATH.md section 7), as Train runs it
// between checkpoints. It reports allocations, which must be 0.
// testdata/torch_bench.py times the same loop in torch.
func benchmarkStep(b *testing.B, n, d, k int, opt Optimizer) {
	ds := dataset.GaussianClusters(1, k, d, n/k, 0.1)
	r := newRun(ds, Settings{Optimizer: opt, LR: 0.1, Decay: 0.5})
	b.Cleanup(r.ev.close)
	b.ReportAllocs()
	b.ResetTimer()
	for t := 0; b.Loop(); t++ {
		r.step(t)
	}
}

// adamAnalysed is Adam as analysed (no bias correction, eps = 0), the
// optimizer of the Adam benchmarks.
func adamAnalysed() Optimizer { return Adam(AdamSettings{Beta1: 0.9, Beta2: 0.99}) }

func BenchmarkStepSignGD500x25x10(b *testing.B)   { benchmarkStep(b, 500, 25, 10, NSD(norm.Max)) }
func BenchmarkStepSignGD2000x500x10(b *testing.B) { benchmarkStep(b, 2000, 500, 10, NSD(norm.Max)) }
func BenchmarkStepAdam500x25x10(b *testing.B)     { benchmarkStep(b, 500, 25, 10, adamAnalysed()) }
func BenchmarkStepAdam2000x500x10(b *testing.B)   { benchmarkStep(b, 2000, 500, 10, adamAnalysed()) }

// BenchmarkStepScaling times a SignGD step on a ladder around the paper's
// size (500, 25, 10), halving and doubling one of n, d, k at a time, for a
// log-log fit of step time against n, d and k (testdata/bench_ratio.py
// prints it).
func BenchmarkStepScaling(b *testing.B) {
	sizes := [][3]int{
		{500, 25, 10},
		{250, 25, 10}, {1000, 25, 10},
		{500, 12, 10}, {500, 50, 10},
		{500, 25, 5}, {500, 25, 20},
	}
	for _, s := range sizes {
		b.Run(fmt.Sprintf("n=%d,d=%d,k=%d", s[0], s[1], s[2]), func(b *testing.B) {
			benchmarkStep(b, s[0], s[1], s[2], NSD(norm.Max))
		})
	}
}
