package verify

import (
	"context"

	"maxmargin/dataset"
	"maxmargin/trainer"
)

// CheckOptimizer checks claim with the caller's optimizer o in place of the
// claim's own: the built-in trainer runs o on the claim's loss and schedule
// for claim.Steps updates from W_0 = 0, and the checkpoints go through the
// same checks as a built-in optimizer's (CheckClaim). It is how a Go
// optimizer is gated in its own go test: take a built-in claim
// (ClaimByName) or define one, solve the references once
// (SolveReferences), and require the report to pass. The claim's Optimizer
// is then a label; the path-length inequality applies when the claim says
// its steps are normalized (a built-in NSD or NMD name, or StepNorm). An
// invalid claim gives a report with the error.
func CheckOptimizer(ctx context.Context, ds *dataset.Dataset, refs References, claim Claim, o trainer.Optimizer) *Report {
	return checkSourced(ctx, ds, refs, claim, TrainerSource{Optimizer: o})
}

// CheckTrajectory checks claim on iterates made elsewhere (ReadTrajectory,
// LoadTrajectory, or computed by the caller), measured with trainer.Record:
// the checks of CheckClaim, those that need what the claim does not give
// (a loss, a schedule, a rate) being skipped with the reason. Report.Steps
// is the last iterate's T.
func CheckTrajectory(ctx context.Context, ds *dataset.Dataset, refs References, claim Claim, its []Iterate) *Report {
	return checkSourced(ctx, ds, refs, claim, Iterates(its))
}

// checkSourced checks claim on the checkpoints of src.
func checkSourced(ctx context.Context, ds *dataset.Dataset, refs References, claim Claim, src Source) *Report {
	if claim.Steps == 0 {
		claim.Steps = 1 // the iterates decide; Validate wants a budget
	}
	if err := claim.validate(true); err != nil {
		return &Report{Case: ds.Name, Claim: claim, Error: err.Error(), Gamma: map[string]float64{}, Series: map[string]Series{}}
	}
	return checkResolved(ctx, ds.Name, ds, refs, claim, CaseClaim{Claim: claim.Name}, nil, Options{Source: src})
}
