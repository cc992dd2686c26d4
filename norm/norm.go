package norm

import (
	"errors"
	"fmt"
	"math/big"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// ErrUnknown is returned by ByName for a name no norm has.
var ErrUnknown = errors.New("norm: unknown norm")

// Norm is a norm on k×d matrices together with its dual norm and steepest
// direction.
type Norm interface {
	// Name returns the norm's name as accepted by ByName.
	Name() string
	// Value returns N(W).
	Value(w *mat.Dense) float64
	// Dual returns the dual norm N*(G) = max_{N(D) <= 1} <G, D>.
	Dual(g *mat.Dense) float64
	// SteepestDirection stores in dst a D with N(D) = 1 maximising <G, D>,
	// and returns <G, D> = N*(G). For G = 0 it stores D = 0 and returns 0.
	// Ties are broken deterministically. dst must have the shape of g and
	// must not alias it; SteepestDirection panics otherwise. The polyhedral
	// norms, fro and lp do not allocate; spectral and nuclear do (an SVD).
	SteepestDirection(dst, g *mat.Dense) float64
}

// Polyhedral is a norm whose unit ball is a polytope, so that N(W) <= 1 is a
// set of linear constraints and N, N* are exact in rational arithmetic.
type Polyhedral interface {
	Norm
	// Grouping tells how the entries of a matrix are partitioned into the
	// groups g of N(W) = max_g sum_{(a,b) in g} |W_ab|.
	Grouping() Grouping
	// ValueRat returns N(W) exactly for the r×c matrix with row-major
	// entries w.
	ValueRat(w []*big.Rat, r, c int) *big.Rat
	// DualRat returns N*(G) exactly for the r×c matrix with row-major
	// entries g.
	DualRat(g []*big.Rat, r, c int) *big.Rat
}

// ByName returns the norm with the given name. The names are those of
// MATH.md section 2: "max", "sum", "opinf", "op1", "fro", "spectral",
// "nuclear", and "l<p>" for the entry-wise lp norm with 1 < p < inf ("l1.5",
// "l3"; p = 1 is "sum" and p = inf is "max").
func ByName(name string) (Norm, error) {
	if n, ok := registry[name]; ok {
		return n, nil
	}
	if n, ok, err := parseLP(name); ok {
		return n, err
	}
	return nil, fmt.Errorf("%w %q (known: %v, and l<p> for 1 < p < inf such as l1.5)", ErrUnknown, name, Names())
}

// Names returns the names of the fixed norms, sorted (the lp family is
// open-ended and not listed).
func Names() []string {
	names := make([]string, 0, len(registry))
	for name := range registry {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// All returns every fixed norm, sorted by name.
func All() []Norm {
	var all []Norm
	for _, name := range Names() {
		all = append(all, registry[name])
	}
	return all
}

// registry is read-only after initialisation.
var registry = map[string]Norm{
	Max.Name():      Max,
	Sum.Name():      Sum,
	OpInf.Name():    OpInf,
	Op1.Name():      Op1,
	Fro.Name():      Fro,
	Spectral.Name(): Spectral,
	Nuclear.Name():  Nuclear,
}

const badShape = "norm: dimension mismatch"
