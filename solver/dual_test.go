package solver

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/workset"
)

// dualSimplex solves the dual LP of MATH.md section 3,
//
//	gamma_N = min_{lambda >= 0, sum lambda = 1} N*(A(lambda)),
//	N*(G) = sum_g max_{(a,b) in g} |G_ab| for a group norm,
//
// with gonum's simplex, independently of lp_solve. In standard form
// (minimize c^T x, Ax = b, x >= 0) the variables are lambda (one per pair),
// t_g (one per group) and slacks s+_e, s-_e (one pair per entry e of A):
//
//	t_g - A_e(lambda) - s+_e = 0,  t_g + A_e(lambda) - s-_e = 0  (e in g),
//	sum lambda = 1,                minimize sum_g t_g.
//
// The initial basis is feasible by construction (gonum's own phase one is
// slow and fragile on this degenerate LP, MEASURED.md): lambda = e_0 on the
// first pair, t_g = max_{e in g} |a_e| for a = A(e_0), and every slack
// except, in each group, the one that is 0 at the group's largest |a_e|.
func dualSimplex(t *testing.T, ds *dataset.Dataset, n norm.Polyhedral) float64 {
	t.Helper()
	nn, d, k := ds.Dims()
	var pairs []workset.Row
	for i := range nn {
		for c := range k {
			if c != ds.Y[i] {
				pairs = append(pairs, workset.Row{I: i, C: c})
			}
		}
	}
	g := n.Grouping()
	kd, m, ng := k*d, len(pairs), g.Count(k, d)
	rows, cols := 2*kd+1, m+ng+2*kd
	tCol := func(gi int) int { return m + gi }
	plusCol := func(e int) int { return m + ng + e }
	minusCol := func(e int) int { return m + ng + kd + e }
	a := mat.NewDense(rows, cols, nil)
	for j, p := range pairs {
		y := ds.Y[p.I]
		for l, v := range ds.X.RawRowView(p.I) {
			// A_e(lambda) enters row 2e with -1 and row 2e+1 with +1.
			for _, ec := range []struct {
				e int
				v float64
			}{{y*d + l, v}, {p.C*d + l, -v}} {
				a.Set(2*ec.e, j, a.At(2*ec.e, j)-ec.v)
				a.Set(2*ec.e+1, j, a.At(2*ec.e+1, j)+ec.v)
			}
		}
		a.Set(rows-1, j, 1)
	}
	for c := range k {
		for l := range d {
			e := c*d + l
			gi := g.Of(c, l, d)
			a.Set(2*e, tCol(gi), 1)
			a.Set(2*e+1, tCol(gi), 1)
			a.Set(2*e, plusCol(e), -1)
			a.Set(2*e+1, minusCol(e), -1)
		}
	}
	// Perturbed right-hand sides b_e = -eps_e, eps_e in [eps, 2 eps]
	// distinct, break the degeneracy on which gonum's simplex cycles
	// (MEASURED.md); the optimum moves by at most 2 eps per group, far below
	// the 1e-7 the tests compare to.
	const eps = 1e-11
	b := make([]float64, rows)
	pert := make([]float64, kd)
	for e := range pert {
		pert[e] = eps * (1 + float64((e*7919)%kd)/float64(kd))
		b[2*e], b[2*e+1] = -pert[e], -pert[e]
	}
	b[rows-1] = 1
	cost := make([]float64, cols)
	for gi := range ng {
		cost[tCol(gi)] = 1
	}

	// Initial basis from lambda = e_0: t_g = max(0, max_{e in g} (|a_e| -
	// eps_e)); when positive, the slack that is 0 there leaves the basis,
	// otherwise t_g = 0 is non-basic and all its slacks are basic.
	a0 := make([]float64, kd)
	for e := range kd {
		a0[e] = -a.At(2*e, 0)
	}
	argmax := make([]int, ng)
	for gi := range argmax {
		argmax[gi] = -1
	}
	for c := range k {
		for l := range d {
			e, gi := c*d+l, g.Of(c, l, d)
			if argmax[gi] < 0 || math.Abs(a0[e])-pert[e] > math.Abs(a0[argmax[gi]])-pert[argmax[gi]] {
				argmax[gi] = e
			}
		}
	}
	dropped := make(map[int]bool)
	tBasic := make([]bool, ng)
	for gi, e := range argmax {
		if math.Abs(a0[e]) <= pert[e] {
			// t_g = 0 is non-basic: every slack of the group is positive.
			continue
		}
		tBasic[gi] = true
		if a0[e] >= 0 {
			dropped[plusCol(e)] = true // t_g - a_e - s+_e = -eps_e at t_g = a_e - eps_e
		} else {
			dropped[minusCol(e)] = true
		}
	}
	basis := []int{0}
	for gi := range ng {
		if tBasic[gi] {
			basis = append(basis, tCol(gi))
		}
	}
	for e := range kd {
		for _, col := range []int{plusCol(e), minusCol(e)} {
			if !dropped[col] {
				basis = append(basis, col)
			}
		}
	}
	require.Len(t, basis, rows)
	opt, _, err := lp.Simplex(cost, a, b, 1e-10, basis)
	require.NoError(t, err, "gonum simplex on the dual LP")
	return opt
}
