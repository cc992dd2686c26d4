package trainer

import (
	"testing"

	"maxmargin/dataset"
	"maxmargin/norm"
)

// benchmarkStep measures one training step (gradient, direction, update) of
// opt with cross-entropy on n Gaussian-cluster points (k classes, d
// features, sigma 0.1: the paper's data, MATH.md section 7). It reports
// allocations, which must be 0.
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

func BenchmarkStepSignGD500x25x10(b *testing.B) { benchmarkStep(b, 500, 25, 10, NSD(norm.Max)) }
func BenchmarkStepSignGD2000x500x10(b *testing.B) {
	benchmarkStep(b, 2000, 500, 10, NSD(norm.Max))
}
func BenchmarkStepAdam500x25x10(b *testing.B) {
	benchmarkStep(b, 500, 25, 10, Adam(AdamSettings{Beta1: 0.9, Beta2: 0.99}))
}
func BenchmarkStepAdam2000x500x10(b *testing.B) {
	benchmarkStep(b, 2000, 500, 10, Adam(AdamSettings{Beta1: 0.9, Beta2: 0.99}))
}
