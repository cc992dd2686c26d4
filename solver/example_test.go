package solver_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver"
)

// Two points on a line, x = 2 in class 0 and x = -1 in class 1: both margins
// are w_0 - w_1 (times 2 and 1), so gamma_max = 2 at W = (1, -1) and
// gamma_sum = 1 at any W = (a, a - 1) with 0 <= a <= 1; lp_solve returns
// the vertex (1, 0).
func ExampleMaxMargin() {
	ds, err := dataset.New("line", mat.NewDense(2, 1, []float64{2, -1}), []int{0, 1})
	if err != nil {
		panic(err)
	}
	for _, n := range []norm.Norm{norm.Max, norm.Sum} {
		res, err := solver.MaxMargin(ds, n, nil)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s: gamma in [%.9f, %.9f] certified=%v separable=%v W=%v\n",
			res.Norm, res.Lower, res.Upper, res.Certified, res.Separable, mat.Formatted(res.W.T()))
	}
	// Output:
	// max: gamma in [2.000000000, 2.000000000] certified=true separable=true W=[ 1  -1]
	// sum: gamma in [1.000000000, 1.000000000] certified=true separable=true W=[1  0]
}
