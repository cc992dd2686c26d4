package dense

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// ColumnScales returns, for each feature l, the power of two D_l = 2^-e_l
// with max_i |x_il| D_l in [1/2, 1) (1 for a zero column or when D_l or
// 1/D_l would leave the normal range).
//
// The LP over the features x_il D_l with the norm's entries weighted,
// N(W' D) <= 1 (the max norm's bounds |W'_cl| <= 1/D_l, the other norms'
// group rows sum D_l (P'_cl + Q'_cl) <= 1), is the same problem as the
// original under W = W' D: the margins (w'_y - w'_c) . (x D) are those of W,
// and the norm constraint is N(W) <= 1. Powers of two make the change of
// variables exact. lp_solve's tolerances are absolute, so they see features
// of order one whatever the data's units; raw breast cancer (columns from
// 1e-3 to 4e3) gave status UNBOUNDED for the max norm without this.
func ColumnScales(x *mat.Dense) []float64 {
	r, c := x.Dims()
	out := make([]float64, c)
	for l := range c {
		var m float64
		for i := range r {
			m = max(m, math.Abs(x.At(i, l)))
		}
		out[l] = 1
		if m == 0 || math.IsInf(m, 0) || math.IsNaN(m) {
			continue
		}
		_, e := math.Frexp(m)
		if e > -1000 && e < 1000 {
			out[l] = math.Ldexp(1, -e)
		}
	}
	return out
}

// UnitExponent returns e with max |x_il| in [2^(e-1), 2^e) (0 for X = 0).
func UnitExponent(x *mat.Dense) int {
	var m float64
	r, _ := x.Dims()
	for i := range r {
		for _, v := range x.RawRowView(i) {
			m = max(m, math.Abs(v))
		}
	}
	_, e := math.Frexp(m)
	return e
}
