package verify

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/solver"
	"maxmargin/trainer"
)

// inequalityData is a data set with n = 4 samples and B = max_i ||x_i||_1 = 2.
func inequalityData(t *testing.T) *dataset.Dataset {
	x := mat.NewDense(4, 2, []float64{1, 1, 1, 0, -1, -1, 0, -1})
	ds, err := dataset.New("four points", x, []int{0, 0, 1, 1})
	require.NoError(t, err)
	require.Equal(t, 2.0, ds.Bound())
	return ds
}

// consistentCheckpoint returns a checkpoint at step T that satisfies every
// inequality of MATH.md section 6 for inequalityData (n = 4, B = 2), the
// SignGD claim (eta_s = 0.1 (s+1)^{-1/2}, so the path length after one step
// is 0.1) and gamma_max = 0.5:
//
//	item 4:  N(W_1) = 0.05 <= 0.1
//	item 1:  gamma G = 0.0495 <= N*(grad) = 0.1 <= 2 B G = 0.396
//	item 2:  G = 0.099 <= L = 0.1; G/L = 0.99 >= 1 - nL/2 = 0.8;
//	         L = 0.1 <= log(2)/n = 0.173 and L <= 2G = 0.198; m(W) = 0.5 > 0
func consistentCheckpoint(T int) trainer.Checkpoint {
	return trainer.Checkpoint{
		T:           T,
		Loss:        0.1,
		LogLoss:     math.Log(0.1),
		Proxy:       0.099,
		LogProxy:    math.Log(0.099),
		Margin:      0.5,
		Norms:       map[string]float64{"max": 0.05},
		LogGradDual: map[string]float64{"max": math.Log(0.1)},
	}
}

// TestInequalityCheck breaks one exact inequality at a time and asserts the
// exact number of violations, so that a check that skips an inequality, or
// always passes, fails here. The numbers are against consistentCheckpoint.
func TestInequalityCheck(t *testing.T) {
	ds := inequalityData(t)
	refs := References{"max": &solver.Result{Lower: 0.5, Upper: 0.5}}
	signgd, err := ClaimByName("signgd")
	require.NoError(t, err)
	adam, err := ClaimByName("adam")
	require.NoError(t, err)
	proxy := func(g float64) func(*trainer.Checkpoint) {
		return func(cp *trainer.Checkpoint) { cp.Proxy, cp.LogProxy = g, math.Log(g) }
	}
	tests := []struct {
		name  string
		claim Claim
		loss  trainer.Loss
		T     int
		// change makes the consistent checkpoint inconsistent.
		change     func(*trainer.Checkpoint)
		violations int
	}{
		{name: "consistent", claim: signgd, T: 1, change: func(*trainer.Checkpoint) {}},
		// Item 4 at T = 1: the path length is eta_0 = 0.1.
		{name: "item 4: N(W_1) = 0.15 > 0.1", claim: signgd, T: 1,
			change: func(cp *trainer.Checkpoint) { cp.Norms["max"] = 0.15 }, violations: 1},
		// Item 4 at T = 4: sum_{s<4} 0.1 (s+1)^{-1/2} = 0.1 (1 + 1/sqrt 2 +
		// 1/sqrt 3 + 1/2) = 0.27845, so 0.278 is inside and 0.2785 outside;
		// a path length off by one step (0.25 or 0.3232) gets one of them
		// wrong.
		{name: "item 4: N(W_4) = 0.278 <= 0.27845", claim: signgd, T: 4,
			change: func(cp *trainer.Checkpoint) { cp.Norms["max"] = 0.278 }},
		{name: "item 4: N(W_4) = 0.2785 > 0.27845", claim: signgd, T: 4,
			change: func(cp *trainer.Checkpoint) { cp.Norms["max"] = 0.2785 }, violations: 1},
		// Adam is not normalized: item 4 does not apply to it.
		{name: "item 4 not for adam", claim: adam, T: 1,
			change: func(cp *trainer.Checkpoint) { cp.Norms["max"] = 0.15 }},
		{name: "item 1 upper: N*(grad) = 0.5 > 2 B G = 0.396", claim: signgd, T: 1,
			change: func(cp *trainer.Checkpoint) { cp.LogGradDual["max"] = math.Log(0.5) }, violations: 1},
		{name: "item 1 lower: N*(grad) = 0.04 < gamma G = 0.0495", claim: signgd, T: 1,
			change: func(cp *trainer.Checkpoint) { cp.LogGradDual["max"] = math.Log(0.04) }, violations: 1},
		// Items 1 and 2 are for cross-entropy: with the exponential loss
		// only item 4 is checked.
		{name: "items 1 and 2 not for exp", claim: signgd, loss: trainer.Exponential, T: 1,
			change: func(cp *trainer.Checkpoint) {
				cp.LogGradDual["max"] = math.Log(0.5)
				cp.Proxy, cp.LogProxy = 0.2, math.Log(0.2)
			}},
		{name: "item 4 also for exp", claim: signgd, loss: trainer.Exponential, T: 1,
			change: func(cp *trainer.Checkpoint) { cp.Norms["max"] = 0.15 }, violations: 1},
		// G = 0.11: G/L = 1.1 >= 0.8, L <= 2G, 0.055 <= 0.1 <= 0.44.
		{name: "item 2: G = 0.11 > L = 0.1", claim: signgd, T: 1, change: proxy(0.11), violations: 1},
		// G = 0.07: G/L = 0.7 < 0.8, but L = 0.1 <= 2G = 0.14 and
		// 0.035 <= 0.1 <= 0.28.
		{name: "item 2: G/L = 0.7 < 1 - nL/2 = 0.8", claim: signgd, T: 1, change: proxy(0.07), violations: 1},
		// L <= 2G cannot fail alone: for L <= log(2)/n, G/L >= 1 - nL/2 >=
		// 1 - log(2)/2 = 0.65 > 1/2. G = 0.045 breaks both (G/L = 0.45),
		// and item 1 still holds (0.0225 <= 0.1 <= 0.18).
		{name: "item 2: L = 0.1 > 2G = 0.09 and G/L = 0.45 < 0.8", claim: signgd, T: 1, change: proxy(0.045), violations: 2},
		{name: "item 2: L < log(2)/n but m(W) = 0", claim: signgd, T: 1,
			change: func(cp *trainer.Checkpoint) { cp.Margin = 0 }, violations: 1},
		{name: "item 2: L < log(2)/n but m(W) = NaN", claim: signgd, T: 1,
			change: func(cp *trainer.Checkpoint) { cp.Margin = math.NaN() }, violations: 1},
		// L = 0.2 > log(2)/4 = 0.173: a negative margin is allowed. G =
		// 0.198 keeps G/L = 0.99 >= 1 - nL/2 = 0.6 and 0.099 <= 0.1 <= 0.792.
		{name: "item 2: m(W) < 0 allowed for L = 0.2 > log(2)/n", claim: signgd, T: 1,
			change: func(cp *trainer.Checkpoint) {
				cp.Loss, cp.LogLoss = 0.2, math.Log(0.2)
				cp.Proxy, cp.LogProxy = 0.198, math.Log(0.198)
				cp.Margin = -0.1
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp := consistentCheckpoint(tt.T)
			tt.change(&cp)
			claim := tt.claim
			claim.Loss = tt.loss.String()
			c := inequalityCheck(ds, claim, true, refs, []trainer.Checkpoint{cp})
			assert.Equal(t, float64(tt.violations), c.Figure, "violations: %s", c.Detail)
			assert.Equal(t, tt.violations == 0, c.Pass, "%+v", c)
		})
	}
	t.Run("every checkpoint", func(t *testing.T) {
		// Only the last of three checkpoints is inconsistent.
		cps := []trainer.Checkpoint{consistentCheckpoint(1), consistentCheckpoint(2), consistentCheckpoint(4)}
		cps[2].Norms["max"] = 0.3
		c := inequalityCheck(ds, signgd, true, refs, cps)
		assert.Equal(t, 1.0, c.Figure, c.Detail)
		assert.False(t, c.Pass)
		assert.Contains(t, c.Detail, "t = 4")
	})
}

// TestBoundCheck checks that a normalized margin above the certified upper
// bound U fails beyond the rounding allowance of 1e-12 relative, whichever
// norm and checkpoint it is at.
func TestBoundCheck(t *testing.T) {
	refs := References{
		"max": &solver.Result{Lower: 1, Upper: 1 + 1e-10},
		"sum": &solver.Result{Lower: 0.25, Upper: 0.25},
	}
	at := func(T int, maxMargin, sumMargin float64) trainer.Checkpoint {
		return trainer.Checkpoint{T: T, Margins: map[string]float64{"max": maxMargin, "sum": sumMargin}}
	}
	tests := []struct {
		name   string
		cps    []trainer.Checkpoint
		figure float64
		pass   bool
	}{
		// The largest is max's 0.9 against U = 1 + 1e-10.
		{"below U", []trainer.Checkpoint{at(1, 0.5, 0.1), at(10, 0.9, 0.2)}, (0.9 - (1 + 1e-10)) / (1 + 1e-10), true},
		{"at U", []trainer.Checkpoint{at(1, 0.5, 0.1), at(10, 1+1e-10, 0.25)}, 0, true},
		{"rounding above U", []trainer.Checkpoint{at(1, 0.5, 0.1), at(10, 0.9, 0.25*(1+1e-13))}, 1e-13, true},
		{"1e-9 above U, last checkpoint, second norm", []trainer.Checkpoint{at(1, 0.5, 0.1), at(10, 0.9, 0.25*(1+1e-9))}, 1e-9, false},
		{"1e-6 above U, first checkpoint, first norm", []trainer.Checkpoint{at(1, (1+1e-10)*(1+1e-6), 0.1), at(10, 0.9, 0.2)}, 1e-6, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := boundCheck(refs, tt.cps)
			assert.InDelta(t, tt.figure, c.Figure, 1e-15, "largest (margin - U)/U")
			assert.Equal(t, tt.pass, c.Pass, "%+v", c)
		})
	}
}

// TestPinCheck checks that a pinned gamma or margin off by more than the
// tolerance (1e-9 relative unless the case sets one), or missing, fails.
// The pins are gamma_max = 2 and the SignGD margins 0.5 at t = 10 and 1.5
// at t = 100; each run below moves one value by a known relative amount.
func TestPinCheck(t *testing.T) {
	pins := func(tol float64) *Pins {
		return &Pins{
			Tolerance: tol,
			Gamma:     map[string]float64{"max": 2},
			Margins: map[string][]PinnedMargins{
				"signgd": {{T: 10, Margins: map[string]float64{"max": 0.5}}, {T: 100, Margins: map[string]float64{"max": 1.5}}},
				"adam":   {{T: 10, Margins: map[string]float64{"max": 0.1}}},
			},
		}
	}
	tests := []struct {
		name          string
		tol           float64
		gamma, m10    float64 // the run's gamma_max and margin at t = 10
		m100          float64 // and at t = 100
		ts            []int   // the run's checkpoints
		refNorm       string  // the norm of the run's reference
		figure        float64 // the largest relative error, when known
		pass          bool
		figureUnknown bool
	}{
		{name: "reproduced", gamma: 2, m10: 0.5, m100: 1.5, pass: true},
		{name: "margin 5e-10 off", gamma: 2, m10: 0.5, m100: 1.5 * (1 + 5e-10), figure: 5e-10, pass: true},
		{name: "margin 2e-9 off", gamma: 2, m10: 0.5 * (1 + 2e-9), m100: 1.5, figure: 2e-9},
		{name: "gamma 2e-9 off", gamma: 2 * (1 + 2e-9), m10: 0.5, m100: 1.5, figure: 2e-9},
		{name: "margin 2e-9 off, tolerance 1e-8", tol: 1e-8, gamma: 2, m10: 0.5 * (1 + 2e-9), m100: 1.5, figure: 2e-9, pass: true},
		{name: "margin 2e-8 off, tolerance 1e-8", tol: 1e-8, gamma: 2, m10: 0.5, m100: 1.5 * (1 - 2e-8), figure: 2e-8},
		{name: "pinned checkpoint missing", gamma: 2, m10: 0.5, m100: 1.5, ts: []int{1, 10, 99}, figureUnknown: true},
		{name: "pinned reference missing", gamma: 2, m10: 0.5, m100: 1.5, refNorm: "sum", figureUnknown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			refNorm, ts := tt.refNorm, tt.ts
			if refNorm == "" {
				refNorm = "max"
			}
			if ts == nil {
				ts = []int{1, 10, 100}
			}
			refs := References{refNorm: &solver.Result{Lower: tt.gamma, Upper: tt.gamma}}
			var cps []trainer.Checkpoint
			for _, T := range ts {
				m := map[int]float64{10: tt.m10, 100: tt.m100}[T]
				cps = append(cps, trainer.Checkpoint{T: T, Margins: map[string]float64{"max": m}})
			}
			c := pinCheck(pins(tt.tol), "signgd", refs, cps)
			assert.Equal(t, tt.pass, c.Pass, "%+v", c)
			if !tt.figureUnknown {
				assert.InDelta(t, tt.figure, c.Figure, 1e-15, "largest relative error")
			}
		})
	}
}
