package verify_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/trainer"
	"maxmargin/verify"
)

// signGD is a user's own SignGD: D_t = sign(grad L(W_t)). The trainer hands
// over the gradient up to a positive factor (trainer.Gradient), which a sign
// does not see.
type signGD struct{}

func (signGD) Name() string   { return "my-signgd" }
func (signGD) Reset(k, d int) {}
func (signGD) Direction(dst *mat.Dense, t int, g *trainer.Gradient) {
	dst.Apply(func(_, _ int, v float64) float64 {
		switch {
		case v > 0:
			return 1
		case v < 0:
			return -1
		}
		return 0
	}, g.G)
}

// ExampleCheckOptimizer gates an optimizer written outside package trainer
// with Theorem 1's claim for SignGD, as a user's go test would: every check
// runs on its trajectory and must pass.
func ExampleCheckOptimizer() {
	ds := dataset.GaussianClusters(3, 5, 8, 30, 0.1) // 150 points, k = 5, d = 8
	refs, err := verify.SolveReferences(ds)
	if err != nil {
		fmt.Println(err)
		return
	}
	claim, err := verify.ClaimByName("signgd")
	if err != nil {
		fmt.Println(err)
		return
	}
	claim.Steps = 10000
	r := verify.CheckOptimizer(context.Background(), ds, refs, claim, signGD{})
	for _, c := range r.Checks {
		fmt.Printf("%-12s pass %v\n", c.Name, c.Pass)
	}
	fmt.Println("claim passes:", r.Pass)
	// Output:
	// inequalities pass true
	// bound        pass true
	// envelope     pass true
	// slope        pass true
	// shrink       pass true
	// preference   pass true
	// claim passes: true
}
