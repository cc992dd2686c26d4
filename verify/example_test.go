package verify_test

import (
	"fmt"
	"math"

	"maxmargin/verify"
)

// ExampleSlopeCheck checks a gap that closes like 1/sqrt t against the NSD
// rate (log t + n)/sqrt t, and one that stalls. With n = 150 the rate's own
// slope over t in [10^3, 10^5] is -0.495, so the threshold is -0.495 + 0.15.
func ExampleSlopeCheck() {
	rate := func(t float64) float64 { return verify.Rate{Kind: "nsd"}.At(t, 150, 8) }
	var steps, closing, stalled []float64
	for e := 0.0; e <= 5.0001; e += 0.1 {
		t := math.Round(math.Pow(10, e))
		steps = append(steps, t)
		closing = append(closing, 2/math.Sqrt(t))
		stalled = append(stalled, 0.1)
	}
	for _, gap := range [][]float64{closing, stalled} {
		c := verify.SlopeCheck(steps, gap, rate, 1e-12)
		fmt.Printf("slope %.2f, threshold %.2f, pass %v\n", c.Figure, c.Threshold, c.Pass)
	}
	// Output:
	// slope -0.50, threshold -0.34, pass true
	// slope 0.00, threshold -0.34, pass false
}
