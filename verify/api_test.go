package verify

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/trainer"
)

// smallSet is small-gaussian's data (150 points, k = 5, d = 8) and its
// certified references on the default norms.
func smallSet(t *testing.T) (*dataset.Dataset, References) {
	t.Helper()
	ds := dataset.GaussianClusters(3, 5, 8, 30, 0.1)
	refs, err := SolveReferences(ds)
	require.NoError(t, err)
	return ds, refs
}

// iteratesOfReport returns a report's checkpoints as iterates.
func iteratesOfReport(r *Report) []Iterate {
	its := make([]Iterate, len(r.Checkpoints))
	for i, cp := range r.Checkpoints {
		its[i] = Iterate{T: cp.T, W: cp.W}
	}
	return its
}

// TestSourcesGiveTheSameReport checks that the checks do not depend on where
// the iterates come from: SignGD's own run, its iterates handed over in Go,
// and the same iterates written to a JSON Lines file and read back give the
// same checks, figure for figure.
func TestSourcesGiveTheSameReport(t *testing.T) {
	ds, refs := smallSet(t)
	cc := CaseClaim{Claim: "signgd", Steps: 10000}
	want := CheckClaim(context.Background(), "small", ds, refs, cc, nil, Options{})
	require.Empty(t, want.Error)
	require.True(t, want.Pass, "%+v", want.Checks)

	its := iteratesOfReport(want)
	path := filepath.Join(t.TempDir(), "signgd.jsonl")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, WriteTrajectory(f, its))
	require.NoError(t, f.Close())

	for name, src := range map[string]Source{"iterates": Iterates(its), "file": FileSource{Path: path}} {
		t.Run(name, func(t *testing.T) {
			got := CheckClaim(context.Background(), "small", ds, refs, cc, nil, Options{Source: src})
			require.Empty(t, got.Error)
			assert.Equal(t, want.Steps, got.Steps)
			assert.Equal(t, want.Checks, got.Checks)
			assert.Equal(t, want.Series, got.Series)
		})
	}
}

// TestSkippedChecks checks a trajectory under a claim that gives only a norm:
// the inequalities and the rate checks are skipped, each saying why, the
// bound and the preference run, and the report still passes or fails on
// them.
func TestSkippedChecks(t *testing.T) {
	ds, refs := smallSet(t)
	signgd := CheckClaim(context.Background(), "small", ds, refs, CaseClaim{Claim: "signgd", Steps: 10000}, nil, Options{})
	bare := Claim{Name: "bare", Norm: "max"}
	r := CheckTrajectory(context.Background(), ds, refs, bare, iteratesOfReport(signgd))
	require.Empty(t, r.Error)
	byName := map[string]Check{}
	for _, c := range r.Checks {
		byName[c.Name] = c
	}
	for _, name := range []string{"inequalities", "envelope", "slope", "shrink"} {
		c := byName[name]
		assert.True(t, c.Skipped, name)
		assert.False(t, c.Pass, "%s: a skipped check is no pass", name)
		assert.False(t, c.Failed(), name)
		assert.Contains(t, c.Detail, "skipped: ", name)
	}
	assert.Contains(t, byName["inequalities"].Detail, "items 1 and 2 need the cross-entropy loss named by the claim; item 4 needs a step_norm")
	assert.Contains(t, byName["slope"].Detail, "the claim predicts no rate")
	for _, name := range []string{"bound", "preference"} {
		assert.False(t, byName[name].Skipped, name)
		assert.True(t, byName[name].Pass, "%s: %s", name, byName[name].Detail)
	}
	assert.True(t, r.Pass)
	assert.Equal(t, 10000, r.Steps)

	// Given the schedule and the step norm, item 4 runs; the loss stays
	// unknown, so items 1 and 2 do not.
	bare.LR, bare.Decay, bare.StepNorm = 0.1, 0.5, "max"
	r = CheckTrajectory(context.Background(), ds, refs, bare, iteratesOfReport(signgd))
	assert.False(t, r.Checks[0].Skipped)
	// trainer.Checkpoints(10000, 0): t = 0, 8 distinct steps in [1, 10] and
	// 10 in each later decade: 39.
	assert.Equal(t, "item 4 in max at 39 checkpoints", r.Checks[0].Detail)
}

// TestCheckTrajectoryCatchesAFastStep checks that iterates moving faster than
// the claimed schedule allows are caught by the path-length inequality:
// SignGD run at eta_0 = 0.2 under a claim of eta_0 = 0.1 has N_max(W_t)
// about twice the claimed path length.
func TestCheckTrajectoryCatchesAFastStep(t *testing.T) {
	ds, refs := smallSet(t)
	traj, err := trainer.Train(context.Background(), ds, trainer.Settings{Optimizer: trainer.NSD(norm.Max), LR: 0.2, Decay: 0.5, Steps: 1000}, nil)
	require.NoError(t, err)
	var its []Iterate
	for _, cp := range traj.Checkpoints {
		its = append(its, Iterate{T: cp.T, W: cp.W})
	}
	claim, err := ClaimByName("signgd")
	require.NoError(t, err)
	r := CheckTrajectory(context.Background(), ds, refs, claim, its)
	require.Empty(t, r.Error)
	assert.False(t, r.Pass)
	assert.Equal(t, "inequalities", r.Checks[0].Name)
	assert.False(t, r.Checks[0].Pass)
	assert.Contains(t, r.Checks[0].Detail, "t = 1: max(W) = 0.2 > path length 0.1")
}

// signGD is SignGD written as a user would, outside package trainer: D_t =
// sign(G), the sign of the gradient (G is the gradient up to a positive
// factor).
type signGD struct{}

func (signGD) Name() string   { return "my-signgd" }
func (signGD) Reset(k, d int) {}
func (signGD) Direction(dst *mat.Dense, t int, g *trainer.Gradient) {
	dst.Apply(func(_, _ int, v float64) float64 {
		switch {
		case v > 0:
			return 1
		case v < 0:
			return -1
		}
		return 0
	}, g.G)
}

// TestCheckOptimizer checks a user's SignGD under the signgd claim: it passes
// with the built-in SignGD's checks figure for figure (sign(G) is NSD's
// steepest direction for max, so the runs are the same), a version that
// steps twice as far as the claim's schedule breaks the path-length
// inequality, and an invalid claim is an error in the report.
func TestCheckOptimizer(t *testing.T) {
	ds, refs := smallSet(t)
	claim, err := ClaimByName("signgd")
	require.NoError(t, err)
	claim.Steps = 10000
	got := CheckOptimizer(context.Background(), ds, refs, claim, signGD{})
	require.Empty(t, got.Error)
	assert.True(t, got.Pass, "%+v", got.Checks)
	want := CheckClaim(context.Background(), "small", ds, refs, CaseClaim{Claim: "signgd", Steps: 10000}, nil, Options{})
	assert.Equal(t, want.Checks, got.Checks)

	double := CheckOptimizer(context.Background(), ds, refs, claim, scaled{signGD{}, 2})
	assert.False(t, double.Pass)
	assert.False(t, double.Checks[0].Pass, "inequalities: %s", double.Checks[0].Detail)

	bad := claim
	bad.Norm = "l0"
	assert.Contains(t, CheckOptimizer(context.Background(), ds, refs, bad, signGD{}).Error, "unknown norm")
}

// scaled multiplies an optimizer's direction by f.
type scaled struct {
	trainer.Optimizer
	f float64
}

func (s scaled) Direction(dst *mat.Dense, t int, g *trainer.Gradient) {
	s.Optimizer.Direction(dst, t, g)
	dst.Scale(s.f, dst)
}
