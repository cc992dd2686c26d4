package lpsolve

import (
	"math"
	"time"

	"github.com/draffensperger/golp"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver/internal/dense"
	"maxmargin/solver/internal/run"
	"maxmargin/solver/internal/workset"
)

// Restricted is the max-margin LP of MATH.md section 3 over a working set of
// margin rows:
//
//	maximize gamma  s.t.  (w_{y_i} - w_c) . x_i - gamma >= 0  for (i, c) in the set,
//	                      N(W) <= 1.
//
// Columns: for the max norm (one group per entry) W_cl is column c*d+l with
// bounds [-1, 1]; for the other group norms W = P - Q with P_cl at c*d+l,
// Q_cl at k*d + c*d+l, both >= 0 (lp_solve's default bounds), and one row
// sum_{(c,l) in g} (P_cl + Q_cl) <= 1 per group g, placed before the margin
// rows. gamma is the last column, free. The LP is bounded as soon as it has
// one margin row, since W ranges over a bounded set.
type Restricted struct {
	ds       *dataset.Dataset
	n, d, k  int
	split    bool // W = P - Q (sum, opinf, op1)
	groups   int  // number of group rows before the margin rows
	gammaCol int
	lp       *golp.LP
	Rows     []workset.Row // margin rows in order
	In       []bool        // in[i*k+c]: pair (i, c) is a row
	row      []golp.Entry
	flip     []float64 // max norm: W_cl = flip_cl * v_cl for the LP column v_cl
	colScale []float64 // the LP's features are x_il colScale_l (dense.ColumnScales)
	Radius   float64   // the LP's norm ball is N(W) <= radius (a power of two)
}

// NewRestricted builds the LP with the margin rows of pairs. NewLP leaves
// lp_solve in add-row mode, where rows are appended cheaply; SetObjFn, called
// last, switches it off again as lp_solve requires before solving.
//
// For the max norm, guess (if not nil) is a K×d matrix whose sign pattern
// is a guess of the optimal W: lp_solve starts every bounded column at its
// lower bound, so column c*d+l holds v_cl = -sign(guess_cl) W_cl and the
// start is W = sign(guess) rather than W = -1, saving bound flips.
//
// The norm ball has the given radius, a power of two (1 at first): the LP
// is homogeneous, so its gamma and W are radius times those of N(W) <= 1,
// and solve divides gamma by it. A radius near 1/gamma_N makes the optimal
// margins of order one, where lp_solve's absolute tolerances (1e-9 and
// 1e-11) are small next to them.
func NewRestricted(ds *dataset.Dataset, g norm.Grouping, pairs []workset.Row, guess *mat.Dense, radius float64) *Restricted {
	n, d, k := ds.Dims()
	r := &Restricted{ds: ds, n: n, d: d, k: k, split: g != norm.Entries, In: make([]bool, n*k), colScale: dense.ColumnScales(ds.X), Radius: radius}
	if !r.split {
		r.flip = make([]float64, k*d)
		for j := range r.flip {
			r.flip[j] = 1
			if guess != nil && guess.RawMatrix().Data[j] > 0 {
				r.flip[j] = -1
			}
		}
	}
	kd := k * d
	ncols := kd + 1
	if r.split {
		ncols = 2*kd + 1
	}
	r.gammaCol = ncols - 1
	r.lp = golp.NewLP(0, ncols)
	if r.split {
		r.groups = g.Count(k, d)
		members := make([][]golp.Entry, r.groups)
		for c := range k {
			for l := range d {
				gi := g.Of(c, l, d)
				v := r.colScale[l]
				members[gi] = append(members[gi], golp.Entry{Col: c*d + l, Val: v}, golp.Entry{Col: kd + c*d + l, Val: v})
			}
		}
		for _, m := range members {
			r.lp.AddConstraintSparse(m, golp.LE, radius)
		}
	} else {
		for j := range kd {
			u := radius / r.colScale[j%d]
			r.lp.SetBounds(j, -u, u)
		}
	}
	// |m(W)| <= 2 max_i ||x_i||_1 when N(W) <= 1 (every entry of W is at
	// most 1 in absolute value for these norms): gamma is boxed strictly
	// outside that range, so the bound is never active, and lp_solve cannot
	// call the LP unbounded (it did, on raw breast cancer for the max norm,
	// with gamma free).
	var reach float64
	for i := range n {
		var s float64
		for _, v := range ds.X.RawRowView(i) {
			s += math.Abs(v)
		}
		reach = max(reach, s)
	}
	r.lp.SetBounds(r.gammaCol, -radius*(4*reach+1), radius*(4*reach+1))
	r.Add(pairs)
	obj := make([]float64, ncols)
	obj[r.gammaCol] = 1
	r.lp.SetObjFn(obj)
	r.lp.SetMaximize()
	return r
}

// Add appends the margin rows of the pairs not yet in the LP.
func (r *Restricted) Add(pairs []workset.Row) {
	kd := r.k * r.d
	for _, p := range pairs {
		if r.In[p.I*r.k+p.C] {
			continue
		}
		r.In[p.I*r.k+p.C] = true
		r.Rows = append(r.Rows, p)
		y := r.ds.Y[p.I]
		row := r.row[:0]
		for l, v := range r.ds.X.RawRowView(p.I) {
			if v == 0 {
				continue
			}
			v *= r.colScale[l]
			if r.split {
				row = append(row, golp.Entry{Col: y*r.d + l, Val: v}, golp.Entry{Col: p.C*r.d + l, Val: -v},
					golp.Entry{Col: kd + y*r.d + l, Val: -v}, golp.Entry{Col: kd + p.C*r.d + l, Val: v})
			} else {
				row = append(row, golp.Entry{Col: y*r.d + l, Val: r.flip[y*r.d+l] * v}, golp.Entry{Col: p.C*r.d + l, Val: -r.flip[p.C*r.d+l] * v})
			}
		}
		row = append(row, golp.Entry{Col: r.gammaCol, Val: -1})
		r.lp.AddConstraintSparse(row, golp.GE, 0)
		r.row = row
	}
}

// Solve solves the LP within the time limit (0: none) and returns gamma, W
// and lambda_r = max(0, -dual_r) for the margin rows (lp_solve reports the
// duals of the >= rows of a maximisation as <= 0; see TestGolpDualSign).
func (r *Restricted) Solve(limit time.Duration) (gamma float64, w *mat.Dense, lambda []float64, err error) {
	if limit > 0 {
		r.lp.SetTimeout(int(math.Ceil(limit.Seconds())))
	}
	if st := r.lp.Solve(); st != golp.OPTIMAL {
		return 0, nil, nil, &run.StatusError{Status: st.String()}
	}
	vars := r.lp.Variables()
	kd := r.k * r.d
	w = mat.NewDense(r.k, r.d, nil)
	raw := w.RawMatrix().Data
	copy(raw, vars[:kd])
	for j := range raw {
		if r.split {
			raw[j] -= vars[kd+j]
		} else {
			raw[j] *= r.flip[j]
		}
		raw[j] *= r.colScale[j%r.d]
	}
	duals := r.lp.Duals()[r.groups:]
	lambda = make([]float64, len(duals))
	for j, v := range duals {
		lambda[j] = max(0, -v)
	}
	return vars[r.gammaCol] / r.Radius, w, lambda, nil
}
