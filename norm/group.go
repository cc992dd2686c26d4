package norm

import (
	"math"
	"math/big"

	"gonum.org/v1/gonum/mat"
)

// Grouping is a partition of the entries of an r×c matrix into groups.
type Grouping int

const (
	// Entries puts each entry in a group of its own.
	Entries Grouping = iota
	// Whole puts all entries in one group.
	Whole
	// Rows puts each row in a group.
	Rows
	// Columns puts each column in a group.
	Columns
)

// Count returns the number of groups of an r×c matrix.
func (g Grouping) Count(r, c int) int {
	switch g {
	case Entries:
		return r * c
	case Whole:
		return 1
	case Rows:
		return r
	case Columns:
		return c
	}
	panic("norm: bad grouping")
}

// Of returns the group of entry (a, b) of an r×c matrix, in 0..Count(r, c)-1.
func (g Grouping) Of(a, b, c int) int {
	switch g {
	case Entries:
		return a*c + b
	case Whole:
		return 0
	case Rows:
		return a
	case Columns:
		return b
	}
	panic("norm: bad grouping")
}

// GroupNorm is the polyhedral norm N(W) = max_g sum_{(a,b) in g} |W_ab| over
// the groups g of a Grouping. Its dual is N*(G) = sum_g max_{(a,b) in g}
// |G_ab|, and a steepest direction puts sign(G_ab) at one entry of largest
// |G_ab| in each group (the first in row-major order) and 0 elsewhere; a group
// whose entries of G are all 0 contributes 0, which is sign 0 = 0 for the max
// norm.
type GroupNorm struct {
	name     string
	grouping Grouping
}

var (
	// Max is the max norm max_ab |W_ab|, the operator norm l1 -> linf. Dual:
	// sum_ab |G_ab|. Steepest direction: sign(G) (SignGD).
	Max = &GroupNorm{name: "max", grouping: Entries}
	// Sum is the entry-wise l1 norm sum_ab |W_ab|. Dual: max_ab |G_ab|.
	// Steepest direction: sign(G_ab) e_a e_b^T at the first largest |G_ab|
	// (greedy coordinate descent).
	Sum = &GroupNorm{name: "sum", grouping: Whole}
	// OpInf is the operator norm linf -> linf, the largest row l1 norm
	// max_a sum_b |W_ab|. Dual: sum_a max_b |G_ab|. Steepest direction: in each
	// row, sign(G_ab) at the first largest |G_ab| (row-wise coordinate
	// descent).
	OpInf = &GroupNorm{name: "opinf", grouping: Rows}
	// Op1 is the operator norm l1 -> l1, the largest column l1 norm
	// max_b sum_a |W_ab|. Dual: sum_b max_a |G_ab|. Steepest direction: in
	// each column, sign(G_ab) at the first largest |G_ab| (column-wise
	// coordinate descent).
	Op1 = &GroupNorm{name: "op1", grouping: Columns}
)

// Name returns the norm's name.
func (n *GroupNorm) Name() string { return n.name }

// Grouping returns the partition that defines the norm.
func (n *GroupNorm) Grouping() Grouping { return n.grouping }

// Value returns max_g sum_{(a,b) in g} |W_ab|.
func (n *GroupNorm) Value(w *mat.Dense) float64 {
	r, c := w.Dims()
	raw := w.RawMatrix()
	switch n.grouping {
	case Entries:
		var m float64
		for a := range r {
			for _, v := range raw.Data[a*raw.Stride : a*raw.Stride+c] {
				m = max(m, math.Abs(v))
			}
		}
		return m
	case Whole:
		var s float64
		for a := range r {
			for _, v := range raw.Data[a*raw.Stride : a*raw.Stride+c] {
				s += math.Abs(v)
			}
		}
		return s
	case Rows:
		var m float64
		for a := range r {
			var s float64
			for _, v := range raw.Data[a*raw.Stride : a*raw.Stride+c] {
				s += math.Abs(v)
			}
			m = max(m, s)
		}
		return m
	case Columns:
		var m float64
		for b := range c {
			var s float64
			for a := range r {
				s += math.Abs(raw.Data[a*raw.Stride+b])
			}
			m = max(m, s)
		}
		return m
	}
	panic("norm: bad grouping")
}

// Dual returns sum_g max_{(a,b) in g} |G_ab|.
func (n *GroupNorm) Dual(g *mat.Dense) float64 {
	return n.steepest(nil, g)
}

// SteepestDirection stores in dst sign(G_ab) at the first entry of largest
// |G_ab| of each group (all entries, for the max norm) and 0 elsewhere, and
// returns N*(G).
func (n *GroupNorm) SteepestDirection(dst, g *mat.Dense) float64 {
	r, c := g.Dims()
	if dr, dc := dst.Dims(); dr != r || dc != c {
		panic(badShape)
	}
	if dst == g {
		panic("norm: dst aliases g")
	}
	return n.steepest(dst, g)
}

// steepest computes N*(G) and, when dst is not nil, the steepest direction.
func (n *GroupNorm) steepest(dst, g *mat.Dense) float64 {
	r, c := g.Dims()
	gr := g.RawMatrix()
	at := func(a, b int) float64 { return gr.Data[a*gr.Stride+b] }
	var dr []float64
	var ds int
	if dst != nil {
		raw := dst.RawMatrix()
		dr, ds = raw.Data, raw.Stride
		for a := range r {
			clear(dr[a*ds : a*ds+c])
		}
	}
	set := func(a, b int, v float64) {
		if dr != nil && v != 0 {
			dr[a*ds+b] = math.Copysign(1, v)
		}
	}
	var dual float64
	switch n.grouping {
	case Entries:
		for a := range r {
			for b := range c {
				v := at(a, b)
				dual += math.Abs(v)
				set(a, b, v)
			}
		}
	case Whole:
		ba, bb, best := 0, 0, 0.0
		for a := range r {
			for b := range c {
				if v := math.Abs(at(a, b)); v > best {
					ba, bb, best = a, b, v
				}
			}
		}
		dual = best
		set(ba, bb, at(ba, bb))
	case Rows:
		for a := range r {
			bb, best := 0, 0.0
			for b := range c {
				if v := math.Abs(at(a, b)); v > best {
					bb, best = b, v
				}
			}
			dual += best
			set(a, bb, at(a, bb))
		}
	case Columns:
		for b := range c {
			ba, best := 0, 0.0
			for a := range r {
				if v := math.Abs(at(a, b)); v > best {
					ba, best = a, v
				}
			}
			dual += best
			set(ba, b, at(ba, b))
		}
	default:
		panic("norm: bad grouping")
	}
	return dual
}

// ValueRat returns max_g sum_{(a,b) in g} |W_ab| exactly.
func (n *GroupNorm) ValueRat(w []*big.Rat, r, c int) *big.Rat {
	if len(w) != r*c {
		panic(badShape)
	}
	sums := make([]big.Rat, n.grouping.Count(r, c))
	var abs big.Rat
	for a := range r {
		for b := range c {
			s := &sums[n.grouping.Of(a, b, c)]
			s.Add(s, abs.Abs(w[a*c+b]))
		}
	}
	m := new(big.Rat)
	for i := range sums {
		if sums[i].Cmp(m) > 0 {
			m.Set(&sums[i])
		}
	}
	return m
}

// DualRat returns sum_g max_{(a,b) in g} |G_ab| exactly.
func (n *GroupNorm) DualRat(g []*big.Rat, r, c int) *big.Rat {
	if len(g) != r*c {
		panic(badShape)
	}
	maxima := make([]big.Rat, n.grouping.Count(r, c))
	var abs big.Rat
	for a := range r {
		for b := range c {
			m := &maxima[n.grouping.Of(a, b, c)]
			if abs.Abs(g[a*c+b]).Cmp(m) > 0 {
				m.Set(&abs)
			}
		}
	}
	s := new(big.Rat)
	for i := range maxima {
		s.Add(s, &maxima[i])
	}
	return s
}
