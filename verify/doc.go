// Package verify checks the implicit-bias claims of Fan, Schmidt and
// Thrampoulidis (2025) and their neighbours numerically, against certified
// max-margin references (MATH.md section 6).
//
// A Claim is data: an optimizer and its settings, the norm N whose max-margin
// gap gap_N(t) = gamma_N - m(W_t)/N(W_t) it is predicted to close, and the
// predicted Rate. A Case is a data set (a CSV file, inline rows or a seeded
// generator), the claims to check with their step budgets, and pinned
// regression values. Checking a claim on a case runs the trainer, solves the
// reference with the solver, and reports Checks, each with its measured
// figure, its threshold and a verdict:
//
//   - inequalities: the exact inequalities of MATH.md section 6 (items 1, 2
//     and 4) at every checkpoint;
//   - bound: no normalized margin above the certified upper bound U;
//   - envelope: after the fitted decade, gap/rate stays below EnvelopeFactor
//     times the constant fitted on that decade;
//   - slope: the log-log slope of the gap over the last two decades is at
//     most the rate's own slope plus SlopeTolerance;
//   - shrink: the gap shrinks by at least the square root of what the rate
//     predicts after the burn-in;
//   - preference: the other norms' relative gaps stay PreferenceRatio times
//     above the claim's own;
//   - pins: the case's pinned values are reproduced.
//
// A claim whose reference is not certified fails: a verdict never rests on
// an uncertified number.
//
// # Where the iterates come from
//
// The checks run on a sequence of checkpoints whatever their Source: the
// built-in trainer running the claim's optimizer (TrainerSource), an
// optimizer written in Go by the caller (CheckOptimizer), an external
// program named by the claim's Command that trains on the case's data and
// writes its trajectory on stdout (CommandSource, whose doc comment is the
// protocol), or a trajectory file (FileSource, LoadTrajectory: JSON Lines
// {"t": step, "W": [[...], ...]} per checkpoint, or NumPy .npz/.npy). Iterates
// made elsewhere are measured with trainer.Record, the code the trainer
// records its own checkpoints with. A case file may define a claim in full
// (CaseClaim.Define, Claim.Validate) instead of naming a built-in one.
//
// A check that needs what a claim does not give is skipped and says why
// (Check.Skipped): items 1 and 2 of the inequalities need the claim's loss
// to be cross-entropy, item 4 a schedule and a norm in which every step is
// at most eta_t long (NSD and NMD, or Claim.StepNorm), the rate checks a
// Rate. The bound, the preference and the pins always run. A skipped check
// is no evidence: it has Pass false, fails nothing, is written "skipped"
// in every report, and a claim passes only when no check failed and at
// least one ran and passed (Report.Pass).
//
// # Runs, shards and the reference cache
//
// Jobs lists a run's (case, claim) jobs; RunJobs checks them in parallel
// and returns a Summary with the reports in job order. Shard picks the I-th
// of N interleaved slices of the jobs, so that N processes (a batch
// scheduler's array job) cover each job once; each writes its Summary as
// JSON (FormatVersion, with every figure exact, non-finite ones as
// strings), stamped with the program's Build and the run's Plan (PlanOf: the
// number of jobs and a digest of the options and the cases' content,
// including the bytes of CSV files and of the files an external
// optimizer's command names). ReadSummary and Merge join the shards into
// the Summary of the serial run, byte for byte (WriteReport's generation
// time aside), refusing shards of other builds or plans, duplicates and
// missing ones; Merge computes each report's verdict again from its checks.
//
// A ReferenceCache keeps certified references on disk, keyed by the exact
// data (DataHash), the norm, the tolerance and the build, so that shards and
// reruns do not solve them again. An entry is used only after its
// certificate is evaluated again on the data and proves the stored interval,
// so a warm cache gives the same reports as a cold one. Only references are
// cached: every run trains, runs its commands and reads its trajectory files
// afresh, so no result outlives a change of its inputs.
package verify
