package verify

import (
	"fmt"
	"math"
)

// Rate is a predicted convergence rate r(t) of the gap, up to the constant of
// its O(.): the claims of MATH.md section 6 as functions of the step t and the
// data's n and d.
type Rate struct {
	// Kind names the formula: "nsd", "nmd", "adam", "power" or "log".
	Kind string `json:"kind"`
	// A is the schedule exponent for Kind "power".
	A float64 `json:"a,omitempty"`
}

// At returns r(t) for a data set with n samples and d features:
//
//	nsd:   (log t + n) / sqrt t          (Fan et al. Thm 1, a = 1/2)
//	nmd:   (d log t + d n) / sqrt t      (Thm 2)
//	adam:  (d log t + n d) / t^{1/3}     (Adam, a = 2/3)
//	power: t^{-a} + n t^{a-1}            (NSD with 0 < a < 1, derived)
//	log:   1 / log t                     (a = 1 schedules; GD with a constant step)
//
// t must be at least 2, where every formula is positive.
func (r Rate) At(t float64, n, d int) float64 {
	nf, df := float64(n), float64(d)
	switch r.Kind {
	case "nsd":
		return (math.Log(t) + nf) / math.Sqrt(t)
	case "nmd":
		return (df*math.Log(t) + df*nf) / math.Sqrt(t)
	case "adam":
		return (df*math.Log(t) + nf*df) / math.Cbrt(t)
	case "power":
		return math.Pow(t, -r.A) + nf*math.Pow(t, r.A-1)
	case "log":
		return 1 / math.Log(t)
	}
	panic("verify: unknown rate " + r.Kind)
}

// String returns the rate's formula.
func (r Rate) String() string {
	switch r.Kind {
	case "nsd":
		return "(log t + n)/sqrt t"
	case "nmd":
		return "d(log t + n)/sqrt t"
	case "adam":
		return "d(log t + n)/t^(1/3)"
	case "power":
		return fmt.Sprintf("t^-%g + n t^%g", r.A, r.A-1)
	case "log":
		return "1/log t"
	}
	return r.Kind
}

func (r Rate) validate() error {
	switch r.Kind {
	case "nsd", "nmd", "adam", "log":
		return nil
	case "power":
		if r.A > 0 && r.A < 1 {
			return nil
		}
		return fmt.Errorf("verify: power rate needs 0 < a < 1, got %g", r.A)
	}
	return fmt.Errorf("verify: unknown rate kind %q", r.Kind)
}
