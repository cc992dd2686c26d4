package verify

import (
	"fmt"
	"sort"
)

// Status tells whether a claim is a theorem or a conjecture derived from the
// paper's lemmas (MATH.md tags [P] and [D]).
type Status string

const (
	// Proved marks a claim stated in a paper.
	Proved Status = "proved"
	// Derived marks a claim derived from a paper's lemmas: a conjecture the
	// suite tests.
	Derived Status = "derived"
)

// Claim is one implicit-bias claim as data: which optimizer, run how, is
// predicted to close which norm's max-margin gap at which rate.
type Claim struct {
	// Name identifies the claim in case files and reports.
	Name string `json:"name,omitempty"`
	// Source is the paper and theorem the claim comes from.
	Source string `json:"source"`
	// Status is Proved or Derived.
	Status Status `json:"status"`
	// Optimizer is the trainer's name for the algorithm (signgd, nsd,
	// signum, adam, ...), with Norm for nsd and nmd.
	Optimizer string `json:"optimizer"`
	// Norm is the claim's own norm: the one whose gap must close.
	Norm string `json:"norm"`
	// Beta1 and Beta2 are the momentum parameters (NMD, Adam).
	Beta1 float64 `json:"beta1,omitempty"`
	Beta2 float64 `json:"beta2,omitempty"`
	// Eps and BiasCorrection are Adam's eps and torch.optim.Adam's bias
	// correction; the analysed Adam has neither.
	Eps            float64 `json:"eps,omitempty"`
	BiasCorrection bool    `json:"bias_correction,omitempty"`
	// Loss is ce, exp or pairlog. An external optimizer's claim may leave
	// it empty: its trajectory is then measured with cross-entropy and the
	// loss's inequalities are skipped.
	Loss string `json:"loss"`
	// LR is eta_0 and Decay the exponent a of eta_t = eta_0 (t+1)^{-a}. An
	// external optimizer's claim may leave LR 0 (no schedule given): the
	// path-length inequality is then skipped.
	LR    float64 `json:"lr"`
	Decay float64 `json:"decay"`
	// Rate is the predicted rate of the gap. A defined claim may leave its
	// Kind empty: the rate checks (envelope, slope, shrink) are then
	// skipped.
	Rate Rate `json:"rate"`
	// Steps is the default step budget; a case may override it.
	Steps int `json:"steps"`
	// BurnIn is the first step of the decade [BurnIn, 10 BurnIn] on which the
	// rate's constant is fitted. Adam's is late: with eps = 0 it plateaus
	// until V forgets the large early gradients (about 1/(1-beta2) steps
	// times a few; MEASURED.md).
	BurnIn int `json:"burn_in"`
	// Command, when not empty, is an external optimizer: a program run with
	// the protocol of CommandSource (the data path, steps and schedule in
	// the environment, the trajectory in JSON Lines on stdout). Optimizer
	// is then only a label.
	Command []string `json:"command,omitempty"`
	// StepNorm names a norm in which every update of the optimizer has
	// length at most eta_t (NSD and NMD: exactly eta_t in their own norm),
	// so that N(W_t) <= N(W_0) + sum_{s<t} eta_s (MATH.md section 6, item
	// 4) can be checked. Empty means the claim's Norm for the built-in
	// normalized optimizers and no such check otherwise.
	StepNorm string `json:"step_norm,omitempty"`
}

// Claims returns the built-in claims, sorted by name. Fro and spectral claims
// join when their certified references exist.
func Claims() []Claim {
	cs := []Claim{
		nsdClaim("signgd", "signgd", "max", "ce", Proved, "Fan, Schmidt, Thrampoulidis 2025, Thm 1 (SignGD = NSD w.r.t. max)"),
		nsdClaim("signgd-exp", "signgd", "max", "exp", Proved, "Fan et al. 2025, Thm 1 extended to the exponential loss (Sec. 5)"),
		nsdClaim("signgd-pairlog", "signgd", "max", "pairlog", Proved, "Fan et al. 2025, Thm 1 extended to PairLogLoss (Sec. 5)"),
		nsdClaim("nsd-sum", "cd", "sum", "ce", Proved, "Fan et al. 2025, Thm 1 for entry-wise p-norms, p = 1 (greedy coordinate descent)"),
		nsdClaim("nsd-opinf", "nsd", "opinf", "ce", Derived, "Fan et al. 2025, Thm 1's argument for opinf (max <= opinf <= sum)"),
		nsdClaim("nsd-op1", "nsd", "op1", "ce", Derived, "Fan et al. 2025, Thm 1's argument for op1 (max <= op1 <= sum)"),
		{
			Name: "signum", Source: "Fan et al. 2025 v4, Thm 2 (NMD w.r.t. max)", Status: Proved,
			Optimizer: "signum", Norm: "max", Beta1: 0.9, Loss: "ce", LR: 0.1, Decay: 0.5,
			Rate: Rate{Kind: "nmd"}, Steps: 100000, BurnIn: 30,
		},
		{
			Name: "adam", Source: "Fan et al. 2025, Thm 3 (Adam, eps = 0, no bias correction); a = 2/3 derived", Status: Derived,
			Optimizer: "adam", Norm: "max", Beta1: 0.9, Beta2: 0.99, Loss: "ce", LR: 0.1, Decay: 2.0 / 3,
			Rate: Rate{Kind: "adam"}, Steps: 1000000, BurnIn: 10000,
		},
		{
			Name: "signgd-a1", Source: "derived from Fan et al. 2025, Thm 1's proof with a = 1", Status: Derived,
			Optimizer: "signgd", Norm: "max", Loss: "ce", LR: 0.1, Decay: 1,
			Rate: Rate{Kind: "log"}, Steps: 100000, BurnIn: 10,
		},
		{
			Name: "signgd-a0.3", Source: "derived from Fan et al. 2025, Thm 1's proof with a = 0.3", Status: Derived,
			Optimizer: "signgd", Norm: "max", Loss: "ce", LR: 0.1, Decay: 0.3,
			Rate: Rate{Kind: "power", A: 0.3}, Steps: 100000, BurnIn: 10,
		},
	}
	// Claims on the fro and spectral norms (Fan et al. v4; Soudry et al.
	// 2018 and Ravi et al. 2024 for GD). Their cases must list fro or
	// spectral among their references.
	cs = append(cs,
		nsdClaim("ngd", "ngd", "fro", "ce", Proved, "Fan et al. 2025 v4, Thm 1 (normalized GD = NSD w.r.t. fro)"),
		Claim{
			Name: "spectral-gd", Source: "Fan et al. 2025 v4, Thm 1 for Schatten norms (Spectral-GD = NSD w.r.t. spectral)", Status: Proved,
			Optimizer: "spectral-gd", Norm: "spectral", Loss: "ce", LR: 0.05, Decay: 0.5,
			Rate: Rate{Kind: "nsd"}, Steps: 10000, BurnIn: 10,
		},
		Claim{
			Name: "muon", Source: "Fan et al. 2025 v4, Thm 2 (Muon = NMD w.r.t. spectral)", Status: Proved,
			Optimizer: "muon", Norm: "spectral", Beta1: 0.9, Loss: "ce", LR: 0.05, Decay: 0.5,
			Rate: Rate{Kind: "nmd"}, Steps: 10000, BurnIn: 30,
		},
		Claim{
			Name: "nmd-gd", Source: "Fan et al. 2025 v4, Thm 2 (NMD w.r.t. fro)", Status: Proved,
			Optimizer: "nmd-gd", Norm: "fro", Beta1: 0.9, Loss: "ce", LR: 0.1, Decay: 0.5,
			Rate: Rate{Kind: "nmd"}, Steps: 10000, BurnIn: 30,
		},
		Claim{
			Name: "gd", Source: "Soudry et al. 2018 (JMLR), Ravi et al. 2024 (multiclass): GD with a constant step", Status: Proved,
			Optimizer: "gd", Norm: "fro", Loss: "ce", LR: 0.1, Decay: 0,
			Rate: Rate{Kind: "log"}, Steps: 100000, BurnIn: 10,
		},
	)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return cs
}

// nsdClaim is the claim of Theorem 1 for one norm and loss: a = 1/2,
// eta_0 = 0.1, gap O((log t + n)/sqrt t).
func nsdClaim(name, opt, norm, loss string, status Status, source string) Claim {
	return Claim{
		Name: name, Source: source, Status: status,
		Optimizer: opt, Norm: norm, Loss: loss, LR: 0.1, Decay: 0.5,
		Rate: Rate{Kind: "nsd"}, Steps: 100000, BurnIn: 10,
	}
}

// ClaimByName returns the built-in claim with the given name.
func ClaimByName(name string) (Claim, error) {
	for _, c := range Claims() {
		if c.Name == name {
			return c, nil
		}
	}
	var names []string
	for _, c := range Claims() {
		names = append(names, c.Name)
	}
	return Claim{}, fmt.Errorf("verify: unknown claim %q (known: %v)", name, names)
}
