package norm

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// EntrywiseP is the entry-wise lp norm (sum_ab |W_ab|^p)^{1/p} for
// 1 < p < infinity, named "l" followed by p ("l1.5", "l3"). Its dual is the
// entry-wise lq norm with 1/p + 1/q = 1, and its steepest direction is
// sign(G) |G|^{q-1} / ||G||_q^{q-1} (p-norm NSD).
type EntrywiseP struct {
	p, q float64
	name string
}

// LP returns the entry-wise lp norm. It returns an error unless 1 < p < inf.
func LP(p float64) (*EntrywiseP, error) {
	if !(p > 1) || math.IsInf(p, 1) {
		return nil, fmt.Errorf("%w: l%v needs 1 < p < inf (use sum for p = 1, max for p = inf)", ErrUnknown, p)
	}
	return &EntrywiseP{p: p, q: p / (p - 1), name: "l" + strconv.FormatFloat(p, 'g', -1, 64)}, nil
}

// parseLP parses names of the form "l<p>": ok reports whether name has
// that form, and err is LP's error when p is out of range (l1, l0.5,
// linf), which says which norm to use instead.
func parseLP(name string) (n Norm, ok bool, err error) {
	rest, ok := strings.CutPrefix(name, "l")
	if !ok {
		return nil, false, nil
	}
	p, err := strconv.ParseFloat(rest, 64)
	if err != nil {
		return nil, false, nil
	}
	lp, err := LP(p)
	if err != nil {
		return nil, true, err
	}
	return lp, true, nil
}

// Name returns "l" followed by p.
func (n *EntrywiseP) Name() string { return n.name }

// P returns the exponent p.
func (n *EntrywiseP) P() float64 { return n.p }

// Value returns (sum_ab |W_ab|^p)^{1/p}.
func (n *EntrywiseP) Value(w *mat.Dense) float64 { return entrywise(w, n.p) }

// Dual returns (sum_ab |G_ab|^q)^{1/q}, 1/p + 1/q = 1.
func (n *EntrywiseP) Dual(g *mat.Dense) float64 { return entrywise(g, n.q) }

// SteepestDirection stores sign(G) |G|^{q-1} / ||G||_q^{q-1} in dst (0 for
// G = 0) and returns ||G||_q.
func (n *EntrywiseP) SteepestDirection(dst, g *mat.Dense) float64 {
	checkDst(dst, g)
	nq := entrywise(g, n.q)
	if nq == 0 {
		dst.Zero()
		return 0
	}
	r, c := g.Dims()
	for a := range r {
		src, out := g.RawRowView(a), dst.RawRowView(a)
		for b := range c {
			// (|G|/||G||_q)^{q-1} keeps the power in range.
			out[b] = math.Copysign(math.Pow(math.Abs(src[b])/nq, n.q-1), src[b])
		}
	}
	return nq
}

// entrywise returns (sum |A_ab|^p)^{1/p}, scaled by max |A_ab| against
// overflow and underflow.
func entrywise(a *mat.Dense, p float64) float64 {
	r, c := a.Dims()
	var scale float64
	for i := range r {
		scale = max(scale, floats.Norm(a.RawRowView(i)[:c], math.Inf(1)))
	}
	if scale == 0 {
		return 0
	}
	var s float64
	for i := range r {
		for _, v := range a.RawRowView(i)[:c] {
			s += math.Pow(math.Abs(v)/scale, p)
		}
	}
	return scale * math.Pow(s, 1/p)
}
