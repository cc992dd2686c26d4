package certify

import "gonum.org/v1/gonum/mat"

// Result is solver.Result, field for field: the methods of the internal
// packages return it and package solver converts it, (*solver.Result)(r),
// so that the public type keeps its documentation (the contract of every
// field) in package solver. The compiler checks that the two stay
// identical.
type Result struct {
	Norm                 string
	Margin, Lower, Upper float64
	Certified, Separable bool
	W                    *mat.Dense
	Lambda               []Pair
	Rows, Rounds         int
	Seconds              float64
	Tolerance            float64
}
