package verify

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"maxmargin/dataset"
	"maxmargin/norm"
	"maxmargin/solver"
	"maxmargin/trainer"
)

// References are certified max-margin solutions per norm name. Norms without
// an exact solver yet (fro, spectral, ...) are absent.
type References map[string]*solver.Result

// DefaultReferenceNorms are the norms whose references a case solves unless
// it lists its own.
func DefaultReferenceNorms() []string { return []string{"max", "op1", "opinf", "sum"} }

// SolveReferences solves the max-margin problem of ds for each named norm
// (DefaultReferenceNorms when names is empty). An uncertified or failed
// solve is an error: verdicts never rest on it.
func SolveReferences(ds *dataset.Dataset, names ...string) (References, error) {
	if len(names) == 0 {
		names = DefaultReferenceNorms()
	}
	refs := References{}
	for _, name := range names {
		n, err := norm.ByName(name)
		if err != nil {
			return nil, err
		}
		r, err := solver.MaxMargin(ds, n, nil)
		if err != nil {
			return nil, fmt.Errorf("reference for %s: %w", name, err)
		}
		if err := usable(name, r); err != nil {
			return nil, err
		}
		refs[name] = r
	}
	return refs, nil
}

// usable returns an error unless r can serve as a reference: certified,
// separable, with a finite interval.
func usable(name string, r *solver.Result) error {
	switch {
	case !r.Certified:
		return fmt.Errorf("%w: reference for %s is not certified: [%g, %g]", ErrUncertified, name, r.Lower, r.Upper)
	case math.IsNaN(r.Lower) || math.IsNaN(r.Upper) || math.IsInf(r.Upper, 0):
		return fmt.Errorf("%w: reference for %s has a non-finite interval [%g, %g]", ErrUncertified, name, r.Lower, r.Upper)
	case !r.Separable:
		return fmt.Errorf("%w: data not linearly separable (%s margin <= %g)", ErrNotSeparable, name, r.Upper)
	}
	return nil
}

// ErrUncertified is returned for a reference whose certificate does not
// bracket gamma within the tolerance: claims are failed, not passed, on it.
var ErrUncertified = errors.New("verify: uncertified reference")

// ErrNotSeparable is returned for data without a positive margin: the claims
// are about separable data.
var ErrNotSeparable = errors.New("verify: not linearly separable")

// Series is one norm's gap gamma_N - m(W_t)/N(W_t) at the checkpoints t >= 1.
type Series struct {
	T   []float64 `json:"t"`
	Gap []float64 `json:"gap"`
}

// Report is the outcome of one claim on one case.
type Report struct {
	Case  string `json:"case"`
	Claim Claim  `json:"claim"`
	Steps int    `json:"steps"`
	N     int    `json:"n"`
	D     int    `json:"d"`
	// Pass is the verdict: no error, not partial, no check failed and at
	// least one check passed (skipped checks count for nothing).
	Pass      bool    `json:"pass"`
	Partial   bool    `json:"partial,omitempty"`
	Error     string  `json:"error,omitempty"`
	Checks    []Check `json:"checks"`
	FinalGap  float64 `json:"final_gap"`
	Slope     float64 `json:"slope"`
	RateSlope float64 `json:"rate_slope"`
	// Gamma is the certified lower end of each reference norm's interval.
	Gamma map[string]float64 `json:"gamma"`
	// Series holds the gap per reference norm, for plots.
	Series map[string]Series `json:"series"`
	// Correlation holds, per reference norm N, the correlation
	// <W_t, V_N>/(||W_t||_F ||V_N||_F) of the iterate with the reference's
	// max-margin classifier V_N at the checkpoints of Series (the paper's
	// Figure 2). V_N need not be the unique maximiser, so this is a picture,
	// not a check.
	Correlation map[string][]float64 `json:"correlation"`
	// Final holds the normalized margins at the last checkpoint.
	Final map[string]float64 `json:"final_margins"`
	// Checkpoints is kept for pinning; it is not part of the JSON report.
	Checkpoints []trainer.Checkpoint `json:"-"`
}

// Options tune a run.
type Options struct {
	// StepScale multiplies every step budget (0 means 1); a quick run uses
	// less than 1.
	StepScale float64
	// Source, when set, replaces where the claim's iterates come from (the
	// built-in trainer or the claim's command): the caller's optimizer
	// (TrainerSource), a trajectory file (FileSource), iterates computed
	// by the caller (Iterates) or any other Source.
	Source Source
	// Mutate, when set, replaces the optimizer the claim names: the hook
	// by which tests check that broken optimizers are caught.
	Mutate func(trainer.Optimizer) trainer.Optimizer
	// Gradient selects the trainer's gradient (Exact unless a test asks
	// for the textbook one).
	Gradient trainer.GradientMode
}

// optimizerFor builds the trainer's optimizer of a claim.
func optimizerFor(c Claim) (trainer.Optimizer, error) {
	normName := ""
	switch c.Optimizer {
	case "nsd", "nmd":
		normName = c.Norm
	}
	return trainer.ByName(c.Optimizer, normName, c.Beta1, c.Beta2, c.Eps, c.BiasCorrection)
}

// CheckClaim runs one claim on a data set with certified references and
// returns its report. The iterates come from opt.Source when set, else from
// the claim's command (CommandSource) when it has one, else from the built-in
// trainer; every source's checkpoints go through the same checks (see the
// package documentation), those a claim cannot support being reported as
// skipped with the reason. A cancelled context gives a partial report that
// fails.
func CheckClaim(ctx context.Context, caseName string, ds *dataset.Dataset, refs References, cc CaseClaim, pins *Pins, opt Options) *Report {
	claim, err := cc.Resolve()
	if err != nil {
		return &Report{Case: caseName, Claim: Claim{Name: cc.Claim}, Error: err.Error(), Gamma: map[string]float64{}, Series: map[string]Series{}}
	}
	return checkResolved(ctx, caseName, ds, refs, claim, cc, pins, opt)
}

// checkResolved is CheckClaim with the claim resolved: it gets the claim's
// checkpoints from their source and checks them.
func checkResolved(ctx context.Context, caseName string, ds *dataset.Dataset, refs References, claim Claim, cc CaseClaim, pins *Pins, opt Options) *Report {
	rep := &Report{Case: caseName, Claim: claim, Gamma: map[string]float64{}, Series: map[string]Series{}}
	steps := claim.Steps
	if cc.Steps > 0 {
		steps = cc.Steps
	}
	if opt.StepScale > 0 {
		steps = max(1, int(float64(steps)*opt.StepScale))
	}
	rep.Steps = steps
	loss, lossKnown := trainer.CrossEntropy, claim.Loss != ""
	if lossKnown {
		var err error
		if loss, err = trainer.ParseLoss(claim.Loss); err != nil {
			rep.Error = err.Error()
			return rep
		}
	}
	src := opt.Source
	switch {
	case src != nil:
	case len(claim.Command) > 0:
		src = CommandSource{Argv: claim.Command}
	default:
		o, err := optimizerFor(claim)
		if err != nil {
			rep.Error = err.Error()
			return rep
		}
		if opt.Mutate != nil {
			o = opt.Mutate(o)
		}
		src = TrainerSource{Optimizer: o, Gradient: opt.Gradient}
	}
	cps, err := src.Checkpoints(ctx, RunSpec{Data: ds, Claim: claim, Loss: loss, Steps: steps, Dir: cc.dir})
	if err != nil {
		rep.Error = err.Error()
		rep.Partial = ctx.Err() != nil
		if len(cps) == 0 || !rep.Partial {
			return rep
		}
	} else if len(cps) > 0 {
		rep.Steps = cps[len(cps)-1].T
	}
	rep.check(ds, refs, claim, lossKnown, cc, pins, cps)
	return rep
}

// check fills the report from the checkpoints of a run, whatever their
// source: the series, the correlations and every check. lossKnown tells
// whether the checkpoints were measured with the claim's own loss.
func (rep *Report) check(ds *dataset.Dataset, refs References, claim Claim, lossKnown bool, cc CaseClaim, pins *Pins, all []trainer.Checkpoint) {
	rep.Checkpoints = all
	n, d, _ := ds.Dims()
	rep.N, rep.D = n, d
	for name, r := range refs {
		rep.Gamma[name] = r.Lower
	}
	var cps []trainer.Checkpoint
	for _, cp := range all {
		if cp.T >= 1 {
			cps = append(cps, cp)
		}
	}
	if len(cps) == 0 {
		rep.Error = "no checkpoints at t >= 1"
		return
	}
	rep.Correlation = map[string][]float64{}
	for name, r := range refs {
		var s Series
		corr := make([]float64, 0, len(cps))
		for _, cp := range cps {
			s.T = append(s.T, float64(cp.T))
			s.Gap = append(s.Gap, r.Lower-cp.Margins[name])
			corr = append(corr, correlation(cp.W, r.W))
		}
		rep.Series[name] = s
		rep.Correlation[name] = corr
	}
	rep.Final = cps[len(cps)-1].Margins

	own, ok := refs[claim.Norm]
	if !ok {
		rep.Error = fmt.Sprintf("no certified reference for the claim's norm %s", claim.Norm)
		return
	}
	s := rep.Series[claim.Norm]
	floor := own.Upper - own.Lower + 1e-15*own.Upper
	rep.FinalGap = s.Gap[len(s.Gap)-1]

	rep.Checks = append(rep.Checks, inequalityCheck(ds, claim, lossKnown, refs, all))
	rep.Checks = append(rep.Checks, boundCheck(refs, cps))
	skip := map[string]string{}
	for _, name := range cc.Skip {
		skip[name] = cc.Why
	}
	var rateChecks []Check
	if claim.Rate.Kind == "" {
		rep.Slope, rep.RateSlope = math.NaN(), math.NaN()
		for _, name := range []string{"envelope", "slope", "shrink"} {
			rateChecks = append(rateChecks, Check{Name: name, Figure: math.NaN(), Threshold: math.NaN(), Skipped: true,
				Detail: "skipped: the claim predicts no rate"})
		}
	} else {
		rate := func(t float64) float64 { return claim.Rate.At(t, n, d) }
		burn := float64(claim.BurnIn)
		rateChecks = []Check{
			EnvelopeCheck(s.T, s.Gap, rate, burn),
			SlopeCheck(s.T, s.Gap, rate, floor),
			ShrinkCheck(s.T, s.Gap, rate, burn, floor),
		}
	}
	rateChecks = append(rateChecks, preference(claim, refs, cps[len(cps)-1]))
	for _, c := range rateChecks {
		if c.Name == "slope" && !c.Skipped {
			rep.Slope, rep.RateSlope = c.Figure, c.Threshold-SlopeTolerance
		}
		if why, ok := skip[c.Name]; ok && !c.Skipped {
			c.Pass, c.Skipped = false, true
			c.Detail = "skipped: " + why
		}
		rep.Checks = append(rep.Checks, c)
	}
	if pins != nil {
		rep.Checks = append(rep.Checks, pinCheck(pins, claim.Name, refs, cps))
	}
	rep.Pass = rep.passes()
}

// passes is a report's verdict from its contents: no error, not partial, no
// check failed and at least one check ran and passed (skipped checks are
// no evidence either way). Merge recomputes it from a shard's checks, so a
// shard file cannot claim more than its checks show.
func (rep *Report) passes() bool {
	if rep.Error != "" || rep.Partial {
		return false
	}
	ran := false
	for _, c := range rep.Checks {
		if c.Failed() {
			return false
		}
		ran = ran || c.Pass
	}
	return ran
}

// preference compares the claim's own relative gap with the other reference
// norms' at the last checkpoint.
func preference(claim Claim, refs References, last trainer.Checkpoint) Check {
	rel := func(name string) float64 {
		r := refs[name]
		return (r.Lower - last.Margins[name]) / r.Lower
	}
	others := map[string]float64{}
	for name := range refs {
		if name != claim.Norm {
			others[name] = rel(name)
		}
	}
	return PreferenceCheck(rel(claim.Norm), others)
}

// inequalityTol is the slack of the exact inequalities in log units: they
// hold exactly, and the trainer evaluates both sides in float64 from
// log-domain quantities, with relative errors of a few ulps per operation.
const inequalityTol = 1e-9

// inequalityCheck checks MATH.md section 6 items 1 and 2 (cross-entropy,
// when the checkpoints were measured with the claim's own loss) and item 4
// (when the claim gives a schedule and a norm in which every step is at most
// eta_t long; see stepNorm) at every checkpoint. Item 4 is N(W_t) <= N(W_0)
// + sum_{s<t} eta_s, with W_0 the checkpoint at t = 0 when there is one and
// 0 otherwise. Figure is the number of violations. With neither item
// applicable the check is skipped, saying why.
func inequalityCheck(ds *dataset.Dataset, claim Claim, lossKnown bool, refs References, cps []trainer.Checkpoint) Check {
	c := Check{Name: "inequalities", Threshold: 0}
	n, _, _ := ds.Dims()
	logTwoB := math.Log(2 * ds.Bound())
	var first string
	violate := func(t int, what string, args ...any) {
		c.Figure++
		if first == "" {
			first = fmt.Sprintf("t = %d: ", t) + fmt.Sprintf(what, args...)
		}
	}
	crossEntropy := lossKnown && claim.Loss == trainer.CrossEntropy.String()
	stepN := stepNorm(claim)
	pathCheck := stepN != "" && claim.LR > 0
	if !crossEntropy && !pathCheck {
		c.Skipped, c.Figure = true, math.NaN()
		var why []string
		if !crossEntropy {
			why = append(why, "items 1 and 2 need the cross-entropy loss named by the claim")
		}
		if stepN == "" {
			why = append(why, "item 4 needs a step_norm")
		} else {
			why = append(why, "item 4 needs the schedule (lr, decay)")
		}
		c.Detail = "skipped: " + strings.Join(why, "; ")
		return c
	}
	var pathLen float64 // N(W_0) + sum_{s<t} eta_s
	if len(cps) > 0 && cps[0].T == 0 && pathCheck {
		if v, ok := cps[0].Norms[stepN]; ok {
			pathLen = v
		}
	}
	s := 0
	for _, cp := range cps {
		for ; s < cp.T; s++ {
			pathLen += claim.LR * math.Pow(float64(s+1), -claim.Decay)
		}
		if pathCheck {
			// Item 4: N(W_t) <= N(W_0) + sum_{s<t} eta_s.
			if v := cp.Norms[stepN]; v > pathLen*(1+1e-12) {
				violate(cp.T, "%s(W) = %g > path length %g", stepN, v, pathLen)
			}
		}
		if !crossEntropy || cp.T == 0 {
			continue
		}
		names := make([]string, 0, len(cp.LogGradDual))
		for name := range cp.LogGradDual {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			lg := cp.LogGradDual[name]
			// Item 1, upper side, for every norm between max and sum.
			if lg > logTwoB+cp.LogProxy+inequalityTol {
				violate(cp.T, "%s*(grad) = e^%g > 2 B G = e^%g", name, lg, logTwoB+cp.LogProxy)
			}
			// Item 1, lower side, with gamma's certified lower end.
			if r, ok := refs[name]; ok && math.Log(r.Lower)+cp.LogProxy > lg+inequalityTol {
				violate(cp.T, "gamma_%s G = e^%g > %s*(grad) = e^%g", name, math.Log(r.Lower)+cp.LogProxy, name, lg)
			}
		}
		// Item 2.
		if cp.LogProxy > cp.LogLoss+inequalityTol {
			violate(cp.T, "G = e^%g > L = e^%g", cp.LogProxy, cp.LogLoss)
		}
		l := math.Exp(cp.LogLoss)
		if ratio := math.Exp(cp.LogProxy - cp.LogLoss); ratio < 1-float64(n)*l/2-inequalityTol {
			violate(cp.T, "G/L = %g < 1 - nL/2 = %g", ratio, 1-float64(n)*l/2)
		}
		if l <= math.Ln2/float64(n) && cp.LogLoss > math.Ln2+cp.LogProxy+inequalityTol {
			violate(cp.T, "L = %g <= log 2/n but L > 2G", l)
		}
		if l < math.Ln2/float64(n) && !(cp.Margin > 0) {
			violate(cp.T, "L = %g < log 2/n but margin %g <= 0", l, cp.Margin)
		}
	}
	c.Pass = c.Figure == 0
	if c.Pass {
		var items []string
		if crossEntropy {
			items = append(items, "items 1, 2")
		}
		if pathCheck {
			items = append(items, "item 4 in "+stepN)
		}
		c.Detail = fmt.Sprintf("%s at %d checkpoints", strings.Join(items, " and "), len(cps))
	} else {
		c.Detail = first
	}
	return c
}

// isNormalized tells whether the optimizer moves by exactly eta_t in its own
// norm (NSD and NMD), so that item 4 applies.
func isNormalized(opt string) bool {
	switch opt {
	case "signgd", "ngd", "cd", "nsd", "spectral-gd", "signum", "nmd-gd", "muon", "nmd":
		return true
	}
	return false
}

// boundCheck checks that no normalized margin exceeds the certified upper
// bound U of its norm: that would be a bug in the trainer, the norm or the
// solver. Figure is the largest excess (m(W)/N(W) - U)/U.
func boundCheck(refs References, cps []trainer.Checkpoint) Check {
	c := Check{Name: "bound", Threshold: 1e-12, Figure: math.Inf(-1)}
	for _, cp := range cps {
		for name, r := range refs {
			c.Figure = max(c.Figure, (cp.Margins[name]-r.Upper)/r.Upper)
		}
	}
	// Margins are float64 ratios: a few ulps above U is rounding, not a bug.
	c.Pass = c.Figure <= c.Threshold
	c.Detail = "max over checkpoints and norms of (margin - U)/U"
	return c
}

// pinCheck compares gamma and the pinned margins with the run.
func pinCheck(p *Pins, claim string, refs References, cps []trainer.Checkpoint) Check {
	tol := p.Tolerance
	if tol == 0 {
		tol = 1e-9
	}
	c := Check{Name: "pins", Threshold: tol}
	var first string
	miss := func(format string, args ...any) {
		if first == "" {
			first = fmt.Sprintf(format, args...)
		}
	}
	rel := func(got, want float64) float64 {
		return math.Abs(got-want) / max(math.Abs(want), 1e-300)
	}
	count := 0
	for name, want := range p.Gamma {
		r, ok := refs[name]
		if !ok {
			miss("no reference for pinned gamma %s", name)
			continue
		}
		count++
		if e := rel(r.Lower, want); e > c.Figure {
			c.Figure = e
			if e > tol {
				miss("gamma %s = %.12g, pinned %.12g", name, r.Lower, want)
			}
		}
	}
	at := map[int]trainer.Checkpoint{}
	for _, cp := range cps {
		at[cp.T] = cp
	}
	for _, pm := range p.Margins[claim] {
		cp, ok := at[pm.T]
		if !ok {
			miss("no checkpoint at pinned t = %d", pm.T)
			continue
		}
		for name, want := range pm.Margins {
			count++
			if e := rel(cp.Margins[name], want); e > c.Figure {
				c.Figure = e
				if e > tol {
					miss("t = %d: %s margin %.12g, pinned %.12g", pm.T, name, cp.Margins[name], want)
				}
			}
		}
	}
	c.Pass = first == ""
	if c.Pass {
		c.Detail = fmt.Sprintf("%d pinned values reproduced", count)
	} else {
		c.Detail = first
	}
	return c
}

// Pin records the run's values as the case's pins for this claim: gamma per
// reference norm and the margins at t = 100, 1000 and the last step.
func Pin(p *Pins, rep *Report) {
	if p.Gamma == nil {
		p.Gamma = map[string]float64{}
	}
	for name, g := range rep.Gamma {
		p.Gamma[name] = g
	}
	if p.Margins == nil {
		p.Margins = map[string][]PinnedMargins{}
	}
	var pinned []PinnedMargins
	for _, cp := range rep.Checkpoints {
		if cp.T == 100 || cp.T == 1000 || cp.T == rep.Steps {
			m := map[string]float64{}
			for name := range rep.Gamma {
				m[name] = cp.Margins[name]
			}
			pinned = append(pinned, PinnedMargins{T: cp.T, Margins: m})
		}
	}
	p.Margins[rep.Claim.Name] = pinned
}

// correlation returns <A, B>/(||A||_F ||B||_F), or NaN when either is 0 or
// missing.
func correlation(a, b *mat.Dense) float64 {
	if a == nil || b == nil {
		return math.NaN()
	}
	na, nb := mat.Norm(a, 2), mat.Norm(b, 2)
	if na == 0 || nb == 0 {
		return math.NaN()
	}
	var dot float64
	r, c := a.Dims()
	for i := range r {
		dot += floats.Dot(a.RawRowView(i)[:c], b.RawRowView(i)[:c])
	}
	return dot / (na * nb)
}
