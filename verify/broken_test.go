package verify

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/norm"
	"maxmargin/trainer"
)

// flipped is an optimizer with the wrong sign: it ascends the loss.
type flipped struct{ trainer.Optimizer }

func (f flipped) Direction(dst *mat.Dense, t int, g *trainer.Gradient) {
	f.Optimizer.Direction(dst, t, g)
	dst.Scale(-1, dst)
}

// TestBrokenOptimizersFail runs the harness on deliberately broken variants of
// the optimizers and asserts that each is caught: by a theorem's check where
// the variant breaks the theorem, and by the pinned trajectory where it only
// changes the path (dropping Signum's momentum still closes the max-norm gap).
func TestBrokenOptimizersFail(t *testing.T) {
	load := func(name string) *Case {
		c, err := LoadCase(casesDir + "/" + name + ".json")
		require.NoError(t, err)
		return c
	}
	paper, small, random := load("paper-gaussian"), load("small-gaussian"), load("random-labels")
	tests := []struct {
		name  string
		c     *Case
		claim string
		opt   Options
		// caughtBy lists checks of which at least one must fail.
		caughtBy []string
	}{
		{
			name: "wrong sign", c: paper, claim: "signgd",
			opt:      Options{Mutate: func(o trainer.Optimizer) trainer.Optimizer { return flipped{o} }},
			caughtBy: []string{"envelope", "slope", "shrink"},
		},
		{
			name: "momentum dropped", c: paper, claim: "signum",
			opt:      Options{Mutate: func(trainer.Optimizer) trainer.Optimizer { return trainer.NSD(norm.Max) }},
			caughtBy: []string{"pins"},
		},
		{
			name: "bias correction in the analysed Adam", c: random, claim: "adam",
			opt: Options{StepScale: 0.1, Mutate: func(trainer.Optimizer) trainer.Optimizer {
				return trainer.Adam(trainer.AdamSettings{Beta1: 0.9, Beta2: 0.99, BiasCorrection: true})
			}},
			caughtBy: []string{"pins"},
		},
		{
			name: "eps in the analysed Adam", c: random, claim: "adam",
			opt: Options{Mutate: func(trainer.Optimizer) trainer.Optimizer {
				return trainer.Adam(trainer.AdamSettings{Beta1: 0.9, Beta2: 0.99, Eps: 1e-8})
			}},
			caughtBy: []string{"slope", "shrink", "envelope"},
		},
		{
			name: "textbook gradient", c: small, claim: "signgd",
			opt:      Options{Gradient: trainer.Textbook},
			caughtBy: []string{"envelope", "slope", "shrink"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ds, err := tt.c.Dataset()
			require.NoError(t, err)
			refs, err := SolveReferences(ds)
			require.NoError(t, err)
			var cc CaseClaim
			for _, x := range tt.c.Claims {
				if x.Claim == tt.claim {
					cc = x
				}
			}
			require.Equal(t, tt.claim, cc.Claim)
			pins := tt.c.Pins
			if tt.opt.StepScale != 0 {
				// A shortened run still passes t = 100 and 1000, the
				// first pinned checkpoints; drop the pins it cannot reach.
				pins = reachable(pins, tt.claim, int(float64(cc.Steps)*tt.opt.StepScale))
			}
			r := CheckClaim(context.Background(), tt.c.Name, ds, refs, cc, pins, tt.opt)
			require.Empty(t, r.Error)
			assert.False(t, r.Pass, "the broken variant passed every check")
			failed := map[string]bool{}
			for _, c := range r.Checks {
				failed[c.Name] = !c.Pass
			}
			caught := false
			for _, name := range tt.caughtBy {
				caught = caught || failed[name]
			}
			assert.True(t, caught, "none of %v failed; checks: %+v", tt.caughtBy, r.Checks)
		})
	}
}

// reachable returns pins without the claim's checkpoints beyond steps.
func reachable(p *Pins, claim string, steps int) *Pins {
	q := *p
	q.Margins = map[string][]PinnedMargins{}
	for _, pm := range p.Margins[claim] {
		if pm.T <= steps {
			q.Margins[claim] = append(q.Margins[claim], pm)
		}
	}
	return &q
}
